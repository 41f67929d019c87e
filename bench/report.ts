/**
 * Turns the raw runs of a benchmark into the figures reported (medians, spreads, paired ratios,
 * requests by operation, the server's ceiling) and renders the Markdown tables and the
 * benchmarks page. Pure.
 */
import type { RequestCounts } from './countingProxy.ts';
import type { DeployBenchResult } from './deployBench.ts';
import { describeLatencyModel, envelopeOf, type Envelope, type LatencyModel } from './latencyModel.ts';
import { MB_PER_VCPU } from './memoryTable.ts';
import { formatSpread, pairedRatio, spread, type Spread } from './stats.ts';

export type Phase = 'cold' | 'warm';

/** One tool run, as measured. */
export interface RunRecord {
  readonly dataset: string;
  readonly round: number;
  readonly tool: string;
  readonly phase: Phase;
  readonly wallSeconds: number;
  /** The tool's own CPU (user + system), start-up included. */
  readonly cpuSeconds: number;
  /** CPU of the mon, osd and radosgw during the run. */
  readonly serverCpuSeconds: number;
  /** CPU of the counting proxy (the bench process) during the run. */
  readonly proxyCpuSeconds: number;
  readonly maxRssMiB: number;
  /** The machine's 1-minute load average when the run ended (other work on the machine shows here). */
  readonly loadAverage?: number;
  /** Seconds the tool was held back by its CPU quota (the cgroup's throttled time), with --cpu-quota. */
  readonly throttledSeconds?: number;
  readonly requests: RequestCounts;
  /** The run exited 0 and the destination then held every object with the right sizes. */
  readonly ok: boolean;
  readonly problem?: string;
}

export interface ToolSummary {
  readonly tool: string;
  readonly rounds: number;
  readonly coldWall?: Spread;
  readonly coldCpu?: Spread;
  readonly coldServerCpu?: Spread;
  readonly coldProxyCpu?: Spread;
  readonly warmWall?: Spread;
  readonly warmCpu?: Spread;
  /** Median count per operation over the rounds. */
  readonly coldRequests: Record<string, number>;
  readonly warmRequests: Record<string, number>;
  /** Median cold requests divided by the objects copied. */
  readonly requestsPerObject?: number;
  /** Objects copied per second of wall time, cold. */
  readonly copiesPerSecond?: Spread;
  /** The tool's CPU per object copied, cold, in milliseconds (start-up and listings included). */
  readonly cpuPerCopyMs?: Spread;
  /** The server's CPU per object copied during the tool's cold run, in milliseconds. */
  readonly serverCpuPerCopyMs?: Spread;
  /** The tool's peak resident memory, cold, in MiB. */
  readonly maxRssMiB?: Spread;
  /** s3-push ÷ this tool, paired by round (undefined for s3-push itself). */
  readonly ratioColdWall?: Spread;
  readonly ratioColdCpu?: Spread;
  readonly ratioWarmWall?: Spread;
  /** Runs that failed, with why. */
  readonly failures: string[];
  /** Objects it copies at once (from the tool's settings). */
  readonly copiesInFlight?: number;
  /** The model's limit from this run's figures (only with a latency model). */
  readonly envelope?: Envelope;
  /** Measured cold objects per second ÷ envelope.limit. */
  readonly shareOfLimit?: number;
}

/** What the envelope of each tool is computed from: the run's quota and latency model. */
export interface EnvelopeSettings {
  /** CPUs each tool had: the cgroup quota, or the machine's CPUs without one. */
  readonly cpuQuota: number;
  /** True when the quota is a cgroup's (false: the machine's CPUs, shared with the server). */
  readonly quotaEnforced: boolean;
  readonly model: LatencyModel;
  /** Copies in flight by tool id. */
  readonly copiesInFlight: Readonly<Record<string, number>>;
}

export interface DatasetSummary {
  readonly dataset: string;
  readonly label: string;
  readonly objects: number;
  /** The tool the ratios are taken against. */
  readonly reference: string;
  readonly tools: ToolSummary[];
  /** The best cold copy rate any client reached (objects per second of wall). */
  readonly ceiling?: { readonly copiesPerSecond: number; readonly tool: string; readonly round: number };
}

