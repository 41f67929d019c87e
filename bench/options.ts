/** The command line of `npm run bench`. Pure. */
import { numberListFlag, parseCommandLine, throwIfProblems, usageOf, wholeNumberFlag, type CommandSpec } from '../deploy/cli/commandLine.ts';
import { AWS_LATENCY_MODEL, parseLatencyModel, type LatencyModel } from './latencyModel.ts';
import { MB_PER_VCPU } from './memoryTable.ts';

/**
 * The CPUs of `--lambda`: Lambda allocates CPU in proportion to memory, one vCPU at
 * {@link MB_PER_VCPU} MB, so the template's default of 1,024 MB buys 1024 / 1769 = 0.58 of a vCPU.
 */
export const LAMBDA_CPU_QUOTA = 0.58;
/** The seed of the latency model's jitter (`--latency-seed`). */
export const DEFAULT_LATENCY_SEED = 24;

export interface BenchOptions {
  /** A small run for CI: few objects, one round, no concurrency curve, no deploy. */
  readonly quick: boolean;
  /** Rounds of every cold + warm measurement, tools alternated. Default 3 (1 with --quick). */
  readonly rounds: number;
  /** Objects in the small-object day. Default 2,500 (150 with --quick). */
  readonly smallCount: number;
  /** Objects in the large-object day. Default 50 (3 with --quick). */
  readonly largeCount: number;
  /** COPY_CONCURRENCY values of the handler's curve. Default 1,4,16,64 (none with --quick). */
  readonly curve: number[];
  /** Rounds of the curve. Default 2. */
  readonly curveRounds: number;
  /** Measure the no-op deploy against moto. Default true (false with --quick). */
  readonly deploy: boolean;
  /** Only these tool ids (default: all). */
  readonly only: string[] | undefined;
  /**
   * Where the JSON results go. Default `.bench/latest.json` (`.bench/quick.json` with --quick), ignored
   * by git; `--save` writes the committed {@link SAVED_RESULTS}.
   */
  readonly out: string;
  /** Write the results to {@link SAVED_RESULTS} and render docs/benchmarks.md from them. Default false. */
  readonly save: boolean;
  /** Measure nothing: render docs/benchmarks.md from {@link SAVED_RESULTS} again. Default false. */
  readonly render: boolean;
  /** Install missing Debian packages (Ceph, rclone, time) with apt-get. Default true. */
  readonly install: boolean;
  /**
   * Scheduling niceness (-20…19) for the bench, the Ceph daemons and every tool alike. Default 0.
   * On a machine shared with other work, a negative value keeps that work from deciding the wall
   * times (needs root).
   */
  readonly nice: number;
  /**
   * CPUs each tool's process tree may use (a CPU cgroup), e.g. 0.58 for a 1,024 MB Lambda.
   * Default none (the tools share the machine's CPUs with the server).
   */
  readonly cpuQuota: number | undefined;
  /** Latency added to every S3 response by the proxy, by operation. Default none. */
  readonly latency: LatencyModel | undefined;
  /** Seed of the latency's jitter. Default {@link DEFAULT_LATENCY_SEED}. */
  readonly latencySeed: number;
  /**
   * A folder for a V8 CPU profile of each of s3-push's handler runs, as given on the command line.
   * Default none (nothing is profiled).
   */
  readonly cpuProfDir: string | undefined;
}

/** The tools the bench knows, by the id `--only` takes. */
export const TOOL_IDS = ['s3-push', 'aws-sync', 'aws-cp', 'rclone', 'rclone-tuned', 'naive-sdk', 's3-sync-client'] as const;

/** The committed results (docs/benchmarks.md is rendered from them): written only with `--save`. */
export const SAVED_RESULTS = 'bench/results/latest.json';

/** The committed results of the Lambda envelope at `cpuQuota` CPUs (`--save` with the aws latency model under a quota). */
export function lambdaResultsPath(cpuQuota: number): string {
  return `bench/results/lambda-${cpuQuota.toFixed(2)}.json`;
}

