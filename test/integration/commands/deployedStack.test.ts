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
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { REPO_ROOT } from '../../../dev/bundle.ts';
import { createClients, type AwsClients } from '../../../deploy/aws/clients.ts';
import { parseDeployConfig, type DeployConfig } from '../../../deploy/config/config.ts';
import { runDeploy } from '../../../deploy/commands/deploy/deploy.ts';
import { runDestroy } from '../../../deploy/commands/destroy/destroy.ts';
import { moto } from '../setup.ts';
import { DESTINATION_ACCOUNT, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, EXTERNAL_ID, SOURCE_ACCOUNT, SOURCE_BUCKET, handlerEnv } from '../../helpers/fixtures.ts';

const FAST = { pollIntervalMs: 50, timeoutMs: 20_000 };
const STACK = `replicate-to-${DESTINATION_BUCKET}`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command's main the way npm run does (tsx), stdin not a terminal. */
function command(main: string, args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'deploy/commands', main.replace('Main.ts', ''), 'main.ts'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

describe('check, invoke and destroy against a stack deployed to moto', function () {
  this.timeout(120_000);
  let config: DeployConfig;
  let clients: AwsClients;
  let out: string;
  const stackEnv = { S3_REPLICATE_STACK_NAME: STACK };

  before(async () => {
    await moto().reset();
    config = parseDeployConfig({
      AWS_REGION: process.env.AWS_REGION,
      AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
      AWS_ACCOUNT: SOURCE_ACCOUNT,
      S3_ROOT_BUCKET: SOURCE_BUCKET,
      S3_REPLICATE_BUCKET_NAME: DESTINATION_BUCKET,
      S3_REPLICATE_OTHER_ACCOUNT: DESTINATION_ACCOUNT,
      S3_REPLICATE_OTHER_ROLE_ARN: DESTINATION_ROLE_ARN,
      S3_REPLICATE_EXTERNAL_ID: EXTERNAL_ID,
    });
    clients = createClients({ region: config.region });
    const source = new S3Client({});
    await source.send(new CreateBucketCommand({ Bucket: SOURCE_BUCKET }));
    await source.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: '2024/01/01/a.json', Body: '{}' }));
    const c = (await new STSClient({}).send(new AssumeRoleCommand({ RoleArn: DESTINATION_ROLE_ARN, RoleSessionName: 'admin' }))).Credentials!;
    await new S3Client({ credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } })
      .send(new CreateBucketCommand({ Bucket: DESTINATION_BUCKET }));
    out = await mkdtemp(join(tmpdir(), 's3-push-operator-'));
    await runDeploy(config, { plan: false, outDir: out, applySourcePolicy: false, help: false }, {
      clients, log: () => undefined, cwd: out, waits: { stack: FAST, changeSet: FAST, role: FAST },
    });
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('invoke finds the function from the stack and reports moto\'s refusal to run it (sync and --async), exit 1', async () => {
    const [sync, queued] = await Promise.all([
      command('invokeMain.ts', ['--dates', '2024-01-01'], stackEnv),
      command('invokeMain.ts', ['--from', '2024-01-01', '--to', '2024-01-31', '--async', '--stack', STACK]),
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
      command('invokeMain.ts', ['--from', '2024-01-31', '--to', '2024-01-01', '--stack', 'no-such-stack']),
      command('invokeMain.ts', ['--dates', '2024-01-01', '--asnyc']),
      command('invokeMain.ts', ['--dates', '2024-01-01'], { S3_REPLICATE_STACK_NAME: '', S3_REPLICATE_BUCKET_NAME: '' }),
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
      command('checkMain.ts', [], stackEnv),
      command('checkMain.ts', ['--local'], local),
      command('checkMain.ts', ['--local'], { ...local, DESTINATION_BUCKET: 'no-such-landing-bucket' }),
    ]);
    expect(deployed.code, deployed.stderr).to.equal(1);
    expect(deployed.stdout).to.include(`running the preflight on ${STACK}`);
    expect(deployed.stderr).to.include(`${STACK} could not run the check: Handled function error: error running docker`);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(/✔ 1\. assume the destination role .*\n.*\n✔ 2\. .*\n.*\n✔ 3\. .*\n.*\n✔ 4\. /);
    expect(ok.stdout).to.include('preflight: 4 of 4 links ok');
    expect(ok.stdout + ok.stderr).not.to.include(EXTERNAL_ID);
    expect(broken.code).to.equal(1);
    expect(broken.stdout).to.include('✘ 4. list, write and delete s3://no-such-landing-bucket/s3-push-preflight-probe.txt with the role');
    expect(broken.stdout).to.include('fix: the bucket no-such-landing-bucket does not exist');
  });

  it('destroy without a terminal and without --yes refuses with exit 2 and deletes nothing', async () => {
    const r = await command('destroyMain.ts', [], stackEnv);
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stdout).to.include(`stack ${STACK} (CREATE_COMPLETE, us-east-1) will be deleted`);
    expect(r.stderr).to.include(`pass --yes to delete stack ${STACK}`);
    const still = await clients.cfn.send(new DescribeStacksCommand({ StackName: STACK }));
    expect(still.Stacks?.[0]?.StackStatus).to.equal('CREATE_COMPLETE');
  });

  it('destroy --yes removes the stack and its function, leaves the three buckets, and is a no-op the second time', async () => {
    const lines: string[] = [];
    const outcome = await runDestroy({ region: config.region, stackName: STACK }, { yes: true }, { cfn: clients.cfn, log: (l) => lines.push(l), confirm: undefined, wait: FAST });
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
    expect(await runDestroy({ region: config.region, stackName: STACK }, { yes: true }, { cfn: clients.cfn, log: (l) => again.push(l), confirm: undefined, wait: FAST })).to.equal('absent');
    expect(again).to.deep.equal([`stack ${STACK} does not exist in us-east-1: nothing to delete`]);
  });
});
