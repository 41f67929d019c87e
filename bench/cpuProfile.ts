/**
 * Where a Node process's main thread spent its time, by area, from a V8 CPU profile (`node
 * --cpu-prof`, written by `npm run bench -- --cpu-prof DIR` for each run of s3-push's handler).
 * Pure: the caller reads the files and says where a bundled frame's code came from (the bundle's
 * source maps). Read by scripts/cpuProfileAreas.ts.
 *
 * Each sample's time is the self time of its leaf frame. A leaf without a script (a native binding
 * such as a socket write) counts for the nearest caller that has one, except the few V8 built-ins
 * that are an area of their own (JSON, microtasks). Everything before the first sample whose stack
 * holds the start marker (the bench's runHandler.mjs, which calls the handler once its import has
 * finished) is start-up and import, whatever ran it.
 */

/** A frame as V8 writes it; line and column are 0-based. */
export interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

export interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

/** The `.cpuprofile` format (Chrome DevTools protocol `Profiler.Profile`). */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  /** Microseconds since the previous sample (the first: since `startTime`). */
  readonly timeDeltas: readonly number[];
}

/** The source module of a frame of a bundled file (`handler/copy/x.ts`, `node_modules/@smithy/…`), or undefined. */
export type SourceOf = (frame: CallFrame) => string | undefined;

export interface AreaTimes {
  /** Main-thread time before the start marker, idle excluded (Node's start, the imports). */
  readonly startupMs: number;
  /** Time the thread waited (the `(idle)` samples), start-up included. */
  readonly idleMs: number;
  /** Self time after the start marker, by area. */
  readonly areas: ReadonlyMap<string, number>;
}

/** The area of the time before the start marker. */
export const STARTUP_AREA = 'start-up and import (before the handler is called)';

/** Areas of V8's own pseudo-frames and built-ins. */
const PSEUDO_AREAS: Readonly<Record<string, string | null>> = {
  '(garbage collector)': 'GC',
  '(program)': 'V8 and native code outside any script',
  '(idle)': null,
  '(root)': null,
};
const BUILTIN_AREAS: Readonly<Record<string, string>> = {
  parse: 'JSON',
  stringify: 'JSON',
  runMicrotasks: 'promise jobs (V8 microtasks)',
};

