// @ts-check
// StrykerJS mutation testing of the decision and validation code: `npm run test:mutation`.
// docs/testing.md, "Mutation testing": the goals, the score table (npm run mutation:table), the
// runner and the equivalent mutants.

/**
 * The mutation score goal (%) of each module of `mutate`, by path; "*" is every module not named.
 * `npm run mutation:table` writes the table of a run into docs/testing.md and fails naming every
 * module below its goal, or a goal that names no module of the run.
 * @type {Readonly<Record<string, number>>}
 */
export const goals = {
  // The copy decision and the listing join: a wrong program there copies the wrong objects.
  'handler/copy/plan.ts': 95,
  // The exclusion glob and its IAM forms: a wrong program copies debris or denies the partner data.
  'rules/exclude.ts': 95,
  // Which destination objects exact days delete, and when: a wrong program there deletes the partner's data.
  'handler/copy/extras.ts': 95,
  '*': 90,
};

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // The decision and validation modules: the handler's router, its event, work item and config
  // parsers and the helpers they share, the listing join and the run summary; deploy's config,
  // schedule, policies and stack status. The whole of rules/ is pure shared rules (the error
  // model, reading AWS errors, names, dates, prefixes): the folder is mutated, so a rule moved or
  // added there is covered as it lands.
  mutate: [
    'handler/copy/plan.ts',
    'handler/copy/extras.ts',
    'handler/events.ts',
    'handler/router.ts',
    'handler/parse.ts',
    'handler/config.ts',
    'handler/fanOut/workItems.ts',
    'handler/summary.ts',
    'rules/**/*.ts',
    'deploy/config/config.ts',
    'deploy/config/schedule.ts',
    'deploy/config/policies.ts',
    'deploy/cloudformation/stackStatus.ts',
  ],
  // mocha 12 through the project's own runner (dev/mutation/mochaRunner.ts explains why).
  plugins: ['./dev/mutation/mochaRunner.ts'],
  testRunner: 'mocha-esm',
  testRunnerNodeArgs: ['--import', 'tsx'],
  checkerNodeArgs: ['--import', 'tsx'],
  mochaEsm: {
    testDirectory: 'test/unit',
    testSuffix: '.test.ts',
    // Three times .mocharc.json's: the dry run runs the whole unit suite beside the other work of a
    // shared machine, where a gzip test has taken over 10 s. A mutant that hangs is still stopped by
    // Stryker's own timeout (timeoutMS below).
    timeout: 30000,
    // Files that cannot kill a mutant, left out of the dry run (minutes on a loaded machine): they
    // run the code in child processes, where no mutant is switched on (memoryBound: the handler in
    // a 64 MiB heap; the commands' and scripts' command lines), or test tools only (the bundler
    // hashes the sources, never runs them; the lint config's import layers). No test of theirs
    // reached a mutant.
    skipFiles: [
      'handler/copy/memoryBound.test.ts',
      'deploy/cli/everyCommand.test.ts',
      'deploy/commands/deploy/main.test.ts',
      'helpers/runCommand.test.ts',
      'scripts/cfnLint.test.ts',
      'scripts/mutationTable.test.ts',
      'deploy/build/bundle.test.ts',
      'eslintConfig.test.ts',
      'dev/motoServer.test.ts',
      'dev/pythonTools.test.ts',
    ],
  },
  coverageAnalysis: 'perTest',
  // The machine is shared: a slow test run is not a timeout unless it is 10 s over the dry run's pace.
  timeoutMS: 10000,
  // The dry run is the whole unit suite; Stryker's default of 5 minutes is not enough for it on a
  // 2-core machine busy with other work (it has taken longer at load average ~25).
  dryRunTimeoutMinutes: 20,
  // Reruns test only the mutants whose code or covering tests changed since the last run.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  concurrency: 2,
  // A static mutant re-imports the project in the same process (dev/mutation/mochaRunner.ts);
  // ES modules are never freed, so a new process every 200 runs lets go of old imports (a few MB
  // each). A new process costs ~10 s of start-up on a loaded machine: 40 cost minutes per run.
  maxTestRunnerReuse: 200,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['.bench', '.ceph', 'dist', 'coverage', 'reports'],
  cleanTempDir: true,
  thresholds: { high: 95, low: 90, break: null },
};
