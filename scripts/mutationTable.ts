/**
 * `npm run mutation:table`: writes the score table of the last mutation run into docs/testing.md
 * (between its markers) from Stryker's JSON report, and fails naming every module below its goal
 * (`goals` in stryker.config.mjs). The report must be of a run over the whole `mutate` list;
 * `--print` prints the table of any report, a run over a few modules included, and writes nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandLine, throwIfProblems, usageOf, type CommandSpec } from '../deploy/cli/commandLine.ts';
import { runCommand } from '../deploy/cli/runCommand.ts';
import { asReport, belowGoal, checkGoalsNameModules, checkWholeRun, readStrykerConfig, renderTable, scoreReport, ScoreTableError, withTable } from '../dev/mutation/scoreTable.ts';

const COMMAND = {
  name: 'mutation:table',
  summary: 'Writes the score table of a mutation run into the docs page, between its markers, and fails naming every module below its goal (goals in stryker.config.mjs).',
  flags: {
    report: { type: 'string', value: 'FILE', help: 'Stryker\'s JSON report (default reports/mutation/mutation.json)' },
    doc: { type: 'string', value: 'FILE', help: 'the page that holds the table (default docs/testing.md)' },
    print: { type: 'boolean', help: 'print the table instead (any report, a run with --mutate too); write nothing' },
  },
  notes: [],
} as const satisfies CommandSpec;

const USAGE = usageOf(COMMAND);
const FLAGS = COMMAND.flags;

const root = fileURLToPath(new URL('..', import.meta.url));

function readText(path: string, what: string, hint: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ScoreTableError(`cannot read ${what} ${relative(process.cwd(), path) || path}: ${(err as Error).message}${hint}`);
  }
}

await runCommand({
  name: 'mutation:table',
  usage: USAGE,
  parse: (argv) => {
    const { values, problems } = parseCommandLine(argv, FLAGS);
    throwIfProblems(problems);
    return { report: values.report ?? join(root, 'reports/mutation/mutation.json'), doc: values.doc ?? join(root, 'docs/testing.md'), print: values.print };
  },
  run: async ({ report: reportPath, doc, print }) => {
    const text = readText(reportPath, 'the report', ' (run `npm run test:mutation` first)');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new ScoreTableError(`${reportPath} is not JSON: ${(err as Error).message}`);
    }
    const report = asReport(parsed, reportPath);
    const { mutate, goals } = await readStrykerConfig(root);
    if (!print) {
      checkWholeRun(report, mutate);
      checkGoalsNameModules(report, goals);
    }
    const scores = scoreReport(report, goals);
    const table = renderTable(scores, report.framework);
    if (print) {
      console.log(table);
    } else {
      writeFileSync(doc, withTable(readText(doc, 'the page', ''), table, doc));
      console.log(`mutation:table: ${scores.modules.length} modules, ${scores.all.metrics.mutationScore.toFixed(2)} % in all, written to ${relative(process.cwd(), doc) || doc}`);
    }
    const below = belowGoal(scores);
    if (below.length > 0) {
      throw new ScoreTableError(`below its goal: ${below.map((row) => `${row.file} ${row.metrics.mutationScore.toFixed(2)} % (goal ${row.goal} %)`).join(', ')}`);
    }
  },
});
