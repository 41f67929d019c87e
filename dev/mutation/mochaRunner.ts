/**
 * A StrykerJS test runner for this project's mocha 12 unit tests, loaded by `stryker.config.mjs`
 * (`npm run test:mutation`).
 *
 * Why not `@stryker-mutator/mocha-runner`: its 9.x line stops at mocha < 12, and its 10.x line needs
 * Node 22 (through `@stryker-mutator/core` 10) and still `require`s mocha's cli internals by their old
 * extensionless names, which mocha 12 renamed to `.cjs`. Patched to load, it was still several
 * times slower on this suite: it cannot reload ES modules, so each static mutant costs a new
 * process and the whole suite (docs/testing.md has the figures). This runner uses only mocha's public API
 * (`new Mocha`, its file events, `grep`, `run`) and Stryker's plugin API, the same way:
 * the test files are imported once, then every mutant run reruns the same mocha instance with the
 * mutant switched on through Stryker's instrumenter context; a static mutant gets the project
 * imported again in the same process (see reload()).
 *
 * Coverage per test: a root `beforeEach` tells the instrumented code which test is running, so
 * Stryker runs each mutant only against the tests that reach it; what a `before`/`after` hook
 * reaches is charged to every test of the hook's suite (they all run after it). Code that a test
 * file runs at import (outside any `it` or hook) is "static": its mutants need the project imported
 * again and every test that could reach them. The dry run names the test files that do it.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'node:module';
import Mocha from 'mocha';
import { commonTokens, declareClassPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import type { Logger } from '@stryker-mutator/api/logging';
import type { StrykerOptions, InstrumenterContext } from '@stryker-mutator/api/core';
import {
  DryRunStatus,
  TestStatus,
  determineHitLimitReached,
  toMutantRunResult,
  type DryRunOptions,
  type DryRunResult,
  type MutantRunOptions,
  type MutantRunResult,
  type TestResult,
  type TestRunner,
  type TestRunnerCapabilities,
} from '@stryker-mutator/api/test-runner';

/** Options under `mochaEsm` in the Stryker config. */
export interface MochaEsmOptions {
  /** Folder searched (recursively) for test files, relative to the sandbox. Default `test/unit`. */
  readonly testDirectory: string;
  /** File name ending of a test file. Default `.test.ts`. */
  readonly testSuffix: string;
  /** Mocha's per-test timeout in ms (Stryker adds its own per run). Default 10000, as `.mocharc.json`. */
  readonly timeout: number;
  /**
   * Test files left out, by path relative to the test directory. For tests that run the code in a
   * child process, where no mutant is ever switched on: they cannot kill one and only cost time.
   * Default none.
   */
  readonly skipFiles: readonly string[];
}

const DEFAULTS: MochaEsmOptions = { testDirectory: 'test/unit', testSuffix: '.test.ts', timeout: 10_000, skipFiles: [] };

