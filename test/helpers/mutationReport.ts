/** A small Stryker JSON report, for the tests of the mutation score table. */
import type { schema } from '@stryker-mutator/api/core';

type Status = schema.MutantStatus;

/** A mutant of `status` at `line`, as Stryker's JSON report has it. */
export function mutant(id: number, status: Status): schema.MutantResult {
  return { id: String(id), mutatorName: 'ConditionalExpression', replacement: 'true', status, location: { start: { line: id, column: 1 }, end: { line: id, column: 5 } } };
}

/**
 * A small report of two modules: `rules/a.ts` with one mutant of every status (score 4 of 6), and
 * `handler/plan.ts` with two killed (100 %).
 */
export function fixtureReport(mutate: string[] = ['handler/plan.ts', 'rules/**/*.ts']): schema.MutationTestResult {
  const statuses: Status[] = ['Killed', 'Killed', 'Killed', 'Timeout', 'Survived', 'NoCoverage', 'RuntimeError', 'RuntimeError', 'CompileError', 'Ignored'];
  return {
    schemaVersion: '1.0',
    thresholds: { high: 95, low: 90 },
    framework: { name: 'StrykerJS', version: '9.6.1' },
    config: { mutate },
    files: {
      'rules/a.ts': { language: 'typescript', source: 'x', mutants: statuses.map((s, i) => mutant(i + 1, s)) },
      'handler/plan.ts': { language: 'typescript', source: 'y', mutants: [mutant(1, 'Killed'), mutant(2, 'Killed')] },
    },
  };
}
