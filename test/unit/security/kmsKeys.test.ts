/**
 * KMS on both sides of the copy (issue 11, items 1 and 2). AWS's rules, encoded here because moto
 * enforces none of them (docs/emulators.md):
 * - CopyObject and UploadPartCopy of an SSE-KMS source need kms:Decrypt on the source object's key
 *   (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html, "Permissions"); across
 *   accounts it must be allowed both by the key policy and by the caller's IAM policy
 *   (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html),
 *   and the AWS managed key aws/s3 cannot be used from another account at all (its key policy is
 *   AWS's and only trusts its own account:
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html);
 * - S3 refuses such a read with 403 AccessDenied whose message names kms:Decrypt, or with its
 *   KMS.* error codes (KMS.DisabledException, KMS.KMSInvalidStateException, KMS.NotFoundException:
 *   https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html); HeadObject needs only
 *   s3:GetObject and returns SSEKMSKeyId (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html);
 * - writing into a bucket whose default encryption is a customer managed key needs
 *   kms:GenerateDataKey on it, and a multipart upload kms:Decrypt as well
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions);
 *   GetBucketEncryption needs s3:GetEncryptionConfiguration
 *   (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketEncryption.html);
 * - S3 encrypts only with a key in the bucket's own Region (UsingKMSEncryption.html above), and
 *   HeadBucket names a bucket's Region in x-amz-bucket-region whatever the caller's permissions
 *   (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html).
 * The documents go through the IAM simulator, S3's answers are mocked at send().
 */
