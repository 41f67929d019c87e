import { CopyObjectCommand, S3Client, UploadPartCopyCommand, type S3ServiceException } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { encodeKeySegment, installFastCopy, keyPath, parseCopyResult, readCopyResult } from '../../../handler/aws/fastCopy.ts';
import { useSigV4Server, verifySigV4, type SigV4Server } from '../../helpers/sigv4Server.ts';

// The lean first attempt of CopyObject and UploadPartCopy (handler/aws/fastCopy.ts), against a
// local server that checks each request's SigV4 signature with its own implementation of AWS's
// documented algorithm. The end-to-end copies through it run in the handler suites on moto.

const SECRET = 'fast-copy-secret';
const CREDENTIALS = { accessKeyId: 'AKIDFAST', secretAccessKey: SECRET, sessionToken: 'session-token-1' };
const COPY_RESULT = '<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult><LastModified>2024-01-02T03:04:05.000Z</LastModified><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag></CopyObjectResult>';
const PART_RESULT = '<CopyPartResult><LastModified>2024-01-02T03:04:05.000Z</LastModified><ETag>"part-etag-1"</ETag></CopyPartResult>';
const ERROR = (code: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${code} happened</Message><RequestId>r1</RequestId></Error>`;
const AWKWARD_KEY = "2024/01/01/a b+c%d?e#f&g=h;i:j@k$l,m!n'o(p)q*r~s/ü/😀//\u0001end/";

describe('handler/aws/fastCopy', () => {
  const local = useSigV4Server(SECRET);
  let server: SigV4Server;
  const slept: number[] = [];

  beforeEach(() => {
    server = local.server;
  });
  afterEach(() => {
    slept.length = 0;
  });

  /** A client with the lean path in front, and its fallback with `fallbackAttempts`. */
  function fastClient(fallbackAttempts = 2): S3Client {
    const common = { region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: CREDENTIALS };
    const client = new S3Client({ ...common, maxAttempts: fallbackAttempts + 1 });
    const fallback = new S3Client({ ...common, maxAttempts: fallbackAttempts, requestHandler: client.config.requestHandler, credentials: client.config.credentials });
    installFastCopy(client, fallback, { sleep: (ms) => { slept.push(ms); return Promise.resolve(); }, random: () => 0.5 });
    local.track(fallback);
    return local.track(client);
  }

  const isSdk = (r: { headers: Record<string, string> }) => r.headers['amz-sdk-invocation-id'] !== undefined;

  it('sends a CopyObject once, signed as S3 checks it, to the path the SDK encodes, with every mapped header', async () => {
    server.answerWith(() => ({ status: 200, headers: { 'x-amz-version-id': 'v7', 'x-amz-request-id': 'req-1' }, body: COPY_RESULT }));
    const out = await fastClient().send(new CopyObjectCommand({
      Bucket: 'dst-bucket', Key: AWKWARD_KEY, CopySource: 'src-bucket/2024/01/01/a%20b', MetadataDirective: 'COPY', TaggingDirective: 'COPY',
      ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'arn:aws:kms:us-east-1:210987654321:key/k1', CopySourceIfMatch: '"abc"',
      ExpectedBucketOwner: '210987654321', ExpectedSourceBucketOwner: '123456789012', StorageClass: 'GLACIER_IR',
    }));
    expect(server.requests).to.have.length(1);
    const [r] = server.requests;
    expect(isSdk(r!), 'the lean path, not the SDK stack').to.equal(false);
    expect(r!.signatureValid, 'SigV4 signature').to.equal(true);
    expect(r!.method).to.equal('PUT');
    expect(r!.path).to.equal(`/dst-bucket/${AWKWARD_KEY.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/')}`);
    expect(r!.path.slice('/dst-bucket/'.length).split('/').map(decodeURIComponent).join('/')).to.equal(AWKWARD_KEY);
    expect(Object.fromEntries(r!.query)).to.deep.equal({ 'x-id': 'CopyObject' });
    expect(r!.headers).to.deep.include({
      'x-amz-copy-source': 'src-bucket/2024/01/01/a%20b',
      'x-amz-metadata-directive': 'COPY',
      'x-amz-tagging-directive': 'COPY',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:us-east-1:210987654321:key/k1',
      'x-amz-copy-source-if-match': '"abc"',
      'x-amz-expected-bucket-owner': '210987654321',
      'x-amz-source-expected-bucket-owner': '123456789012',
      'x-amz-storage-class': 'GLACIER_IR',
      'x-amz-security-token': 'session-token-1',
      'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'content-length': '0',
    });
    expect(out.CopyObjectResult).to.deep.equal({ ETag: '"9b2cf535f27731c974343645a3985328"', LastModified: new Date('2024-01-02T03:04:05.000Z') });
    expect(out.VersionId).to.equal('v7');
    expect(out.$metadata).to.deep.include({ httpStatusCode: 200, requestId: 'req-1', attempts: 1 });
  });

  it('sends the same request bytes for the key as the SDK does (path and signature both accepted)', async () => {
    server.answerWith(() => ({ status: 200, body: COPY_RESULT }));
    const plain = new S3Client({ region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: CREDENTIALS });
    local.track(plain);
    await plain.send(new CopyObjectCommand({ Bucket: 'dst-bucket', Key: AWKWARD_KEY, CopySource: 'src/x' }));
    await fastClient().send(new CopyObjectCommand({ Bucket: 'dst-bucket', Key: AWKWARD_KEY, CopySource: 'src/x' }));
    const [sdk, lean] = server.requests;
    expect(isSdk(sdk!)).to.equal(true);
    expect(isSdk(lean!)).to.equal(false);
    expect(lean!.url).to.equal(sdk!.url);
    expect([sdk!.signatureValid, lean!.signatureValid]).to.deep.equal([true, true]);
  });

  it('copies a part with its range, part number and upload id, and returns the part ETag', async () => {
    server.answerWith(() => ({ status: 200, body: PART_RESULT }));
    const out = await fastClient().send(new UploadPartCopyCommand({ Bucket: 'dst', Key: 'big/file.bin', CopySource: 'src/big/file.bin', CopySourceRange: 'bytes=0-5242879', PartNumber: 3, UploadId: 'up/load+id=', CopySourceIfMatch: '"e"' }));
    const [r] = server.requests;
    expect(isSdk(r!)).to.equal(false);
    expect(r!.signatureValid).to.equal(true);
    expect(Object.fromEntries(r!.query)).to.deep.equal({ 'x-id': 'UploadPartCopy', partNumber: '3', uploadId: 'up/load+id=' });
    expect(r!.headers).to.deep.include({ 'x-amz-copy-source-range': 'bytes=0-5242879', 'x-amz-copy-source-if-match': '"e"' });
    expect(out.CopyPartResult?.ETag).to.equal('"part-etag-1"');
  });

  it('leaves a request with a field it does not map to the SDK, untouched', async () => {
    server.answerWith(() => ({ status: 200, body: COPY_RESULT }));
    await fastClient().send(new CopyObjectCommand({ Bucket: 'dst', Key: 'k', CopySource: 'src/k', MetadataDirective: 'REPLACE', Metadata: { a: '1' } }));
    expect(server.requests).to.have.length(1);
    expect(isSdk(server.requests[0]!)).to.equal(true);
    expect(server.requests[0]!.headers['x-amz-meta-a']).to.equal('1');
  });

  for (const [what, first] of [
    ['a 500 InternalError', { status: 500, body: ERROR('InternalError') }],
    ['a 503 SlowDown', { status: 503, body: ERROR('SlowDown') }],
    ['a 200 whose body is an S3 error', { status: 200, body: ERROR('InternalError') }],
    ['a dropped connection', 'drop'],
  ] as const) {
    it(`hands ${what} to the SDK, which sends it again after the SDK's first backoff`, async () => {
      server.answerWith((_, i) => (i === 0 ? first : { status: 200, body: COPY_RESULT }));
      const out = await fastClient().send(new CopyObjectCommand({ Bucket: 'dst', Key: 'k', CopySource: 'src/k' }));
      expect(server.requests.map(isSdk)).to.deep.equal([false, true]);
      expect(server.requests[1]!.url, 'the same request').to.equal(server.requests[0]!.url);
      expect(out.CopyObjectResult?.ETag).to.equal('"9b2cf535f27731c974343645a3985328"');
      // random() is 0.5 in these tests: half of 100 ms, or of 500 ms when S3 throttles.
      expect(slept).to.deep.equal([what.includes('SlowDown') ? 250 : 50]);
    });
  }

  it("gives an object that keeps failing the client's maxAttempts in all, and throws the SDK's own error", async () => {
    server.answerWith(() => ({ status: 500, body: ERROR('InternalError') }));
    const err = (await fastClient(2).send(new CopyObjectCommand({ Bucket: 'dst', Key: 'k', CopySource: 'src/k' })).catch((e: unknown) => e)) as S3ServiceException;
    expect(server.requests).to.have.length(3);
    expect(err.name).to.equal('InternalError');
    expect(err.message).to.equal('InternalError happened');
    expect(err.$metadata.httpStatusCode).to.equal(500);
  });

  it('sends a non-retryable error once more through the SDK, which reports it as S3 said it', async () => {
    server.answerWith(() => ({ status: 404, body: ERROR('NoSuchKey') }));
    const err = (await fastClient().send(new CopyObjectCommand({ Bucket: 'dst', Key: 'gone', CopySource: 'src/gone' })).catch((e: unknown) => e)) as S3ServiceException;
    expect(server.requests.map(isSdk)).to.deep.equal([false, true]);
    expect(err.name).to.equal('NoSuchKey');
  });

  it('stops the lean path for a bucket that redirects (another region) or refuses its signature', async () => {
    const client = fastClient();
    for (const [bucket, first] of [
      ['moved', { status: 301, headers: { 'x-amz-bucket-region': 'us-east-1' }, body: ERROR('PermanentRedirect') }],
      ['refused', { status: 403, body: ERROR('SignatureDoesNotMatch') }],
    ] as const) {
      server.requests.length = 0;
      server.answerWith((_, i) => (i === 0 ? first : { status: 200, body: COPY_RESULT }));
      await client.send(new CopyObjectCommand({ Bucket: bucket, Key: 'a', CopySource: 'src/a' }));
      await client.send(new CopyObjectCommand({ Bucket: bucket, Key: 'b', CopySource: 'src/b' }));
      expect(server.requests.map(isSdk), bucket).to.deep.equal([false, true, true]);
    }
    server.requests.length = 0;
    server.answerWith(() => ({ status: 200, body: COPY_RESULT }));
    await client.send(new CopyObjectCommand({ Bucket: 'other', Key: 'a', CopySource: 'src/a' }));
    expect(server.requests.map(isSdk), 'other buckets keep the lean path').to.deep.equal([false]);
  });

  it('signs with the credentials the provider gives at the time (renewed credentials are used)', async () => {
    let n = 0;
    // Credentials that expire within the SDK's refresh window are asked for again on each request.
    const provider = () => Promise.resolve({ ...CREDENTIALS, sessionToken: `token-${++n}`, expiration: new Date(Date.now() + 60_000) });
    const common = { region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: provider };
    const client = new S3Client({ ...common, maxAttempts: 3 });
    const fallback = new S3Client({ ...common, maxAttempts: 2, requestHandler: client.config.requestHandler, credentials: client.config.credentials });
    local.track(client);
    local.track(fallback);
    installFastCopy(client, fallback);
    server.answerWith(() => ({ status: 200, body: COPY_RESULT }));
    await client.send(new CopyObjectCommand({ Bucket: 'dst', Key: 'a', CopySource: 'src/a' }));
    await client.send(new CopyObjectCommand({ Bucket: 'dst', Key: 'b', CopySource: 'src/b' }));
    const tokens = server.requests.map((r) => r.headers['x-amz-security-token']);
    expect(tokens[0]).to.not.equal(tokens[1]);
    expect(tokens[1], 'the newest credentials').to.equal(`token-${n}`);
    expect(server.requests.every((r) => r.signatureValid)).to.equal(true);
  });

  describe('pieces', () => {
    it('encodes a key segment as the SDK encodes {Key+}: unreserved characters stay, !\'()* are escaped', () => {
      expect(encodeKeySegment('a-b_c.d~e')).to.equal('a-b_c.d~e');
      expect(encodeKeySegment("a b+c!'()*")).to.equal('a%20b%2Bc%21%27%28%29%2A');
      expect(keyPath('/bucket', 'x/y z/')).to.equal('/bucket/x/y%20z/');
      expect(keyPath('/', 'x//y')).to.equal('/x//y');
    });

    it('reads a result only when it is one, and decodes XML entities', () => {
      expect(readCopyResult('CopyObjectResult', '<CopyObjectResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\n  <ETag>&quot;x&amp;y&quot;</ETag>\n</CopyObjectResult>\n')).to.deep.equal({ ETag: '"x&y"' });
      expect(parseCopyResult('CopyObjectResult', 200, {}, ERROR('InternalError'))).to.equal(undefined);
      expect(parseCopyResult('CopyObjectResult', 200, {}, PART_RESULT)).to.equal(undefined);
      expect(parseCopyResult('CopyPartResult', 200, {}, PART_RESULT)).to.deep.include({ CopyPartResult: { ETag: '"part-etag-1"', LastModified: new Date('2024-01-02T03:04:05.000Z') } });
    });

    // S3 may answer a copy with 200 and an error in the body
    // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html): only a well-formed result
    // counts as done; anything else is for the SDK's path to judge.
    const HOSTILE: [string, string][] = [
      ['an ETag only inside a comment', '<CopyObjectResult><!-- <ETag>"x"</ETag> --></CopyObjectResult>'],
      ['an Error with a namespace after the result', '<CopyObjectResult><ETag>"x"</ETag></CopyObjectResult>\n<Error xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Code>InternalError</Code></Error>'],
      ['an Error inside the result', '<CopyObjectResult><Error><Code>InternalError</Code></Error><ETag>"x"</ETag></CopyObjectResult>'],
      ['an Error before it', '<Error><Code>SlowDown</Code></Error><CopyObjectResult><ETag>"x"</ETag></CopyObjectResult>'],
      ['a result cut short', '<CopyObjectResult><LastModified>2024-01-02T03:04:05.000Z</LastModified><ETag>"x"</ETag>'],
      ['two ETags', '<CopyObjectResult><ETag>"x"</ETag><ETag>"y"</ETag></CopyObjectResult>'],
      ['an empty ETag', '<CopyObjectResult><ETag></ETag></CopyObjectResult>'],
      ['an ETag in CDATA', '<CopyObjectResult><ETag><![CDATA["x"]]></ETag></CopyObjectResult>'],
      ['nested elements', '<CopyObjectResult><X><ETag>"x"</ETag></X></CopyObjectResult>'],
      ['text beside the elements', '<CopyObjectResult>oops<ETag>"x"</ETag></CopyObjectResult>'],
      ['an unknown entity', '<CopyObjectResult><ETag>&bogus;</ETag></CopyObjectResult>'],
      ['a LastModified that is no date', '<CopyObjectResult><LastModified>yesterday</LastModified><ETag>"x"</ETag></CopyObjectResult>'],
      ['another root', '<CopyPartResult><ETag>"x"</ETag></CopyPartResult>'],
    ];
    for (const [what, body] of HOSTILE) {
      it(`a 200 whose body is not a well-formed result (${what}) is a failed lean attempt: the SDK's path sends it again`, async () => {
        expect(parseCopyResult('CopyObjectResult', 200, {}, body)).to.equal(undefined);
        server.answerWith((r) => ({ status: 200, body: isSdk(r) ? COPY_RESULT : body }));
        const out = await fastClient().send(new CopyObjectCommand({ Bucket: 'dst', Key: 'k', CopySource: 'src/k' }));
        expect(server.requests.map(isSdk), 'the lean attempt, then the SDK').to.deep.equal([false, true]);
        expect(out.CopyObjectResult?.ETag).to.equal('"9b2cf535f27731c974343645a3985328"');
      });
    }

    it("the test server's verifier accepts the SDK's own signature and rejects it once a signed part changed", async () => {
      server.answerWith(() => ({ status: 200, body: COPY_RESULT }));
      const plain = new S3Client({ region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: CREDENTIALS });
      local.track(plain);
      await plain.send(new CopyObjectCommand({ Bucket: 'dst', Key: 'a b', CopySource: 'src/a' }));
      const [r] = server.requests;
      expect(verifySigV4(r!.method, r!.url, r!.headers, SECRET)).to.equal(true);
      expect(verifySigV4(r!.method, r!.url.replace('a%20b', 'a%20c'), r!.headers, SECRET), 'another key').to.equal(false);
      expect(verifySigV4(r!.method, r!.url, { ...r!.headers, 'x-amz-copy-source': 'src/b' }, SECRET), 'another source').to.equal(false);
      expect(verifySigV4(r!.method, r!.url, r!.headers, 'another-secret'), 'another secret').to.equal(false);
    });
  });
});
