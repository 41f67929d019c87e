import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../../../../../dev/bundle.ts';

// The command's one exit point: a bad environment is exit 2 with every fault named, before any AWS
// call (the endpoint points at a closed port, so a call would fail differently).
describe('deploy/deployMain', function () {
  this.timeout(30_000);
  it('exits 2 naming every missing variable, with no AWS call', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'deploy/commands/deploy/main.ts'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
      encoding: 'utf8',
    });
    expect(res.status, res.stderr).to.equal(2);
    for (const name of ['AWS_DEFAULT_REGION', 'AWS_ACCOUNT', 'S3_ROOT_BUCKET', 'S3_REPLICATE_BUCKET_NAME', 'S3_REPLICATE_OTHER_ACCOUNT', 'S3_REPLICATE_OTHER_ROLE_ARN']) {
      expect(res.stderr).to.include(name);
    }
    expect(res.stderr).to.not.include('ECONNREFUSED');
  });

  it('exits 2 on an unknown flag', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'deploy/commands/deploy/main.ts', '--frobnicate'], { cwd: REPO_ROOT, env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1' }, encoding: 'utf8' });
    expect(res.status).to.equal(2);
    expect(res.stderr).to.include('unknown argument "--frobnicate"');
  });
});