/** The operations that copy one object's worth (a multipart copy counts once, at Complete). */
const COPY_OPS = ['CopyObject', 'CompleteMultipartUpload'];

/** Copies made in a run, from its request counts. */
export function copiesIn(c: RequestCounts): number {
  return COPY_OPS.reduce((n, op) => n + (c.byOperation[op] ?? 0), 0);
}

/** Seconds of CPU in a run, per object it copied, in milliseconds (NaN when it copied none). */
function perCopyMs(seconds: number, r: RunRecord): number {
  const copies = copiesIn(r.requests);
  return copies > 0 ? (seconds * 1000) / copies : Number.NaN;
}

/**
 * Summarizes one dataset. `reference` is the tool the ratios are taken against (s3-push);
 * `objects` the size of the day. Failed runs are left out of the figures and listed.
 */
export function summarizeDataset(
  runs: readonly RunRecord[],
  dataset: { id: string; label: string; count: number },
  toolIds: readonly string[],
  reference = 's3-push',
  envelopeSettings?: EnvelopeSettings,
): DatasetSummary {
  const mine = runs.filter((r) => r.dataset === dataset.id);
  const rounds = [...new Set(mine.map((r) => r.round))].sort((a, b) => a - b);
  const byRound = (tool: string, phase: Phase, pick: (r: RunRecord) => number): (number | undefined)[] =>
    rounds.map((round) => {
      const r = mine.find((x) => x.tool === tool && x.phase === phase && x.round === round && x.ok);
      return r === undefined ? undefined : pick(r);
    });
  const spreadOf = (xs: (number | undefined)[]): Spread | undefined => {
    const v = xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
    return v.length === 0 ? undefined : spread(v);
  };
  const medianRequests = (tool: string, phase: Phase): Record<string, number> => {
    const ok = mine.filter((x) => x.tool === tool && x.phase === phase && x.ok);
    const ops = [...new Set(ok.flatMap((r) => Object.keys(r.requests.byOperation)))].sort();
    return Object.fromEntries(ops.map((op) => [op, spread(ok.map((r) => r.requests.byOperation[op] ?? 0)).median]));
  };

  const tools: ToolSummary[] = toolIds.map((tool) => {
    const coldWall = byRound(tool, 'cold', (r) => r.wallSeconds);
    const coldCpu = byRound(tool, 'cold', (r) => r.cpuSeconds);
    const warmWall = byRound(tool, 'warm', (r) => r.wallSeconds);
    const coldRequests = medianRequests(tool, 'cold');
    const coldTotal = Object.values(coldRequests).reduce((a, b) => a + b, 0);
    const isRef = tool === reference;
    const cpuPerCopyMs = spreadOf(byRound(tool, 'cold', (r) => perCopyMs(r.cpuSeconds, r)));
    const copiesPerSecond = spreadOf(byRound(tool, 'cold', (r) => dataset.count / r.wallSeconds));
    const copiesInFlight = envelopeSettings?.copiesInFlight[tool];
    const envelope =
      envelopeSettings === undefined || copiesInFlight === undefined || cpuPerCopyMs === undefined
        ? undefined
        : envelopeOf({ cpuQuota: envelopeSettings.cpuQuota, cpuPerCopyMs: cpuPerCopyMs.median, requests: coldRequests, objects: dataset.count, copiesInFlight, model: envelopeSettings.model });
    return {
      tool,
      rounds: coldWall.filter((x) => x !== undefined).length,
      coldWall: spreadOf(coldWall),
      coldCpu: spreadOf(coldCpu),
      coldServerCpu: spreadOf(byRound(tool, 'cold', (r) => r.serverCpuSeconds)),
      coldProxyCpu: spreadOf(byRound(tool, 'cold', (r) => r.proxyCpuSeconds)),
      warmWall: spreadOf(warmWall),
      warmCpu: spreadOf(byRound(tool, 'warm', (r) => r.cpuSeconds)),
      coldRequests,
      warmRequests: medianRequests(tool, 'warm'),
      requestsPerObject: coldTotal > 0 ? coldTotal / dataset.count : undefined,
      copiesPerSecond,
      cpuPerCopyMs,
      serverCpuPerCopyMs: spreadOf(byRound(tool, 'cold', (r) => perCopyMs(r.serverCpuSeconds, r))),
      maxRssMiB: spreadOf(byRound(tool, 'cold', (r) => r.maxRssMiB)),
      ratioColdWall: isRef ? undefined : pairedRatio(byRound(reference, 'cold', (r) => r.wallSeconds), coldWall),
      ratioColdCpu: isRef ? undefined : pairedRatio(byRound(reference, 'cold', (r) => r.cpuSeconds), coldCpu),
      ratioWarmWall: isRef ? undefined : pairedRatio(byRound(reference, 'warm', (r) => r.wallSeconds), warmWall),
      failures: mine.filter((x) => x.tool === tool && !x.ok).map((x) => `round ${x.round} ${x.phase}: ${x.problem ?? 'failed'}`),
      ...(copiesInFlight === undefined ? {} : { copiesInFlight }),
      ...(envelope === undefined ? {} : { envelope, ...(copiesPerSecond === undefined ? {} : { shareOfLimit: copiesPerSecond.median / envelope.limit }) }),
    };
  });

  let ceiling: DatasetSummary['ceiling'];
  for (const r of mine) {
    if (!r.ok || r.phase !== 'cold') continue;
    const rate = copiesIn(r.requests) / r.wallSeconds;
    if (ceiling === undefined || rate > ceiling.copiesPerSecond) ceiling = { copiesPerSecond: rate, tool: r.tool, round: r.round };
  }
  return { dataset: dataset.id, label: dataset.label, objects: dataset.count, reference, tools, ceiling };
}