/** JSON schema of `mochaEsm`, so Stryker validates it instead of warning about an unknown option. */
export const strykerValidationSchema = {
  properties: {
    mochaEsm: {
      type: 'object',
      additionalProperties: false,
      properties: {
        testDirectory: { type: 'string' },
        testSuffix: { type: 'string' },
        timeout: { type: 'number' },
        skipFiles: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;

/** Test files under `directory` ending in `suffix`, sorted so every run loads them in one order. */
export function findTestFiles(directory: string, suffix: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith(suffix))
    .map((name) => resolve(join(directory, name)))
    .sort();
}

interface StrykerGlobal {
  __stryker__?: InstrumenterContext;
}

/**
 * The clock a test's time is read from: performance.now as it was when this module loaded. Tests
 * may fake the clocks (sinon's fake timers start Date at 1970); read through the global at the end
 * of such a test, a time came out in the trillions of ms, and Stryker's timeouts overflowed into
 * 1 ms, so that every mutant "timed out".
 */
const now = performance.now.bind(performance);

/** Collects one result per test; mocha builds a new reporter for every run. */
export class CollectingReporter {
  static current: CollectingReporter | undefined;
  /** Told when a hook starts (true) and ends (false), in the dry run. */
  static onHook: ((hook: Mocha.Hook, begins: boolean) => void) | undefined;
  readonly tests: TestResult[] = [];
  private started = now();

  constructor(runner: Mocha.Runner) {
    CollectingReporter.current = this;
    const { EVENT_TEST_BEGIN, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_HOOK_BEGIN, EVENT_HOOK_END } = Mocha.Runner.constants;
    runner.on(EVENT_HOOK_BEGIN, (hook: Mocha.Hook) => CollectingReporter.onHook?.(hook, true));
    runner.on(EVENT_HOOK_END, (hook: Mocha.Hook) => CollectingReporter.onHook?.(hook, false));
    runner.on(EVENT_TEST_BEGIN, () => {
      this.started = now();
    });
    runner.on(EVENT_TEST_PASS, (test: Mocha.Test) => {
      this.tests.push({ ...this.describe(test), status: TestStatus.Success });
    });
    runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => {
      this.tests.push({ ...this.describe(test), status: TestStatus.Skipped });
    });
    // A failing hook is reported here too (with the hook as the runnable): it counts as a failure.
    runner.on(EVENT_TEST_FAIL, (test: Mocha.Runnable, error: unknown) => {
      const failureMessage = error instanceof Error ? error.message : String(error);
      this.tests.push({ ...this.describe(test), status: TestStatus.Failed, failureMessage });
    });
  }

  private describe(test: Mocha.Runnable): { id: string; name: string; timeSpentMs: number; fileName?: string } {
    const id = test.fullTitle();
    return { id, name: id, timeSpentMs: Math.round(now() - this.started), ...(test.file ? { fileName: test.file } : {}) };
  }
}

function setBail(suite: Mocha.Suite, bail: boolean): void {
  suite.bail(bail);
  for (const child of suite.suites) setBail(child, bail);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * What the dry run learnt, written into the sandbox for the worker processes Stryker starts later:
 * the file(s) of each test (by full title), and the mutants each test reached.
 */
export interface TestIndex {
  readonly filesOfTest: Record<string, string[]>;
  readonly mutantsOfTest: Record<string, string[]>;
}

/** The test files to load for a run, and the tests to run in them (all of them when undefined). */
export interface Selection {
  readonly files: string[];
  readonly tests: string[] | undefined;
  /**
   * Run these first, alone (a subset of the above): when one of them fails, the mutant is killed
   * without loading and running the rest.
   */
  readonly first?: { readonly files: string[]; readonly tests: string[] };
}

/**
 * The tests that can notice a static mutant of `module` (one in code that runs when the module
 * loads, such as a module-level regular expression or table), whose instrumented source holds the
 * mutant ids `idsOfModule`: the tests that reached any mutant of the module in the dry run (such
 * code is read through the module's functions), and every test of the files that import the module
 * by name (`importsModule`: they may read its exports directly). A test outside both cannot reach
 * the module, so this can only miss a kill, never invent one. Undefined (run everything) when a
 * file that imports the module has no test in the index. The files that import the module by name
 * (its own unit tests among them) come `first`: most such mutants fail there.
 */
export function staticSelection(
  index: TestIndex,
  allFiles: readonly string[],
  idsOfModule: ReadonlySet<string>,
  importsModule: (file: string) => boolean,
): Selection | undefined {
  const byName = new Set(allFiles.filter(importsModule));
  const tests = Object.keys(index.filesOfTest).filter(
    (id) => (index.mutantsOfTest[id] ?? []).some((m) => idsOfModule.has(m)) || (index.filesOfTest[id] ?? []).some((f) => byName.has(f)),
  );
  const files = new Set(tests.flatMap((id) => index.filesOfTest[id] ?? []));
  if ([...byName].some((f) => !files.has(f))) return undefined;
  const firstTests = tests.filter((id) => (index.filesOfTest[id] ?? []).some((f) => byName.has(f)));
  const firstFiles = allFiles.filter((f) => byName.has(f));
  const selection = { files: allFiles.filter((f) => files.has(f)), tests };
  return firstTests.length > 0 && firstTests.length < tests.length ? { ...selection, first: { files: firstFiles, tests: firstTests } } : selection;
}

/** A mocha grep for exactly these test titles; none at all matches nothing (an empty alternation would match every title). */
export function grepFor(tests: readonly string[]): RegExp {
  return tests.length > 0 ? new RegExp(tests.map((id) => `(^${escapeRegExp(id)}$)`).join('|')) : /(?!)/;
}

/** Where the dry run leaves its {@link TestIndex}, in the sandbox (the workers' working directory). */
export const INDEX_FILE = '.mocha-esm-index.json';

/** The title mocha gives a `before`/`after` hook (`"before all" hook: name`), not a `beforeEach`. */
const ALL_HOOK = /^"(before|after) all" hook/;

/** The tests of a suite and of the suites inside it. */
function testsOf(suite: Mocha.Suite): Mocha.Test[] {
  return [...suite.tests, ...suite.suites.flatMap(testsOf)];
}

/** Marks an instrumented file: Stryker's mutant switch. */
const MUTANT_SWITCH = /stryMutAct_\w+\("(\d+)"\)/g;

/** The mutant ids Stryker's instrumenter placed in an instrumented file. */
export function mutantIdsIn(instrumentedSource: string): Set<string> {
  return new Set([...instrumentedSource.matchAll(MUTANT_SWITCH)].map((m) => m[1]!));
}

/**
 * The instrumented (mutated) source files under `directory`: those holding a mutant switch. Skips
 * node_modules, dot folders and `skipDirectory` (the tests).
 */
export function findMutatedFiles(directory: string, skipDirectory: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.') && resolve(path) !== resolve(skipDirectory)) walk(path);
      } else if (entry.isFile() && /\.(ts|js|mjs)$/.test(entry.name) && /stryMutAct_\w+\("\d+"\)/.test(readFileSync(path, 'utf8'))) {
        found.push(resolve(path));
      }
    }
  };
  walk(directory);
  return found.sort();
}

