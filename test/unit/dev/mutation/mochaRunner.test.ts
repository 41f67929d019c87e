import { expect } from 'chai';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Mocha from 'mocha';
import sinon from 'sinon';
import { chargeHooks, CollectingReporter, findMutatedFiles, grepFor, mutantIdsIn, staticSelection, type TestIndex } from '../../../../dev/mutation/mochaRunner.ts';

describe('dev/mutation/mochaRunner', () => {
  it("charges what a suite's before/after hooks reach to every test of the suite and of the suites inside it, and to no other", () => {
    const root = new Mocha.Suite('');
    root.root = true;
    const outer = Mocha.Suite.create(root, 'outer');
    const inner = Mocha.Suite.create(outer, 'inner');
    const other = Mocha.Suite.create(root, 'other');
    outer.addTest(new Mocha.Test('first', () => undefined));
    inner.addTest(new Mocha.Test('second', () => undefined));
    other.addTest(new Mocha.Test('third', () => undefined));
    const perTest: Record<string, Record<string, number>> = {
      'hooks of outer': { '7': 2, '8': 1 },
      'hooks of other (reached nothing)': {},
      'outer first': { '1': 1, '7': 1 },
      'other third': { '3': 1 },
    };
    chargeHooks(perTest, new Map([['hooks of outer', outer], ['hooks of other (reached nothing)', other]]));
    expect(perTest).to.deep.equal({
      'outer first': { '1': 1, '7': 3, '8': 1 },
      'outer inner second': { '7': 2, '8': 1 },
      'other third': { '3': 1 },
    });
  });

  describe('findMutatedFiles', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 's3-push-mutated-files-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('finds the files holding a mutant switch, not those under node_modules, dot folders or the test folder', async () => {
      const mutated = 'if (stryMutAct_9fa48("12")) {}';
      for (const folder of ['rules', 'node_modules/x', '.stryker-tmp', 'test/unit']) await mkdir(join(dir, folder), { recursive: true });
      await writeFile(join(dir, 'rules', 'a.ts'), mutated);
      await writeFile(join(dir, 'b.mjs'), mutated);
      await writeFile(join(dir, 'rules', 'plain.ts'), 'export const x = 1;');
      await writeFile(join(dir, 'rules', 'notes.md'), mutated);
      await writeFile(join(dir, 'node_modules', 'x', 'c.js'), mutated);
      await writeFile(join(dir, '.stryker-tmp', 'd.ts'), mutated);
      await writeFile(join(dir, 'test', 'unit', 'e.test.ts'), mutated);
      expect(findMutatedFiles(dir, join(dir, 'test', 'unit'))).to.deep.equal([join(dir, 'b.mjs'), join(dir, 'rules', 'a.ts')]);
    });
  });

  it("times a test by the real clock when the test fakes Date and performance (Stryker's timeouts are built from these times)", async () => {
    const mocha = new Mocha({ reporter: CollectingReporter as unknown as string });
    const suite = Mocha.Suite.create(mocha.suite, 'faked');
    let clock: sinon.SinonFakeTimers | undefined;
    // Fake timers start at 1970: a time read through the global clocks would be off by 56 years.
    suite.beforeEach(() => {
      clock = sinon.useFakeTimers({ toFake: ['Date', 'performance', 'setTimeout'] });
    });
    suite.afterEach(() => clock?.restore());
    suite.addTest(new Mocha.Test('ticks a faked minute', async () => {
      await clock!.tickAsync(60_000);
    }));
    const failures = await new Promise<number>((resolve) => mocha.run(resolve));
    clock?.restore();
    expect(failures).to.equal(0);
    const [result] = CollectingReporter.current!.tests;
    expect(result!.timeSpentMs).to.be.within(0, 10_000);
  });

  it('reads the mutant ids of an instrumented file', () => {
    expect([...mutantIdsIn('stryMutAct_9fa48("3") ? a : stryMutAct_9fa48("41") || b; stryCov_9fa48("5")')]).to.deep.equal(['3', '41']);
  });

  describe('staticSelection (the tests run for a mutant in code that runs when its module loads)', () => {
    const index: TestIndex = {
      filesOfTest: { 'a one': ['/t/a.test.ts'], 'a two': ['/t/a.test.ts'], 'b one': ['/t/b.test.ts'], 'c one': ['/t/c.test.ts'], 'c two': ['/t/c.test.ts'] },
      mutantsOfTest: { 'a one': ['1', '2'], 'b one': ['9'], 'c one': ['5'] },
    };
    const all = ['/t/a.test.ts', '/t/b.test.ts', '/t/c.test.ts', '/t/d.test.ts'];

    it("runs the tests that reached the module's code, and every test of a file that imports it by name, those first", () => {
      expect(staticSelection(index, all, new Set(['2', '3']), (f) => f === '/t/c.test.ts')).to.deep.equal({
        files: ['/t/a.test.ts', '/t/c.test.ts'],
        tests: ['a one', 'c one', 'c two'],
        first: { files: ['/t/c.test.ts'], tests: ['c one', 'c two'] },
      });
      expect(staticSelection(index, all, new Set(['9']), () => false)).to.deep.equal({ files: ['/t/b.test.ts'], tests: ['b one'] });
    });

    it('matches exactly the titles given, as text, and nothing when given none', () => {
      const grep = grepFor(['a (one)', 'b.two']);
      expect(['a (one)', 'b.two', 'b-two', 'a (one) more', 'x a (one)'].filter((t) => grep.test(t))).to.deep.equal(['a (one)', 'b.two']);
      expect(['', 'a'].some((t) => grepFor([]).test(t))).to.equal(false);
    });

    it('runs nothing when no test can reach the module', () => {
      expect(staticSelection(index, all, new Set(['7']), () => false)).to.deep.equal({ files: [], tests: [] });
    });

    it('gives up (every test) when a file importing the module has no test in the index', () => {
      expect(staticSelection(index, all, new Set(['1']), (f) => f === '/t/d.test.ts')).to.equal(undefined);
    });
  });
});
