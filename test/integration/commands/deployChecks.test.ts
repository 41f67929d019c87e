/**
 * What deploy checks before it builds anything, end to end against moto: the source bucket exists
 * in this account (HeadBucket), AWS_ACCOUNT matches the credentials, and --out is a directory it
 * can write. Each is the user's configuration to fix: exit 2, one message naming the variable or
 * flag, and no stack, no artifact bucket, no document. (moto ignores HeadBucket's bucket owner
 * condition, so a bucket of another account — S3's 403 — is proven in
 * test/unit/deploy/aws/sourceBucket.test.ts.)
 */
import { expect } from 'chai';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { moto } from '../setup.ts';
import { runCommand } from '../../helpers/runCommand.ts';
import { DESTINATION_ACCOUNT, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, SOURCE_ACCOUNT, SOURCE_BUCKET } from '../../helpers/fixtures.ts';

const ENV = {
  AWS_ACCOUNT: SOURCE_ACCOUNT,
  S3_ROOT_BUCKET: SOURCE_BUCKET,
  S3_REPLICATE_BUCKET_NAME: DESTINATION_BUCKET,
  S3_REPLICATE_OTHER_ACCOUNT: DESTINATION_ACCOUNT,
  S3_REPLICATE_OTHER_ROLE_ARN: DESTINATION_ROLE_ARN,
};

describe('deploy refuses a configuration it cannot build on, before any change', function () {
  this.timeout(120_000);
  let dir: string;

  before(async () => {
    await moto().reset();
    dir = await mkdtemp(join(tmpdir(), 's3-push-deploy-checks-'));
    await writeFile(join(dir, 'a-file'), 'not a directory');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function nothingBuilt(): Promise<void> {
    const stacks = await new CloudFormationClient({}).send(new ListStacksCommand({}));
    expect(stacks.StackSummaries ?? [], 'no stack').to.deep.equal([]);
    const buckets = (await new S3Client({}).send(new ListBucketsCommand({}))).Buckets ?? [];
    expect(buckets.map((b) => b.Name).filter((n) => n?.startsWith('s3-push-artifacts-')), 'no artifact bucket').to.deep.equal([]);
    expect((await readdir(dir)).sort(), 'no document').to.deep.equal(['a-file']);
  }

  it('a source bucket that does not exist: exit 2 naming S3_ROOT_BUCKET', async () => {
    const r = await runCommand('deploy', [], { cwd: dir, env: ENV });
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.match(new RegExp(`^deploy failed: the source bucket S3_ROOT_BUCKET is not usable:\\n {2}S3_ROOT_BUCKET is "${SOURCE_BUCKET}": there is no such bucket`));
    await nothingBuilt();
  });

  it('AWS_ACCOUNT not the credentials\' account: exit 2 naming AWS_ACCOUNT', async () => {
    const r = await runCommand('deploy', [], { cwd: dir, env: { ...ENV, AWS_ACCOUNT: '999999999999' } });
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.match(new RegExp(`^deploy failed: the credentials do not match the deploy environment:\\n {2}AWS_ACCOUNT is 999999999999, but the credentials belong to account ${SOURCE_ACCOUNT}`));
    await nothingBuilt();
  });

  it('--out under a file: exit 2 naming --out, before any AWS call', async () => {
    await new S3Client({}).send(new CreateBucketCommand({ Bucket: SOURCE_BUCKET }));
    const r = await runCommand('deploy', ['--out', 'a-file/x'], { cwd: dir, env: ENV });
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.match(/^deploy failed: the command line is not valid:\n {2}--out "a-file\/x": .*a-file is a file, not a directory/);
    expect(r.stdout, 'not even the credentials were checked').to.not.include('[1/6]');
    await nothingBuilt();
  });
});
