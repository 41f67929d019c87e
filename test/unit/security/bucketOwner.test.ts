import { expect } from 'chai';
import { mockClientClasses, s3Body } from '../../helpers/awsMocks.ts';
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, UploadPartCopyCommand } from '@aws-sdk/client-s3';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { PreflightFailedError, runCheck } from '../../../handler/check/check.ts';
import { createClients } from '../../../handler/aws/clients.ts';
import { parseHandlerConfig, type HandlerConfig } from '../../../handler/config.ts';
import { handleEvent } from '../../../handler/index.ts';
import { createLogger } from '../../../handler/logger.ts';
import { DESTINATION_ACCOUNT, DESTINATION_BUCKET, SOURCE_ACCOUNT, SOURCE_BUCKET, handlerEnv, objectCreatedEvent } from '../../helpers/fixtures.ts';
import { awsError } from '../../helpers/errors.ts';

// Finding 5 of issue 15: a bucket deleted and its name registered by a stranger must not receive
// the copies (nor be read as the source). S3's bucket owner condition refuses a request whose
// bucket is not owned by the account named in ExpectedBucketOwner (and, for the copy source, in
// ExpectedSourceBucketOwner) with 403 AccessDenied:
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html
// moto enforces no bucket owner, so these tests check the exact request parameters.

const MiB = 1024 * 1024;
const OWNER: Record<string, string> = { [SOURCE_BUCKET]: SOURCE_ACCOUNT, [DESTINATION_BUCKET]: DESTINATION_ACCOUNT };