/**
 * Module resolve hooks (they run on Node's loader thread): every file URL outside node_modules
 * gets the current generation as a query, so a new generation imports the project anew.
 */
const GENERATION_HOOKS = `
let generation;
export function initialize(data) { generation = data.generation; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const n = Atomics.load(generation, 0);
  if (n === 0 || !result.url.startsWith('file:') || result.url.includes('/node_modules/')) return result;
  const url = new URL(result.url);
  url.searchParams.set('stryker-generation', String(n));
  return { ...result, url: url.href };
}
`;

/** The runner Stryker starts in each worker process. */
export class MochaEsmTestRunner implements TestRunner {
  static inject = tokens(commonTokens.logger, commonTokens.options);

  private readonly settings: MochaEsmOptions;
  private mocha: Mocha | undefined;
  /** The generation of module URLs, shared with the resolve hook (see reload()). */
  private readonly generation = new Int32Array(new SharedArrayBuffer(4));
  private allFiles: string[] = [];
  private readonly loaded = new Set<string>();
  private index: TestIndex | undefined;
  private trackTest: ((title: string | undefined) => void) | undefined;
  /** In the dry run: the static mutants each test file reached while it loaded. */
  private staticOfFile: Map<string, number> | undefined;

  constructor(
    private readonly log: Logger,
    options: StrykerOptions,
  ) {
    this.settings = { ...DEFAULTS, ...((options as { mochaEsm?: Partial<MochaEsmOptions> }).mochaEsm ?? {}) };
  }

  capabilities(): TestRunnerCapabilities {
    // ES modules cannot be unloaded, but they can be loaded again under another URL: see reload().
    return { reloadEnvironment: true };
  }