/** `CopyObject 2,500 · ListObjectsV2 6`: operations by count, largest first. */
export function formatRequests(ops: Record<string, number>): string {
  const entries = Object.entries(ops).filter(([, n]) => n > 0);
  if (entries.length === 0) return '0';
  return entries
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([op, n]) => `${op} ${Math.round(n).toLocaleString('en-US')}`)
    .join(' · ');
}

export interface ToolInfo {
  readonly id: string;
  readonly label: string;
  readonly missing?: string;
}

/** The table of one dataset: one row per tool, missing tools included. */
export function renderDatasetTable(summary: DatasetSummary, tools: readonly ToolInfo[]): string {
  const lines = [
    `**${summary.label}** (median, with min–max over ${Math.max(0, ...summary.tools.map((t) => t.rounds))} rounds; ratio = s3-push ÷ tool, below 1 means s3-push is faster or cheaper)`,
    '',
    '| tool | cold wall s | wall ratio | tool CPU s | CPU ratio | client CPU ms/copy | server CPU ms/copy | peak RSS MiB | warm wall s | warm ratio | cold requests | warm requests | req/object |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const info of tools) {
    if (info.missing !== undefined) {
      lines.push(`| ${info.label} | missing: ${info.missing} | | | | | | | | | | | |`);
      continue;
    }
    const t = summary.tools.find((x) => x.tool === info.id);
    if (t === undefined) continue;
    const ratio = (x: Spread | undefined): string => (t.tool === summary.reference ? '1' : formatSpread(x));
    const failed = t.failures.length > 0 ? ` (${t.failures.length} failed run${t.failures.length > 1 ? 's' : ''})` : '';
    lines.push(
      [
        '',
        `${info.label}${failed}`,
        formatSpread(t.coldWall),
        ratio(t.ratioColdWall),
        formatSpread(t.coldCpu),
        ratio(t.ratioColdCpu),
        formatSpread(t.cpuPerCopyMs),
        formatSpread(t.serverCpuPerCopyMs),
        formatSpread(t.maxRssMiB, 0),
        formatSpread(t.warmWall),
        ratio(t.ratioWarmWall),
        formatRequests(t.coldRequests),
        formatRequests(t.warmRequests),
        t.requestsPerObject === undefined ? '—' : t.requestsPerObject.toFixed(3),
        '',
      ].join(' | ').trim(),
    );
  }
  return lines.join('\n');
}

