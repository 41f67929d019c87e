/**
 * Writes a file only its owner may read, whatever is already at its path: the text goes to a new
 * file created exclusively (O_CREAT|O_EXCL, which never follows a symlink) with mode 0600, which
 * is then renamed over the path. So an existing file keeps none of its mode (a 0644 file left
 * world-readable by `writeFile`, which keeps the mode of a file it overwrites), and a symlink at
 * the path is replaced, its target untouched.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Writes `text` to `path` as a new 0600 file, atomically (rename in the same folder). */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    try {
      await handle.writeFile(text);
      // The umask may have narrowed the mode further, never widened it; chmod says it outright.
      await handle.chmod(0o600);
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}
