import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
});
