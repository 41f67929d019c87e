/**
 * Which memory size to give the function: from bench runs under CPU quotas (a Lambda's memory
 * buys CPU in proportion), objects per second per memory size, what a million copies cost, and
 * the memory recommended for days of a given size. Pure.
 */
import type { DatasetSummary } from './report.ts';

/** Memory that buys one vCPU on Lambda, in MB (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html). */
export const MB_PER_VCPU = 1769;

/**
 * us-east-1 list prices of what a copy pays, as AWS's pricing pages give them:
 * - Lambda (https://aws.amazon.com/lambda/pricing/), arm64 (the template's architecture):
 *   $0.0000133334 per GB-second and $0.20 per million requests;
 * - S3 Standard (https://aws.amazon.com/s3/pricing/): $0.005 per 1,000 PUT, COPY, POST or LIST
 *   requests (a CopyObject, a listing page).
 */
export const PRICES = Object.freeze({
  lambdaPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1e6,
  s3PerCopyOrList: 0.005 / 1000,
});

/**
 * CPUs one Node.js process can keep busy copying: its JavaScript (signing, the walk, HTTP parsing)
 * runs on one thread; the garbage collector's and libuv's threads add little. A judgement, not a
 * measurement: a quota above one vCPU is counted as one.
 */
export const NODE_USABLE_CPUS = 1;

/** What a Lambda invocation may spend copying: its 900 s timeout less the handler's 60 s margin. */
export const USABLE_SECONDS_PER_INVOCATION = 840;

/** One quota's run, as the memory table reads it. */
export interface QuotaRun {
  /** CPUs the run's cgroup allowed. */
  readonly cpuQuota: number;
  /** The small-object day of that run. */
  readonly summary: DatasetSummary;
}

/** One row of the table: one memory size. */
export interface MemoryRow {
  readonly memoryMB: number;
  readonly cpuQuota: number;
  /** s3-push's measured cold rate here (compressed by the shared server). */
  readonly measuredPerSecond: number | undefined;
  /** s3-push's CPU per copy in this run, in milliseconds. */
  readonly cpuPerCopyMs: number | undefined;
  /** The run's envelope limit: min(quota ÷ CPU per copy, in flight ÷ latency). */
  readonly envelopePerSecond: number | undefined;
  /** The same with the quota counted up to {@link NODE_USABLE_CPUS}: what the table recommends from. */
  readonly limitPerSecond: number | undefined;
  readonly boundBy: 'cpu' | 'latency' | undefined;
  /** Lambda compute + Lambda requests + S3 requests per million copies, at the modelled limit, in USD. */
  readonly lambdaCostPerMillion: number | undefined;
  readonly s3CostPerMillion: number;
}

/** Lambda's GB-seconds of a million copies at `perSecond`, priced. */
function lambdaCost(memoryMB: number, perSecond: number, objectsPerDay: number): number {
  const seconds = 1e6 / perSecond;
  const invocations = Math.max(1, Math.ceil(1e6 / objectsPerDay));
  return seconds * (memoryMB / 1024) * PRICES.lambdaPerGbSecond + invocations * PRICES.lambdaPerRequest;
}

/**
 * The table, one row per quota, smallest first. The cost of a million copies: the Lambda's
 * GB-seconds at the modelled limit plus one invocation per day of `objectsPerDay`, and S3's
 * requests (one CopyObject per object and a listing page per 1,000 keys on each side).
 */