/**
 * CopyObject as each tool sends it, from the first cold run of `dataset` that sampled one: the
 * header names in the order sent, the bytes of the request head, and the new connections per
 * cold run (median). What a server pays per copy beyond the copy itself shows here.
 */
export function renderWireTable(runs: readonly RunRecord[], tools: readonly ToolInfo[], dataset: string): string {
  const lines = ['| tool | request head bytes | headers (in the order sent) | new connections per cold run |', '| --- | --- | --- | --- |'];
  for (const info of tools) {
    const cold = runs.filter((r) => r.dataset === dataset && r.tool === info.id && r.phase === 'cold' && r.ok);
    const sample = cold.find((r) => r.requests.copySample !== undefined)?.requests.copySample;
    if (sample === undefined) continue;
    const names = sample.headers.map((h) => h.slice(0, h.indexOf(':')).toLowerCase());
    const connections = cold.map((r) => r.requests.connections).filter((n): n is number => n !== undefined);
    lines.push(`| ${info.label} | ${sample.headerBytes} | ${names.join(', ')} | ${connections.length ? formatSpread(spread(connections), 0) : '—'} |`);
  }
  return lines.join('\n');
}

/** The handler bundle as measured by the bench. */
export interface BundleFigures {
  readonly zipBytes: number;
  readonly jsBytes: number;
  /** The part of it an import of index.mjs loads (the rest is chunks loaded when first used). */
  readonly startJsBytes?: number;
  readonly sha256: string;
  /** Time to import the bundled module in a fresh Node process (the cold-start share it owns). */
  readonly importMs: Spread;
}

/** What a run writes to its JSON file (the fields the Markdown is rendered from). */
export interface SavedResults {
  readonly generatedAt: string;
  readonly command: string;
  readonly options: { readonly nice: number };
  readonly loadAverage?: Spread;
  readonly machine: { readonly cpus: number; readonly memoryGiB: number };
  readonly server: { readonly version?: string };
  readonly tools: readonly ToolInfo[];
  readonly datasets: readonly DatasetSummary[];
  readonly ceiling?: { readonly copiesPerSecond: number; readonly tool: string };
  readonly curve: readonly { concurrency: number; wallSeconds?: Spread; copiesPerSecond?: Spread; cpuSeconds?: Spread; serverCpuSeconds?: Spread; envelope?: Envelope }[];
  /** The envelope the run measured in (--cpu-quota, --latency); absent in results of before it. */
  readonly envelope?: { readonly cpuQuota?: number; readonly cpuGroup?: string; readonly latency?: LatencyModel; readonly latencySeed?: number };
  readonly bundle: BundleFigures;
  readonly deploy: DeployBenchResult;
  readonly runs: readonly RunRecord[];
}

