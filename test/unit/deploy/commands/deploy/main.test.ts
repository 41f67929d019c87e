import { expect } from 'chai';
import { runCommand } from '../../../../helpers/runCommand.ts';

// The command's one exit point: a bad environment is exit 2 with every fault named, before any AWS
// call (the endpoint points at a closed port, so a call would fail differently).
describe('deploy/deployMain', function () {
  this.timeout(30_000);
  it('exits 2 naming every missing variable, with no AWS call', async () => {
    const res = await runCommand('deploy', [], { baseEnv: 'minimal', env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } });
    expect(res.code, res.stderr).to.equal(2);
    for (const name of ['AWS_DEFAULT_REGION', 'AWS_ACCOUNT', 'S3_ROOT_BUCKET', 'S3_REPLICATE_BUCKET_NAME', 'S3_REPLICATE_OTHER_ACCOUNT', 'S3_REPLICATE_OTHER_ROLE_ARN']) {
      expect(res.stderr).to.include(name);
    }
    expect(res.stderr).to.not.include('ECONNREFUSED');
  });

  it('exits 2 on an unknown flag', async () => {
    const res = await runCommand('deploy', ['--frobnicate'], { baseEnv: 'minimal' });
    expect(res.code).to.equal(2);
    expect(res.stderr).to.include('--frobnicate');
  });
});
