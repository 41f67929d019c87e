import { expect } from 'chai';
import { chmod, chown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOutDir } from '../../../../../deploy/commands/deploy/outDir.ts';
import { UsageError } from '../../../../../rules/errors.ts';

describe('deploy/commands/deploy/outDir checkOutDir', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3-push-outdir-'));
    await writeFile(join(dir, 'file'), 'x');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const problem = (out: string) => checkOutDir(out, dir).then(() => undefined, (err: unknown) => {
    expect(err).to.be.instanceOf(UsageError);
    return (err as UsageError).problems.join('\n');
  });

  it('accepts an existing writable directory and one that can be created, relative or absolute', async () => {
    expect(await problem('.')).to.equal(undefined);
    expect(await problem('new/deeper')).to.equal(undefined);
    expect(await problem(join(dir, 'other'))).to.equal(undefined);
  });

  it('refuses a path under a file, or a file, naming --out', async () => {
    expect(await problem('file/x')).to.equal(`--out "file/x": ${join(dir, 'file')} is a file, not a directory: expected a directory to write the IAM documents into`);
    expect(await problem('file')).to.match(/^--out "file": .* is a file, not a directory/);
  });

  it('each file to write must find nothing, a file or a symlink at its path; a directory there is named', async () => {
    await mkdir(join(dir, 'docs', 'b.json.tmp'), { recursive: true });
    await writeFile(join(dir, 'docs', 'a.json.tmp'), 'x');
    await symlink(join(dir, 'file'), join(dir, 'docs', 'c.json.tmp'));
    expect(await checkOutDir('docs', dir, { files: ['a.json.tmp', 'c.json.tmp', 'd.json.tmp'] })).to.deep.equal({ warnings: [] });
    const err = await checkOutDir('docs', dir, { files: ['a.json.tmp', 'b.json.tmp'] }).catch((e: unknown) => e);
    expect((err as UsageError).problems).to.deep.equal([`--out "docs": ${join(dir, 'docs', 'b.json.tmp')} is a directory: deploy writes the IAM document b.json.tmp there; move it away or choose another folder`]);
  });

  it('a folder anyone may write is refused unless sticky (as /tmp); group-writable or another user\'s folder warns', async () => {
    for (const [name, mode] of [['world', 0o777], ['sticky', 0o1777], ['group', 0o770], ['own', 0o700]] as const) {
      await mkdir(join(dir, name));
      await chmod(join(dir, name), mode);
    }
    const uid = process.getuid!();
    expect(await problem('world')).to.match(/may be written by any user \(mode 777, no sticky bit\)/);
    expect(await problem('world/new/deeper')).to.include(`${join(dir, 'world')} (where ${join(dir, 'world', 'new', 'deeper')} would be created) may be written by any user`);
    expect(await checkOutDir('sticky', dir, { uid })).to.deep.equal({ warnings: [] });
    expect((await checkOutDir('group', dir, { uid })).warnings[0]).to.match(/^WARNING: --out "group": .* may be written by its group \(mode 770\)/);
    expect(await checkOutDir('own', dir, { uid })).to.deep.equal({ warnings: [] });
    // Another user's folder: as root, hand it to another uid; otherwise pretend to be another user.
    if (uid === 0) await chown(join(dir, 'own'), 4242, 4242);
    const owner = uid === 0 ? 4242 : uid;
    expect((await checkOutDir('own', dir, { uid: uid === 0 ? 0 : uid + 1 })).warnings).to.deep.equal([
      `WARNING: --out "own": ${join(dir, 'own')} belongs to another user (uid ${owner}), who could replace the trust document after deploy wrote it; read it again before you apply it, or use a folder of your own`,
    ]);
  });
});