  init(): Promise<void> {
    const skipped = new Set(this.settings.skipFiles.map((f) => resolve(join(this.settings.testDirectory, f))));
    this.allFiles = findTestFiles(this.settings.testDirectory, this.settings.testSuffix).filter((f) => !skipped.has(f));
    this.log.debug('mocha-esm: %d test files under %s', this.allFiles.length, this.settings.testDirectory);
    register(`data:text/javascript,${encodeURIComponent(GENERATION_HOOKS)}`, { data: { generation: this.generation } });
    this.mocha = this.createMocha();
    return Promise.resolve();
  }

  private createMocha(): Mocha {
    const mocha = new Mocha({ reporter: CollectingReporter as unknown as string, timeout: this.settings.timeout });
    // Keep the tests after a run so the same instance can run again for the next mutant; the
    // files are loaded by load(), not by run().
    mocha.cleanReferencesAfterRun(false);
    (mocha as Mocha & { lazyLoadFiles(enable: boolean): Mocha }).lazyLoadFiles(true);
    const track = (title: string | undefined): void => this.trackTest?.(title);
    mocha.suite.beforeEach(function (this: Mocha.Context) {
      track(this.currentTest?.fullTitle());
    });
    // Code run in a `before`/`after` hook belongs to no single test: count it as static (run with
    // every test) rather than charge it to whichever test ran last.
    mocha.suite.afterEach(() => track(undefined));
    return mocha;
  }

  /**
   * A fresh test environment in this process, for a static mutant (and for the mutant after it):
   * the project's modules, test files included, are imported again under new URLs (the resolve
   * hook adds `?stryker-generation=N` to every file outside node_modules), so their module-level
   * code runs again, while node_modules (the AWS SDK, mocha itself) stay loaded: much cheaper than
   * the new process Stryker would start otherwise. Stryker restarts the process every
   * `maxTestRunnerReuse` runs, which bounds what old generations hold in memory.
   */
  private reload(): void {
    Atomics.add(this.generation, 0, 1);
    this.loaded.clear();
    this.mocha = this.createMocha();
  }

  async dryRun({ coverageAnalysis, disableBail }: DryRunOptions): Promise<DryRunResult> {
    const context = this.context();
    /** Synthetic test ids of the suites whose `before`/`after` hooks ran, see chargeHooks(). */
    const hookSuites = new Map<string, Mocha.Suite>();
    if (coverageAnalysis === 'perTest') {
      this.trackTest = (title) => {
        context.currentTestId = title;
      };
      CollectingReporter.onHook = (hook, begins) => {
        if (!ALL_HOOK.test(hook.title) || !hook.parent) return;
        let id: string | undefined;
        if (begins) {
          // One id per suite object: two files may hold suites of the same title.
          id = [...hookSuites].find(([, suite]) => suite === hook.parent)?.[0] ?? `${HOOK_TEST_ID}${hookSuites.size}`;
          hookSuites.set(id, hook.parent);
        }
        context.currentTestId = id;
      };
      // The project's own module-level code (tables, regular expressions) is static by nature:
      // import it before the test files, so what a test file adds while it loads is told apart.
      for (const file of findMutatedFiles('.', this.settings.testDirectory)) await import(pathToFileURL(file).href);
      this.staticOfFile = new Map();
    }
    let result: DryRunResult;
    try {
      result = await this.run(this.allFiles, undefined, disableBail, undefined, 'runtime');
    } finally {
      this.trackTest = undefined;
      CollectingReporter.onHook = undefined;
    }
    this.reportStaticFiles();
    if (result.status !== DryRunStatus.Complete || coverageAnalysis === 'off') return result;
    if (coverageAnalysis === 'perTest' && context.mutantCoverage) {
      chargeHooks(context.mutantCoverage.perTest, hookSuites);
      this.writeIndex(result.tests, context.mutantCoverage.perTest);
    }
    return { ...result, ...(context.mutantCoverage ? { mutantCoverage: context.mutantCoverage } : {}) };
  }