/** Package areas, first match wins: the SDK by the part of a request's life it plays. */
const PACKAGE_AREAS: readonly (readonly [RegExp, string])[] = [
  [/^(@smithy\/signature-v4|@aws-sdk\/signature-v4-multi-region|@aws-crypto\/|@smithy\/hash-node|@smithy\/util-hex-encoding)/, 'SDK: SigV4 signer'],
  [/^(fast-xml-parser|strnum|@aws-sdk\/xml-builder)/, 'XML parsing (fast-xml-parser)'],
  [/^@smithy\/node-http-handler/, 'SDK: HTTP handler (@smithy/node-http-handler)'],
  [/^(@aws-sdk|@smithy)\/[^/]+\/.*\/(protocols|schema|schemas|serde)\//, 'SDK: serializers and deserializers'],
  [/^(@aws-sdk|@smithy)\/(middleware-|smithy-client|core\/|types|util-middleware|util-endpoints|util-retry|protocol-http|url-parser|querystring-builder)/, 'SDK: middleware, client and endpoints'],
  [/^(@aws-sdk|@smithy|@aws-crypto)\//, 'SDK: other (credentials, utilities)'],
];

/** `node:` modules by what they do for a request. */
const NODE_AREAS: readonly (readonly [RegExp, string])[] = [
  [/^node:(_http_|http$|https$|internal\/http)/, 'node:http'],
  [/^node:(net$|internal\/stream_base_commons|internal\/net)/, 'node:net (sockets)'],
  [/^node:(tls$|_tls_|internal\/tls)/, 'node:tls'],
  [/^node:(crypto$|internal\/crypto\/)/, "node:crypto (the signer's HMAC and SHA-256)"],
  [/^node:(internal\/)?(streams?\/|stream$)/, 'node: streams'],
  [/^node:(internal\/(modules|bootstrap|main|process\/pre_execution|vm)|vm$|module$)/, 'node: module loader'],
];

/** The package a `node_modules/…` source belongs to, with the path inside it. */
function packagePath(source: string): string | undefined {
  const at = source.lastIndexOf('node_modules/');
  return at < 0 ? undefined : source.slice(at + 'node_modules/'.length);
}

/**
 * The area of a frame with a script, given the source module its bundle maps it to (undefined
 * for frames outside the bundle or where no map says).
 */
export function areaOf(frame: CallFrame, source: string | undefined): string {
  const { url } = frame;
  if (url.startsWith('node:')) return NODE_AREAS.find(([re]) => re.test(url))?.[1] ?? 'node: events, timers, buffers, other internals';
  if (source === undefined) return url.startsWith('file:') ? `unmapped: ${url.slice(url.lastIndexOf('/') + 1)}` : `other: ${url}`;
  const inPackage = packagePath(source);
  if (inPackage !== undefined) {
    const found = PACKAGE_AREAS.find(([re]) => re.test(inPackage));
    if (found) return found[1];
    const name = inPackage.startsWith('@') ? inPackage.split('/').slice(0, 2).join('/') : inPackage.split('/')[0]!;
    return `package: ${name}`;
  }
  return `ours: ${source.replace(/^(\.\.\/)+/, '')}`;
}

/** Checks that a parsed file is a CPU profile with samples; names the file when not. */
export function asCpuProfile(value: unknown, name: string): CpuProfile {
  const p = value as { nodes?: unknown; samples?: unknown; timeDeltas?: unknown } | null;
  const isNode = (n: unknown): boolean => {
    const node = n as { id?: unknown; callFrame?: { url?: unknown } } | null;
    return typeof node?.id === 'number' && typeof node.callFrame?.url === 'string';
  };
  const ok =
    typeof p === 'object' && p !== null && Array.isArray(p.nodes) && Array.isArray(p.samples) && Array.isArray(p.timeDeltas) &&
    p.samples.length === p.timeDeltas.length && p.nodes.every(isNode);
  if (!ok) throw new Error(`${name} is not a V8 CPU profile (nodes, samples and timeDeltas of one length): write one with node --cpu-prof`);
  return p as CpuProfile;
}

/** The time of each sample: until the next one (the last sample gets none), as DevTools counts it. */
function sampleMs(profile: CpuProfile, i: number): number {
  return (profile.timeDeltas[i + 1] ?? 0) / 1000;
}

/**
 * Self time by area of one profile. `isStartMarker` tells the frame whose first appearance on a
 * stack ends the start-up; a profile without one is refused (not a run of the handler).
 */
export function areaTimes(profile: CpuProfile, sourceOf: SourceOf, isStartMarker: (frame: CallFrame) => boolean): AreaTimes {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stack = (id: number): ProfileNode[] => {
    const frames: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) frames.push(byId.get(at)!);
    return frames;
  };
  const areaCache = new Map<number, string | null>();
  const areaOfNode = (id: number): string | null => {
    const cached = areaCache.get(id);
    if (cached !== undefined) return cached;
    const { callFrame } = byId.get(id)!;
    let area: string | null;
    if (callFrame.functionName in PSEUDO_AREAS) area = PSEUDO_AREAS[callFrame.functionName]!;
    else if (callFrame.url !== '') area = areaOf(callFrame, sourceOf(callFrame));
    else if (BUILTIN_AREAS[callFrame.functionName] !== undefined) area = BUILTIN_AREAS[callFrame.functionName]!;
    else {
      // A native function: its caller's area.
      const up = parent.get(id);
      area = up === undefined ? 'native code' : areaOfNode(up) ?? 'native code';
    }
    areaCache.set(id, area);
    return area;
  };

  let started = false;
  let startupMs = 0;
  let idleMs = 0;
  const areas = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const ms = sampleMs(profile, i);
    const leaf = byId.get(id);
    if (leaf === undefined) throw new Error(`sample ${i} names node ${id}, which the profile does not hold`);
    if (leaf.callFrame.functionName === '(idle)') {
      idleMs += ms;
      return;
    }
    if (!started) started = stack(id).some((n) => isStartMarker(n.callFrame));
    const area = areaOfNode(id);
    if (area === null) return;
    if (!started) startupMs += ms;
    else areas.set(area, (areas.get(area) ?? 0) + ms);
  });
  if (!started) throw new Error('no sample ran the start marker (the bench\'s runHandler.mjs): is this a profile of a run of the handler?');
  return { startupMs, idleMs, areas };
}

