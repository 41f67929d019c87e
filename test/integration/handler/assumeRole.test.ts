import { expect } from 'chai';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient, STSServiceException, type ServiceInputTypes, type ServiceOutputTypes, type STSClientResolvedConfig } from '@aws-sdk/client-sts';
import { moto } from '../setup.ts';
import { createClients } from '../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../handler/config.ts';
import { ReplicationFailedError } from '../../../handler/errors.ts';
import { ConfigError } from '../../../rules/errors.ts';
import { runEvent } from '../../../handler/copy/runCopy.ts';
import { createLogger } from '../../../handler/logger.ts';
import type { Summary } from '../../../handler/summary.ts';
import { startFaultProxy, type FaultProxy } from '../../../dev/faultProxy.ts';
import { listKeys, makeObjects, putObjects } from '../../helpers/s3Data.ts';
import { DESTINATION_ROLE_ARN, EXTERNAL_ID, SOURCE_ACCOUNT, handlerEnv } from '../../helpers/fixtures.ts';

// The destination role link of the chain under faults. Transient STS errors are injected on the
// wire (the fault proxy), because the SDK's retries live below `send()` where a mock cannot reach;
// AccessDenied is a mock at `send()` (moto lets anyone assume any role, see docs/emulators.md).
const SOURCE = 'assume-source';
const DEST = 'assume-destination';
const EXEC_SESSION = `arn:aws:sts::${SOURCE_ACCOUNT}:assumed-role/replicate-to-partner-lambda/replicate-to-partner`;