/**
 * Where `--save` writes a run's results: the CPU-bound profile (no quota, no latency) to
 * {@link SAVED_RESULTS}; the Lambda envelope (the aws latency model under a CPU quota) to
 * {@link lambdaResultsPath}, one file per quota so that memory sizes sit side by side; any other
 * profile to `bench/results/custom.json`, which the page does not show.
 */
export function savedResultsPath(cpuQuota: number | undefined, latency: LatencyModel | undefined): string {
  if (cpuQuota === undefined && latency === undefined) return SAVED_RESULTS;
  if (cpuQuota !== undefined && latency === AWS_LATENCY_MODEL) return lambdaResultsPath(cpuQuota);
  return 'bench/results/custom.json';
}

/** The flags of `npm run bench`, with the help its usage and docs/commands/bench.md are written from. */
export const BENCH_COMMAND = {
  name: 'bench',
  summary: 'Measures s3-push against its peers side by side (aws s3 sync, aws s3 cp, rclone, a naive SDK copy, s3-sync-client) on a local Ceph radosgw, cold and warm, tools alternated round by round, and reports ratios.',
  flags: {
    quick: { type: 'boolean', help: 'a small run for CI: 150 + 3 objects, one round, no curve, no deploy' },
    rounds: { type: 'string', value: 'N', help: 'rounds of every measurement, tools alternated (1-50; default 3, 1 with --quick)' },
    small: { type: 'string', value: 'N', help: 'objects in the small-object day (0-100000; default 2500, 150 with --quick)' },
    large: { type: 'string', value: 'N', help: 'objects in the large-object day (0-200; default 50, 3 with --quick)' },
    curve: { type: 'string', value: 'LIST', help: 'COPY_CONCURRENCY values of the handler\'s curve (1-256 each, e.g. 1,4,16,64), or none (default 1,4,16,64; none with --quick)' },
    'curve-rounds': { type: 'string', value: 'N', help: 'rounds of the curve (1-20; default 2)' },
    'no-deploy': { type: 'boolean', help: 'skip the no-op deploy against moto' },
    only: { type: 'string', value: 'IDS', help: `only these tools, comma-separated: ${TOOL_IDS.join(', ')}` },
    out: { type: 'string', value: 'FILE', help: 'where the JSON results go (default .bench/latest.json, .bench/quick.json with --quick; both ignored by git); not with --save' },
    save: { type: 'boolean', help: `write them to the committed results instead (${SAVED_RESULTS} without a quota or latency, bench/results/lambda-F.json with the aws model under --cpu-quota F, else bench/results/custom.json) and render docs/benchmarks.md from them` },
    render: { type: 'boolean', help: 'measure nothing: render docs/benchmarks.md from the saved results again; takes no other flag' },
    'no-install': { type: 'boolean', help: 'do not apt-get install missing Debian packages (Ceph, rclone, time)' },
    nice: { type: 'string', value: 'N', help: 'niceness -20..19 of the bench, the Ceph daemons and every tool (default 0; a negative one needs root), e.g. --nice -10' },
    lambda: { type: 'boolean', help: `the Lambda envelope: --cpu-quota ${LAMBDA_CPU_QUOTA} --latency aws (either flag given beside it wins, e.g. --lambda --cpu-quota 1.0 for a 1,769 MB function)` },
    'cpu-quota': { type: 'string', value: 'F', help: `hold each tool, with every process it starts, to F CPUs (0.05-64) in a CPU cgroup (v1 cpu.cfs_quota_us or v2 cpu.max; needs root); F = memory MB / ${MB_PER_VCPU} for a Lambda of that memory` },
    latency: { type: 'string', value: 'MODEL', help: 'delay each S3 response by a per-operation latency with ±30 % seeded jitter: aws (the documented model, bench/latencyModel.ts), or e.g. CopyObject=30,ListObjectsV2=60,HeadObject=20,default=20 (milliseconds)' },
    'latency-seed': { type: 'string', value: 'N', help: `seed of the jitter (0-4294967295; default ${DEFAULT_LATENCY_SEED})` },
    'cpu-prof': { type: 'string', value: 'DIR', help: "write a V8 CPU profile of each of s3-push's handler runs into DIR (<day>-r<round>-<cold|warm>-<tool>.cpuprofile), the bundle built with its source maps, for scripts/cpuProfileAreas.ts; not with --save (sampling costs CPU)" },
  },
  notes: ['Exit 2 on bad arguments (nothing runs then), 1 when the bench cannot run (Ceph, the data set), 130 on Ctrl-C.'],
} as const satisfies CommandSpec;

