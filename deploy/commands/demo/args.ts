/** The command line of `npm run demo`: no flags but `--help`. Pure. */
import { parseCommandLine, throwIfProblems, usageOf, type CommandSpec } from '../../cli/commandLine.ts';

/** What `npm run demo` is, for its usage and docs/commands/demo.md. */
export const DEMO_COMMAND = {
  name: 'demo',
  summary: 'Plays the whole flow on a local moto server with two emulated accounts: deploy, the three IAM documents applied, the preflight, a backfill of three days and its rerun; no AWS account needed.',
  flags: {},
  notes: ['Needs moto (pip install "moto[server]"); the server and the rendered files are removed at the end. Exit 0 when every step passed, 1 when one failed, 130 on Ctrl-C.'],
} as const satisfies CommandSpec;

export const DEMO_USAGE = usageOf(DEMO_COMMAND);

/** Refuses any argument (exit 2, naming it). */
export function parseDemoArgs(argv: readonly string[]): Record<string, never> {
  throwIfProblems(parseCommandLine(argv, DEMO_COMMAND.flags).problems);
  return {};
}
