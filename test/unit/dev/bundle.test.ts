import { expect } from 'chai';
import { bundleHandler } from '../../../dev/bundle.ts';

describe('dev/bundle bundleHandler', function () {
  this.timeout(60_000);

  it('builds a byte-identical zip from the same sources', async () => {
    const first = await bundleHandler();
    const second = await bundleHandler();
    expect(first.sha256).to.equal(second.sha256);
    expect(Buffer.compare(first.zip, second.zip)).to.equal(0);
    expect(first.codeSha256).to.equal(Buffer.from(first.sha256, 'hex').toString('base64'));
  });

  it('holds a single index.mjs entry', async () => {
    const { zip } = await bundleHandler();
    // Local file header: signature, then the name at offset 30.
    expect(zip.readUInt32LE(0)).to.equal(0x04034b50);
    const nameLength = zip.readUInt16LE(26);
    expect(zip.subarray(30, 30 + nameLength).toString()).to.equal('index.mjs');
  });
});