export const BENCH_USAGE = usageOf(BENCH_COMMAND);
const FLAGS = BENCH_COMMAND.flags;

/** A CPU count from 0.05 to 64, or a problem naming the flag. */
function cpuQuotaFlag(value: string | undefined, problems: string[]): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0.05 && n <= 64)) {
    problems.push(`--cpu-quota ${JSON.stringify(value)}: expected a number of CPUs from 0.05 to 64 (e.g. 0.58 for a 1,024 MB Lambda)`);
    return undefined;
  }
  return n;
}

/** Parses the flags (every problem at once, in one UsageError); every default is documented on {@link BenchOptions}. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const { values: v, problems } = parseCommandLine(argv, FLAGS);
  const quick = v.quick;
  const rounds = wholeNumberFlag('--rounds', v.rounds, 1, 50, problems) ?? (quick ? 1 : 3);
  const smallCount = wholeNumberFlag('--small', v.small, 0, 100_000, problems) ?? (quick ? 150 : 2500);
  const largeCount = wholeNumberFlag('--large', v.large, 0, 200, problems) ?? (quick ? 3 : 50);
  const curve = v.curve === 'none' ? [] : numberListFlag('--curve', v.curve, 1, 256, problems) ?? (quick ? [] : [1, 4, 16, 64]);
  const curveRounds = wholeNumberFlag('--curve-rounds', v['curve-rounds'], 1, 20, problems) ?? 2;
  const nice = wholeNumberFlag('--nice', v.nice, -20, 19, problems) ?? 0;
  let only: string[] | undefined;
  if (v.only !== undefined) {
    only = v.only.split(',').map((id) => id.trim());
    const unknown = only.filter((id) => !(TOOL_IDS as readonly string[]).includes(id));
    if (unknown.length > 0) problems.push(`--only ${JSON.stringify(v.only)}: unknown tool id(s) ${unknown.map((id) => JSON.stringify(id)).join(', ')}: expected some of ${TOOL_IDS.join(', ')}`);
  }
  if (v.save && v.out !== undefined) problems.push('--save writes the committed results, --out names another file: use one of them');
  if (v.save && v['cpu-prof'] !== undefined) problems.push('--cpu-prof samples every s3-push run, which costs it CPU: its figures are not for the committed results; use --cpu-prof without --save');
  if (v.render) {
    const others = argv.filter((a) => a.startsWith('--') && a !== '--render' && !a.startsWith('--render='));
    if (others.length > 0) problems.push(`--render measures nothing and takes no other flag: drop ${others.join(' ')}`);
  }
  const cpuQuota = cpuQuotaFlag(v['cpu-quota'], problems) ?? (v.lambda ? LAMBDA_CPU_QUOTA : undefined);
  let latency: LatencyModel | undefined = v.lambda ? AWS_LATENCY_MODEL : undefined;
  if (v.latency !== undefined) {
    const parsed = parseLatencyModel(v.latency);
    if ('problem' in parsed) problems.push(parsed.problem);
    else latency = parsed.model;
  }
  const latencySeed = wholeNumberFlag('--latency-seed', v['latency-seed'], 0, 4_294_967_295, problems) ?? DEFAULT_LATENCY_SEED;
  throwIfProblems(problems);
  const out = v.save ? savedResultsPath(cpuQuota, latency) : v.out ?? (quick ? '.bench/quick.json' : '.bench/latest.json');
  return { quick, rounds, smallCount, largeCount, curve, curveRounds, deploy: !quick && !v['no-deploy'], only, out, save: v.save, render: v.render, install: !v['no-install'], nice, cpuQuota, latency, latencySeed, cpuProfDir: v['cpu-prof'] };
}
