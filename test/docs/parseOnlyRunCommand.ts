/**
 * Stands in for `deploy/cli/runCommand.ts` under {@link ./parseOnly.ts}: parses the command line
 * with the command's own `parse` (as the real runner does, `--help` first) and runs nothing. The
 * outcome goes to `globalThis.parseOnlyOutcome` for {@link ./parseCommandLines.ts}: code 0 when it
 * parses, 2 naming each problem when it does not.
 */
import { wantsHelp } from '../../deploy/cli/commandLine.ts';
import { UsageError } from '../../rules/errors.ts';

interface Parsed {
  readonly name: string;
  readonly parse: (argv: readonly string[]) => unknown;
}

export interface ParseOutcome {
  readonly name: string;
  readonly code: number;
  readonly message?: string;
}

export function runCommand(def: Parsed): Promise<void> {
  const argv = process.argv.slice(2);
  let outcome: ParseOutcome;
  try {
    if (!wantsHelp(argv)) def.parse(argv);
    outcome = { name: def.name, code: 0 };
  } catch (err) {
    outcome = { name: def.name, code: err instanceof UsageError ? 2 : 1, message: err instanceof UsageError ? err.problems.join('; ') : String(err) };
  }
  (globalThis as { parseOnlyOutcome?: ParseOutcome }).parseOnlyOutcome = outcome;
  return Promise.resolve();
}
