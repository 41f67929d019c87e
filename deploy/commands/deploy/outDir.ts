/**
 * The folder the IAM documents go to (`--out DIR`, or the working directory) is checked before
 * deploy's first AWS call: the documents are written at the end, and a path that cannot take them
 * would otherwise fail a deploy that already changed the stack.
 */
import { constants, type Stats } from 'node:fs';
import { access, lstat, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../../../rules/errors.ts';

/** What the folder check found that does not stop the deploy: lines to print loudly. */
export interface OutDirCheck {
  readonly warnings: readonly string[];
}

/** Options of {@link checkOutDir}. */
export interface OutDirOptions {
  /** The file names deploy will write into the folder; each path must be free for a file. Default: none checked. */
  readonly files?: readonly string[];
  /** How the folder was named in messages. Default `--out "<dir>"`. */
  readonly label?: string;
  /** The user id that runs deploy. Default `process.getuid()` (undefined on Windows: not checked). */
  readonly uid?: number | undefined;
}

/**
 * Who besides the owner may change what the folder holds. A folder others may write lets them
 * replace the trust document after deploy wrote it (rename over it); the sticky bit (as on /tmp)
 * stops that for files they do not own.
 */
function othersMayReplace(folder: Stats, uid: number | undefined): 'world' | 'group' | 'owner' | undefined {
  const sticky = (folder.mode & 0o1000) !== 0;
  if ((folder.mode & 0o002) !== 0 && !sticky) return 'world';
  if ((folder.mode & 0o020) !== 0 && !sticky) return 'group';
  if (uid !== undefined && folder.uid !== uid && folder.uid !== 0) return 'owner';
  return undefined;
}

/**
 * Resolves when `dir` (relative to `cwd`) is a writable directory, or can be created (its nearest
 * existing ancestor is a writable directory), and every name of `options.files` in it is free for
 * a file (nothing there, a file, or a symlink, which is replaced and never followed). Throws a
 * {@link UsageError} naming the folder, or the path in the way, otherwise; a folder that anyone may
 * write without the sticky bit is refused too. Returns warnings for a folder its group may write or
 * another user owns.
 */
export async function checkOutDir(dir: string, cwd: string, options: OutDirOptions = {}): Promise<OutDirCheck> {
  const label = options.label ?? `--out ${JSON.stringify(dir)}`;
  const uid = 'uid' in options ? options.uid : process.getuid?.();
  const wanted = resolve(cwd, dir);
  for (let path = wanted; ; path = dirname(path)) {
    let found: Stats;
    try {
      found = await stat(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(path) !== path) continue;
      throw new UsageError([`${label}: cannot use ${path} (${(err as Error).message})`]);
    }
    if (!found.isDirectory()) {
      throw new UsageError([`${label}: ${path} is a file, not a directory: expected a directory to write the IAM documents into`]);
    }
    try {
      await access(path, constants.W_OK);
    } catch {
      throw new UsageError([`${label}: ${path === wanted ? 'the directory' : `${path}, where it would be created,`} is not writable`]);
    }
    const where = path === wanted ? path : `${path} (where ${wanted} would be created)`;
    const others = othersMayReplace(found, uid);
    if (others === 'world') {
      throw new UsageError([`${label}: ${where} may be written by any user (mode ${(found.mode & 0o7777).toString(8)}, no sticky bit): they could replace the trust document after deploy wrote it; choose a folder only you can write (chmod o-w, or --out ~/s3-push-documents)`]);
    }
    if (path === wanted) await checkFiles(wanted, options.files ?? [], label);
    const warnings = others === undefined ? [] : [
      others === 'group'
        ? `WARNING: ${label}: ${where} may be written by its group (mode ${(found.mode & 0o7777).toString(8)}): a member could replace the trust document after deploy wrote it; read it again before you apply it, or use a folder only you can write`
        : `WARNING: ${label}: ${where} belongs to another user (uid ${found.uid}), who could replace the trust document after deploy wrote it; read it again before you apply it, or use a folder of your own`,
    ];
    return { warnings };
  }
}

/** Each file deploy renames into `folder` must find nothing, a file or a symlink at its path. */
async function checkFiles(folder: string, files: readonly string[], label: string): Promise<void> {
  const problems: string[] = [];
  for (const name of files) {
    const path = join(folder, name);
    let found: Stats;
    try {
      found = await lstat(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      problems.push(`${label}: cannot use ${path} (${(err as Error).message})`);
      continue;
    }
    if (found.isFile() || found.isSymbolicLink()) continue;
    problems.push(`${label}: ${path} is ${found.isDirectory() ? 'a directory' : 'not a regular file'}: deploy writes the IAM document ${name} there; move it away or choose another folder`);
  }
  if (problems.length > 0) throw new UsageError(problems);
}
