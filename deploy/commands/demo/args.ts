/** The command line of `npm run demo`: no flags but `--help`. Pure. */
import { parseCommandLine, throwIfProblems } from '../../cli/commandLine.ts';

export const DEMO_USAGE = `usage: npm run demo
  plays the whole flow on a local moto server with two emulated accounts: deploy, the three IAM
  documents applied, the preflight, a backfill of three days and its rerun; no AWS account needed.
  Needs moto (pip install "moto[server]"); the server and the rendered files are removed at the end.`;

/** Refuses any argument (exit 2, naming it). */
export function parseDemoArgs(argv: readonly string[]): Record<string, never> {
  throwIfProblems(parseCommandLine(argv, {}).problems);
  return {};
}
