/**
 * What the operator commands print for the handler's two results: the preflight's report (one
 * line per link, ✔/✘, and the fix under a broken one) and a run's summary (one line per day and a
 * total). Also finds and checks those results in an invocation's payload or log tail. Pure.
 */
import type { CheckLink, CheckReport } from '../../handler/check/check.ts';
import { ARCHIVED_HELP, type Summary } from '../../handler/summary.ts';
import { PREFLIGHT_LOG_MESSAGE, SUMMARY_LOG_MESSAGE } from '../../rules/names.ts';

const MARK: Record<CheckLink['status'], string> = { ok: '✔', broken: '✘', 'not-tried': '·' };

/** The report as lines: a mark, the link, what happened; the fix indented under a broken link. */
export function formatCheckReport(report: CheckReport): string[] {
  const lines: string[] = [];
  for (const l of report.links) {
    const what = l.status === 'not-tried' ? `not tried: ${l.detail}` : l.detail;
    lines.push(`${MARK[l.status]} ${l.link}. ${l.title}`);
    lines.push(`     ${what}`);
    if (l.status === 'broken' && l.fix) lines.push(`     fix: ${l.fix}`);
  }
  const broken = report.links.filter((l) => l.status === 'broken').length;
  const notTried = report.links.filter((l) => l.status === 'not-tried').length;
  lines.push(
    broken > 0
      ? `preflight: ${broken} link(s) broken${notTried > 0 ? `, ${notTried} not tried` : ''}: fix the first broken link and run the check again`
      : `preflight: ${report.links.length - notTried} of ${report.links.length} links ok${notTried > 0 ? `, ${notTried} not tried` : ''}`,
  );
  return lines;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True for a value shaped like a {@link CheckReport} (an invocation's payload is untyped JSON). */
export function isCheckReport(v: unknown): v is CheckReport {
  return isRecord(v) && v.check === true && typeof v.ok === 'boolean' && Array.isArray(v.links) &&
    v.links.every((l) => isRecord(l) && typeof l.link === 'number' && typeof l.title === 'string' && typeof l.detail === 'string' && ['ok', 'broken', 'not-tried'].includes(l.status as string));
}

/** True for a value shaped like a run {@link Summary}. */
export function isSummary(v: unknown): v is Summary {
  return isRecord(v) && typeof v.dryRun === 'boolean' && Array.isArray(v.dates) && typeof v.copied === 'number' && typeof v.failed === 'number';
}

/**
 * The fields of the last handler log line with `"message": message` in a log tail that pass
 * `accept` (level, message and timestamp removed), or undefined. Lambda's tail is the last 4 KB,
 * so the line may be cut: then it is not found.
 */
export function findLoggedEntry<T>(logTail: string, message: string, accept: (fields: unknown) => fields is T): T | undefined {
  for (const line of logTail.split('\n').reverse()) {
    const start = line.indexOf('{');
    if (start < 0 || !line.includes(message)) continue;
    try {
      const { level: _level, message: logged, timestamp: _timestamp, ...fields } = JSON.parse(line.slice(start)) as Record<string, unknown>;
      if (logged === message && accept(fields)) return fields;
    } catch {
      // a cut line, or not ours
    }
  }
  return undefined;
}

/** The preflight report the handler logged (`"message": "s3-push preflight"`) in a log tail, if it is whole there. */
export function findCheckReport(logTail: string): CheckReport | undefined {
  return findLoggedEntry(logTail, PREFLIGHT_LOG_MESSAGE, isCheckReport);
}

/** The summary the handler logged (`"message": "s3-push summary"`) in a log tail, if it is whole there. */
export function findSummary(logTail: string): Summary | undefined {
  return findLoggedEntry(logTail, SUMMARY_LOG_MESSAGE, isSummary);
}

/** Bytes as B/KiB/MiB/GiB with one decimal. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** A summary as lines: one per day, then the total and the first failures. */
export function formatSummary(summary: Summary): string[] {
  const verb = summary.dryRun ? 'to copy' : 'copied';
  const width = Math.max(6, ...summary.dates.map((d) => d.prefix.length));
  // A function deployed before `archived` existed answers without it.
  const archivedOf = (n: number | undefined) => (n ? `  archived ${n}` : '');
  const lines = summary.dates.map(
    (d) => `  ${d.date}  ${d.prefix.padEnd(width)}  listed ${String(d.listed).padStart(5)}  ${verb} ${String(d.copied).padStart(5)}  skipped ${String(d.skipped).padStart(5)}  failed ${String(d.failed).padStart(3)}  ${formatBytes(d.bytesCopied)}${archivedOf(d.archived)}`,
  );
  const archived = summary.archived ?? 0;
  lines.push(`  total: ${summary.copied} ${verb} (${formatBytes(summary.bytesCopied)}), ${summary.skipped} skipped, ${summary.failed} failed${archived > 0 ? `, ${archived} archived (not copied)` : ''}${summary.dryRun ? ' — dry run: nothing was copied' : ''}`);
  for (const f of summary.failures.slice(0, 5)) lines.push(`  failed: ${f.key}: ${f.error}`);
  if (summary.failed > 5) lines.push(`  … ${summary.failed - Math.min(5, summary.failures.length)} more failure(s): see the log`);
  const shown = (summary.archivedObjects ?? []).slice(0, 5);
  for (const a of shown) lines.push(`  archived: ${a.key} (${a.storageClass})`);
  if (archived > shown.length) lines.push(`  … ${archived - shown.length} more archived object(s): see the log`);
  if (archived > 0) lines.push(`  ${ARCHIVED_HELP}`);
  return lines;
}
