import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { moto } from '../setup.ts';
import { runCommand } from '../../helpers/runCommand.ts';
import { createClients } from '../../../deploy/aws/clients.ts';
import { parseDeployConfig } from '../../../deploy/config/config.ts';
import { runDeploy } from '../../../deploy/commands/deploy/deploy.ts';
import { startFaultProxy, type FaultProxy } from '../../../dev/faultProxy.ts';
import { DEPLOY_ENV } from '../../helpers/badInputs.ts';
import { EXTERNAL_ID } from '../../helpers/fixtures.ts';

// Deploy under CloudFormation faults, on the wire: the fault proxy sits between the real deploy
// (its own clients, reached through AWS_ENDPOINT_URL) and moto, so the SDK's own retry strategy
// is what is exercised, not a mock at send().
const STACK = 'replicate-to-partner-landing-zone';

describe('deploy under CloudFormation faults (fault proxy → moto)', function () {
  this.timeout(180_000);
  let proxy: FaultProxy;
  let out: string;
  /** Folders a test made; removed after the suite. */
  const scratch: string[] = [];

  // deploy checks that the source bucket exists before it builds anything.
  const sourceBucket = () => new S3Client({}).send(new CreateBucketCommand({ Bucket: DEPLOY_ENV.S3_ROOT_BUCKET }));

  before(async () => {
    await moto().reset();
    await sourceBucket();
    proxy = await startFaultProxy({ target: moto().endpoint });
    out = await mkdtemp(join(tmpdir(), 's3-push-deploy-faults-'));
  });
  after(async () => {
    await proxy.close();
    for (const dir of [out, ...scratch]) await rm(dir, { recursive: true, force: true });
  });

  it('retries throttled CloudFormation calls (the SDK retry strategy) and deploys', async function () {
    proxy.resetCounts();
    // The first attempt of every CloudFormation call is throttled (400 Throttling "Rate exceeded").
    proxy.configure({ services: ['cloudformation'], always: [{ when: (r, attempt) => r.service === 'cloudformation' && attempt === 0, kind: 'slowDown' }] });
    // The SDK reads AWS_ENDPOINT_URL when a client first resolves its endpoint: keep it for the run.
    const saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
    const lines: string[] = [];
    let report;
    try {
      const config = parseDeployConfig({ ...DEPLOY_ENV, AWS_ENDPOINT_URL: proxy.endpoint });
      report = await runDeploy(config, { plan: false, outDir: out, applySourcePolicy: false }, { clients: createClients({ region: 'us-east-1' }), log: (l) => lines.push(l), cwd: out });
    } finally {
      process.env.AWS_ENDPOINT_URL = saved;
    }
    expect(report.stack).to.equal('created');
    const cfnCalls = proxy.log().filter((e) => e.service === 'cloudformation');
    const throttled = cfnCalls.filter((e) => e.fault === 'slowDown');
    expect(throttled.length, 'calls were throttled').to.be.greaterThan(3);
    expect(new Set(throttled.map((e) => e.action))).to.include.members(['DescribeStacks', 'CreateChangeSet', 'ExecuteChangeSet']);
    // Each throttled call was retried and then answered.
    for (const t of throttled) expect(cfnCalls.some((e) => e.action === t.action && e.attempt === 1 && e.fault === undefined), t.action).to.equal(true);
    expect(lines.join('\n')).to.not.include(EXTERNAL_ID);
    this.test!.title += ` [CloudFormation calls ${cfnCalls.length}, throttled ${throttled.length}: ${[...new Set(throttled.map((e) => e.action))].join(', ')}]`;
  });

  it('Ctrl-C while waiting for the stack leaves it running and says how to follow it', async () => {
    await moto().reset();
    await sourceBucket();
    proxy.resetCounts();
    // Hold the first DescribeStacks after ExecuteChangeSet for 30 s: deploy is then waiting on the stack.
    let held = false;
    proxy.configure({
      services: ['cloudformation'],
      slowMs: 30_000,
      always: [
        {
          when: (r) => {
            if (held || r.action !== 'DescribeStacks' || !proxy.log().some((e) => e.action === 'ExecuteChangeSet')) return false;
            held = true;
            return true;
          },
          kind: 'slow',
        },
      ],
    });
    const dir = await mkdtemp(join(tmpdir(), 's3-push-sigint-'));
    scratch.push(dir);
    // Run in a scratch directory (the documents would land there), with only the deploy environment.
    let child: ChildProcess | undefined;
    let soFar = '';
    const exited = runCommand('deploy', [], {
      cwd: dir,
      baseEnv: 'minimal',
      env: { ...DEPLOY_ENV, AWS_ENDPOINT_URL: proxy.endpoint },
      onSpawn: (c) => {
        child = c;
        c.stdout!.on('data', (chunk: Buffer) => (soFar += chunk.toString()));
      },
    });

    for (let i = 0; i < 1200 && !held; i++) await sleep(100);
    expect(held, `deploy reached the stack wait; stdout so far:\n${soFar}`).to.equal(true);
    await sleep(300);
    child!.kill('SIGINT');
    const { code, stdout, stderr } = await exited;

    expect(code, stderr).to.equal(130);
    expect(stderr).to.include('interrupted');
    expect(stderr).to.include(`aws cloudformation describe-stack-events --stack-name ${STACK}`);
    expect(stderr).to.match(/goes on|keeps going|continues/);
    expect(stderr, 'the status at the interruption').to.match(new RegExp(`stack ${STACK} is (CREATE_COMPLETE|CREATE_IN_PROGRESS)`));
    expect(stdout + stderr).to.not.include(EXTERNAL_ID);
    // Nothing was cancelled or deleted: the operation CloudFormation started is left to finish.
    const actions = proxy.log().map((e) => e.action);
    expect(actions).to.include('ExecuteChangeSet');
    expect(actions.filter((a) => /DeleteStack|CancelUpdateStack|ContinueUpdateRollback/.test(a))).to.deep.equal([]);
    const stacks = await new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: STACK }));
    expect(stacks.Stacks?.[0]?.StackStatus).to.equal('CREATE_COMPLETE');
    expect(await readdir(dir), 'no document was written').to.deep.equal([]);
  });
});
