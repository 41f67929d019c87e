import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { copyObject, copySource, multipartCopy, partRanges, partSizeFor } from '../../../../handler/aws/s3Copy.ts';
import { CopyError } from '../../../../handler/errors.ts';

const MiB = 1024 * 1024;
const KMS = 'arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const req = { sourceBucket: 'src-bucket', sourceKey: '2024/01/01/big file+%.bin', destinationBucket: 'dst-bucket', destinationKey: 'in/2024/01/01/big file+%.bin', sourceOwner: '123456789012', destinationOwner: '210987654321', kmsKeyArn: KMS };

const accessDenied = () => new S3ServiceException({ name: 'AccessDenied', message: 'Access Denied', $fault: 'client', $metadata: { httpStatusCode: 403 } });

describe('handler/aws/s3Copy', () => {
  const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const mock = mockClient(s3);
  afterEach(() => mock.reset());

  it('encodes each key segment of CopySource, keeping the slashes', () => {
    expect(copySource('b', '2024/01/01/a b+c%d?e#f/é/')).to.equal('b/2024/01/01/a%20b%2Bc%25d%3Fe%23f/%C3%A9/');
  });

  it('keeps parts under 10,000 by raising the part size to whole MiB', () => {
    expect(partSizeFor(100 * MiB, 5 * MiB)).to.equal(5 * MiB);
    const big = 5 * 1024 * 1024 * MiB; // 5 TiB
    const size = partSizeFor(big, 64 * MiB);
    expect(size % MiB).to.equal(0);
    expect(Math.ceil(big / size)).to.be.at.most(10_000);
    expect(partRanges(11 * MiB, 5 * MiB)).to.deep.equal([
      { start: 0, end: 5 * MiB - 1 },
      { start: 5 * MiB, end: 10 * MiB - 1 },
      { start: 10 * MiB, end: 11 * MiB - 1 },
    ]);
  });

  it('copies with CopyObject, metadata and tags copied by S3, SSE-KMS when configured', async () => {
    mock.on(CopyObjectCommand).resolves({});
    await copyObject(s3, req);
    const input = mock.commandCalls(CopyObjectCommand)[0]!.args[0].input;
    expect(input).to.deep.equal({
      Bucket: 'dst-bucket',
      Key: 'in/2024/01/01/big file+%.bin',
      ExpectedBucketOwner: '210987654321',
      CopySource: 'src-bucket/2024/01/01/big%20file%2B%25.bin',
      ExpectedSourceBucketOwner: '123456789012',
      MetadataDirective: 'COPY',
      TaggingDirective: 'COPY',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: KMS,
    });
  });

  it('writes the copy in the storage class when one is set (CopyObject and CreateMultipartUpload), and sends none otherwise', async () => {
    mock.on(CopyObjectCommand).resolves({});
    await copyObject(s3, { ...req, storageClass: 'DEEP_ARCHIVE' });
    await copyObject(s3, req);
    const [withClass, without] = mock.commandCalls(CopyObjectCommand).map((c) => c.args[0].input);
    expect(withClass).to.deep.include({ StorageClass: 'DEEP_ARCHIVE' });
    expect(without).not.to.have.property('StorageClass');
    mock.on(HeadObjectCommand).resolves({ ContentLength: 6 * MiB, ETag: '"e"' });
    mock.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-c' });
    mock.on(UploadPartCopyCommand).resolves({ CopyPartResult: { ETag: '"p"' } });
    mock.on(CompleteMultipartUploadCommand).resolves({});
    await multipartCopy(s3, { ...req, storageClass: 'INTELLIGENT_TIERING' }, { partSizeBytes: 5 * MiB });
    await multipartCopy(s3, req, { partSizeBytes: 5 * MiB });
    const [created, plain] = mock.commandCalls(CreateMultipartUploadCommand).map((c) => c.args[0].input);
    expect(created).to.deep.include({ StorageClass: 'INTELLIGENT_TIERING' });
    expect(plain).not.to.have.property('StorageClass');
    // A part takes the upload's class: UploadPartCopy has no storage class of its own.
    expect(mock.commandCalls(UploadPartCopyCommand).every((c) => !('StorageClass' in c.args[0].input))).to.equal(true);
  });

  it('wraps a CopyObject failure in a CopyError naming the object', async () => {
    mock.on(CopyObjectCommand).rejects(accessDenied());
    const err = await copyObject(s3, { ...req, kmsKeyArn: undefined }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CopyError);
    expect((err as CopyError).key).to.equal(req.sourceKey);
    expect((err as Error).message).to.match(/^CopyObject s3:\/\/src-bucket\/2024\/01\/01\/big file\+%\.bin → s3:\/\/dst-bucket\/.* failed: AccessDenied: Access Denied$/);
    expect((err as Error).cause).to.be.instanceOf(S3ServiceException);
  });

  it('copies in parts with the source metadata, tags and encryption', async () => {
    const expires = new Date('2030-01-01T00:00:00Z');
    mock.on(HeadObjectCommand).resolves({
      ContentLength: 11 * MiB, ETag: '"src-etag"', ContentType: 'application/x-parquet', CacheControl: 'max-age=60',
      ContentDisposition: 'attachment', ContentEncoding: 'gzip', ContentLanguage: 'en', Expires: expires, Metadata: { origin: 'acme' },
    });
    mock.on(GetObjectTaggingCommand).resolves({ TagSet: [{ Key: 'team', Value: 'data eng' }, { Key: 'a&b', Value: '1=2' }] });
    mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });
    mock.on(UploadPartCopyCommand).callsFake((input: { PartNumber: number }) => ({ CopyPartResult: { ETag: `"p${input.PartNumber}"` } }));
    mock.on(CompleteMultipartUploadCommand).resolves({});

    const r = await multipartCopy(s3, req, { partSizeBytes: 5 * MiB, partConcurrency: 2 });
    expect(r).to.deep.equal({ bytes: 11 * MiB, parts: 3 });

    const create = mock.commandCalls(CreateMultipartUploadCommand)[0]!.args[0].input;
    expect(create).to.deep.equal({
      Bucket: 'dst-bucket', Key: req.destinationKey, ExpectedBucketOwner: '210987654321', ContentType: 'application/x-parquet', CacheControl: 'max-age=60',
      ContentDisposition: 'attachment', ContentEncoding: 'gzip', ContentLanguage: 'en', Expires: expires, Metadata: { origin: 'acme' },
      Tagging: 'team=data%20eng&a%26b=1%3D2', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KMS,
    });
    const parts = mock.commandCalls(UploadPartCopyCommand).map((c) => c.args[0].input).sort((a, b) => a.PartNumber! - b.PartNumber!);
    expect(parts.map((p) => [p.PartNumber, p.CopySourceRange, p.CopySourceIfMatch, p.UploadId, p.CopySource])).to.deep.equal([
      [1, `bytes=0-${5 * MiB - 1}`, '"src-etag"', 'up-1', 'src-bucket/2024/01/01/big%20file%2B%25.bin'],
      [2, `bytes=${5 * MiB}-${10 * MiB - 1}`, '"src-etag"', 'up-1', 'src-bucket/2024/01/01/big%20file%2B%25.bin'],
      [3, `bytes=${10 * MiB}-${11 * MiB - 1}`, '"src-etag"', 'up-1', 'src-bucket/2024/01/01/big%20file%2B%25.bin'],
    ]);
    const complete = mock.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input;
    expect(complete.MultipartUpload?.Parts).to.deep.equal([{ PartNumber: 1, ETag: '"p1"' }, { PartNumber: 2, ETag: '"p2"' }, { PartNumber: 3, ETag: '"p3"' }]);
    expect(mock.commandCalls(AbortMultipartUploadCommand)).to.have.length(0);
  });

  it('aborts the upload when a part fails, after the parts in flight settle, and starts no more parts', async () => {
    mock.on(HeadObjectCommand).resolves({ ContentLength: 30 * MiB, ETag: '"e"' });
    mock.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-2' });
    let inFlight = 0;
    const settledBeforeAbort: number[] = [];
    mock.on(UploadPartCopyCommand).callsFake(async (input: { PartNumber: number }) => {
      inFlight++;
      await new Promise((r) => setTimeout(r, input.PartNumber === 2 ? 1 : 10));
      inFlight--;
      if (input.PartNumber === 2) throw accessDenied();
      return { CopyPartResult: { ETag: '"x"' } };
    });
    mock.on(AbortMultipartUploadCommand).callsFake(() => {
      settledBeforeAbort.push(inFlight);
      return {};
    });

    const err = await multipartCopy(s3, req, { partSizeBytes: 5 * MiB, partConcurrency: 2 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CopyError);
    expect((err as Error).message).to.match(/multipart copy .* failed: part 2 of 6 .*AccessDenied: Access Denied \(upload aborted\)$/);
    expect(mock.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input)).to.deep.equal([{ Bucket: 'dst-bucket', Key: req.destinationKey, ExpectedBucketOwner: '210987654321', UploadId: 'up-2' }]);
    expect(settledBeforeAbort).to.deep.equal([0]);
    expect(mock.commandCalls(UploadPartCopyCommand).length).to.be.lessThan(6);
    expect(mock.commandCalls(CompleteMultipartUploadCommand)).to.have.length(0);
  });

  it('says so when the abort itself fails', async () => {
    mock.on(HeadObjectCommand).resolves({ ContentLength: 6 * MiB, ETag: '"e"' });
    mock.on(GetObjectTaggingCommand).resolves({});
    mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-3' });
    mock.on(UploadPartCopyCommand).rejects(accessDenied());
    mock.on(AbortMultipartUploadCommand).rejects(new Error('socket hang up'));
    const err = await multipartCopy(s3, req, { partSizeBytes: 5 * MiB }).catch((e: unknown) => e);
    expect((err as Error).message).to.match(/aborting upload up-3 failed: socket hang up; a bucket lifecycle rule AbortIncompleteMultipartUpload cleans it up\)$/);
  });

  // Regression (flaky fault test): the abort's first answer was lost, the SDK retried it, and S3
  // said NoSuchUpload because the first attempt had already aborted the upload.
  it('counts NoSuchUpload on the abort as aborted: a retried abort whose first answer was lost', async () => {
    mock.on(HeadObjectCommand).resolves({ ContentLength: 6 * MiB, ETag: '"e"' });
    mock.on(GetObjectTaggingCommand).resolves({});
    mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-4' });
    mock.on(UploadPartCopyCommand).rejects(accessDenied());
    mock.on(AbortMultipartUploadCommand).rejects(Object.assign(new Error('The specified upload does not exist.'), { name: 'NoSuchUpload' }));
    const err = await multipartCopy(s3, req, { partSizeBytes: 5 * MiB }).catch((e: unknown) => e);
    expect((err as Error).message).to.match(/AccessDenied: Access Denied \(upload aborted\)$/);
  });
});
