/**
 * The operator commands against a stack deployed to moto: invoke and check of the deployed
 * function, check --local, destroy. moto's Lambda Invoke needs Docker, which CI does not have: it
 * answers 200 with FunctionError "Handled" and the plain-text payload "error running docker: …"
 * (and flags even a queued Event the same way). So these tests prove that the commands find the
 * function from the stack, send the right event and report moto's refusal clearly with exit 1;
 * that a deployed function returns a summary or a report is proven in the unit tests with mocks,
 * and the handler's own work against moto in the handler and check integration tests.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { runCommand } from '../../helpers/runCommand.ts';
import { createClients, type AwsClients } from '../../../deploy/aws/clients.ts';
import { parseDeployConfig, type DeployConfig } from '../../../deploy/config/config.ts';
import { runDeploy } from '../../../deploy/commands/deploy/deploy.ts';
import { runDestroy } from '../../../deploy/commands/destroy/destroy.ts';
import { moto } from '../setup.ts';
import { parseLocalEnvironment } from '../../../deploy/cli/localEnvironment.ts';
import { handlerSettings } from '../../../deploy/cloudformation/functionEnvironment.ts';
import { loadTemplate } from '../../../deploy/cloudformation/template.ts';
import { parseHandlerConfig } from '../../../handler/config.ts';
import { deployEnv, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, EXTERNAL_ID, handlerEnv, SOURCE_BUCKET } from '../../helpers/fixtures.ts';

const FAST = { pollIntervalMs: 50, timeoutMs: 20_000 };
const STACK = `replicate-to-${DESTINATION_BUCKET}`;

/** Runs a command the way npm run does, stdin not a terminal, with this process's environment and `env` on top. */
const command = (name: string, args: string[], env: Record<string, string | undefined> = {}) => runCommand(name, args, { env });

