import { expect } from 'chai';
import { mockClientClasses, s3Body } from '../../../helpers/awsMocks.ts';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { PROBE_NAME, PreflightFailedError, runCheck, type CheckReport } from '../../../../handler/check/check.ts';
import { createClients } from '../../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { handleEvent } from '../../../../handler/index.ts';
import { createLogger } from '../../../../handler/logger.ts';
import { DESTINATION_ACCOUNT, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, EXECUTION_ROLE_ARN, EXTERNAL_ID, SOURCE_ACCOUNT, SOURCE_BUCKET, handlerEnv } from '../../../helpers/fixtures.ts';
import { awsError } from '../../../helpers/errors.ts';

// How AWS answers each denial (codes and messages as the real services send them).
const assumeDenied = () =>
  awsError('AccessDenied', 403, `User: arn:aws:sts::123456789012:assumed-role/${EXECUTION_ROLE_ARN.split('/').pop()}/replicate is not authorized to perform: sts:AssumeRole on resource: ${DESTINATION_ROLE_ARN}`);
const s3Denied = () => awsError('AccessDenied', 403, 'Access Denied');


describe('handler/check runCheck', () => {
  // Class-level mocks: the check's clients are built by createClients, as in the handler. Made
  // in before() and restored in after(), so they do not meet other files' instance mocks.
  const mocks = mockClientClasses();
  let lines: string[];
  const logger = () => createLogger([EXTERNAL_ID], (l) => lines.push(l));

  const run = async (env: Record<string, string | undefined> = {}): Promise<{ report: CheckReport; err?: PreflightFailedError }> => {
    const config = parseHandlerConfig(handlerEnv(env));
    try {
      return { report: await runCheck(config, createClients(config), { logger: logger(), now: () => new Date('2024-05-01T00:00:00Z') }) };
    } catch (err) {
      if (!(err instanceof PreflightFailedError)) throw err;
      return { report: err.report, err };
    }
  };
  const statuses = (r: CheckReport) => r.links.map((l) => `${l.link}:${l.status}`);

  beforeEach(() => {
    lines = [];
    mocks.sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 3600_000) },
    });
    mocks.s3.on(ListObjectsV2Command, { Bucket: SOURCE_BUCKET }).resolves({
      Contents: [{ Key: '2024/01/01/empty', Size: 0 }, { Key: '2024/01/01/a%20b%C3%A9.csv', Size: 12 }],
    });
    mocks.s3.on(ListObjectsV2Command, { Bucket: DESTINATION_BUCKET }).resolves({ Contents: [] });
    mocks.s3.on(GetObjectCommand).resolves({ Body: s3Body('a') });
    mocks.s3.on(PutObjectCommand).resolves({});
    mocks.s3.on(DeleteObjectCommand).resolves({});
  });
  afterEach(() => {
    mocks.sts.reset();
    mocks.s3.reset();
  });

  it('reports every link ok with the real calls in order, and logs one JSON line without the external id', async () => {
    const { report, err } = await run();
    expect(err?.message).to.equal(undefined);
    expect(report.ok).to.equal(true);
    expect(statuses(report)).to.deep.equal(['1:ok', '2:ok', '3:ok', '4:ok']);
    const assume = mocks.sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input;
    expect(assume).to.deep.include({ RoleArn: DESTINATION_ROLE_ARN, ExternalId: EXTERNAL_ID });
    // The source is listed under one concrete day's prefix (the scheduled day, LAG_DAYS before now):
    // the bucket policy lets the role list nothing shorter.
    expect(mocks.s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input).to.deep.include({ Bucket: SOURCE_BUCKET, Prefix: '2024/04/30/' });
    // An empty object cannot be read by range: the first non-empty one (key decoded) is read.
    expect(mocks.s3.commandCalls(GetObjectCommand)[0]!.args[0].input).to.deep.equal({ Bucket: SOURCE_BUCKET, ExpectedBucketOwner: SOURCE_ACCOUNT, Key: '2024/01/01/a bé.csv', Range: 'bytes=0-0' });
    // The destination is listed, and the probe written and deleted, under the same day's destination prefix.
    expect(mocks.s3.commandCalls(ListObjectsV2Command)[1]!.args[0].input).to.deep.include({ Bucket: DESTINATION_BUCKET, Prefix: '2024/04/30/' });
    const put = mocks.s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).to.deep.include({ Bucket: DESTINATION_BUCKET, Key: `2024/04/30/${PROBE_NAME}` });
    expect(put).not.to.have.property('ServerSideEncryption');
    expect(mocks.s3.commandCalls(DeleteObjectCommand)[0]!.args[0].input).to.deep.equal({ Bucket: DESTINATION_BUCKET, ExpectedBucketOwner: DESTINATION_ACCOUNT, Key: `2024/04/30/${PROBE_NAME}` });
    expect(lines).to.have.length(1);
    expect(JSON.parse(lines[0]!)).to.deep.include({ level: 'INFO', message: 's3-push preflight', ok: true });
    expect(lines.join()).not.to.include(EXTERNAL_ID);
    expect(JSON.stringify(report)).not.to.include(EXTERNAL_ID);
  });

  it('AccessDenied on AssumeRole: link 1 broken, the trust policy file named, both causes said when there is an external id, the rest not tried', async () => {
    mocks.sts.on(AssumeRoleCommand).rejects(assumeDenied());
    const { report, err } = await run();
    expect(err).to.be.instanceOf(PreflightFailedError);
    expect(statuses(report)).to.deep.equal(['1:broken', '2:not-tried', '3:not-tried', '4:not-tried']);
    const link = report.links[0]!;
    expect(link.detail).to.match(/^AccessDenied: User: .* is not authorized to perform: sts:AssumeRole/);
    expect(link.fix).to.include('apply trustRelationshipExample.json.tmp as the trust policy of arn:aws:iam::210987654321:role/s3-push-writer');
    expect(link.fix).to.include('aws iam update-assume-role-policy --role-name s3-push-writer --policy-document file://trustRelationshipExample.json.tmp');
    expect(link.fix).to.match(/external id .* differs from the sts:ExternalId the trust policy demands/);
    expect(mocks.s3.calls()).to.have.length(0);
    expect(err!.message).to.match(/link 1 \(assume the destination role .*\) is broken: AccessDenied/);
    expect(JSON.parse(lines[0]!)).to.deep.include({ level: 'ERROR', ok: false });
  });

  it('a wrong external id is reported as link 1 broken, and the id is never logged nor returned', async () => {
    const right = 'the-right-external-id';
    mocks.sts.on(AssumeRoleCommand).callsFake((input: AssumeRoleCommandInput) =>
      input.ExternalId === right ? Promise.resolve({ Credentials: { AccessKeyId: 'A', SecretAccessKey: 'S', Expiration: new Date(Date.now() + 3600_000) } }) : Promise.reject(assumeDenied()));
    const wrong = 'a-wrong-external-id';
    const { report, err } = await run({ EXTERNAL_ID: wrong });
    expect(statuses(report)).to.deep.equal(['1:broken', '2:not-tried', '3:not-tried', '4:not-tried']);
    expect(report.links[0]!.fix).to.include('a wrong external id and a missing trust look the same to AWS');
    for (const text of [JSON.stringify(report), err!.message]) expect(text).not.to.include(wrong);
    // The logger masks the secret it was given; the report never carries it in the first place.
    expect(lines.join()).not.to.include(wrong);
  });

  it('without an external id the fix does not send the operator looking for one', async () => {
    mocks.sts.on(AssumeRoleCommand).rejects(assumeDenied());
    const { report } = await run({ EXTERNAL_ID: '' });
    expect(mocks.sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input).not.to.have.property('ExternalId');
    expect(report.links[0]!.fix).to.include('trustRelationshipExample.json.tmp');
    expect(report.links[0]!.fix).not.to.match(/external id/i);
  });

  it('AccessDenied on ListObjectsV2 of the source: link 2 broken with the source bucket policy, 3 not tried, 4 still tried', async () => {
    mocks.s3.on(ListObjectsV2Command, { Bucket: SOURCE_BUCKET }).rejects(s3Denied());
    const { report, err } = await run({ PREFIX_FORMAT: 'events/dt={YYYY}-{MM}-{DD}/' });
    expect(err).to.be.instanceOf(PreflightFailedError);
    expect(statuses(report)).to.deep.equal(['1:ok', '2:broken', '3:not-tried', '4:ok']);
    expect(mocks.s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input).to.deep.include({ Prefix: 'events/dt=2024-04-30/' });
    const link = report.links[1]!;
    expect(link.title).to.equal(`list s3://${SOURCE_BUCKET}/events/dt=2024-04-30/ (the day 2024-04-30) with the role`);
    expect(link.detail).to.equal('AccessDenied: Access Denied');
    expect(link.fix).to.include(`add the listing statement (its Sid starts S3PushList, the stack's own) of sourceBucketPolicy.json.tmp to the bucket policy of ${SOURCE_BUCKET} (it grants s3:ListBucket with an s3:prefix like events/dt=????-??-??/*`);
    expect(link.fix).to.include('--apply-source-policy');
    expect(report.links[2]!.detail).to.equal('needs an object listed by link 2');
    expect(mocks.s3.commandCalls(GetObjectCommand)).to.have.length(0);
  });

  it('AccessDenied on GetObject: link 3 broken with the source bucket policy, naming the object', async () => {
    mocks.s3.on(GetObjectCommand).rejects(s3Denied());
    const { report, err } = await run();
    expect(err).to.be.instanceOf(PreflightFailedError);
    expect(statuses(report)).to.deep.equal(['1:ok', '2:ok', '3:broken', '4:ok']);
    const link = report.links[2]!;
    expect(link.detail).to.equal(`s3://${SOURCE_BUCKET}/2024/01/01/a bé.csv: AccessDenied: Access Denied`);
    expect(link.fix).to.include('the read statement (its Sid starts S3PushRead, the stack\'s own) of sourceBucketPolicy.json.tmp');
    expect(link.fix).to.include('ReadSource statement of roleDefinitionDestinationExample.json.tmp');
  });

  it('a KMS denial on the source object adds the key policy to the fix', async () => {
    mocks.s3.on(GetObjectCommand).rejects(awsError('AccessDenied', 403, 'User: … is not authorized to perform: kms:Decrypt on the resource associated with this ciphertext'));
    const { report } = await run();
    expect(report.links[2]!.fix).to.include('the object is encrypted with the KMS key of the object (aws s3api head-object shows SSEKMSKeyId)');
    expect(report.links[2]!.fix).to.include('sourceKeyPolicyStatement.json.tmp');
  });

  it('AccessDenied on PutObject: link 4 broken with the destination role definition, nothing deleted', async () => {
    mocks.s3.on(PutObjectCommand).rejects(s3Denied());
    const { report, err } = await run({ DESTINATION_PREFIX: 'incoming/' });
    expect(err).to.be.instanceOf(PreflightFailedError);
    expect(statuses(report)).to.deep.equal(['1:ok', '2:ok', '3:ok', '4:broken']);
    const link = report.links[3]!;
    expect(link.detail).to.equal(`PutObject s3://${DESTINATION_BUCKET}/incoming/2024/04/30/${PROBE_NAME}: AccessDenied: Access Denied`);
    expect(link.fix).to.match(/^the WriteDestination statement of roleDefinitionDestinationExample\.json\.tmp in the role's permissions; or partner-landing-zone is not owned by account 210987654321/);
    expect(mocks.s3.commandCalls(DeleteObjectCommand)).to.have.length(0);
  });

  it('with a destination format, lists and probes the checked day\'s destination prefix in that layout', async () => {
    const { report } = await run({ PREFIX_FORMAT: 'events/{YYYY}/{MM}/{DD}/', DESTINATION_PREFIX_FORMAT: 'acme/dt={DD}-{MM}-{YYYY}/' });
    expect(report.ok).to.equal(true);
    expect(mocks.s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.Prefix)).to.deep.equal(['events/2024/04/30/', 'acme/dt=30-04-2024/']);
    expect(mocks.s3.commandCalls(PutObjectCommand)[0]!.args[0].input.Key).to.equal(`acme/dt=30-04-2024/${PROBE_NAME}`);
    expect(mocks.s3.commandCalls(DeleteObjectCommand)[0]!.args[0].input.Key).to.equal(`acme/dt=30-04-2024/${PROBE_NAME}`);
    expect(report.links[3]!.detail).to.match(new RegExp(`^listed, wrote and deleted s3://${DESTINATION_BUCKET}/acme/dt=30-04-2024/${PROBE_NAME}`));
  });

  it('with a KMS key the probe is encrypted with it, and a denial names the key policy too', async () => {
    const kms = 'arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    mocks.s3.on(PutObjectCommand).rejects(s3Denied());
    const { report } = await run({ KMS_KEY_ARN: kms });
    expect(mocks.s3.commandCalls(PutObjectCommand)[0]!.args[0].input).to.deep.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kms });
    expect(report.links[3]!.fix).to.include(`the copies are encrypted with the KMS key ${kms}: its key policy must let the role use it`);
  });

  it('AccessDenied on ListObjectsV2 of the destination: link 4 broken with ListDestination, no probe written', async () => {
    mocks.s3.on(ListObjectsV2Command, { Bucket: DESTINATION_BUCKET }).rejects(s3Denied());
    const { report } = await run();
    expect(report.links[3]!.fix).to.include('the ListDestination statement');
    expect(mocks.s3.commandCalls(PutObjectCommand)).to.have.length(0);
  });

  it('a failing delete of the probe is reported, with the object left behind', async () => {
    mocks.s3.on(DeleteObjectCommand).rejects(s3Denied());
    const { report, err } = await run();
    expect(err).to.be.instanceOf(PreflightFailedError);
    const link = report.links[3]!;
    expect(link.status).to.equal('broken');
    expect(link.detail).to.include(`the probe is left behind: aws s3 rm s3://${DESTINATION_BUCKET}/2024/04/30/${PROBE_NAME}`);
    expect(link.fix).to.include('the DeletePreflightProbe statement of roleDefinitionDestinationExample.json.tmp');
  });

  it('an empty source bucket leaves the read untried but breaks nothing', async () => {
    mocks.s3.on(ListObjectsV2Command, { Bucket: SOURCE_BUCKET }).resolves({});
    const { report, err } = await run();
    expect(err).to.equal(undefined);
    expect(statuses(report)).to.deep.equal(['1:ok', '2:ok', '3:not-tried', '4:ok']);
    expect(report.links[2]!.detail).to.match(/unproven until that day has data/);
  });

  it('only empty objects: the 416 InvalidRange of a 1-byte range still proves the read', async () => {
    mocks.s3.on(ListObjectsV2Command, { Bucket: SOURCE_BUCKET }).resolves({ Contents: [{ Key: '2024/01/01/_SUCCESS', Size: 0 }] });
    mocks.s3.on(GetObjectCommand).rejects(awsError('InvalidRange', 416, 'The requested range is not satisfiable'));
    const { report } = await run();
    expect(statuses(report)).to.deep.equal(['1:ok', '2:ok', '3:ok', '4:ok']);
  });

  it('a missing bucket is not called a permission problem: the variable is named', async () => {
    mocks.s3.on(ListObjectsV2Command, { Bucket: SOURCE_BUCKET }).rejects(awsError('NoSuchBucket', 404, 'The specified bucket does not exist'));
    const { report } = await run();
    expect(report.links[1]!.fix).to.equal(`the bucket ${SOURCE_BUCKET} does not exist: check S3_ROOT_BUCKET (SOURCE_BUCKET) and redeploy`);
  });

  it('a throttled AssumeRole is not blamed on the trust policy', async () => {
    mocks.sts.on(AssumeRoleCommand).rejects(awsError('Throttling', 400, 'Rate exceeded'));
    const { report } = await run();
    expect(report.links[0]!.fix).to.match(/^not a permission denial \(Throttling\)/);
    expect(report.links[0]!.fix).not.to.include('trustRelationshipExample');
  });

  it('runs through handleEvent for {"check": true}', async () => {
    const config = parseHandlerConfig(handlerEnv());
    const result = await handleEvent({ check: true }, config, createClients(config), { logger: logger() });
    expect(result.kind).to.equal('check');
    expect(result.kind === 'check' && result.report).to.deep.include({ check: true, ok: true });
  });

  it('lists the day an event names ({"check": true, "date"}), never a prefix shorter than a day', async () => {
    const config = parseHandlerConfig(handlerEnv({ PREFIX_FORMAT: 'exports/{YYYY}/{MM}/{DD}/' }));
    const result = await handleEvent({ check: true, date: '2024-02-29' }, config, createClients(config), { logger: logger() });
    expect(result.kind === 'check' && result.report.links[1]!.title).to.equal(`list s3://${SOURCE_BUCKET}/exports/2024/02/29/ (the day 2024-02-29) with the role`);
    const sourceListings = mocks.s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input).filter((i) => i.Bucket === SOURCE_BUCKET);
    expect(sourceListings.map((i) => i.Prefix)).to.deep.equal(['exports/2024/02/29/']);
    const bad = await handleEvent({ check: true, date: '2024-02-30' }, config, createClients(config), { logger: logger() }).catch((e: unknown) => e);
    expect((bad as Error).message).to.match(/"date" is "2024-02-30": not a calendar date/);
  });

  it('handleEvent still rejects a bad check event before any call', async () => {
    const config = parseHandlerConfig(handlerEnv());
    const err = await handleEvent({ check: 'yes' }, config, createClients(config), { logger: logger() }).catch((e: unknown) => e);
    expect((err as Error).message).to.equal('bad event: "check" is "yes": expected true');
    expect(mocks.sts.calls()).to.have.length(0);
    expect(mocks.s3.calls()).to.have.length(0);
  });
});
