/**
 * `npm run status`: for each day, a dry run (through the deployed function, or in this process
 * with `--local`) says whether the destination holds every source object equal. A dry run lists
 * the day's source and destination prefixes and nothing else, so the status costs listings only,
 * and it reads the buckets themselves: it is the truth even when metrics are lost.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import pLimit from 'p-limit';
import { createClients as createHandlerClients } from '../../../handler/aws/clients.ts';
import type { HandlerConfig } from '../../../handler/config.ts';
import type { ReplicationClients } from '../../../handler/copy/replicateDay.ts';
import { ReplicationFailedError } from '../../../handler/errors.ts';
import { runEvent } from '../../../handler/copy/runCopy.ts';
import { createLogger } from '../../../handler/logger.ts';
import type { DaySummary, Summary } from '../../../handler/summary.ts';
import { dateParts, addDays, type IsoDate } from '../../../rules/dates.ts';
import { interpretInvoke, invokeFunction } from '../../aws/lambdaInvoke.ts';
import { isSummary } from '../../cli/reportFormat.ts';
import { findDeployedFunction, type StackTarget } from '../../cloudformation/stackTarget.ts';

/** One day's answer; the `--json` output is an array of these. */
export interface DayStatus {
  readonly date: IsoDate;
  readonly inSync: boolean;
  /** Source objects with no destination key. */
  readonly missing: number;
  /** Source objects whose destination object differs. */
  readonly differ: number;
  /** Source objects in an archive storage class, which a copy cannot read. */
  readonly archived: number;
  /** Source objects whose destination key would be over S3's 1,024 bytes, which no run copies; present only when some. */
  readonly tooLong?: number;
  /**
   * Destination-only objects under the day's destination prefix (the marker aside): e.g. part
   * files of a day rewritten upstream. With exact days on, a day with any is not in sync (the
   * next run deletes them); off, they are shown and kept. Present only when some, like `tooLong`.
   */
  readonly extra?: number;
  /** Why the day could not be checked; present only then. */
  readonly error?: string;
}

/** Checks one day. */
export type DayChecker = (date: IsoDate) => Promise<DayStatus>;

/** Days checked at once (each is one dry run: two listings and an AssumeRole). */
export const STATUS_CONCURRENCY = 4;

/** The status of a day from its dry-run summary (and the first failure, if any). */
export function statusOfDay(day: DaySummary, firstError?: string): DayStatus {
  // A function deployed before the split counts what it would copy only as `copied`.
  const missing = day.missing ?? day.copied;
  const differ = day.differ ?? 0;
  const archived = 'archived' in day && typeof day.archived === 'number' ? day.archived : 0;
  const tooLong = day.tooLong ? { tooLong: day.tooLong } : {};
  // A function deployed before extras were counted reports none.
  const extra = day.extra ? { extra: day.extra } : {};
  if (day.failed > 0) return { date: day.date as IsoDate, inSync: false, missing, differ, archived, ...tooLong, ...extra, error: firstError ?? `${day.failed} failure(s)` };
  const extraOutOfSync = day.exactDays === true && (day.extra ?? 0) > 0;
  return { date: day.date as IsoDate, inSync: missing === 0 && differ === 0 && archived === 0 && !day.tooLong && !extraOutOfSync, missing, differ, archived, ...tooLong, ...extra };
}

function fromSummary(date: IsoDate, summary: Summary): DayStatus {
  const day = summary.dates.find((d) => d.date === date);
  if (!day) return { date, inSync: false, missing: 0, differ: 0, archived: 0, error: 'the dry run reported no result for this day' };
  // A day that failed in a dry run is a listing (or the role) that failed: its error names the prefix.
  return statusOfDay(day, summary.failures[0]?.error);
}

const dryRunOf = (date: IsoDate) => ({ dates: [date], dryRun: true });

/**
 * Dry runs in this process with the handler config of the local environment
 * (deploy/cli/localEnvironment.ts, which has checked it and the region; AWS_ENDPOINT_URL honoured).
 */
export function localChecker(config: HandlerConfig): DayChecker {
  return handlerChecker(config, createHandlerClients(config, { sessionName: 's3-push-status' }));
}

/** Dry runs in this process with a parsed handler config and its clients (the demo's). */
export function handlerChecker(config: HandlerConfig, clients: ReplicationClients): DayChecker {
  const logger = createLogger([config.externalId], () => undefined);
  return async (date) => {
    try {
      return fromSummary(date, await runEvent(dryRunOf(date), config, clients, { logger }));
    } catch (err) {
      if (err instanceof ReplicationFailedError) return fromSummary(date, err.summary);
      return { date, inSync: false, missing: 0, differ: 0, archived: 0, error: (err as Error).message };
    }
  };
}

/**
 * Dry runs through the stack's function, one invocation (RequestResponse) per day: a one-day
 * event runs inline even when the stack fans multi-day events out.
 */
export async function deployedChecker(target: StackTarget, clients: { readonly cfn: CloudFormationClient; readonly lambda: LambdaClient }, log: (line: string) => void): Promise<DayChecker> {
  const fn = await findDeployedFunction(clients.cfn, target.stackName);
  log(`status: dry runs on ${fn.functionName} (stack ${target.stackName}, ${target.region})`);
  return async (date) => {
    try {
      const verdict = interpretInvoke(await invokeFunction(clients.lambda, fn.functionName, dryRunOf(date), 'sync'), 'sync');
      if (verdict.kind === 'returned' && isSummary(verdict.result)) return fromSummary(date, verdict.result);
      const error = verdict.kind === 'failed' ? `${verdict.errorType ? `${verdict.errorType}: ` : ''}${verdict.message}` : `the function answered without a summary (${JSON.stringify(verdict).slice(0, 200)})`;
      return { date, inSync: false, missing: 0, differ: 0, archived: 0, error };
    } catch (err) {
      return { date, inSync: false, missing: 0, differ: 0, archived: 0, error: (err as Error).message };
    }
  };
}