/** The Markdown of a run: when and how it was measured, one table per dataset, the wire, the curve, the bundle, the deploy. */
export function renderResults(r: SavedResults): string {
  const info: ToolInfo[] = r.tools.map((t) => ({ id: t.id, label: t.label, ...(t.missing === undefined ? {} : { missing: t.missing }) }));
  const niceNote = r.options.nice !== 0 ? `; the bench, Ceph and every tool ran at niceness ${r.options.nice} alike` : '';
  const load =
    r.loadAverage === undefined ? '' : ` The machine's 1-minute load average during the runs: ${formatSpread(r.loadAverage, 1)} (other work shares the ${r.machine.cpus} cores${niceNote}).`;
  const parts: string[] = [
    `Measured ${r.generatedAt.slice(0, 16).replace('T', ' ')} UTC with \`${r.command}\` on ${r.machine.cpus} cores / ${r.machine.memoryGiB} GiB, ${(r.server.version ?? 'Ceph').replace(/ \([0-9a-f]{40}\)/, '')} radosgw (memstore).${load}`,
    '',
    renderEnvelopeHeader(r.envelope ?? {}),
    '',
  ];
  for (const s of r.datasets) {
    parts.push(renderDatasetTable(s, info), '');
    const mine = s.tools.find((t) => t.tool === 's3-push');
    const lead = envelopeLead(s);
    if (lead !== undefined) {
      parts.push(
        `**${s.label} in the envelope**: each tool's limit, \`min(quota / CPU per copy, copies in flight / latency per object)\`, from its own cold figures.`,
        '',
        renderEnvelopeTable(s, info),
        '',
        `s3-push's limit: ${lead.mine.toFixed(0)} objects/s${lead.best === undefined || lead.ratio === undefined ? '' : `, ${lead.ratio.toFixed(2)}× the best peer's (${lead.best.tool}, ${lead.best.limit.toFixed(0)}/s)`}; it reached ${lead.share === undefined ? '—' : `${(lead.share * 100).toFixed(0)} %`} of its own limit here, where radosgw and the proxy share the machine.`,
        '',
      );
    } else if (mine?.copiesPerSecond && r.ceiling && s.dataset === 'small') {
      parts.push(
        `s3-push copies ${mine.copiesPerSecond.median.toFixed(0)} objects/s; the best rate any client reached on this server in the run: ${r.ceiling.copiesPerSecond.toFixed(0)}/s (${r.ceiling.tool}) → ${((mine.copiesPerSecond.median / r.ceiling.copiesPerSecond) * 100).toFixed(0)}% of the ceiling.`,
        '',
      );
    }
  }
  parts.push('**CopyObject on the wire** (the first one of each tool, small objects; the proxy opens its own connections to the server)', '', renderWireTable(r.runs, info, 'small'), '');
  if (r.curve.length > 0) {
    const withLimit = r.curve.some((c) => c.envelope !== undefined);
    parts.push(
      '**s3-push concurrency curve** (small objects, cold; copies in flight held fixed at each point)',
      '',
      `| COPY_CONCURRENCY | wall s | objects/s | s3-push CPU s | server CPU s |${withLimit ? ' envelope limit /s |' : ''}`,
      `| --- | --- | --- | --- | --- |${withLimit ? ' --- |' : ''}`,
    );
    for (const c of r.curve) {
      const limit = c.envelope === undefined ? '—' : `${c.envelope.limit.toFixed(0)} (${c.envelope.boundBy === 'cpu' ? 'CPU' : 'latency'})`;
      parts.push(`| ${c.concurrency} | ${formatSpread(c.wallSeconds)} | ${formatSpread(c.copiesPerSecond, 0)} | ${formatSpread(c.cpuSeconds)} | ${formatSpread(c.serverCpuSeconds)} |${withLimit ? ` ${limit} |` : ''}`);
    }
    parts.push('');
  }
  parts.push(`**Handler bundle**: zip ${(r.bundle.zipBytes / 1024).toFixed(0)} KiB (${(r.bundle.jsBytes / 1024).toFixed(0)} KiB of JavaScript${r.bundle.startJsBytes === undefined ? '' : `, ${(r.bundle.startJsBytes / 1024).toFixed(0)} KiB of it loaded at start`}), module import ${formatSpread(r.bundle.importMs, 0)} ms in a fresh Node.`, '');
  if ('skipped' in r.deploy) parts.push(`**Deploy no-op rerun**: ${r.deploy.skipped}.`);
  else {
    const changed = r.deploy.unexpected.length > 0 ? ` It changed something: ${r.deploy.unexpected.join(', ')}.` : ' No upload, no stack change.';
    parts.push(
      `**Deploy no-op rerun** (\`npm run deploy\` against moto, after a first deploy of ${r.deploy.firstDeploy.wallSeconds.toFixed(1)} s): ${formatSpread(r.deploy.wallSeconds)} s wall, ${formatSpread(r.deploy.cpuSeconds)} s CPU, ${r.deploy.totalCalls} API calls: ${formatRequests(r.deploy.calls)}.${changed}`,
    );
  }
  return parts.join('\n');
}

/** The line of the page's template that the results replace. */
export const RESULTS_MARKER = '<!-- results -->';

