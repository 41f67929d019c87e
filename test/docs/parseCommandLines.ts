/**
 * Run as `node --import tsx --import ./test/docs/parseOnly.ts test/docs/parseCommandLines.ts JSON`,
 * JSON being `[{"entry": "deploy/commands/x/main.ts", "argv": ["--flag"]}, …]`: imports each
 * command's main once per command line, with that command line, under the parse-only runner, and
 * prints one line `parsed: [{"code", "message"?}, …]`, in the same order.
 */
import { pathToFileURL } from 'node:url';
import { REPO } from '../helpers/docPages.ts';
import type { ParseOutcome } from './parseOnlyRunCommand.ts';

const checks = JSON.parse(process.argv[2] ?? '[]') as { entry: string; argv: string[] }[];
const outcomes: ParseOutcome[] = [];
const state = globalThis as { parseOnlyOutcome?: ParseOutcome };
for (const [i, check] of checks.entries()) {
  process.argv = [process.argv[0]!, check.entry, ...check.argv];
  state.parseOnlyOutcome = undefined;
  try {
    // A query makes each command line its own module instance: a main parses when it is imported.
    await import(`${pathToFileURL(`${REPO}${check.entry}`).href}?commandLine=${i}`);
    outcomes.push(state.parseOnlyOutcome ?? { name: check.entry, code: 1, message: 'it never called runCommand' });
  } catch (err) {
    outcomes.push({ name: check.entry, code: 1, message: `importing it failed: ${String(err)}` });
  }
}
process.stdout.write(`parsed: ${JSON.stringify(outcomes)}\n`);
process.exitCode = 0;
