import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { schema } from '@stryker-mutator/api/core';
import { REPO_ROOT } from '../../../deploy/repoRoot.ts';
import { readStrykerConfig, TABLE_END, TABLE_START, type MutationSettings } from '../../../dev/mutation/scoreTable.ts';
import { runCommand } from '../../helpers/runCommand.ts';
import { fixtureReport, mutant } from '../../helpers/mutationReport.ts';

describe('scripts/mutationTable.ts (npm run mutation:table)', function () {
  this.timeout(60_000);
  let dir: string;
  let config: MutationSettings;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3-push-mutation-table-'));
    config = await readStrykerConfig(REPO_ROOT);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A report of a whole run (the project's mutate list) holding every module the goals name, all killed, and `rules/a.ts`. */
  const wholeRun = (aStatuses?: schema.MutantStatus[]): schema.MutationTestResult => {
    const report = fixtureReport([...config.mutate]);
    for (const file of Object.keys(config.goals).filter((f) => f !== '*')) report.files[file] = { language: 'typescript', source: '', mutants: [mutant(1, 'Killed')] };
    if (aStatuses) report.files['rules/a.ts'] = { language: 'typescript', source: '', mutants: aStatuses.map((s, i) => mutant(i + 1, s)) };
    return report;
  };
  const write = async (report: schema.MutationTestResult): Promise<[string, string]> => {
    const reportFile = join(dir, 'mutation.json');
    const page = join(dir, 'testing.md');
    await writeFile(reportFile, JSON.stringify(report));
    await writeFile(page, `# Testing\n\n${TABLE_START}\nold\n${TABLE_END}\n\nafter\n`);
    return [reportFile, page];
  };

  it('writes the table into the page between its markers when every module is at its goal', async () => {
    const [report, page] = await write(wholeRun(['Killed', 'Killed', 'Timeout', 'RuntimeError', 'Ignored']));
    const r = await runCommand('scripts/mutationTable.ts', ['--report', report, '--doc', page]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^mutation:table: \d+ modules, 100\.00 % in all, written to /);
    const text = await readFile(page, 'utf8');
    expect(text).to.match(new RegExp(`^# Testing\\n\\n${TABLE_START.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n\\| module \\| goal`));
    expect(text).to.include('| `rules/a.ts` | 90 | 100.00 | 5 | 2 | 1 | 0 | 0 | 1 | 0 | 1 |').and.include(`${TABLE_END}\n\nafter\n`).and.not.include('old');
  });

  it('writes the table and exits 1 naming every module below its goal', async () => {
    const [report, page] = await write(wholeRun());
    const r = await runCommand('scripts/mutationTable.ts', ['--report', report, '--doc', page]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.equal('mutation:table failed: below its goal: rules/a.ts 66.67 % (goal 90 %)\n');
    expect(await readFile(page, 'utf8')).to.include('| `rules/a.ts` | 90 | 66.67 |');
  });

  it('refuses to write the table of a run over some modules, and prints it with --print', async () => {
    const partial = fixtureReport(['rules/a.ts']);
    delete partial.files['handler/plan.ts'];
    partial.files['rules/a.ts'] = { language: 'typescript', source: '', mutants: [mutant(1, 'Killed')] };
    const [report, page] = await write(partial);
    const refused = await runCommand('scripts/mutationTable.ts', ['--report', report, '--doc', page]);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(/^mutation:table failed: the report is of a run over \["rules\/a\.ts"\], not over the mutate list of stryker\.config\.mjs/);
    const printed = await runCommand('scripts/mutationTable.ts', ['--report', report, '--doc', page, '--print']);
    expect(printed.code, printed.stderr).to.equal(0);
    expect(printed.stdout).to.include('| `rules/a.ts` | 90 | 100.00 | 1 | 1 |');
    expect(await readFile(page, 'utf8'), 'nothing written').to.include('\nold\n');
  });

  it('exits 1 naming the report when it is missing or not a report', async () => {
    const missing = await runCommand('scripts/mutationTable.ts', ['--report', join(dir, 'none.json'), '--print']);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/^mutation:table failed: cannot read the report .*none\.json: .*ENOENT.* \(run `npm run test:mutation` first\)/);
    await writeFile(join(dir, 'bad.json'), '{"files": 3}');
    const bad = await runCommand('scripts/mutationTable.ts', ['--report', join(dir, 'bad.json'), '--print']);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.match(/^mutation:table failed: .*bad\.json is not a Stryker JSON report: no "files" object/);
  });
});
