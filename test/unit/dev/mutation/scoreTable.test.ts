import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../../../deploy/repoRoot.ts';
import type { schema } from '@stryker-mutator/api/core';
import {
  asGoals,
  asReport,
  belowGoal,
  checkGoalsNameModules,
  checkWholeRun,
  renderTable,
  scoreReport,
  readStrykerConfig,
  ScoreTableError,
  TABLE_END,
  TABLE_START,
  withTable,
} from '../../../../dev/mutation/scoreTable.ts';
import { fixtureReport, mutant } from '../../../helpers/mutationReport.ts';

describe('dev/mutation/scoreTable', () => {
  it("scores each module and the whole run the way Stryker does: runtime errors, compile errors and ignored left out", () => {
    const scores = scoreReport(fixtureReport(), { 'handler/plan.ts': 95, '*': 90 });
    expect(scores.modules.map((r) => [r.file, r.goal])).to.deep.equal([['handler/plan.ts', 95], ['rules/a.ts', 90]]);
    const a = scores.modules[1]!.metrics;
    expect([a.killed, a.timeout, a.survived, a.noCoverage, a.runtimeErrors, a.compileErrors, a.ignored]).to.deep.equal([3, 1, 1, 1, 2, 1, 1]);
    expect(a.mutationScore).to.be.closeTo((4 / 6) * 100, 1e-9);
    expect(scores.modules[0]!.metrics.mutationScore).to.equal(100);
    expect(scores.all.metrics.mutationScore).to.be.closeTo((6 / 8) * 100, 1e-9);
    expect(scores.all.goal).to.equal(undefined);
  });

  it('names the modules below their goal, and only those', () => {
    expect(belowGoal(scoreReport(fixtureReport(), { '*': 90 })).map((r) => r.file)).to.deep.equal(['rules/a.ts']);
    expect(belowGoal(scoreReport(fixtureReport(), { 'rules/a.ts': 66, '*': 100 })).map((r) => r.file)).to.deep.equal([]);
    expect(belowGoal(scoreReport(fixtureReport(), { 'rules/a.ts': 66.67, '*': 100 })).map((r) => r.file)).to.deep.equal(['rules/a.ts']);
  });

  it('renders one row per module, the whole run last, and how the score is counted', () => {
    const table = renderTable(scoreReport(fixtureReport(), { 'handler/plan.ts': 95, '*': 90 }), { name: 'StrykerJS', version: '9.6.1' });
    expect(table.split('\n')).to.deep.equal([
      '| module | goal (%) | score (%) | mutants | killed | timed out | survived | no coverage | runtime errors | compile errors | ignored |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      '| `handler/plan.ts` | 95 | 100.00 | 2 | 2 | 0 | 0 | 0 | 0 | 0 | 0 |',
      '| `rules/a.ts` | 90 | 66.67 | 10 | 3 | 1 | 1 | 1 | 2 | 1 | 1 |',
      '| **all** | – | 75.00 | 12 | 5 | 1 | 1 | 1 | 2 | 1 | 1 |',
      '',
      'Score: (killed + timed out) / (killed + timed out + survived + no coverage), as StrykerJS 9.6.1 counts it; runtime errors, compile errors and ignored mutants are left out of it.',
    ]);
  });

  it('shows no score for a module with no valid mutant (all ignored or errors)', () => {
    const report = fixtureReport();
    report.files['handler/plan.ts'] = { language: 'typescript', source: 'y', mutants: [mutant(1, 'Ignored'), mutant(2, 'RuntimeError')] };
    const scores = scoreReport(report, { '*': 90 });
    expect(renderTable(scores)).to.include('| `handler/plan.ts` | 90 | – | 2 | 0 | 0 | 0 | 0 | 1 | 0 | 1 |');
    expect(belowGoal(scores).map((r) => r.file), 'no score is not at the goal').to.include('handler/plan.ts');
  });

  it('replaces only the text between the markers, and refuses a page without them once each, in order', () => {
    const page = `# Testing\n\nbefore\n${TABLE_START}\nold table\n${TABLE_END}\nafter\n`;
    expect(withTable(page, '| new |', 'docs/testing.md')).to.equal(`# Testing\n\nbefore\n${TABLE_START}\n| new |\n${TABLE_END}\nafter\n`);
    expect(withTable(withTable(page, '| new |', 'p'), '| newer |', 'p')).to.equal(`# Testing\n\nbefore\n${TABLE_START}\n| newer |\n${TABLE_END}\nafter\n`);
    for (const bad of ['no markers', `${TABLE_START}\nx`, `x\n${TABLE_END}`, `${TABLE_END}\nx\n${TABLE_START}`, `${TABLE_START}\n${TABLE_START}\n${TABLE_END}`, `${TABLE_START}\n${TABLE_END}\n${TABLE_END}`]) {
      expect(() => withTable(bad, 't', 'docs/testing.md'), bad).to.throw(ScoreTableError, /^docs\/testing\.md needs the table's markers once each, in order/);
    }
  });

  it('takes only a report of a run over the whole mutate list for the page', () => {
    expect(() => checkWholeRun(fixtureReport(), ['handler/plan.ts', 'rules/**/*.ts'])).to.not.throw();
    expect(() => checkWholeRun(fixtureReport(['rules/a.ts']), ['handler/plan.ts', 'rules/**/*.ts'])).to.throw(ScoreTableError, /the report is of a run over \["rules\/a\.ts"\], not over the mutate list .* without --mutate/);
    const noConfig = { ...fixtureReport(), config: undefined } as unknown as schema.MutationTestResult;
    expect(() => checkWholeRun(noConfig, ['handler/plan.ts'])).to.throw(ScoreTableError, /run over undefined/);
  });

  it('refuses a goal naming a module the run does not hold (moved or renamed), and a module without a goal', () => {
    expect(() => checkGoalsNameModules(fixtureReport(), { 'handler/plan.ts': 95, '*': 90 })).to.not.throw();
    expect(() => checkGoalsNameModules(fixtureReport(), { 'handler/copy/plan.ts': 95, '*': 90 })).to.throw(ScoreTableError, /name handler\/copy\/plan\.ts, which the report does not hold/);
    expect(() => scoreReport(fixtureReport(), { 'handler/plan.ts': 95 })).to.throw(ScoreTableError, /no goal for rules\/a\.ts/);
    expect(() => scoreReport({ ...fixtureReport(), files: {} }, { '*': 90 })).to.throw(ScoreTableError, /holds no module/);
  });

  it('reads a report and goals, naming what is wrong with either', () => {
    const report = fixtureReport();
    expect(asReport(JSON.parse(JSON.stringify(report)), 'r.json')).to.deep.equal(report);
    expect(() => asReport({ schemaVersion: '1.0' }, 'r.json')).to.throw(ScoreTableError, /^r\.json is not a Stryker JSON report: no "files" object/);
    expect(() => asReport(null, 'r.json')).to.throw(ScoreTableError, /no "files" object/);
    expect(() => asReport({ files: [] }, 'r.json')).to.throw(ScoreTableError, /no "files" object/);
    expect(() => asReport({ files: { 'a.ts': { source: '' } } }, 'r.json')).to.throw(ScoreTableError, /file "a\.ts" has no "mutants" list/);
    expect(asGoals({ '*': 90, 'a.ts': 100, 'b.ts': 0 })).to.deep.equal({ '*': 90, 'a.ts': 100, 'b.ts': 0 });
    for (const bad of [{ '*': '90' }, { '*': 101 }, { '*': -1 }, { '*': NaN }]) expect(() => asGoals(bad), JSON.stringify(bad)).to.throw(ScoreTableError, /goal of \* in stryker\.config\.mjs is .*: expected a percentage from 0 to 100/);
    for (const bad of [undefined, null, [90]]) expect(() => asGoals(bad)).to.throw(ScoreTableError, /exports no goals object/);
  });

  it("the project's goals and mutate list name files that exist", async () => {
    const { mutate, goals } = await readStrykerConfig(REPO_ROOT);
    expect(goals['*'], 'a goal for every module not named').to.be.a('number');
    for (const file of Object.keys(goals).filter((name) => name !== '*')) expect(existsSync(join(REPO_ROOT, file)), `goal of ${file}`).to.equal(true);
    for (const entry of mutate.filter((e) => !e.includes('*'))) expect(existsSync(join(REPO_ROOT, entry)), `mutate entry ${entry}`).to.equal(true);
  });

  it("the test files the mutation run's dry run leaves out exist (a moved one would silently run again)", async () => {
    const config = (await import(pathToFileURL(join(REPO_ROOT, 'stryker.config.mjs')).href)) as { default: { mochaEsm: { testDirectory: string; skipFiles: string[] } } };
    const { testDirectory, skipFiles } = config.default.mochaEsm;
    expect(skipFiles).to.not.be.empty;
    for (const file of skipFiles) expect(existsSync(join(REPO_ROOT, testDirectory, file)), `skipFiles entry ${file}`).to.equal(true);
  });
});
