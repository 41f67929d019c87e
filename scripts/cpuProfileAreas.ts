/**
 * Where s3-push's handler process spent its CPU, by area, from V8 CPU profiles of its runs:
 *
 *   npm run bench -- --only s3-push --large 0 --curve none --rounds 2 --no-deploy --cpu-prof .bench/prof
 *   npx tsx scripts/cpuProfileAreas.ts --copies 2500 .bench/prof/small-r*-cold-s3-push.cpuprofile
 *
 * Prints a Markdown table of self time by area (bench/cpuProfile.ts): start-up and import, our
 * modules one by one, the SDK's signer, (de)serializers, middleware and HTTP handler, XML and
 * JSON parsing, node:http/net/crypto, GC; the mean per run of the profiles given, per copy with
 * `--copies`. The bundle's frames are read back to their source module through the source map
 * beside each bundled file (`index.mjs.map`…, which `--cpu-prof` has the bench write): run it
 * before the next bench run rebuilds the bundle. A profile samples the main thread's wall time
 * while it is not idle, so on a loaded machine it also counts time the thread waited for a core:
 * compare the total with the run's CPU from /usr/bin/time (the bench's log).
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { areaTimes, asCpuProfile, meanAreas, renderAreas, type CallFrame } from '../bench/cpuProfile.ts';
import { parseCommandLine, throwIfProblems, usageOf, wholeNumberFlag, type CommandSpec } from '../deploy/cli/commandLine.ts';
import { runCommand } from '../deploy/cli/runCommand.ts';
import { UsageError } from '../rules/errors.ts';

const COMMAND = {
  name: 'cpuProfileAreas',
  invocation: 'npx tsx scripts/cpuProfileAreas.ts PROFILE...',
  summary: "Self time by area (start-up, our modules, the SDK's signer/serializers/middleware, node:http, parsing, GC) of V8 CPU profiles of the handler's runs, the mean per run, as a Markdown table.",
  flags: {
    copies: { type: 'string', value: 'N', help: 'copies each profiled run made (1-10000000): adds ms per copy' },
    'cpu-ms': { type: 'string', value: 'MS', help: "the profiled runs' mean CPU in ms (user + system, as the bench's log gives it; 1-100000000): each area's ms become its share of that CPU" },
  },
  notes: ['Arguments: one or more .cpuprofile files (npm run bench -- --cpu-prof DIR writes them).'],
} as const satisfies CommandSpec;
const USAGE = usageOf(COMMAND);

interface Options {
  readonly copies: number | undefined;
  readonly cpuMs: number | undefined;
  readonly profiles: readonly string[];
}

function parseOptions(argv: readonly string[]): Options {
  const { values, positionals, problems } = parseCommandLine(argv, COMMAND.flags, { positionals: true });
  const copies = wholeNumberFlag('--copies', values.copies, 1, 10_000_000, problems);
  const cpuMs = wholeNumberFlag('--cpu-ms', values['cpu-ms'], 1, 100_000_000, problems);
  if (positionals.length === 0) problems.push('no profile given: expected one or more .cpuprofile files');
  throwIfProblems(problems);
  return { copies, cpuMs, profiles: positionals };
}

/** The source module of a bundled frame, from the map beside its file; undefined without one. */
function sourcesBeside(): (frame: CallFrame) => string | undefined {
  const maps = new Map<string, SourceMap | undefined>();
  return (frame) => {
    if (!frame.url.startsWith('file:')) return undefined;
    if (!maps.has(frame.url)) {
      const mapFile = `${fileURLToPath(frame.url)}.map`;
      maps.set(frame.url, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]) : undefined);
    }
    const entry: { originalSource?: string } | undefined = maps.get(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber);
    return entry?.originalSource;
  };
}

function main({ copies, cpuMs, profiles }: Options): Promise<void> {
  const sourceOf = sourcesBeside();
  const isRunHandler = (frame: CallFrame): boolean => frame.url.endsWith('/runHandler.mjs');
  const runs = profiles.map((file) => {
    // Every way a file can fail to be a profile of a run is the caller's to fix (exit 2).
    try {
      return areaTimes(asCpuProfile(JSON.parse(readFileSync(file, 'utf8')), file), sourceOf, isRunHandler);
    } catch (err) {
      const message = (err as Error).message;
      throw new UsageError([message.startsWith(file) ? message : `${file}: ${message}`]);
    }
  });
  const summary = meanAreas(runs);
  console.log(renderAreas(summary, copies, cpuMs));
  console.log(`\n${runs.length} profile(s); mean per run: ${summary.totalMs.toFixed(0)} ms sampled, ${summary.idleMs.toFixed(0)} ms idle.`);
  return Promise.resolve();
}

await runCommand({ name: 'cpuProfileAreas', usage: USAGE, parse: parseOptions, run: main });
