import { CopyObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { installFastCopy } from '../../../../handler/aws/fastCopy.ts';
import { installThrottleCounter, isThrottleStatus, type ThrottleCounter } from '../../../../handler/aws/throttleSignal.ts';
import { useSigV4Server } from '../../../helpers/sigv4Server.ts';

// The count of S3's throttling answers that the adaptive copies in flight back off on
// (handler/copy/adaptiveConcurrency.ts): every attempt's, the retries the SDK absorbs included,
// against a local server that answers 503 SlowDown as S3 documents it.

const SECRET = 'throttle-secret';
const CREDENTIALS = { accessKeyId: 'AKIDTHROTTLE', secretAccessKey: SECRET };
const COPY_RESULT = '<CopyObjectResult><LastModified>2024-01-02T03:04:05.000Z</LastModified><ETag>"e1"</ETag></CopyObjectResult>';
const SLOW_DOWN = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>r1</RequestId></Error>';
const COPY = { Bucket: 'dst', Key: '2024/01/01/a', CopySource: 'src/2024/01/01/a' };

describe('handler/aws/throttleSignal', function () {
  // The SDK waits its own backoff between attempts (a throttled retry: up to a few hundred ms).
  this.timeout(30_000);
  const local = useSigV4Server(SECRET);
  const client = (maxAttempts: number, requestHandler?: unknown): S3Client =>
    local.track(new S3Client({ region: 'us-east-1', endpoint: local.server.endpoint, forcePathStyle: true, credentials: CREDENTIALS, maxAttempts, ...(requestHandler ? { requestHandler: requestHandler as never } : {}) }));

  it('counts 503 and 429 as throttling, nothing else', () => {
    expect([503, 429].map(isThrottleStatus)).to.deep.equal([true, true]);
    expect([200, 301, 400, 403, 404, 500, 502, undefined].map(isThrottleStatus).some(Boolean)).to.equal(false);
  });

  it('counts each throttled attempt of a request the SDK retries to success', async () => {
    local.server.answerWith((_req, i) => (i < 2 ? { status: 503, body: SLOW_DOWN } : { status: 200, body: COPY_RESULT }));
    const counter: ThrottleCounter = { count: 0 };
    const s3 = client(3);
    installThrottleCounter(s3, counter);
    const out = await s3.send(new CopyObjectCommand(COPY));
    expect(out.$metadata.attempts).to.equal(3);
    expect(counter.count).to.equal(2);
    // Answers that are not throttling are not counted: a listing's 200, an AccessDenied.
    local.server.answerWith(() => ({ status: 200, body: '<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>' }));
    await s3.send(new ListObjectsV2Command({ Bucket: 'dst' }));
    local.server.answerWith(() => ({ status: 403, body: '<Error><Code>AccessDenied</Code><Message>no</Message></Error>' }));
    await s3.send(new CopyObjectCommand(COPY)).catch(() => undefined);
    expect(counter.count).to.equal(2);
  });

  it('with the lean copy path in front, counts its throttled attempt and the fallback client\'s, once each', async () => {
    local.server.answerWith((_req, i) => (i < 3 ? { status: 503, body: SLOW_DOWN } : { status: 200, body: COPY_RESULT }));
    const counter: ThrottleCounter = { count: 0 };
    const s3 = client(4);
    const fallback = client(3, s3.config.requestHandler);
    installThrottleCounter(s3, counter);
    // The fallback shares the handler: installing on it too must not count its answers twice.
    installThrottleCounter(fallback, counter);
    installFastCopy(s3, fallback, { sleep: () => Promise.resolve() });
    await s3.send(new CopyObjectCommand(COPY));
    // 1 lean attempt + 2 throttled fallback attempts, then the success.
    expect(local.server.requests).to.have.length(4);
    expect(counter.count).to.equal(3);
  });

  it('counts a throttled answer to the fallback client when only the client it shares a handler with was given the counter', async () => {
    local.server.answerWith((_req, i) => (i < 1 ? { status: 429, body: '<Error><Code>TooManyRequests</Code><Message>slow</Message></Error>' } : { status: 200, body: COPY_RESULT }));
    const counter: ThrottleCounter = { count: 0 };
    const s3 = client(4);
    const fallback = client(3, s3.config.requestHandler);
    installThrottleCounter(s3, counter);
    await fallback.send(new CopyObjectCommand(COPY));
    expect(counter.count).to.equal(1);
  });
});