export function memoryRows(runs: readonly QuotaRun[], objectsPerDay = 100_000, tool = 's3-push'): MemoryRow[] {
  const s3CostPerMillion = (1e6 + 2 * Math.ceil(1e6 / 1000)) * PRICES.s3PerCopyOrList;
  return [...runs]
    .sort((a, b) => a.cpuQuota - b.cpuQuota)
    .map((r) => {
      const t = r.summary.tools.find((x) => x.tool === tool);
      const memoryMB = Math.round(r.cpuQuota * MB_PER_VCPU);
      const cpuPerCopyMs = t?.cpuPerCopyMs?.median;
      const e = t?.envelope;
      const cpuBound = cpuPerCopyMs === undefined ? undefined : (Math.min(r.cpuQuota, NODE_USABLE_CPUS) * 1000) / cpuPerCopyMs;
      const limit = e === undefined || cpuBound === undefined ? undefined : Math.min(cpuBound, e.latencyBound);
      return {
        memoryMB,
        cpuQuota: r.cpuQuota,
        measuredPerSecond: t?.copiesPerSecond?.median,
        cpuPerCopyMs,
        envelopePerSecond: e?.limit,
        limitPerSecond: limit,
        boundBy: limit === undefined ? undefined : cpuBound! <= e!.latencyBound ? 'cpu' : 'latency',
        lambdaCostPerMillion: limit === undefined ? undefined : lambdaCost(memoryMB, limit, objectsPerDay),
        s3CostPerMillion,
      };
    });
}

/** The memory recommended for a day of `objects`. */
export interface Recommendation {
  readonly objects: number;
  readonly memoryMB: number;
  /** Seconds of copying at that memory's modelled limit. */
  readonly seconds: number;
  /** Invocations the day takes (the handler hands the rest on when one runs out of time). */
  readonly invocations: number;
}

/**
 * For each day size: the smallest memory whose limit copies the day within one invocation's
 * {@link USABLE_SECONDS_PER_INVOCATION}; when none does, the fastest (the least memory among
 * those within 5 % of it: memory that does not raise the rate only costs more).
 */
export function recommendMemory(rows: readonly MemoryRow[], daySizes: readonly number[]): Recommendation[] {
  const usable = rows.filter((r) => r.limitPerSecond !== undefined && r.limitPerSecond > 0).sort((a, b) => a.memoryMB - b.memoryMB);
  if (usable.length === 0) return [];
  return daySizes.map((objects) => {
    const options = usable.map((r) => {
      const seconds = objects / r.limitPerSecond!;
      return { objects, memoryMB: r.memoryMB, seconds, invocations: Math.max(1, Math.ceil(seconds / USABLE_SECONDS_PER_INVOCATION)) };
    });
    const inOne = options.find((o) => o.invocations === 1);
    if (inOne !== undefined) return inOne;
    const fastest = Math.min(...options.map((o) => o.seconds));
    return options.find((o) => o.seconds <= fastest * 1.05)!;
  });
}

/** The Markdown of the table and the recommendations. */
export function renderMemoryTable(rows: readonly MemoryRow[], recommendations: readonly Recommendation[]): string {
  const money = (x: number | undefined, digits = 3): string => (x === undefined ? '—' : `$${x.toFixed(digits)}`);
  const num = (x: number | undefined, digits = 0): string => (x === undefined ? '—' : x.toFixed(digits));
  const lines = [
    '| memory MB | CPU quota | s3-push CPU ms/copy | measured here /s | envelope limit /s | limit, one JS thread /s | bound by | Lambda $ per million copies | S3 requests $ per million copies |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.memoryMB} | ${r.cpuQuota} | ${num(r.cpuPerCopyMs, 2)} | ${num(r.measuredPerSecond)} | ${num(r.envelopePerSecond)} | ${num(r.limitPerSecond)} | ${r.boundBy === undefined ? '—' : r.boundBy === 'cpu' ? 'CPU' : 'latency'} | ${money(r.lambdaCostPerMillion)} | ${money(r.s3CostPerMillion, 2)} |`,
    ),
  ];
  if (recommendations.length > 0) {
    lines.push('', '| objects per day | memory recommended | copying time at its limit | invocations |', '| --- | --- | --- | --- |');
    for (const r of recommendations) lines.push(`| ${r.objects.toLocaleString('en-US')} | ${r.memoryMB} MB | ${r.seconds.toFixed(0)} s | ${r.invocations} |`);
  }
  return lines.join('\n');
}