/**
 * The benchmarks page: the template (the method, written by hand) with its one
 * {@link RESULTS_MARKER} line replaced by {@link renderResults} of the saved results, and each
 * marker line of `sections` (which the template must then hold once) by its text.
 */
export function renderBenchmarksPage(template: string, results: SavedResults, sections: Readonly<Record<string, string>> = {}): string {
  let lines = template.split('\n');
  for (const [marker, text] of [[RESULTS_MARKER, renderResults(results)], ...Object.entries(sections)] as [string, string][]) {
    const at = lines.flatMap((line, i) => (line.trim() === marker ? [i] : []));
    if (at.length !== 1) throw new Error(`the benchmarks page template must hold the line ${marker} once; it holds it ${at.length} times`);
    lines = [...lines.slice(0, at[0]), ...text.split('\n'), ...lines.slice(at[0]! + 1)];
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The envelope the run measured in, one paragraph: the quota and the latency model. */
export function renderEnvelopeHeader(settings: { cpuQuota?: number | undefined; cpuGroup?: string | undefined; latency?: LatencyModel | undefined; latencySeed?: number }): string {
  const quota =
    settings.cpuQuota === undefined
      ? 'no CPU quota (the tools share the machine\'s CPUs with the server)'
      : `each tool, with every process it starts, held to ${settings.cpuQuota} CPU by a ${settings.cpuGroup ?? 'CPU cgroup'} (a Lambda of ${Math.round(settings.cpuQuota * MB_PER_VCPU)} MB)`;
  const latency =
    settings.latency === undefined
      ? 'no added latency (radosgw answers in about a millisecond)'
      : `S3 latency model ${JSON.stringify(settings.latency.name)} added by the proxy to every response: ${describeLatencyModel(settings.latency)}${settings.latencySeed === undefined ? '' : `, seed ${settings.latencySeed}`}`;
  return `**Envelope**: ${quota}; ${latency}.`;
}

/**
 * Each tool's limit in the envelope, from its own cold figures: `min(quota / CPU per copy, copies
 * in flight / latency per object)`, beside the rate it reached here and that rate's share of its limit.
 */
export function renderEnvelopeTable(summary: DatasetSummary, tools: readonly ToolInfo[]): string {
  const lines = [
    '| tool | copies in flight | client CPU ms/copy | latency ms/object | cpuBound /s | latencyBound /s | limit /s | bound by | measured /s | measured ÷ limit |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const info of tools) {
    const t = summary.tools.find((x) => x.tool === info.id);
    const e = t?.envelope;
    if (t === undefined || e === undefined) continue;
    lines.push(
      `| ${info.label} | ${t.copiesInFlight ?? '—'} | ${formatSpread(t.cpuPerCopyMs)} | ${e.latencyPerObjectMs.toFixed(1)} | ${e.cpuBound.toFixed(0)} | ${e.latencyBound.toFixed(0)} | ${e.limit.toFixed(0)} | ${e.boundBy === 'cpu' ? 'CPU' : 'latency'} | ${formatSpread(t.copiesPerSecond, 0)} | ${t.shareOfLimit === undefined ? '—' : `${(t.shareOfLimit * 100).toFixed(0)} %`} |`,
    );
  }
  return lines.join('\n');
}

/** s3-push's limit against the best peer's, as the ceiling line says it; undefined without envelopes. */
export function envelopeLead(summary: DatasetSummary, reference = 's3-push'): { mine: number; best: { tool: string; limit: number } | undefined; ratio: number | undefined; share: number | undefined } | undefined {
  const mine = summary.tools.find((t) => t.tool === reference);
  if (mine?.envelope === undefined) return undefined;
  let best: { tool: string; limit: number } | undefined;
  for (const t of summary.tools) {
    if (t.tool === reference || t.envelope === undefined || t.tool.startsWith(`${reference}-`)) continue;
    if (best === undefined || t.envelope.limit > best.limit) best = { tool: t.tool, limit: t.envelope.limit };
  }
  return { mine: mine.envelope.limit, best, ratio: best === undefined ? undefined : mine.envelope.limit / best.limit, share: mine.shareOfLimit };
}