describe('check, invoke and destroy against a stack deployed to moto', function () {
  this.timeout(120_000);
  let config: DeployConfig;
  let clients: AwsClients;
  let out: string;
  const stackEnv = { S3_REPLICATE_STACK_NAME: STACK };

  before(async () => {
    await moto().reset();
    config = parseDeployConfig(deployEnv({ AWS_DEFAULT_REGION: undefined, AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL }));
    clients = createClients({ region: config.region });
    const source = new S3Client({});
    await source.send(new CreateBucketCommand({ Bucket: SOURCE_BUCKET }));
    await source.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: '2024/01/01/a.json', Body: '{}' }));
    const c = (await new STSClient({}).send(new AssumeRoleCommand({ RoleArn: DESTINATION_ROLE_ARN, RoleSessionName: 'admin' }))).Credentials!;
    await new S3Client({ credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } })
      .send(new CreateBucketCommand({ Bucket: DESTINATION_BUCKET }));
    out = await mkdtemp(join(tmpdir(), 's3-push-operator-'));
    await runDeploy(config, { plan: false, outDir: out, applySourcePolicy: false }, {
      clients, log: () => undefined, cwd: out, waits: { stack: FAST, changeSet: FAST, role: FAST },
    });
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('invoke finds the function from the stack and reports moto\'s refusal to run it (sync and --async), exit 1', async () => {
    const [sync, queued] = await Promise.all([
      command('invoke', ['--dates', '2024-01-01'], stackEnv),
      command('invoke', ['--from', '2024-01-01', '--to', '2024-01-31', '--async', '--stack', STACK]),
    ]);
    expect(sync.code, sync.stderr).to.equal(1);
    expect(sync.stderr).to.include(`invoking ${STACK} (stack ${STACK}, us-east-1) and waiting for it`);
    expect(sync.stderr).to.match(new RegExp(`${STACK} failed: Handled function error: error running docker`));
    expect(sync.stdout).to.equal('');
    expect(queued.code, queued.stderr).to.equal(1);
    expect(queued.stderr).to.include(`queueing the event on ${STACK}`);
    expect(queued.stderr).to.include('error running docker');
  });

  it('invoke refuses bad arguments and a bad event with exit 2 before looking for the stack', async () => {
    const [badEvent, badFlag, noStack] = await Promise.all([
      command('invoke', ['--from', '2024-01-31', '--to', '2024-01-01', '--stack', 'no-such-stack']),
      command('invoke', ['--dates', '2024-01-01', '--asnyc']),
      command('invoke', ['--dates', '2024-01-01'], { S3_REPLICATE_STACK_NAME: '', S3_REPLICATE_BUCKET_NAME: '' }),
    ]);
    expect(badEvent.code).to.equal(2);
    expect(badEvent.stderr).to.include('"from" 2024-01-31 is after "to" 2024-01-01');
    expect(badEvent.stderr).not.to.include('no-such-stack');
    expect(badFlag.code).to.equal(2);
    expect(badFlag.stderr).to.include('unknown argument "--asnyc"');
    expect(noStack.code).to.equal(2);
    expect(noStack.stderr).to.include('no stack named: pass --stack NAME, or set S3_REPLICATE_STACK_NAME');
  });

  it('check on the deployed function reports that moto could not run it, exit 1; --local runs it for real', async () => {
    const local = handlerEnv({ S3_REPLICATE_STACK_NAME: '' });
    const [deployed, ok, broken] = await Promise.all([
      command('check', [], stackEnv),
      // The region from AWS_DEFAULT_REGION alone, as an operator's shell often has it.
      // --date: the day with data (the default, the scheduled day, has none here; the role may list nothing shorter than a day).
      command('check', ['--local', '--date', '2024-01-01'], { ...local, AWS_REGION: undefined, AWS_DEFAULT_REGION: 'us-east-1' }),
      command('check', ['--local', '--date', '2024-01-01'], { ...local, DESTINATION_BUCKET: 'no-such-landing-bucket' }),
    ]);
    expect(deployed.code, deployed.stderr).to.equal(1);
    expect(deployed.stdout).to.include(`running the preflight on ${STACK}`);
    expect(deployed.stderr).to.include(`${STACK} could not run the check: Handled function error: error running docker`);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(/✔ 1\. assume the destination role .*\n.*\n✔ 2\. .*\n.*\n✔ 3\. .*\n.*\n✔ 4\. /);
    expect(ok.stdout).to.include('preflight: 4 of 4 links ok');
    expect(ok.stdout + ok.stderr).not.to.include(EXTERNAL_ID);
    expect(broken.code).to.equal(1);
    expect(broken.stdout).to.include('✘ 4. list, write and delete s3://no-such-landing-bucket/2024/01/01/s3-push-preflight-probe.txt with the role');
    expect(broken.stdout).to.include('fix: the bucket no-such-landing-bucket does not exist');
  });

  it('the --local commands given the deploy variables build the environment the deployed function has', async () => {
    const deployed = (await clients.lambda.send(new GetFunctionCommand({ FunctionName: config.functionName }))).Configuration?.Environment?.Variables ?? {};
    const local = parseLocalEnvironment(deployEnv({ AWS_DEFAULT_REGION: undefined }));
    const mapped = handlerSettings(loadTemplate().template).filter((s) => s.deploy !== undefined).map((s) => s.handler);
    expect(mapped).to.include.members(['SOURCE_BUCKET', 'DESTINATION_ROLE_ARN', 'SOURCE_ACCOUNT_ID', 'EXTERNAL_ID']);
    expect(local.config, 'the config read locally is the one the deployed environment gives').to.deep.equal(parseHandlerConfig({ ...deployed, WORK_QUEUE_URL: undefined }));
    // And the preflight runs from the deploy names alone, as it does from the handler's.
    const ok = await command('check', ['--local', '--date', '2024-01-01'], { ...deployEnv({ AWS_DEFAULT_REGION: undefined }), S3_REPLICATE_STACK_NAME: '' });
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.include('preflight: 4 of 4 links ok');
  });

  it('destroy without a terminal and without --yes refuses with exit 2 and deletes nothing', async () => {
    const r = await command('destroy', [], stackEnv);
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stdout).to.include(`stack ${STACK} (CREATE_COMPLETE, us-east-1) will be deleted`);
    expect(r.stderr).to.include(`pass --yes to delete stack ${STACK}`);
    const still = await clients.cfn.send(new DescribeStacksCommand({ StackName: STACK }));
    expect(still.Stacks?.[0]?.StackStatus).to.equal('CREATE_COMPLETE');
  });

  it('destroy --yes removes the stack and its function, leaves the three buckets, and the second time fails naming the stack', async () => {
    const lines: string[] = [];
    const outcome = await runDestroy({ region: config.region, stackName: STACK }, { yes: true }, { cfn: clients.cfn, s3: clients.s3, log: (l) => lines.push(l), confirm: undefined, wait: FAST });
    expect(outcome).to.equal('deleted');
    expect(lines.join('\n')).to.include(`kept (not part of the stack): source bucket ${SOURCE_BUCKET}, destination bucket ${DESTINATION_BUCKET}, artifact bucket ${config.artifactBucket}`);
    const gone = await clients.cfn.send(new DescribeStacksCommand({ StackName: STACK })).then(() => 'still there', (e: Error) => e.message);
    expect(gone).to.equal(`Stack with id ${STACK} does not exist`);
    const fn = await clients.lambda.send(new GetFunctionCommand({ FunctionName: config.functionName })).then(() => 'still there', (e: Error) => e.name);
    expect(fn).to.equal('ResourceNotFoundException');
    for (const bucket of [SOURCE_BUCKET, config.artifactBucket]) await clients.s3.send(new HeadBucketCommand({ Bucket: bucket }));
    // The destination bucket lives in the other account: its admin sees it still.
    const c = (await new STSClient({}).send(new AssumeRoleCommand({ RoleArn: DESTINATION_ROLE_ARN, RoleSessionName: 'admin' }))).Credentials!;
    await new S3Client({ credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } }).send(new HeadBucketCommand({ Bucket: DESTINATION_BUCKET }));

    const again: string[] = [];
    const err = await runDestroy({ region: config.region, stackName: STACK }, { yes: true }, { cfn: clients.cfn, s3: clients.s3, log: (l) => again.push(l), confirm: undefined, wait: FAST }).catch((e: unknown) => e);
    expect((err as Error).message).to.match(new RegExp(`^stack ${STACK} does not exist in us-east-1: nothing deleted`));
    expect(again).to.deep.equal([]);
  });
});
