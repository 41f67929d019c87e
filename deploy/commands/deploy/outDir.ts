/**
 * `--out DIR` is checked before deploy's first AWS call: the documents are written at the end, and a
 * directory that cannot be made would otherwise fail a deploy that already changed the stack.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../../../rules/errors.ts';

/**
 * Resolves when `dir` (relative to `cwd`) is a writable directory, or can be created: its nearest
 * existing ancestor is a writable directory. Throws a {@link UsageError} naming `--out` otherwise.
 */
export async function checkOutDir(dir: string, cwd: string): Promise<void> {
  const wanted = resolve(cwd, dir);
  for (let path = wanted; ; path = dirname(path)) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(path) !== path) continue;
      throw new UsageError([`--out ${JSON.stringify(dir)}: cannot use ${path} (${(err as Error).message})`]);
    }
    if (!isDirectory) {
      throw new UsageError([`--out ${JSON.stringify(dir)}: ${path} is a file, not a directory: expected a directory to write the IAM documents into`]);
    }
    try {
      await access(path, constants.W_OK);
    } catch {
      throw new UsageError([`--out ${JSON.stringify(dir)}: ${path === wanted ? 'the directory' : `${path}, where it would be created,`} is not writable`]);
    }
    return;
  }
}
