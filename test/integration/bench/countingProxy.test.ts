import { expect } from 'chai';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { moto } from '../setup.ts';
import { DESTINATION_ROLE_ARN } from '../../helpers/fixtures.ts';
import { startCountingProxy, type CountingProxy } from '../../../bench/countingProxy.ts';

const BUCKET = 'counting-proxy-bucket';

// Real SDK requests through the proxy to moto: each is forwarded (signatures still verify, bodies
// arrive) and counted under the operation the SDK sent.
describe('bench/countingProxy', () => {
  let proxy: CountingProxy;
  let s3: S3Client;

  before(async () => {
    await moto().reset();
    proxy = await startCountingProxy({ target: moto().endpoint });
    s3 = new S3Client({ endpoint: proxy.endpoint });
  });
  after(() => proxy.close());

  it('forwards S3 requests and counts them by operation', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'src/a é+.txt', Body: 'alpha' }));
    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'dst/a é+.txt', CopySource: `${BUCKET}/src/${encodeURIComponent('a é+.txt')}` }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'dst/a é+.txt' }));
    expect(head.ContentLength).to.equal(5);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'dst/a é+.txt' }));
    expect(await got.Body!.transformToString()).to.equal('alpha');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'dst/' }));
    expect(listed.Contents?.map((o) => o.Key)).to.deep.equal(['dst/a é+.txt']);
    await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'missing' })).catch(() => undefined);

    const counts = proxy.take();
    expect(counts.byOperation).to.deep.equal({
      CopyObject: 1,
      CreateBucket: 1,
      GetObject: 1,
      HeadObject: 2,
      ListObjectsV2: 1,
      PutObject: 1,
    });
    expect(counts.errorsByOperation).to.deep.equal({ HeadObject: 1 });
    expect(counts.total).to.equal(7);
    expect(proxy.take().total, 'take() starts a new count').to.equal(0);
  });

  it('keeps the first CopyObject as sent, with the signature cut out, and counts new connections', async () => {
    const fresh = new S3Client({ endpoint: proxy.endpoint, credentials: { accessKeyId: 'AKIDSAMPLE', secretAccessKey: 'x' } });
    try {
      await fresh.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'dst/sample-1', CopySource: `${BUCKET}/src/${encodeURIComponent('a é+.txt')}`, TaggingDirective: 'COPY' }));
      await fresh.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'dst/sample-2', CopySource: `${BUCKET}/src/${encodeURIComponent('a é+.txt')}` }));
    } finally {
      fresh.destroy();
    }
    const { copySample, connections } = proxy.take();
    expect(copySample!.requestLine).to.equal(`PUT /${BUCKET}/dst/sample-1?x-id=CopyObject HTTP/1.1`);
    expect(copySample!.headers).to.include('x-amz-tagging-directive: COPY');
    const auth = copySample!.headers.find((h) => h.startsWith('authorization: '))!;
    expect(auth).to.match(/^authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=[a-z0-9;-]+, Signature=…$/);
    expect(copySample!.headers.join('\n')).to.not.include('AKIDSAMPLE');
    expect(copySample!.headerBytes).to.be.greaterThan(copySample!.headers.join('\r\n').length);
    // One or two: the client keeps its connection alive, the server behind (moto) may close it.
    expect(connections).to.be.within(1, 2);
    expect(proxy.take().connections, 'take() starts a new count').to.equal(0);
  });

  it('counts a multipart copy part by part', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024, 7);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'big.bin', Body: big }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'big-copy.bin' }));
    const p1 = await s3.send(new UploadPartCopyCommand({ Bucket: BUCKET, Key: 'big-copy.bin', UploadId, PartNumber: 1, CopySource: `${BUCKET}/big.bin`, CopySourceRange: 'bytes=0-5242879' }));
    const p2 = await s3.send(new UploadPartCopyCommand({ Bucket: BUCKET, Key: 'big-copy.bin', UploadId, PartNumber: 2, CopySource: `${BUCKET}/big.bin`, CopySourceRange: `bytes=5242880-${big.length - 1}` }));
    await s3.send(new CompleteMultipartUploadCommand({
      Bucket: BUCKET,
      Key: 'big-copy.bin',
      UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.CopyPartResult?.ETag }, { PartNumber: 2, ETag: p2.CopyPartResult?.ETag }] },
    }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'big-copy.bin' }));
    expect(head.ContentLength).to.equal(big.length);
    expect(proxy.take().byOperation).to.deep.equal({
      CompleteMultipartUpload: 1,
      CreateMultipartUpload: 1,
      HeadObject: 1,
      PutObject: 1,
      UploadPartCopy: 2,
    });
  });

  it('reads the action of an STS form POST', async () => {
    const sts = new STSClient({ endpoint: proxy.endpoint });
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: DESTINATION_ROLE_ARN, RoleSessionName: 'bench' }));
    expect(out.Credentials?.AccessKeyId).to.be.a('string');
    expect(proxy.take().byOperation).to.deep.equal({ AssumeRole: 1 });
  });
});