import { expect } from 'chai';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import {
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type GetBucketEncryptionCommandOutput,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { parseDeployConfig } from '../../../deploy/config/config.ts';
import { renderDocuments, type PolicyValues } from '../../../deploy/config/policies.ts';
import { checkKmsKeyRegion } from '../../../deploy/commands/deploy/deploy.ts';
import { ConfigError } from '../../../rules/errors.ts';
import type { AwsClients } from '../../../deploy/aws/clients.ts';
import { runCheck, type CheckReport } from '../../../handler/check/check.ts';
import { parseHandlerConfig } from '../../../handler/config.ts';
import { createLogger } from '../../../handler/logger.ts';
import { decide, sessionOf } from '../../helpers/iamSimulator.ts';
import { lintPolicy } from '../../helpers/policyLint.ts';
import { DEPLOY_ENV } from '../../helpers/badInputs.ts';
import { configProblems } from '../../helpers/errors.ts';
import { DESTINATION_ACCOUNT, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, SOURCE_ACCOUNT, SOURCE_BUCKET, handlerEnv, STACK } from '../../helpers/fixtures.ts';

const SOURCE_KEY = `arn:aws:kms:us-east-1:${SOURCE_ACCOUNT}:key/5678abcd-12ab-34cd-56ef-1234567890ab`;
const OTHER_SOURCE_KEY = `arn:aws:kms:us-east-1:${SOURCE_ACCOUNT}:key/99999999-12ab-34cd-56ef-1234567890ab`;
const DEST_KEY = `arn:aws:kms:us-east-1:${DESTINATION_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OTHER_DEST_KEY = `arn:aws:kms:us-east-1:${DESTINATION_ACCOUNT}:key/abcdabcd-12ab-34cd-56ef-1234567890ab`;
const ROLE_DOC = 'roleDefinitionDestinationExample.json.tmp';
const KEY_DOC = 'sourceKeyPolicyStatement.json.tmp';

function values(over: Partial<PolicyValues> = {}): PolicyValues {
  return {
    stack: STACK,
    sourceBucket: SOURCE_BUCKET,
    prefixFormat: '{YYYY}/{MM}/{DD}/',
    destinationBucket: DESTINATION_BUCKET,
    destinationPrefix: '',
    destinationRoleArn: DESTINATION_ROLE_ARN,
    executionRoleArn: `arn:aws:iam::${SOURCE_ACCOUNT}:role/replicate-to-partner-landing-zone-lambda`,
    externalId: undefined,
    kmsKeyArn: undefined,
    ...over,
  };
}

/** An S3 error as the SDK throws it: its code as name, the HTTP status. */
function s3Error(code: string, status: number, message = code): S3ServiceException {
  return new S3ServiceException({ name: code, message, $fault: 'client', $metadata: { httpStatusCode: status } });
}

/** S3's 403 when KMS refused: AccessDenied, the message naming the KMS action and the key. */
const kmsDenied = (action: string, key: string) =>
  s3Error('AccessDenied', 403, `User: arn:aws:sts::${DESTINATION_ACCOUNT}:assumed-role/s3-push-writer/s3-push is not authorized to perform: ${action} on resource: ${key} because no resource-based policy allows the ${action} action`);
/** S3's own 403 (bucket policy): names no KMS. */
const s3Denied = () => s3Error('AccessDenied', 403, 'Access Denied');
const defaultEncryption = (algorithm: ServerSideEncryption, key?: string): GetBucketEncryptionCommandOutput => ({
  ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: algorithm, ...(key ? { KMSMasterKeyID: key } : {}) } }] },
  $metadata: {},
});

describe('KMS keys of the source objects and of the destination bucket (issue 11, items 1 and 2)', () => {
  describe('S3_REPLICATE_SOURCE_KMS_KEY_ARN: the role document and the key policy statement (item 1)', () => {
    it('gives the role kms:Decrypt on exactly that key, and renders a fourth document the key policy takes', () => {
      const docs = renderDocuments(values({ sourceKmsKeyArn: SOURCE_KEY }));
      const role = docs[ROLE_DOC];
      expect(role.Statement.filter((s) => JSON.stringify(s.Action).includes('kms:'))).to.deep.equal([
        { Sid: 'DecryptSourceObjects', Effect: 'Allow', Action: 'kms:Decrypt', Resource: SOURCE_KEY },
      ]);
      expect(docs[KEY_DOC]).to.deep.equal({
        Version: '2012-10-17',
        Statement: [{
          Sid: 'S3PushDecryptSourceObjects',
          Effect: 'Allow',
          Principal: { AWS: DESTINATION_ROLE_ARN },
          Action: 'kms:Decrypt',
          // In a key policy, "*" is the key the policy is attached to.
          Resource: '*',
          Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
        }],
      });
    });

    it('the simulator: across accounts, the role may decrypt with that key only when both documents allow it, only through S3, and nothing else', async () => {
      const docs = renderDocuments(values({ sourceKmsKeyArn: SOURCE_KEY }));
      const role = docs[ROLE_DOC];
      const keyPolicy = docs[KEY_DOC]!;
      const session = sessionOf(DESTINATION_ROLE_ARN);
      const viaS3 = { 'kms:ViaService': 's3.us-east-1.amazonaws.com' };
      const ask = (action: string, key: string, context: Record<string, string>, identity = [role], resource = keyPolicy) =>
        decide({ principal: session, action, resource: key, context }, { identity, resource });
      expect(await ask('kms:Decrypt', SOURCE_KEY, viaS3)).to.equal('Allowed');
      // Either document alone is not enough across accounts.
      expect(await ask('kms:Decrypt', SOURCE_KEY, viaS3, [], keyPolicy)).to.not.equal('Allowed');
      expect(await ask('kms:Decrypt', SOURCE_KEY, viaS3, [role], { Version: '2012-10-17', Statement: [] })).to.not.equal('Allowed');
      // Not outside S3, not another key, not another action.
      expect(await ask('kms:Decrypt', SOURCE_KEY, { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' })).to.not.equal('Allowed');
      expect(await ask('kms:Decrypt', OTHER_SOURCE_KEY, viaS3)).to.not.equal('Allowed');
      for (const action of ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:CreateGrant']) {
        expect(await ask(action, SOURCE_KEY, viaS3), action).to.not.equal('Allowed');
      }
    });

    it('passes the least-privilege lint: exact actions, the role\'s statements on exact key ARNs, the key policy\'s "*" only because a key policy\'s "*" is its own key', async () => {
      const docs = renderDocuments(values({ sourceKmsKeyArn: SOURCE_KEY, kmsKeyArn: DEST_KEY }));
      expect([
        ...(await lintPolicy('roleDefinitionDestinationExample', docs[ROLE_DOC], 'identity')),
        // "In a key policy, the value of the Resource element is "*", which means "this KMS key""
        // (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html).
        ...(await lintPolicy('sourceKeyPolicyStatement', docs[KEY_DOC]!, 'resource', { starResourceActions: ['kms:Decrypt'] })),
      ]).to.deep.equal([]);
    });

    it('names S3 of the partition in kms:ViaService (aws-cn ends in amazonaws.com.cn)', () => {
      const cnRole = `arn:aws-cn:iam::${DESTINATION_ACCOUNT}:role/s3-push-writer`;
      const docs = renderDocuments(values({
        destinationRoleArn: cnRole,
        executionRoleArn: `arn:aws-cn:iam::${SOURCE_ACCOUNT}:role/x-lambda`,
        sourceKmsKeyArn: `arn:aws-cn:kms:cn-north-1:${SOURCE_ACCOUNT}:key/5678abcd-12ab-34cd-56ef-1234567890ab`,
      }));
      expect(docs[KEY_DOC]!.Statement[0]!.Condition).to.deep.equal({ StringEquals: { 'kms:ViaService': 's3.cn-north-1.amazonaws.com.cn' } });
    });

    it('renders no fourth document and no KMS statement without it', () => {
      const docs = renderDocuments(values());
      expect(Object.keys(docs)).to.not.include(KEY_DOC);
      expect(JSON.stringify(docs[ROLE_DOC])).to.not.include('kms:');
    });

    it('is refused by deploy, naming the variable, as an alias, in another region or in another account than the source bucket', () => {
      const env = (value: string) => ({ ...DEPLOY_ENV, S3_REPLICATE_SOURCE_KMS_KEY_ARN: value });
      expect(configProblems(() => parseDeployConfig(env(`arn:aws:kms:us-east-1:${SOURCE_ACCOUNT}:alias/aws/s3`))).join('\n')).to.match(/^S3_REPLICATE_SOURCE_KMS_KEY_ARN is ".*alias\/aws\/s3".*not an alias/);
      expect(configProblems(() => parseDeployConfig(env(SOURCE_KEY.replace('us-east-1', 'eu-west-1'))))).to.deep.equal([
        `S3_REPLICATE_SOURCE_KMS_KEY_ARN is "${SOURCE_KEY.replace('us-east-1', 'eu-west-1')}": a key in eu-west-1, but the source bucket is in us-east-1 (S3 encrypts with a key of the bucket's region)`,
      ]);
      expect(configProblems(() => parseDeployConfig(env(DEST_KEY)))).to.deep.equal([
        `S3_REPLICATE_SOURCE_KMS_KEY_ARN is in account ${DESTINATION_ACCOUNT}, but AWS_ACCOUNT is ${SOURCE_ACCOUNT}: expected the source bucket's key, in the source account`,
      ]);
      expect(parseDeployConfig(env(SOURCE_KEY)).sourceKmsKeyArn).to.equal(SOURCE_KEY);
      expect(parseDeployConfig(DEPLOY_ENV).sourceKmsKeyArn).to.equal(undefined);
    });
  });

  describe('the destination default encryption: the role document (item 2)', () => {
    it('lets the role read the destination bucket\'s default encryption (s3:GetEncryptionConfiguration) on that bucket only', async () => {
      const role = renderDocuments(values())[ROLE_DOC];
      expect(role.Statement.find((s) => s.Sid === 'ReadDestinationEncryption')).to.deep.equal({
        Sid: 'ReadDestinationEncryption', Effect: 'Allow', Action: 's3:GetEncryptionConfiguration', Resource: `arn:aws:s3:::${DESTINATION_BUCKET}`,
      });
      const session = sessionOf(DESTINATION_ROLE_ARN);
      // The destination bucket is the role's own account's: its identity policy alone decides.
      const ask = (action: string, resource: string) => decide({ principal: session, action, resource, resourceAccount: DESTINATION_ACCOUNT }, { identity: [role] });
      expect(await ask('s3:GetEncryptionConfiguration', `arn:aws:s3:::${DESTINATION_BUCKET}`)).to.equal('Allowed');
      expect(await ask('s3:GetEncryptionConfiguration', `arn:aws:s3:::${SOURCE_BUCKET}`)).to.not.equal('Allowed');
      expect(await ask('s3:PutEncryptionConfiguration', `arn:aws:s3:::${DESTINATION_BUCKET}`)).to.not.equal('Allowed');
    });
  });

  describe('the preflight', () => {
    let s3: AwsClientStub<S3Client>;
    const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    beforeEach(() => {
      s3 = mockClient(client);
      s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: '2024/01/01/a.csv', Size: 10 }] });
      s3.on(GetObjectCommand).resolves({});
      s3.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'AES256' });
      s3.on(PutObjectCommand).resolves({});
      s3.on(DeleteObjectCommand).resolves({});
      s3.on(GetBucketEncryptionCommand).resolves(defaultEncryption('AES256'));
    });
    afterEach(() => s3.reset());

    async function check(env: Record<string, string> = {}): Promise<CheckReport> {
      const config = parseHandlerConfig(handlerEnv(env));
      // The check resolves the client's credentials first (AssumeRole): a static client has them.
      try {
        return await runCheck(config, { destinationS3: client }, { logger: createLogger([], () => undefined) });
      } catch (err) {
        return (err as { report: CheckReport }).report;
      }
    }

    it('is all green with SSE-S3 on both sides, and reads the destination\'s default encryption once', async () => {
      expect((await check()).links.map((l) => l.status)).to.deep.equal(['ok', 'ok', 'ok', 'ok']);
      expect(s3.commandCalls(GetBucketEncryptionCommand).map((c) => c.args[0].input)).to.deep.equal([{ Bucket: DESTINATION_BUCKET, ExpectedBucketOwner: DESTINATION_ACCOUNT }]);
    });

    describe('link 3, when KMS refuses the read (item 1)', () => {
      it('AccessDenied naming kms:Decrypt: HeadObject names the object\'s key, the fix names it, the variable and both documents', async () => {
        s3.on(GetObjectCommand).rejects(kmsDenied('kms:Decrypt', SOURCE_KEY));
        s3.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: SOURCE_KEY });
        const link = (await check()).links[2]!;
        expect(link.status).to.equal('broken');
        expect(link.fix).to.match(new RegExp(`^KMS refused the read: the object is encrypted with the KMS key ${SOURCE_KEY}: set S3_REPLICATE_SOURCE_KMS_KEY_ARN=${SOURCE_KEY} and run npm run deploy`));
        expect(link.fix).to.include(`DecryptSourceObjects statement of ${ROLE_DOC}`);
        expect(link.fix).to.include(`the statement of ${KEY_DOC} to the key policy of ${SOURCE_KEY}`);
        expect(link.fix).to.include('aws/s3').and.include('customer managed key');
        expect(s3.commandCalls(HeadObjectCommand)[0]!.args[0].input).to.deep.equal({ Bucket: SOURCE_BUCKET, ExpectedBucketOwner: SOURCE_ACCOUNT, Key: '2024/01/01/a.csv' });
      });

      it('S3\'s older KMS message that does not say "kms" is still read as KMS when HeadObject shows SSE-KMS', async () => {
        s3.on(GetObjectCommand).rejects(s3Error('AccessDenied', 403, 'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.'));
        s3.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: SOURCE_KEY });
        expect((await check()).links[2]!.fix).to.match(/^KMS refused the read: the object is encrypted with the KMS key/);
      });

      it('does not ask to set the variable when it already names that key', async () => {
        s3.on(GetObjectCommand).rejects(kmsDenied('kms:Decrypt', SOURCE_KEY));
        s3.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: SOURCE_KEY });
        const link = (await check({ SOURCE_KMS_KEY_ARN: SOURCE_KEY })).links[2]!;
        expect(link.fix).to.match(new RegExp(`^KMS refused the read: the object is encrypted with the KMS key ${SOURCE_KEY}: apply the DecryptSourceObjects`));
        expect(link.fix).to.not.include('set S3_REPLICATE_SOURCE_KMS_KEY_ARN');
      });

      it('names the key from the denial when HeadObject cannot say', async () => {
        s3.on(GetObjectCommand).rejects(kmsDenied('kms:Decrypt', SOURCE_KEY));
        s3.on(HeadObjectCommand).rejects(s3Error('Forbidden', 403));
        expect((await check()).links[2]!.fix).to.include(`encrypted with the KMS key ${SOURCE_KEY}`);
      });

      for (const [code, says] of [
        ['KMS.DisabledException', 'The key is disabled'],
        ['KMS.KMSInvalidStateException', 'pending deletion'],
        ['KMS.NotFoundException', 'does not find the key'],
      ] as const) {
        it(`${code} (S3's code when the key cannot be used): names KMS, the key and what state it is in`, async () => {
          s3.on(GetObjectCommand).rejects(s3Error(code, 400));
          s3.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: SOURCE_KEY });
          const link = (await check()).links[2]!;
          expect(link.status).to.equal('broken');
          expect(link.detail).to.include(code);
          expect(link.fix).to.match(/^KMS refused the read: /).and.include(SOURCE_KEY).and.include(says);
        });
      }

      it('S3\'s own AccessDenied (HeadObject refused as well): the bucket policy, not KMS', async () => {
        s3.on(GetObjectCommand).rejects(s3Denied());
        s3.on(HeadObjectCommand).rejects(s3Error('Forbidden', 403));
        const fix = (await check()).links[2]!.fix!;
        expect(fix).to.match(/^the read statement \(its Sid starts S3PushRead, the stack's own\) of sourceBucketPolicy.json.tmp/);
        expect(fix).to.not.match(/KMS/);
      });
    });

    describe('link 4 and the destination\'s default encryption (item 2)', () => {
      it('a customer managed key as the default and S3_REPLICATE_KMS_KEY_ARN unset: broken, saying exactly which variable to set', async () => {
        s3.on(GetBucketEncryptionCommand).resolves(defaultEncryption('aws:kms', DEST_KEY));
        const link = (await check()).links[3]!;
        expect(link.status).to.equal('broken');
        expect(link.detail).to.include(`the default encryption of ${DESTINATION_BUCKET} is SSE-KMS with the customer managed key ${DEST_KEY}, and S3_REPLICATE_KMS_KEY_ARN is not set`);
        expect(link.fix).to.match(new RegExp(`^set S3_REPLICATE_KMS_KEY_ARN=${DEST_KEY} and run npm run deploy`));
      });

      it('the same with DSSE-KMS (aws:kms:dsse), and a default that names a key id: the fix says how to get its ARN', async () => {
        s3.on(GetBucketEncryptionCommand).resolves(defaultEncryption('aws:kms:dsse', '1234abcd-12ab-34cd-56ef-1234567890ab'));
        const link = (await check()).links[3]!;
        expect(link.status).to.equal('broken');
        expect(link.fix).to.match(/^set S3_REPLICATE_KMS_KEY_ARN to the ARN of the key 1234abcd-12ab-34cd-56ef-1234567890ab \(aws kms describe-key --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --query KeyMetadata.Arn/);
      });

      it('the AWS managed key aws/s3 of the destination account as the default: nothing to set', async () => {
        for (const answer of [defaultEncryption('aws:kms'), defaultEncryption('aws:kms', 'alias/aws/s3'), defaultEncryption('aws:kms', `arn:aws:kms:us-east-1:${DESTINATION_ACCOUNT}:alias/aws/s3`)]) {
          s3.on(GetBucketEncryptionCommand).resolves(answer);
          expect((await check()).links[3]!.status, JSON.stringify(answer)).to.equal('ok');
        }
      });

      it('S3_REPLICATE_KMS_KEY_ARN names another key than the default: the copies use it (ok), and the link says which variable selects the bucket\'s', async () => {
        s3.on(GetBucketEncryptionCommand).resolves(defaultEncryption('aws:kms', DEST_KEY));
        const link = (await check({ KMS_KEY_ARN: OTHER_DEST_KEY })).links[3]!;
        expect(link.status).to.equal('ok');
        expect(link.detail).to.include(`the bucket's default key is ${DEST_KEY}`).and.include(`set S3_REPLICATE_KMS_KEY_ARN=${DEST_KEY} to use the bucket's`);
        expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).to.deep.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: OTHER_DEST_KEY });
      });

      it('S3_REPLICATE_KMS_KEY_ARN is the default key: ok, nothing said', async () => {
        s3.on(GetBucketEncryptionCommand).resolves(defaultEncryption('aws:kms', DEST_KEY));
        const link = (await check({ KMS_KEY_ARN: DEST_KEY })).links[3]!;
        expect(link.status).to.equal('ok');
        expect(link.detail).to.not.include('default key');
      });

      it('GetBucketEncryption refused: broken, naming the ReadDestinationEncryption statement; no probe written', async () => {
        s3.on(GetBucketEncryptionCommand).rejects(s3Denied());
        const link = (await check()).links[3]!;
        expect(link.status).to.equal('broken');
        expect(link.fix).to.match(/^the ReadDestinationEncryption statement of roleDefinitionDestinationExample.json.tmp/);
        expect(s3.commandCalls(PutObjectCommand)).to.have.length(0);
      });

      it('a bucket without default encryption (ServerSideEncryptionConfigurationNotFoundError): ok', async () => {
        s3.on(GetBucketEncryptionCommand).rejects(s3Error('ServerSideEncryptionConfigurationNotFoundError', 404));
        expect((await check()).links[3]!.status).to.equal('ok');
      });

      it('KMS refused the probe write (AccessDenied naming kms:GenerateDataKey): the fix says KMS, the key, its key policy and the statement', async () => {
        s3.on(GetBucketEncryptionCommand).resolves(defaultEncryption('aws:kms', DEST_KEY));
        s3.on(PutObjectCommand).rejects(kmsDenied('kms:GenerateDataKey', DEST_KEY));
        const link = (await check()).links[3]!;
        expect(link.status).to.equal('broken');
        expect(link.fix).to.equal(`KMS refused the write: the copies are encrypted with the KMS key ${DEST_KEY}: its key policy must let the role use it (kms:GenerateDataKey, kms:Decrypt), ` +
          `and the role needs the EncryptCopiesWithKmsKey statement of ${ROLE_DOC} (set S3_REPLICATE_KMS_KEY_ARN=${DEST_KEY} and run npm run deploy to render it).`);
      });

      it('KMS.NotFoundException on the probe write (a KMS_KEY_ARN S3 cannot find in the bucket\'s region): names KMS and the region rule', async () => {
        s3.on(PutObjectCommand).rejects(s3Error('KMS.NotFoundException', 400, 'Invalid arn eu-west-1'));
        const link = (await check({ KMS_KEY_ARN: DEST_KEY })).links[3]!;
        expect(link.fix).to.match(new RegExp(`^KMS refused the write: the copies are encrypted with the KMS key ${DEST_KEY}:`));
        expect(link.fix).to.include('a KMS key must be in the bucket\'s region');
        expect(link.fix).to.not.include('set S3_REPLICATE_KMS_KEY_ARN');
      });

      it('KMS refused and no key known (the default unreadable): still names KMS', async () => {
        s3.on(GetBucketEncryptionCommand).rejects(s3Error('InternalError', 500));
        s3.on(PutObjectCommand).rejects(s3Error('AccessDenied', 403, 'not authorized to perform: kms:GenerateDataKey on the resource associated with this ciphertext'));
        expect((await check()).links[3]!.fix).to.match(/^KMS refused the write: the key of the bucket's default encryption/);
      });

      it('S3\'s own AccessDenied on the write: the WriteDestination statement, not KMS', async () => {
        s3.on(PutObjectCommand).rejects(s3Denied());
        const fix = (await check()).links[3]!.fix!;
        expect(fix).to.match(/^the WriteDestination statement of/);
        expect(fix).to.not.include('KMS refused');
      });
    });
  });

  describe('deploy: S3_REPLICATE_KMS_KEY_ARN in the destination bucket\'s region (item 2)', () => {
    let s3: AwsClientStub<S3Client>;
    const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    beforeEach(() => {
      s3 = mockClient(client);
    });
    afterEach(() => s3.reset());
    const clients = { s3: client } as unknown as AwsClients;
    const config = (key: string | undefined) => parseDeployConfig({ ...DEPLOY_ENV, S3_REPLICATE_KMS_KEY_ARN: key });
    /** HeadBucket's answer to another account: 403 (or 301 from another region), the region in a header. */
    const headBucketError = (status: number, region?: string) =>
      Object.assign(s3Error(status === 301 ? 'PermanentRedirect' : 'Forbidden', status), { $response: { statusCode: status, headers: region ? { 'x-amz-bucket-region': region } : {} } });

    for (const status of [403, 301]) {
      it(`refuses a key in another region than the bucket, read from HeadBucket's ${status} answer: exit 2, naming the variable`, async () => {
        s3.on(HeadBucketCommand).rejects(headBucketError(status, 'eu-west-1'));
        const err = await checkKmsKeyRegion(config(DEST_KEY), clients, () => undefined).catch((e: unknown) => e);
        expect(err).to.be.instanceOf(ConfigError);
        expect((err as ConfigError).exitCode).to.equal(2);
        expect((err as ConfigError).problems).to.deep.equal([
          `S3_REPLICATE_KMS_KEY_ARN is "${DEST_KEY}", a key in us-east-1, but the destination bucket ${DESTINATION_BUCKET} (S3_REPLICATE_BUCKET_NAME) is in eu-west-1: S3 encrypts only with a key of the bucket's region; name a key in eu-west-1`,
        ]);
        expect(s3.commandCalls(HeadBucketCommand)[0]!.args[0].input).to.deep.equal({ Bucket: DESTINATION_BUCKET });
      });
    }

    it('accepts a key in the bucket\'s region (200, BucketRegion)', async () => {
      s3.on(HeadBucketCommand).resolves({ BucketRegion: 'us-east-1' });
      const lines: string[] = [];
      await checkKmsKeyRegion(config(DEST_KEY), clients, (l) => lines.push(l));
      expect(lines.join('\n')).to.include('in us-east-1, as the key');
    });

    it('states the rule when S3 does not say where the bucket is', async () => {
      s3.on(HeadBucketCommand).rejects(headBucketError(403));
      const lines: string[] = [];
      await checkKmsKeyRegion(config(DEST_KEY), clients, (l) => lines.push(l));
      expect(lines.join('\n')).to.include(`S3_REPLICATE_KMS_KEY_ARN (a key in us-east-1) must be in the region of the destination bucket ${DESTINATION_BUCKET}`);
    });

    it('asks nothing without S3_REPLICATE_KMS_KEY_ARN', async () => {
      await checkKmsKeyRegion(config(undefined), clients, () => undefined);
      expect(s3.calls()).to.have.length(0);
    });
  });
});
