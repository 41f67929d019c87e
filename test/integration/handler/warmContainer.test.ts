import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildBenchTools } from '../../../bench/build.ts';
import { STAND_IN_DATE, standInHandlerEnv, startS3StandIn, type S3StandIn } from '../../../dev/s3StandIn.ts';

// Lambda keeps a container, and the module in it, between invocations: the bundled handler, as
// deployed, invoked twice in one Node process against the local S3/STS stand-in. The second
// invocation must reuse what the first built: the clients (their sockets) and the destination
// role's credentials (no second AssumeRole).
const INVOKE_TWICE = `import { handler } from './build/index.mjs';
const context = { awsRequestId: 'r', functionName: 's3-push-container', getRemainingTimeInMillis: () => 900000 };
const event = JSON.parse(process.argv[2]);
const first = await handler(event, context);
const second = await handler(event, context);
console.error(JSON.stringify({ first, second }));
`;

describe('the bundled handler in a warm container (two invocations in one process)', function () {
  this.timeout(120_000);
  let dir: string;
  let standIn: S3StandIn;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3-push-container-'));
    await buildBenchTools(join(dir, 'build'));
    await writeFile(join(dir, 'invokeTwice.mjs'), INVOKE_TWICE);
    standIn = await startS3StandIn({ source: 3, destination: 3 });
  });
  after(async () => {
    await standIn?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('assumes the role once and lists the second time on the sockets of the first', async () => {
    const { stderr } = await promisify(execFile)(process.execPath, [join(dir, 'invokeTwice.mjs'), JSON.stringify({ dates: [STAND_IN_DATE] })], {
      env: standInHandlerEnv(standIn.endpoint, dir),
    });
    const results = JSON.parse(stderr.trim().split('\n').at(-1)!) as { first: { skipped: number }; second: { skipped: number } };
    expect(results.first.skipped, 'in sync: nothing to copy').to.equal(3);
    expect(results.second.skipped).to.equal(3);

    const requests = standIn.requests;
    expect(requests.map((r) => r.operation).sort()).to.deep.equal(['AssumeRole', 'ListObjectsV2', 'ListObjectsV2', 'ListObjectsV2', 'ListObjectsV2']);
    // The invocations run one after the other: the first sent three requests, the second two.
    const [first, second] = [requests.slice(0, 3), requests.slice(3)];
    expect(first.map((r) => r.operation)).to.include('AssumeRole');
    expect(second.map((r) => `${r.operation} ${r.bucket}`).sort()).to.deep.equal(['ListObjectsV2 destination', 'ListObjectsV2 source']);
    const firstConnections = new Set(first.map((r) => r.connection));
    for (const r of second) expect(firstConnections, `${r.bucket} listed on connection ${r.connection}`).to.include(r.connection);
  });
});