/** Captures everything written to stdout and stderr while `fn` runs (console.log included). */
async function captureOutput<T>(fn: () => Promise<T>): Promise<{ result: T | undefined; error: unknown; output: string }> {
  const chunks: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const capture = (chunk: unknown): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    const result = await fn();
    return { result, error: undefined, output: chunks.join('') };
  } catch (error) {
    return { result: undefined, error, output: chunks.join('') };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

describe('handler: assuming the destination role under faults', function () {
  this.timeout(120_000);
  let proxy: FaultProxy;
  let savedEndpoint: string | undefined;
  let destS3: S3Client;
  const objects = [...makeObjects('2024/06/01/', 5), ...makeObjects('2024/06/02/', 5)];
  const deniedDays = [...makeObjects('2024/06/03/', 5), ...makeObjects('2024/06/04/', 5)];

  before(async () => {
    await moto().reset();
    proxy = await startFaultProxy({ target: moto().endpoint });
    const sourceS3 = new S3Client({ endpoint: moto().endpoint });
    const sts = new STSClient({ endpoint: moto().endpoint });
    const c = (await sts.send(new AssumeRoleCommand({ RoleArn: DESTINATION_ROLE_ARN, RoleSessionName: 'assume-test' }))).Credentials!;
    destS3 = new S3Client({ endpoint: moto().endpoint, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } });
    await sourceS3.send(new CreateBucketCommand({ Bucket: SOURCE }));
    await destS3.send(new CreateBucketCommand({ Bucket: DEST }));
    await putObjects(sourceS3, SOURCE, [...objects, ...deniedDays]);
    savedEndpoint = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
  });
  after(async () => {
    process.env.AWS_ENDPOINT_URL = savedEndpoint;
    await proxy.close();
  });
  beforeEach(() => {
    proxy.resetCounts();
    proxy.configure({ rate: 0, always: [], services: ['s3'] });
  });

  const config = () => parseHandlerConfig(handlerEnv({ SOURCE_BUCKET: SOURCE, DESTINATION_BUCKET: DEST }));

  describe('AccessDenied (mocked at send())', () => {
    // Created here, not at describe time: a class-wide mock would also catch the suite's setup.
    let stsMock: AwsStub<ServiceInputTypes, ServiceOutputTypes, STSClientResolvedConfig>;
    before(() => {
      stsMock = mockClient(STSClient);
    });
    beforeEach(() => {
      stsMock.reset();
      stsMock.on(AssumeRoleCommand).rejects(
        new STSServiceException({
          name: 'AccessDenied',
          $fault: 'client',
          $metadata: { httpStatusCode: 403 },
          message: `User: ${EXEC_SESSION} is not authorized to perform: sts:AssumeRole on resource: ${DESTINATION_ROLE_ARN}`,
        }),
      );
    });
    after(() => stsMock.restore());

    it('fails fast, copies nothing, and points at the trust relationship; the external id is not printed', async () => {
      const cfg = config();
      const clients = createClients(cfg);
      const { error, output } = await captureOutput(() => runEvent({ dates: ['2024-06-03', '2024-06-04'] }, cfg, clients));
      expect(error).to.be.instanceOf(ReplicationFailedError);
      const summary = JSON.parse(output.trim().split('\n').at(-1)!) as Summary;
      expect(summary).to.deep.include({ copied: 0, failed: 2 });
      for (const f of summary.failures) {
        expect(f.error).to.include(`assuming the destination role ${DESTINATION_ROLE_ARN} failed: AccessDenied`);
        expect(f.error).to.include('trustRelationshipExample.json.tmp');
        expect(f.error).to.include('trust policy');
      }
      // AccessDenied is not retried: one AssumeRole per day at most, and no copy was sent.
      expect(stsMock.commandCalls(AssumeRoleCommand).length).to.be.within(1, 2);
      expect(stsMock.commandCalls(AssumeRoleCommand)[0]!.args[0].input).to.deep.include({ RoleArn: DESTINATION_ROLE_ARN, ExternalId: EXTERNAL_ID });
      expect(proxy.log().filter((e) => e.copySource !== '')).to.deep.equal([]);
      expect(await listKeys(destS3, DEST, '2024/06/03/')).to.deep.equal([]);
      expect(await listKeys(destS3, DEST, '2024/06/04/')).to.deep.equal([]);
      expect(output).to.not.include(EXTERNAL_ID);
      expect(String(error)).to.not.include(EXTERNAL_ID);
    });
  });

  // Regression: the STS client kept the SDK's default of 3 attempts while S3 had 6, so three
  // throttled AssumeRoles in a row failed the whole day.
  it('retries throttled and failing AssumeRoles (on the wire), four in a row, and then copies everything', async () => {
    proxy.configure({
      services: ['sts'],
      always: [
        { when: (r, attempt) => r.action === 'AssumeRole' && (attempt === 0 || attempt === 2), kind: 'slowDown' },
        { when: (r, attempt) => r.action === 'AssumeRole' && (attempt === 1 || attempt === 3), kind: 'internalError' },
      ],
    });
    const cfg = config();
    const lines: string[] = [];
    const summary = await runEvent({ dates: ['2024-06-01', '2024-06-02'] }, cfg, createClients(cfg), { logger: createLogger([cfg.externalId], (l) => lines.push(l)) });
    expect(summary).to.deep.include({ copied: 10, failed: 0 });
    const assumes = proxy.log().filter((e) => e.action === 'AssumeRole');
    expect(assumes.map((e) => e.fault ?? 'ok')).to.deep.equal(['slowDown', 'internalError', 'slowDown', 'internalError', 'ok']);
    const copied = [...(await listKeys(destS3, DEST, '2024/06/01/')), ...(await listKeys(destS3, DEST, '2024/06/02/'))];
    expect(copied.sort()).to.deep.equal(objects.map((o) => o.key).sort());
    expect(lines.join('\n')).to.not.include(EXTERNAL_ID);
  });

  it('never prints the external id: a successful run, and a malformed one in the environment', async () => {
    const cfg = config();
    const { result, output } = await captureOutput(() => runEvent({ dates: ['2024-06-01'], dryRun: true }, cfg, createClients(cfg)));
    expect(result).to.deep.include({ dryRun: true });
    expect(output).to.include('s3-push summary');
    expect(output).to.not.include(EXTERNAL_ID);

    const secret = 'not a valid id!';
    let thrown: unknown;
    try {
      parseHandlerConfig(handlerEnv({ EXTERNAL_ID: secret }));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).to.be.instanceOf(ConfigError);
    expect(String(thrown)).to.match(/EXTERNAL_ID is malformed/);
    expect(String(thrown)).to.not.include(secret);
  });
});
