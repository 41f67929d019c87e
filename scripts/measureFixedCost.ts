/**
 * What a run of the deployed handler (the bundle in the zip, run once in a fresh Node process, as
 * `npm run bench` runs it) pays before and around its copies, against a local stand-in for S3 and
 * STS (dev/s3StandIn.ts):
 * - import: the time and CPU of `import('index.mjs')` alone, in a fresh Node;
 * - fixed: a run whose day is empty on both sides (Node's start, the import, the clients,
 *   AssumeRole, two empty listings);
 * - warm: a rerun with nothing to copy, `--keys` objects on both sides (the bench's warm rerun:
 *   the same and the listing pages of both sides).
 *
 *   npx tsx scripts/measureFixedCost.ts [--keys 2500] [--runs 9] [--cpu-prof DIR]
 *
 * `--cpu-prof DIR` writes a V8 CPU profile of each warm run into DIR (open it in Chrome DevTools).
 * It prints one JSON line per phase with the median and the minimum of wall time and CPU (user +
 * system, from /usr/bin/time for runs, process.cpuUsage for the import), the bundle's size and
 * the 1-minute load average: CPU is the figure to compare on a loaded machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { buildBenchTools, type BenchBuild } from '../bench/build.ts';
import { runMeasured } from '../bench/measure.ts';
import { parseCommandLine, throwIfProblems, usageOf, wholeNumberFlag, type CommandSpec } from '../deploy/cli/commandLine.ts';
import { runCommand } from '../deploy/cli/runCommand.ts';
import { STAND_IN_DATE, standInHandlerEnv, startS3StandIn, type S3StandIn } from '../dev/s3StandIn.ts';

const COMMAND = {
  name: 'measureFixedCost',
  invocation: 'npx tsx scripts/measureFixedCost.ts',
  summary: 'What a run of the deployed handler pays before and around its copies (the import, an empty day, a warm rerun with nothing to copy), against a local stand-in for S3 and STS.',
  flags: {
    keys: { type: 'string', value: 'N', help: 'objects of the day on both sides in the warm rerun (1-1000000; default 2500)' },
    runs: { type: 'string', value: 'N', help: 'runs (and imports) per phase (1-100; default 9)' },
    'cpu-prof': { type: 'string', value: 'DIR', help: 'write a V8 CPU profile of each warm run into DIR' },
  },
  notes: [],
} as const satisfies CommandSpec;
const USAGE = usageOf(COMMAND);

interface Options {
  readonly keys: number;
  readonly runs: number;
  readonly cpuProfDir: string | undefined;
}

function parseOptions(argv: readonly string[]): Options {
  const { values, problems } = parseCommandLine(argv, COMMAND.flags);
  const options = {
    keys: wholeNumberFlag('--keys', values.keys, 1, 1_000_000, problems) ?? 2500,
    runs: wholeNumberFlag('--runs', values.runs, 1, 100, problems) ?? 9,
    cpuProfDir: values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof']),
  };
  throwIfProblems(problems);
  return options;
}

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

function describe(phase: string, samples: readonly Sample[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const walls = samples.map((s) => s.wallMs);
  const cpus = samples.map((s) => s.cpuMs);
  return {
    phase,
    runs: samples.length,
    wallMs: { median: Math.round(median(walls)), min: Math.round(Math.min(...walls)) },
    cpuMs: { median: Math.round(median(cpus)), min: Math.round(Math.min(...cpus)) },
    ...extra,
    load1: +loadavg()[0]!.toFixed(1),
  };
}

/** `import()` of the bundled handler in `runs` fresh Node processes. */
function measureImport(build: BenchBuild, runs: number): Sample[] {
  const script = `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(build.handlerModule)}); const u = process.cpuUsage(c); console.log(JSON.stringify({ wallMs: performance.now() - t, cpuMs: (u.user + u.system) / 1000 }));`;
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    samples.push(JSON.parse(out) as Sample);
  }
  return samples;
}

/** `runs` runs of the handler on the stand-in's day, each in a fresh Node; checks what each did. */
async function measureRuns(build: BenchBuild, standIn: S3StandIn, work: string, keys: number, runs: number, nodeFlags: readonly string[]): Promise<{ samples: Sample[]; requests: Record<string, number> }> {
  standIn.keys.source = keys;
  standIn.keys.destination = keys;
  const samples: Sample[] = [];
  let requests: Record<string, number> = {};
  for (let i = 0; i < runs; i++) {
    standIn.requests.length = 0;
    const summaryFile = `${work}/summary.json`;
    const m = await runMeasured([process.execPath, ...nodeFlags, build.runHandler, JSON.stringify({ dates: [STAND_IN_DATE] }), summaryFile], standInHandlerEnv(standIn.endpoint, work));
    if (m.exitCode !== 0) throw new Error(`the handler exited ${m.exitCode}: ${m.stderrTail}`);
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { skipped: number; copied: number };
    if (summary.skipped !== keys || summary.copied !== 0) throw new Error(`expected ${keys} skipped and none copied, got ${JSON.stringify(summary)}`);
    samples.push({ wallMs: m.wallSeconds * 1000, cpuMs: m.cpuSeconds * 1000 });
    requests = {};
    for (const r of standIn.requests) requests[r.operation] = (requests[r.operation] ?? 0) + 1;
  }
  return { samples, requests };
}

async function main({ keys, runs, cpuProfDir }: Options): Promise<void> {
  const work = mkdtempSync(`${tmpdir()}/s3-push-fixed-cost-`);
  const standIn = await startS3StandIn();
  try {
    const build = await buildBenchTools(`${work}/build`, { sourceMaps: cpuProfDir !== undefined });
    const bundle = { zipBytes: build.bundle.zip.length, jsBytes: build.bundle.jsBytes, startJsBytes: build.bundle.startJsBytes, files: build.bundle.files.size };
    console.log(JSON.stringify(describe('import', measureImport(build, runs), { bundle })));
    const fixed = await measureRuns(build, standIn, work, 0, runs, []);
    console.log(JSON.stringify(describe('fixed', fixed.samples, { keys: 0, requests: fixed.requests })));
    if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
    const warm = await measureRuns(build, standIn, work, keys, runs, cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []);
    console.log(JSON.stringify(describe('warm', warm.samples, { keys, requests: warm.requests })));
  } finally {
    await standIn.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await runCommand({ name: 'measureFixedCost', usage: USAGE, parse: parseOptions, run: main });
