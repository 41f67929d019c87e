/**
 * Mocha root hooks, loaded by .mocharc.json for every run (unit and integration): every test
 * cleans up the temporary folders it creates, and this makes it stay so.
 *
 * When it is loaded (before any test file), it makes a fresh folder in the system temp directory
 * and points TMPDIR at it, so that `os.tmpdir()` in this process — and in every command the tests
 * spawn with this environment — is that folder. After the last test it lists what is left in it,
 * removes it, and fails the run naming each leftover. Runs of other worktrees on the same machine
 * have folders of their own, so they never count against this one.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The prefix of a run's temp folder in the system temp directory. */
export const RUN_DIR_PREFIX = 's3-push-test-run-';

/**
 * Caches of the tools the tests run, not files a test made: tsx keeps its compile cache in
 * `<tmpdir>/tsx-<uid>` (spawned commands load tsx), and it goes with the run's folder.
 */
const TOOL_CACHES = /^tsx-\d+$/;

const systemTmp = tmpdir();
const runDir = mkdtempSync(join(systemTmp, RUN_DIR_PREFIX));
const savedTmpdir = process.env.TMPDIR;
process.env.TMPDIR = runDir;

/** What a test left in the run's temp folder (tool caches aside). */
export function leftovers(dir: string = runDir): string[] {
  return readdirSync(dir).filter((name) => !TOOL_CACHES.test(name)).sort();
}

export const mochaHooks = {
  afterAll(this: Mocha.Context) {
    const left = leftovers();
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
    rmSync(runDir, { recursive: true, force: true });
    if (left.length > 0) {
      throw new Error(`tests left ${left.length} temporary folder(s) or file(s) behind in ${systemTmp} (this run's ${runDir}): ${left.join(', ')}; each test must remove what it creates (an after() hook with rm(dir, { recursive: true, force: true }))`);
    }
  },
};
