import { expect } from 'chai';
import type { BenchBuild } from '../../../bench/build.ts';
import { cpuProfileFlags, s3PushTool, type CopyJob } from '../../../bench/tools.ts';

const build = { runHandler: '/b/runHandler.mjs' } as BenchBuild;
const job: CopyJob = {
  endpoint: 'http://127.0.0.1:1',
  sourceBucket: 'src',
  prefix: '2024/01/01/',
  date: '2024-01-01',
  destinationBucket: 'dst',
  roleArn: 'arn:aws:iam::210987654321:role/r',
  lambdaCredentials: { accessKeyId: 'A', secretAccessKey: 'S' },
  roleCredentials: { accessKeyId: 'B', secretAccessKey: 'T', sessionToken: 'X' },
  workDir: '/w',
};

describe('bench/tools s3PushTool', () => {
  it('runs the handler once in a plain Node, with no profiler unless the job names a profile', () => {
    const { argv } = s3PushTool(build).command(job);
    expect(argv).to.deep.equal([process.execPath, '/b/runHandler.mjs', '{"dates":["2024-01-01"]}', '/w/summary.json']);
    expect(cpuProfileFlags(undefined)).to.deep.equal([]);
  });

  it("writes the profile the job names: Node's flags before the script, split into folder and name", () => {
    const { argv } = s3PushTool(build, 16).command({ ...job, cpuProfile: '/p/small-r1-cold-s3-push.cpuprofile' });
    expect(argv.slice(0, 5)).to.deep.equal([process.execPath, '--cpu-prof', '--cpu-prof-dir=/p', '--cpu-prof-name=small-r1-cold-s3-push.cpuprofile', '/b/runHandler.mjs']);
  });
});
