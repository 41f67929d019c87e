/** The command line of `npm run demo`: `--keep`, and `--help`. Pure. */
import { parseCommandLine, throwIfProblems, usageOf, type CommandSpec } from '../../cli/commandLine.ts';

/** What `npm run demo` is, for its usage and docs/commands/demo.md. */
export const DEMO_COMMAND = {
  name: 'demo',
  summary: 'Plays the whole flow on a local moto server with two emulated accounts: deploy, the three IAM documents applied, the preflight, a backfill of three days and its rerun; no AWS account needed.',
  flags: {
    keep: { type: 'boolean', help: 'leave the moto server running after the demo, and print the environment to export (endpoint, region, keys, the deploy and the handler variables) to run every command against it (those that run the handler in this process too), and how to stop it' },
  },
  notes: ['Needs moto (pip install "moto[server]"); the server and the rendered files are removed at the end (the server is kept with --keep). Exit 0 when every step passed, 1 when one failed, 130 on Ctrl-C.'],
} as const satisfies CommandSpec;

export const DEMO_USAGE = usageOf(DEMO_COMMAND);

/** What `npm run demo` was asked. */
export interface DemoArgs {
  /** `--keep`: the moto server outlives the demo. Default false. */
  readonly keep: boolean;
}

/** Reads `--keep`; refuses any other argument (exit 2, naming it). */
export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const { values, problems } = parseCommandLine(argv, DEMO_COMMAND.flags);
  throwIfProblems(problems);
  return { keep: values.keep };
}