export interface AreaRow {
  readonly area: string;
  /** Mean over the profiles, per run. */
  readonly msPerRun: number;
  readonly share: number;
}

/**
 * The mean per run of several profiles' areas, start-up first, then the rest by time, largest
 * first; areas under `minShare` of the total are summed into one row.
 */
export function meanAreas(runs: readonly AreaTimes[], minShare = 0.005): { rows: AreaRow[]; totalMs: number; idleMs: number } {
  const n = runs.length;
  if (n === 0) throw new Error('no profile to summarise');
  const sum = new Map<string, number>();
  for (const r of runs) for (const [area, ms] of r.areas) sum.set(area, (sum.get(area) ?? 0) + ms);
  const startupMs = runs.reduce((s, r) => s + r.startupMs, 0) / n;
  const idleMs = runs.reduce((s, r) => s + r.idleMs, 0) / n;
  const after = [...sum].map(([area, ms]) => ({ area, ms: ms / n })).sort((a, b) => b.ms - a.ms || a.area.localeCompare(b.area));
  const totalMs = startupMs + after.reduce((s, a) => s + a.ms, 0);
  const row = (area: string, ms: number): AreaRow => ({ area, msPerRun: ms, share: totalMs === 0 ? 0 : ms / totalMs });
  const big = after.filter((a) => a.ms >= minShare * totalMs);
  const small = after.filter((a) => a.ms < minShare * totalMs);
  const rows = [row(STARTUP_AREA, startupMs), ...big.map((a) => row(a.area, a.ms))];
  if (small.length > 0) rows.push(row(`${small.length} other areas, each under ${(minShare * 100).toFixed(1)} %`, small.reduce((s, a) => s + a.ms, 0)));
  return { rows, totalMs, idleMs };
}

/**
 * A Markdown table of {@link meanAreas}' rows; with `copies`, the time per copy too. With `cpuMs`
 * (the run's CPU as measured apart, e.g. by /usr/bin/time) each area's ms are its share of that
 * CPU rather than sampled time: a profile samples the main thread's wall time while it is not
 * idle, which on a loaded machine includes the time it waited for a core.
 */
export function renderAreas(summary: ReturnType<typeof meanAreas>, copies: number | undefined, cpuMs?: number): string {
  const perCopy = copies !== undefined && copies > 0;
  const scale = cpuMs === undefined || summary.totalMs === 0 ? 1 : cpuMs / summary.totalMs;
  const ms = (x: number): string => `${(x * scale).toFixed(1)} |${perCopy ? ` ${((x * scale) / copies).toFixed(3)} |` : ''}`;
  const lines = [
    `| area | ${cpuMs === undefined ? 'ms per run' : 'CPU ms per run'} |${perCopy ? ` ${cpuMs === undefined ? 'ms per copy' : 'CPU ms per copy'} |` : ''} share |`,
    `| --- | ---: |${perCopy ? ' ---: |' : ''} ---: |`,
    ...summary.rows.map((r) => `| ${r.area} | ${ms(r.msPerRun)} ${(r.share * 100).toFixed(1)} % |`),
    `| **${cpuMs === undefined ? 'sampled, idle excluded' : 'the run\'s CPU'}** | **${(summary.totalMs * scale).toFixed(1)}** |${perCopy ? ` **${((summary.totalMs * scale) / copies).toFixed(3)}** |` : ''} 100 % |`,
  ];
  return lines.join('\n');
}