describe('security: every S3 request names the owner of its bucket (ExpectedBucketOwner)', () => {
  const mocks = mockClientClasses();
  beforeEach(() => {
    mocks.sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3600_000) } });
    mocks.s3.on(ListObjectsV2Command, { Bucket: SOURCE_BUCKET }).resolves({
      // In S3's order (the listing refuses any other).
      Contents: [
        { Key: '2024/01/01/big.bin', Size: 12 * MiB, ETag: '"b"' },
        { Key: '2024/01/01/broken.bin', Size: 12 * MiB, ETag: '"c"' },
        // Listed as GLACIER: a HeadObject asks whether a restored copy can be read.
        { Key: '2024/01/01/cold.csv', Size: 10, ETag: '"g"', StorageClass: 'GLACIER' },
        { Key: '2024/01/01/small.csv', Size: 10, ETag: '"a"' },
      ],
    });
    mocks.s3.on(ListObjectsV2Command, { Bucket: DESTINATION_BUCKET }).resolves({ Contents: [] });
    mocks.s3.on(CopyObjectCommand).resolves({});
    mocks.s3.on(HeadObjectCommand).resolves({ ContentLength: 12 * MiB, ETag: '"b"' });
    mocks.s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    mocks.s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u' });
    mocks.s3.on(UploadPartCopyCommand).resolves({ CopyPartResult: { ETag: '"p"' } });
    // One multipart copy fails, so the abort is sent too.
    mocks.s3.on(UploadPartCopyCommand, { Key: '2024/01/01/broken.bin' }).rejects(awsError('InternalError', 500, 'boom'));
    mocks.s3.on(CompleteMultipartUploadCommand).resolves({});
    mocks.s3.on(AbortMultipartUploadCommand).resolves({});
    mocks.s3.on(GetObjectCommand).resolves({ Body: s3Body('a') });
    mocks.s3.on(PutObjectCommand).resolves({});
    mocks.s3.on(DeleteObjectCommand).resolves({});
  });
  afterEach(() => {
    mocks.sts.reset();
    mocks.s3.reset();
  });

  // Built in a hook, not while the file loads: the mutation run can then switch a mutant of the
  // config parser on for these tests alone instead of importing the project again for each.
  let config: HandlerConfig;
  before(() => {
    config = parseHandlerConfig(handlerEnv({ MULTIPART_THRESHOLD_BYTES: String(8 * MiB), PART_SIZE_BYTES: String(5 * MiB) }));
  });
  const quiet = createLogger([], () => undefined);

  /** Every request went to one of the two buckets and named its owner (and the copy source's owner). */
  const expectOwnersNamed = (): Set<string> => {
    const calls = mocks.s3.calls().map((c) => ({ name: c.args[0].constructor.name, input: c.args[0].input as Record<string, unknown> }));
    for (const { name, input } of calls) {
      const bucket = input.Bucket as string;
      expect(OWNER[bucket], `${name} to an unexpected bucket ${bucket}`).to.be.a('string');
      expect(input.ExpectedBucketOwner, `${name} ${bucket}`).to.equal(OWNER[bucket]);
      if (input.CopySource !== undefined) {
        expect((input.CopySource as string).startsWith(`${SOURCE_BUCKET}/`), name).to.equal(true);
        expect(input.ExpectedSourceBucketOwner, `${name} source`).to.equal(SOURCE_ACCOUNT);
      }
    }
    return new Set(calls.map((c) => c.name));
  };

  it('copies (CopyObject, multipart and its abort), lists and probes naming both owners on every request', async () => {
    await handleEvent({ dates: ['2024-01-01'] }, config, createClients(config), { logger: quiet }).catch(() => undefined);
    await runCheck(config, createClients(config), { logger: quiet });

    const sent = expectOwnersNamed();
    expect(mocks.s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input.Key)).to.include('2024/01/01/cold.csv');
    // Every kind of request the copies and the preflight send was seen here.
    for (const name of ['ListObjectsV2Command', 'CopyObjectCommand', 'HeadObjectCommand', 'GetObjectTaggingCommand', 'CreateMultipartUploadCommand', 'UploadPartCopyCommand', 'CompleteMultipartUploadCommand', 'AbortMultipartUploadCommand', 'GetObjectCommand', 'PutObjectCommand', 'DeleteObjectCommand']) {
      expect(sent, name).to.include(name);
    }
  });

  it('push on write (the source and destination look-ups) and the day marker (list, metadata, write) name the owners too', async () => {
    const withMarker = parseHandlerConfig(handlerEnv({ DAY_MARKER: 'true' }));
    const small = { Key: '2024/01/01/small.csv', Size: 10, ETag: '"a"', LastModified: new Date('2024-01-01T00:00:00Z') };
    mocks.s3.on(ListObjectsV2Command, { Bucket: SOURCE_BUCKET }).resolves({ Contents: [small] });
    // The destination has the object once it is copied: the marker's walk checks it is there.
    let copied = false;
    mocks.s3.on(CopyObjectCommand).callsFake(() => {
      copied = true;
      return {};
    });
    mocks.s3.on(ListObjectsV2Command, { Bucket: DESTINATION_BUCKET }).callsFake(() => ({ Contents: copied ? [{ ...small, LastModified: new Date('2024-01-02T00:00:00Z') }] : [] }));
    mocks.s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404, 'Not Found'));
    await handleEvent({ dates: ['2024-01-01'] }, withMarker, createClients(withMarker), { logger: quiet });
    copied = false;
    await handleEvent(objectCreatedEvent('2024/01/01/small.csv'), withMarker, createClients(withMarker), { logger: quiet });

    const sent = expectOwnersNamed();
    for (const name of ['ListObjectsV2Command', 'CopyObjectCommand', 'HeadObjectCommand', 'PutObjectCommand']) expect(sent, name).to.include(name);
    // The marker's metadata was read (never its body) and it was written; push on write looked its object up by its exact key on both sides.
    expect(sent).not.to.include('GetObjectCommand');
    expect(mocks.s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).to.deep.equal(['2024/01/01/_S3PUSH_COMPLETE.json']);
    const lookups = mocks.s3.commandCalls(ListObjectsV2Command).filter((c) => c.args[0].input.MaxKeys === 1).map((c) => [c.args[0].input.Bucket, c.args[0].input.Prefix]);
    expect(lookups).to.deep.equal([[SOURCE_BUCKET, '2024/01/01/small.csv'], [DESTINATION_BUCKET, '2024/01/01/small.csv']]);
  });

  it('the preflight names the bucket and its expected owner when S3 answers 403 (an owner mismatch looks like a denial)', async () => {
    mocks.s3.on(PutObjectCommand).rejects(awsError('AccessDenied', 403, 'Access Denied'));
    const err = await runCheck(config, createClients(config), { logger: quiet }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(PreflightFailedError);
    const link = (err as PreflightFailedError).report.links.find((l) => l.name === 'write-destination')!;
    expect(link.status).to.equal('broken');
    expect(link.fix).to.include(`or ${DESTINATION_BUCKET} is not owned by account ${DESTINATION_ACCOUNT}`);

    mocks.s3.on(ListObjectsV2Command, { Bucket: SOURCE_BUCKET }).rejects(awsError('AccessDenied', 403, 'Access Denied'));
    const err2 = await runCheck(config, createClients(config), { logger: quiet }).catch((e: unknown) => e);
    const list = (err2 as PreflightFailedError).report.links.find((l) => l.name === 'list-source')!;
    expect(list.fix).to.include(`or ${SOURCE_BUCKET} is not owned by account ${SOURCE_ACCOUNT}`);
  });

  it('needs SOURCE_ACCOUNT_ID (the function\'s own account), 12 digits', () => {
    expect(() => parseHandlerConfig(handlerEnv({ SOURCE_ACCOUNT_ID: undefined }))).to.throw(/SOURCE_ACCOUNT_ID is not set: expected the 12-digit id of the account that owns SOURCE_BUCKET/);
    expect(() => parseHandlerConfig(handlerEnv({ SOURCE_ACCOUNT_ID: '12345' }))).to.throw(/SOURCE_ACCOUNT_ID is "12345"/);
    expect(config).to.deep.include({ sourceAccountId: SOURCE_ACCOUNT, destinationAccountId: DESTINATION_ACCOUNT });
  });
});
