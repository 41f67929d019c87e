import { expect } from 'chai';
import { bundleHandler } from '../../../../deploy/build/bundle.ts';

describe('deploy/build/bundle bundleHandler', function () {
  this.timeout(60_000);

  it('builds a byte-identical zip from the same sources', async () => {
    const first = await bundleHandler();
    const second = await bundleHandler();
    expect(first.sha256).to.equal(second.sha256);
    expect(Buffer.compare(first.zip, second.zip)).to.equal(0);
    expect(first.codeSha256).to.equal(Buffer.from(first.sha256, 'hex').toString('base64'));
  });

  it('holds index.mjs first, then its chunks in name order, as esbuild wrote them', async () => {
    const { zip, files } = await bundleHandler();
    // Local file headers in order: signature, then the name at offset 30, the data after it.
    const names: string[] = [];
    for (let offset = 0; zip.readUInt32LE(offset) === 0x04034b50;) {
      const nameLength = zip.readUInt16LE(26 + offset);
      names.push(zip.subarray(offset + 30, offset + 30 + nameLength).toString());
      offset += 30 + nameLength + zip.readUInt16LE(offset + 28) + zip.readUInt32LE(offset + 18);
    }
    expect(names[0]).to.equal('index.mjs');
    expect(names.slice(1)).to.deep.equal([...names.slice(1)].sort());
    expect(names.slice(1).every((n) => /^chunks\/[\w-]+\.mjs$/.test(n)), names.join(' ')).to.equal(true);
    expect(new Set(names)).to.deep.equal(new Set(files.keys()));
  });

  it('loads at start neither the SQS client nor the credential providers a Lambda never reaches; they are chunks of their own', async () => {
    const { files, jsBytes, startJsBytes } = await bundleHandler();
    const text = (name: string) => Buffer.from(files.get(name)!).toString();
    // Static imports only (`from"./…"`, `import"./…"`); `import("./…")` is what loads lazily.
    const imports = (name: string) => [...text(name).matchAll(/(?:from|import)\s*"\.\/(?:chunks\/)?([\w-]+\.mjs)"/g)].map((m) => `chunks/${m[1]!}`);
    const loaded = new Set<string>(['index.mjs']);
    for (const name of loaded) for (const i of imports(name)) if (files.has(i)) loaded.add(i);
    const atStart = [...loaded].map(text).join('\n');
    const lazy = [...files.keys()].filter((n) => !loaded.has(n)).map(text).join('\n');
    // The SQS API's operation name, and the SSO portal's (the credential provider of a profile).
    for (const marker of ['SendMessageBatch', 'GetRoleCredentials']) {
      expect(atStart, marker).to.not.include(marker);
      expect(lazy, marker).to.include(marker);
    }
    expect(atStart, 'the S3 and STS clients are there').to.include('ListObjectsV2').and.include('AssumeRole');
    expect(startJsBytes).to.equal([...loaded].reduce((sum, n) => sum + files.get(n)!.byteLength, 0));
    expect(startJsBytes).to.be.below(jsBytes);
  });

  it('with sourceMaps builds the same code (only the chunks\' hashed names differ) and, apart, a map of every file naming its sources', async () => {
    const plain = await bundleHandler();
    const mapped = await bundleHandler({ sourceMaps: true });
    expect(plain.sourceMaps).to.equal(undefined);
    const unhashed = (text: string) => text.replace(/([\w-]+)-[A-Z0-9]{8}\.mjs/g, '$1.mjs');
    const contents = (files: ReadonlyMap<string, Uint8Array>) => [...files.values()].map((f) => unhashed(Buffer.from(f).toString())).sort();
    expect(contents(mapped.files)).to.deep.equal(contents(plain.files));
    expect(mapped.files.get('index.mjs')!.byteLength).to.equal(plain.files.get('index.mjs')!.byteLength);
    const maps = mapped.sourceMaps!;
    expect(new Set(maps.keys())).to.deep.equal(new Set(mapped.files.keys()));
    const sources = (name: string) => (JSON.parse(Buffer.from(maps.get(name)!).toString()) as { sources: string[] }).sources;
    expect(sources('index.mjs').some((s) => s.endsWith('handler/index.ts')), 'our entry').to.equal(true);
    const all = [...maps.keys()].flatMap(sources);
    expect(all.some((s) => s.includes('node_modules/@smithy/signature-v4/')), "the SDK's signer").to.equal(true);
  });
});