  /** Names the test files that ran code under mutation while they loaded: each such mutant is static. */
  private reportStaticFiles(): void {
    const files = [...(this.staticOfFile ?? [])].filter(([, n]) => n > 0);
    this.staticOfFile = undefined;
    if (files.length === 0) return;
    this.log.warn(
      'mocha-esm: %d test file(s) run code under mutation while they load, which makes its mutants static (slow: the project is imported again for each): %s. Build values in a test or a hook (before, beforeEach), not at the top of a file or a describe.',
      files.length,
      files.map(([f, n]) => `${relative(process.cwd(), f)} (${n})`).join(', '),
    );
  }

  async mutantRun({ activeMutant, testFilter, disableBail, hitLimit, mutantActivation, sandboxFileName, reloadEnvironment }: MutantRunOptions): Promise<MutantRunResult> {
    if (reloadEnvironment) this.reload();
    const context = this.context();
    context.hitLimit = hitLimit;
    context.hitCount = hitLimit === undefined ? undefined : 0;
    const { files, tests, first } = this.select(testFilter, mutantActivation === 'static' ? sandboxFileName : undefined);
    if (first && !disableBail) {
      // The files likeliest to kill it first; the rest only when they all pass.
      const early = await this.run(first.files, grepFor(first.tests), disableBail, activeMutant.id, mutantActivation);
      if (early.status !== DryRunStatus.Complete || early.tests.some((t) => t.status === TestStatus.Failed)) return toMutantRunResult(early);
      const done = new Set(first.tests);
      const rest = await this.run(files, grepFor((tests ?? []).filter((id) => !done.has(id))), disableBail, activeMutant.id, mutantActivation);
      return toMutantRunResult(rest.status === DryRunStatus.Complete ? { ...rest, tests: [...early.tests, ...rest.tests] } : rest);
    }
    return toMutantRunResult(await this.run(files, tests ? grepFor(tests) : undefined, disableBail, activeMutant.id, mutantActivation));
  }

  /**
   * The test files a run needs, and the tests to run in them. With a test filter (a mutant reached
   * by known tests): those tests, in their files. For a static mutant: Stryker would run every test,
   * in a new process, which takes the whole unit suite per mutant; instead see staticSelection().
   * Without the dry run's index: every test.
   */
  private select(testFilter: readonly string[] | undefined, staticMutantFile: string | undefined): Selection {
    const everything: Selection = { files: this.allFiles, tests: testFilter ? [...testFilter] : undefined };
    const index = this.readIndex();
    if (!index) return everything;
    if (testFilter) {
      const files = testFilter.map((id) => index.filesOfTest[id]);
      if (files.some((f) => f === undefined)) return everything;
      const needed = new Set(files.flat());
      return { files: this.allFiles.filter((f) => needed.has(f)), tests: [...testFilter] };
    }
    if (staticMutantFile) {
      const ids = mutantIdsIn(readFileSync(staticMutantFile, 'utf8'));
      const module = relative(process.cwd(), staticMutantFile).replace(/\\/g, '/');
      return staticSelection(index, this.allFiles, ids, (f) => readFileSync(f, 'utf8').includes(module)) ?? everything;
    }
    return everything;
  }

  private writeIndex(tests: readonly TestResult[], perTest: Record<string, Record<string, number>>): void {
    const filesOfTest: Record<string, string[]> = {};
    const mutantsOfTest: Record<string, string[]> = {};
    for (const test of tests) {
      if (!test.fileName) continue;
      (filesOfTest[test.id] ??= []).push(test.fileName);
      const reached = Object.keys(perTest[test.id] ?? {});
      if (reached.length > 0) mutantsOfTest[test.id] = reached;
    }
    const index: TestIndex = { filesOfTest, mutantsOfTest };
    writeFileSync(INDEX_FILE, JSON.stringify(index));
    this.index = index;
  }

