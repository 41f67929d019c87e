import { expect } from 'chai';
import yazl from 'yazl';
import { unzipOnly } from '../../../bench/build.ts';

async function zipOf(entries: Array<[string, string, boolean]>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, text, compress] of entries) zip.addBuffer(Buffer.from(text), name, { compress });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('bench/build unzipOnly', () => {
  it('reads a deflated and a stored entry of a yazl zip', async () => {
    const zip = await zipOf([['a.txt', 'first '.repeat(100), true], ['index.mjs', 'export const x = 1;\n', false]]);
    expect(unzipOnly(zip, 'index.mjs').toString()).to.equal('export const x = 1;\n');
    expect(unzipOnly(zip, 'a.txt').toString()).to.equal('first '.repeat(100));
  });

  it('names the entry it could not find', async () => {
    const zip = await zipOf([['a.txt', 'x', true]]);
    expect(() => unzipOnly(zip, 'index.mjs')).to.throw('no entry index.mjs');
  });
});