/** Options of {@link checkDays}. */
export interface CheckDaysOptions {
  /** Days checked at once. Default {@link STATUS_CONCURRENCY}. */
  readonly concurrency?: number;
  /** Called after each day with how many are done. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Checks every day, a few at once; the results in the order of `dates`. */
export async function checkDays(dates: readonly IsoDate[], check: DayChecker, options: CheckDaysOptions = {}): Promise<DayStatus[]> {
  const limit = pLimit(options.concurrency ?? STATUS_CONCURRENCY);
  let done = 0;
  return Promise.all(dates.map((date) => limit(async () => {
    const status = await check(date);
    options.onProgress?.(++done, dates.length);
    return status;
  })));
}

/** Whether to colour: a terminal, and neither NO_COLOR (any non-empty value) nor TERM=dumb. */
export function useColor(isTty: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  return isTty && !env.NO_COLOR && env.TERM !== 'dumb';
}

type Kind = 'sync' | 'missing' | 'differ' | 'archived' | 'tooLong' | 'extra' | 'error';
const SYMBOL: Record<Kind, string> = { sync: '.', missing: 'M', differ: 'D', archived: 'A', tooLong: 'L', extra: 'X', error: 'E' };
const COLOR: Record<Kind, string> = { sync: '\u001b[32m', missing: '\u001b[33m', differ: '\u001b[35m', archived: '\u001b[36m', tooLong: '\u001b[34m', extra: '\u001b[94m', error: '\u001b[31m' };
const RESET = '\u001b[0m';

/** The one symbol of a day: an error first, then missing, differing, archived, too-long, extra objects. */
function kindOf(s: DayStatus): Kind {
  if (s.error !== undefined) return 'error';
  if (s.missing > 0) return 'missing';
  if (s.differ > 0) return 'differ';
  if (s.archived > 0) return 'archived';
  if (s.tooLong) return 'tooLong';
  if (s.extra) return 'extra';
  return 'sync';
}

/** Monday of the week of `date` (UTC). */
function mondayOf(date: IsoDate): IsoDate {
  const { year, month, day } = dateParts(date);
  const weekday = (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
  return addDays(date, -weekday);
}

/**
 * The calendar: a header of weekdays, then one row per week (Monday first) labelled with its
 * Monday, one cell per day of the range; days outside it are blank.
 */
export function renderCalendar(statuses: readonly DayStatus[], options: { color: boolean }): string[] {
  if (statuses.length === 0) return [];
  const byDate = new Map(statuses.map((s) => [s.date as string, s]));
  const first = mondayOf(statuses[0]!.date);
  const last = statuses[statuses.length - 1]!.date;
  const lines = ['week of      Mo Tu We Th Fr Sa Su'];
  for (let monday = first; monday <= last; monday = addDays(monday, 7)) {
    const cells: string[] = [];
    for (let i = 0; i < 7; i++) {
      const s = byDate.get(addDays(monday, i));
      if (!s) {
        cells.push(' ');
        continue;
      }
      const kind = kindOf(s);
      cells.push(options.color ? `${COLOR[kind]}${SYMBOL[kind]}${RESET}` : SYMBOL[kind]);
    }
    // Each cell under the first letter of its weekday (3 columns apart).
    lines.push(`${monday}   ${cells.map((c) => `${c}  `).join('')}`.trimEnd());
  }
  return lines;
}

/** The whole report: the calendar, its legend, the days not in sync with their counts, a total. */
export function renderStatus(statuses: readonly DayStatus[], options: { color: boolean }): string[] {
  const lines = renderCalendar(statuses, options);
  // `L` is named only when a day has it: most layouts can never produce one.
  const tooLongLegend = statuses.some((s) => s.tooLong) ? `   ${SYMBOL.tooLong} too long for the destination` : '';
  // `X` likewise: a day holds destination-only objects only when upstream removed some, or the partner wrote there.
  const extraLegend = statuses.some((s) => s.extra) ? `   ${SYMBOL.extra} extra (destination-only objects)` : '';
  lines.push('', `${SYMBOL.sync} in sync   ${SYMBOL.missing} missing   ${SYMBOL.differ} differ   ${SYMBOL.archived} archived${tooLongLegend}${extraLegend}   ${SYMBOL.error} could not be checked`);
  const bad = statuses.filter((s) => !s.inSync);
  if (bad.length > 0) {
    lines.push('', 'not in sync:');
    for (const s of bad) {
      const counts = [s.missing && `${s.missing} missing`, s.differ && `${s.differ} differ`, s.archived && `${s.archived} archived`, s.tooLong && `${s.tooLong} too long for the destination`, s.extra && `${s.extra} extra`].filter(Boolean).join(', ');
      lines.push(`  ${s.date}  ${s.error !== undefined ? `error: ${s.error}` : counts}`);
    }
  }
  // Without exact days extras are kept: the day is in sync, but the partner's day holds more than the source's.
  const kept = statuses.filter((s) => s.inSync && s.extra);
  if (kept.length > 0) {
    lines.push('', 'in sync, with destination-only objects kept (exact days off; S3_REPLICATE_EXACT_DAYS=true deletes them):');
    for (const s of kept) lines.push(`  ${s.date}  ${s.extra} extra`);
  }
  lines.push('', `${statuses.length} day(s) from ${statuses[0]?.date ?? '-'} to ${statuses[statuses.length - 1]?.date ?? '-'}: ${statuses.length - bad.length} in sync, ${bad.length} not`);
  return lines;
}