  private readIndex(): TestIndex | undefined {
    if (!this.index && existsSync(INDEX_FILE)) this.index = JSON.parse(readFileSync(INDEX_FILE, 'utf8')) as TestIndex;
    return this.index;
  }

  private async run(
    files: readonly string[],
    grep: RegExp | undefined,
    disableBail: boolean,
    activeMutant: string | undefined,
    activation: MutantRunOptions['mutantActivation'],
  ): Promise<DryRunResult> {
    const mocha = this.requireMocha();
    const context = this.context();
    try {
      const toLoad = files.filter((f) => !this.loaded.has(f));
      if (toLoad.length > 0) {
        // A static mutant must be on while the modules load (module-level code runs only then);
        // a runtime one only while the tests run.
        context.activeMutant = activation === 'static' ? activeMutant : undefined;
        await this.load(mocha, toLoad);
      }
      setBail(mocha.suite, !disableBail);
      mocha.grep(grep ?? /.*/);
      context.activeMutant = activeMutant;
      await new Promise<void>((done) => mocha.run(() => done()));
      const timeout = determineHitLimitReached(context.hitCount, context.hitLimit);
      if (timeout) return timeout;
      return { status: DryRunStatus.Complete, tests: CollectingReporter.current?.tests ?? [] };
    } catch (error) {
      return { status: DryRunStatus.Error, errorMessage: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    } finally {
      context.activeMutant = undefined;
    }
  }

  /**
   * Loads test files the way mocha's `loadFilesAsync` does, but always with `import`: on Node 20.19+
   * mocha `require`s them, and `require`'s cache would hand a reload the files it already ran.
   */
  private async load(mocha: Mocha, files: readonly string[]): Promise<void> {
    const { EVENT_FILE_PRE_REQUIRE, EVENT_FILE_REQUIRE, EVENT_FILE_POST_REQUIRE } = Mocha.Suite.constants;
    const staticCount = (): number => Object.keys(this.context().mutantCoverage?.static ?? {}).length;
    for (const file of files) {
      mocha.suite.emit(EVENT_FILE_PRE_REQUIRE, globalThis, file, mocha);
      const before = staticCount();
      const module: unknown = await import(pathToFileURL(file).href);
      this.staticOfFile?.set(file, staticCount() - before);
      mocha.suite.emit(EVENT_FILE_REQUIRE, module, file, mocha);
      mocha.suite.emit(EVENT_FILE_POST_REQUIRE, globalThis, file, mocha);
      this.loaded.add(file);
    }
  }

  private context(): InstrumenterContext {
    const global = globalThis as StrykerGlobal;
    global.__stryker__ ??= {};
    return global.__stryker__;
  }

  private requireMocha(): Mocha {
    if (!this.mocha) throw new Error('mocha-esm: init() was not called');
    return this.mocha;
  }
}

/** The prefix of the synthetic test id under which a suite's `before`/`after` hooks are covered. */
const HOOK_TEST_ID = '\u0000hooks of suite ';

/**
 * Charges what each suite's `before`/`after` hooks reached to every test of that suite, and drops
 * the hooks' synthetic ids: any of those tests, run alone, runs the hooks too, so a mutant reached
 * there is still run with every test that can notice it, without being static.
 */
export function chargeHooks(perTest: Record<string, Record<string, number>>, hookSuites: ReadonlyMap<string, Mocha.Suite>): void {
  for (const [id, suite] of hookSuites) {
    const hits = perTest[id];
    delete perTest[id];
    if (!hits) continue;
    for (const test of testsOf(suite)) {
      const counts = (perTest[test.fullTitle()] ??= {});
      for (const [mutant, n] of Object.entries(hits)) counts[mutant] = (counts[mutant] ?? 0) + n;
    }
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.TestRunner, 'mocha-esm', MochaEsmTestRunner)];
