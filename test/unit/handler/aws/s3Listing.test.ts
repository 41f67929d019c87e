import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { decodeListedKey, listObjects } from '../../../../handler/aws/s3Listing.ts';
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
});
