/** The command line of `npm run demo`: `--keep`, and `--help`. Pure. */
import { parseCommandLine, throwIfProblems, usageOf, type CommandSpec } from '../../cli/commandLine.ts';

/** What `npm run demo` is, for its usage and docs/commands/demo.md. */
export const DEMO_COMMAND = {
  name: 'demo',
  summary: 'Plays the whole flow on a local moto server with two emulated accounts: deploy, the three IAM documents applied, the preflight, a backfill of three days and its rerun, the status, a day rewritten upstream arriving exact (exact days on); no AWS account needed.',
  flags: {
    partners: { type: 'string', value: 'N', help: 'how many partners: 1 (default), or 2 — a second partner from the same source bucket, in its own account, stack and day layout; one day pushed to it, then it is destroyed and the first keeps its statements (docs/partners.md)' },
    keep: { type: 'boolean', help: 'leave the moto server running after the demo, and print the environment to export (endpoint, region, keys, the deploy and the handler variables) to run every command against it (those that run the handler in this process too), and how to stop it' },
  },
  notes: ['Needs moto (pip install "moto[server]"); the server and the rendered files are removed at the end (the server is kept with --keep). Exit 0 when every step passed, 1 when one failed, 130 on Ctrl-C.'],
} as const satisfies CommandSpec;

export const DEMO_USAGE = usageOf(DEMO_COMMAND);

/** What `npm run demo` was asked. */
export interface DemoArgs {
  /** `--keep`: the moto server outlives the demo. Default false. */
  readonly keep: boolean;
  /** `--partners N`: 1 or 2. Default 1. */
  readonly partners: 1 | 2;
}

/** Reads `--keep` and `--partners`; refuses any other argument or value (exit 2, naming it). */
export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const { values, problems } = parseCommandLine(argv, DEMO_COMMAND.flags);
  const partners = values.partners ?? '1';
  if (partners !== '1' && partners !== '2') problems.push(`--partners ${JSON.stringify(partners)}: expected 1 or 2`);
  throwIfProblems(problems);
  return { keep: values.keep, partners: partners === '2' ? 2 : 1 };
}
