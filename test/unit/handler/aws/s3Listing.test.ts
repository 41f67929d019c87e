import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mockClient } from 'aws-sdk-client-mock';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { decodeListedKey, listObjects, ListingProtocolError, REMEMBERED_TOKENS } from '../../../../handler/aws/s3Listing.ts';
import { AwsCallError } from '../../../../handler/errors.ts';
import { fakeList } from '../../../helpers/fakeListing.ts';

describe('handler/aws/s3Listing', () => {
  const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const mock = mockClient(s3);
  afterEach(() => mock.reset());

  it('decodes URL-encoded keys from S3 (space as +) and from moto (space as %20)', () => {
    expect(decodeListedKey('a+b%2Bc%25d%C3%A9%01')).to.equal('a b+c%dé\u0001');
    expect(decodeListedKey('a%20b%2Bc')).to.equal('a b+c');
  });

  it('yields every object of every page, keys decoded, asking for URL-encoded keys', async () => {
    const objects = Array.from({ length: 25 }, (_, i) => ({ key: `p/${String(i).padStart(2, '0')} x+y`, size: i, etag: `e${i}` }));
    mock.on(ListObjectsV2Command).callsFake(fakeList([...objects, { key: 'q/other', size: 1, etag: 'z' }], 10));
    const got = [];
    for await (const o of listObjects(s3, 'bkt', 'p/', { expectedBucketOwner: '123456789012' })) got.push(o);
    expect(got.map((o) => o.key)).to.deep.equal(objects.map((o) => o.key));
    expect(got[3]).to.deep.include({ size: 3, etag: '"e3"' });
    const inputs = mock.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(inputs).to.have.length(3);
    expect(inputs.every((i) => i.EncodingType === 'url' && i.Bucket === 'bkt' && i.Prefix === 'p/')).to.equal(true);
    expect(inputs.map((i) => i.ContinuationToken)).to.deep.equal([undefined, 'p/09 x+y', 'p/19 x+y']);
  });

  it('starts after a key', async () => {
    mock.on(ListObjectsV2Command).callsFake(fakeList(['p/a', 'p/b', 'p/c'].map((key) => ({ key, size: 1, etag: 'e' }))));
    const got = [];
    for await (const o of listObjects(s3, 'bkt', 'p/', { expectedBucketOwner: '123456789012', startAfter: 'p/a' })) got.push(o.key);
    expect(got).to.deep.equal(['p/b', 'p/c']);
    expect(mock.commandCalls(ListObjectsV2Command)[0]!.args[0].input.StartAfter).to.equal('p/a');
  });

  it('names the bucket and prefix when a page fails', async () => {
    mock.on(ListObjectsV2Command).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const err = await (async () => {
      for await (const _ of listObjects(s3, 'bkt', 'p/', { expectedBucketOwner: '123456789012' })) { /* drain */ }
    })().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(AwsCallError);
    expect((err as Error).message).to.equal('listing s3://bkt/p/ failed: AccessDenied: Access Denied');
  });

  describe('a hostile or broken endpoint (issue 22)', () => {
    const owner = { expectedBucketOwner: '123456789012' };
    /** Reads the listing to its end; the error it ends with, or undefined. */
    const drain = async (options: Parameters<typeof listObjects>[3] = owner): Promise<{ keys: string[]; err: unknown }> => {
      const keys: string[] = [];
      try {
        for await (const o of listObjects(s3, 'bkt', 'p/', options)) keys.push(o.key);
      } catch (err) {
        return { keys, err };
      }
      return { keys, err: undefined };
    };
    const obj = (key: string) => ({ Key: key, Size: 1, ETag: '"e"' });

    it('IsTruncated with the same continuation token forever: stops at the repeat, a protocol error', async () => {
      mock.on(ListObjectsV2Command).resolves({ IsTruncated: true, NextContinuationToken: 'same', Contents: [] });
      const { err } = await drain();
      expect(err).to.be.instanceOf(ListingProtocolError).and.instanceOf(AwsCallError);
      expect((err as Error).message).to.equal('listing s3://bkt/p/: the endpoint gave the continuation token "same" again, a listing that would never end; not a listing S3 gives');
      expect(mock.commandCalls(ListObjectsV2Command)).to.have.length(2);
    });

    it('a cycle of tokens is seen too', async () => {
      let n = 0;
      mock.on(ListObjectsV2Command).callsFake(() => ({ IsTruncated: true, NextContinuationToken: `t${n++ % 3}`, Contents: [] }));
      const { err } = await drain();
      expect(err).to.be.instanceOf(ListingProtocolError);
      expect(mock.commandCalls(ListObjectsV2Command)).to.have.length(4);
    });

    it('fresh empty pages forever: the budget is asked before every page, and the listing ends when it says stop', async () => {
      let n = 0;
      mock.on(ListObjectsV2Command).callsFake(() => ({ IsTruncated: true, NextContinuationToken: `t${n++}`, Contents: [] }));
      let asked = 0;
      const { keys, err } = await drain({ ...owner, shouldStop: () => ++asked > 50 });
      expect(err).to.equal(undefined);
      expect(keys).to.deep.equal([]);
      expect(asked).to.equal(51);
      expect(mock.commandCalls(ListObjectsV2Command)).to.have.length(51);
    });

    it('remembers at most REMEMBERED_TOKENS tokens (bounded memory), the newest', async () => {
      let n = 0;
      mock.on(ListObjectsV2Command).callsFake(() => {
        n++;
        return { IsTruncated: true, NextContinuationToken: n <= REMEMBERED_TOKENS + 2 ? `t${n}` : 't3', Contents: [] };
      });
      const { err } = await drain({ ...owner, shouldStop: () => n > REMEMBERED_TOKENS + 10 });
      // t1 and t2 were forgotten, t3 is the oldest remembered: its repeat is still seen.
      expect(err).to.be.instanceOf(ListingProtocolError);
      expect(n).to.equal(REMEMBERED_TOKENS + 3);
    });

    it('remembers its tokens in bounded memory however long each one is', async function () {
      // 200 MiB of random tokens made, encoded and hashed: seconds on a loaded machine.
      this.timeout(60_000);
      // S3 documents no length for a continuation token: a hostile endpoint may hand out 1 MiB ones.
      // Held whole, REMEMBERED_TOKENS of them would be 1 GiB, a Lambda's whole memory.
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      const pages = 200;
      let n = 0;
      // A plain send: a mock would keep every answer it gave (and its token) itself.
      const hostile = {
        send: () => Promise.resolve({ IsTruncated: true, NextContinuationToken: randomBytes(768 * 1024).toString('base64'), Contents: [obj(`p/${String(++n).padStart(4, '0')}`)] }),
      } as unknown as S3Client;
      gc();
      const used = (): number => process.memoryUsage().heapUsed + process.memoryUsage().external;
      const before = used();
      let grown = 0;
      let listed = 0;
      for await (const _ of listObjects(hostile, 'bkt', 'p/', { ...owner, shouldStop: () => n >= pages })) {
        if (++listed < pages) continue;
        // The listing is suspended at its last key: what it remembers is still alive.
        gc();
        grown = used() - before;
      }
      expect(listed).to.equal(pages);
      // 200 tokens of 1 MiB held whole grow the memory by 200 MiB (large strings live outside the
      // heap). Half of that is the bound: what the rest of the suite allocates meanwhile (45 MB seen
      // in a whole run) must not fail the test, and tokens held whole would still pass it by twice.
      expect(grown).to.be.below((pages * 1024 * 1024) / 2);
    });

    it('IsTruncated without a continuation token is a protocol error, not the end of the day', async () => {
      mock.on(ListObjectsV2Command).resolves({ IsTruncated: true, Contents: [obj('p/a')] });
      const { keys, err } = await drain();
      expect(err).to.be.instanceOf(ListingProtocolError);
      expect((err as Error).message).to.include('said the listing goes on (IsTruncated) but gave no continuation token');
      expect(keys).to.deep.equal([]);
    });

    it('a key outside the prefix asked for is refused, nothing of its page passed on', async () => {
      mock.on(ListObjectsV2Command).resolves({ IsTruncated: false, Contents: [obj('p/a'), obj('home/jo/.ssh/id_rsa')] });
      const { keys, err } = await drain();
      expect(err).to.be.instanceOf(ListingProtocolError);
      expect((err as Error).message).to.equal('listing s3://bkt/p/: the endpoint listed the key "home/jo/.ssh/id_rsa", outside the prefix asked for; not a listing S3 gives');
      expect(keys).to.deep.equal([]);
    });

    it('a key out of S3\'s order (again, or before StartAfter) is refused; a huge key is quoted cut', async () => {
      mock.on(ListObjectsV2Command).resolvesOnce({ IsTruncated: true, NextContinuationToken: 't1', Contents: [obj('p/b')] }).resolves({ IsTruncated: false, Contents: [obj('p/b')] });
      const again = await drain();
      expect(again.keys).to.deep.equal(['p/b']);
      expect((again.err as Error).message).to.equal('listing s3://bkt/p/: the endpoint listed the key "p/b" after "p/b", out of S3\'s order; not a listing S3 gives');
      mock.reset();
      const long = `p/${'x'.repeat(5000)}`;
      mock.on(ListObjectsV2Command).resolves({ IsTruncated: false, Contents: [obj(long)] });
      const before = await drain({ ...owner, startAfter: 'p/y' });
      expect((before.err as Error).message).to.include(`the endpoint listed the key ${JSON.stringify(long.slice(0, 200))}… (5002 characters) after "p/y"`);
    });
  });
});
