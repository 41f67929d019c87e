/**
 * Peak resident memory of the deployed handler (the bundle in the zip, run once as Lambda would)
 * on a dry run of days of different sizes, against a local stand-in for S3 and STS that serves
 * ListObjectsV2 pages of synthetic keys (1,000 a page, as S3 does), an empty destination and
 * AssumeRole. The dry run lists both sides and plans every object as missing: the handler's whole
 * listing and planning path, its SDK, XML parsing and HTTP, with no copy to wait for. The stand-in
 * (dev/s3StandIn.ts) runs in this process; the handler in a child under /usr/bin/time.
 *
 *   npx tsx scripts/measureDayRss.ts --keys 1000,100000 [--repeat 2]
 *
 * It prints one JSON line per run and a summary: the peak RSS of each day size and the ratio of
 * the largest to the smallest.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { buildBenchTools } from '../bench/build.ts';
import { runMeasured } from '../bench/measure.ts';
import { numberListFlag, parseCommandLine, throwIfProblems, usageOf, wholeNumberFlag, type CommandSpec } from '../deploy/cli/commandLine.ts';
import { runCommand } from '../deploy/cli/runCommand.ts';
import { STAND_IN_DATE, standInHandlerEnv, startS3StandIn } from '../dev/s3StandIn.ts';

const COMMAND = {
  name: 'measureDayRss',
  invocation: 'npx tsx scripts/measureDayRss.ts',
  summary: 'Peak resident memory of the deployed handler (the bundle, run once as Lambda would) on a dry run of days of different sizes, against a local stand-in for S3 and STS.',
  flags: {
    keys: { type: 'string', value: 'LIST', help: 'day sizes, comma-separated whole numbers (1-10000000 each; default 1000,100000)' },
    repeat: { type: 'string', value: 'N', help: 'runs per size (1-100; default 1)' },
  },
  notes: [],
} as const satisfies CommandSpec;
const USAGE = usageOf(COMMAND);

function parseOptions(argv: readonly string[]): { sizes: number[]; repeat: number } {
  const { values, problems } = parseCommandLine(argv, COMMAND.flags);
  const options = {
    sizes: numberListFlag('--keys', values.keys, 1, 10_000_000, problems) ?? [1000, 100_000],
    repeat: wholeNumberFlag('--repeat', values.repeat, 1, 100, problems) ?? 1,
  };
  throwIfProblems(problems);
  return options;
}

async function main({ sizes, repeat }: { sizes: number[]; repeat: number }): Promise<void> {
  // The destination is empty; the source day has `n` keys (set below).
  const standIn = await startS3StandIn();
  const work = mkdtempSync(`${tmpdir()}/s3-push-rss-`);
  try {
    const build = await buildBenchTools(`${work}/build`);
    const peaks = new Map<number, number[]>();
    for (let r = 0; r < repeat; r++) {
      for (const n of sizes) {
        standIn.keys.source = n;
        const m = await runMeasured([process.execPath, build.runHandler, JSON.stringify({ dates: [STAND_IN_DATE], dryRun: true }), `${work}/summary.json`], standInHandlerEnv(standIn.endpoint, work));
        if (m.exitCode !== 0) throw new Error(`handler exited ${m.exitCode} on ${n} keys: ${m.stderrTail}`);
        peaks.set(n, [...(peaks.get(n) ?? []), m.maxRssMiB]);
        console.log(JSON.stringify({ keys: n, maxRssMiB: m.maxRssMiB, wallSeconds: +m.wallSeconds.toFixed(2), cpuSeconds: +m.cpuSeconds.toFixed(2) }));
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
    const small = median(peaks.get(Math.min(...sizes))!);
    const large = median(peaks.get(Math.max(...sizes))!);
    console.log(JSON.stringify({ summary: Object.fromEntries([...peaks].map(([n, p]) => [n, median(p)])), ratioLargestToSmallest: +(large / small).toFixed(2) }));
  } finally {
    await standIn.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await runCommand({ name: 'measureDayRss', usage: USAGE, parse: parseOptions, run: main });
