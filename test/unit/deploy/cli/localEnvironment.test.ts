import { expect } from 'chai';
import { applyLocalEnvironment, parseLocalEnvironment } from '../../../../deploy/cli/localEnvironment.ts';
import { ConfigError } from '../../../../rules/errors.ts';
import { loadTemplate } from '../../../../deploy/cloudformation/template.ts';
import { BUCKET_NAME_EXPECTED } from '../../../../rules/bucketName.ts';
import { deployEnv, DESTINATION_ACCOUNT, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, EXTERNAL_ID, handlerEnv, SOURCE_ACCOUNT, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';

/** The problems of a refused environment (and that it is refused with exit 2). */
function refusal(env: Record<string, string | undefined>): { lead: string; problems: readonly string[] } {
  try {
    parseLocalEnvironment(env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).exitCode).to.equal(2);
    return { lead: (err as Error).message.split(':')[0]!, problems: (err as ConfigError).problems };
  }
  throw new Error('the environment was accepted');
}

describe('deploy/cli/localEnvironment: the one reader of the --local commands\' environment', () => {
  const region = { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: undefined };

  describe('the region', () => {
    it('takes AWS_DEFAULT_REGION when AWS_REGION is not set, as the AWS CLI does', () => {
      expect(parseLocalEnvironment(handlerEnv({ AWS_DEFAULT_REGION: 'eu-west-1' })).region).to.equal('eu-west-1');
    });

    it('refuses AWS_REGION and AWS_DEFAULT_REGION that disagree, naming both', () => {
      expect(refusal(handlerEnv({ AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'eu-west-1' })).problems)
        .to.deep.equal(['AWS_REGION is "us-east-1" but AWS_DEFAULT_REGION is "eu-west-1": set one, or both to the same region']);
    });

    it('no region at all is one problem (exit 2), with the handler\'s own in the same message', () => {
      const { problems } = refusal(handlerEnv({ SOURCE_BUCKET: undefined }));
      expect(problems).to.deep.equal([
        'AWS_DEFAULT_REGION (or AWS_REGION) is not set: expected the region of the source bucket, e.g. us-east-1',
        `SOURCE_BUCKET is not set: expected an S3 bucket name (${BUCKET_NAME_EXPECTED})`,
      ]);
    });

    it('applyLocalEnvironment sets AWS_REGION, which the SDK reads, from AWS_DEFAULT_REGION', () => {
      const env: NodeJS.ProcessEnv = handlerEnv({ AWS_DEFAULT_REGION: 'eu-central-1' });
      expect(applyLocalEnvironment(env).region).to.equal('eu-central-1');
      expect(env.AWS_REGION).to.equal('eu-central-1');
    });
  });

  describe('the handler\'s names', () => {
    it('reads the handler environment as the function does', () => {
      const local = parseLocalEnvironment(handlerEnv({ ...region, LAG_DAYS: '2', COPY_CONCURRENCY: '4' }));
      expect(local.config).to.deep.include({ sourceBucket: SOURCE_BUCKET, destinationBucket: DESTINATION_BUCKET, sourceAccountId: SOURCE_ACCOUNT, lagDays: 2, copyConcurrency: 4 });
      expect(local.fromDeployVariables).to.deep.equal([]);
    });

    it('AWS_ACCOUNT alone (set by many shells) does not switch to the deploy environment', () => {
      expect(parseLocalEnvironment(handlerEnv({ ...region, AWS_ACCOUNT: '999999999999' })).config.sourceAccountId).to.equal(SOURCE_ACCOUNT);
    });
  });

  describe('the deploy names', () => {
    it('builds the handler environment from the deploy variables as the stack does', () => {
      const local = parseLocalEnvironment(deployEnv({ S3_REPLICATE_LAG_DAYS: '3', S3_REPLICATE_DAY_MARKER: 'true', S3_REPLICATE_PREFIX_FORMAT: 'exports/{YYYY}-{MM}-{DD}/', S3_REPLICATE_DEST_PREFIX: 'in/' }));
      expect(local.region).to.equal('us-east-1');
      expect(local.config).to.deep.include({
        sourceBucket: SOURCE_BUCKET,
        destinationBucket: DESTINATION_BUCKET,
        destinationRoleArn: DESTINATION_ROLE_ARN,
        sourceAccountId: SOURCE_ACCOUNT,
        destinationAccountId: DESTINATION_ACCOUNT,
        externalId: EXTERNAL_ID,
        lagDays: 3,
        dayMarker: true,
        prefixFormat: 'exports/{YYYY}-{MM}-{DD}/',
        destinationPrefix: 'in/',
        kmsKeyArn: undefined,
      });
      expect(local.fromDeployVariables).to.include.members(['S3_ROOT_BUCKET', 'S3_REPLICATE_BUCKET_NAME', 'S3_REPLICATE_LAG_DAYS']);
    });

    it('keeps the handler\'s own tunables that no deploy variable sets (COPY_CONCURRENCY, WORK_QUEUE_URL)', () => {
      const queue = `https://sqs.us-east-1.amazonaws.com/${SOURCE_ACCOUNT}/s3-push-work`;
      const local = parseLocalEnvironment(deployEnv({ COPY_CONCURRENCY: '8', WORK_QUEUE_URL: queue }));
      expect(local.config).to.deep.include({ copyConcurrency: 8, workQueueUrl: queue });
      expect(parseLocalEnvironment(deployEnv({ COPY_CONCURRENCY_START: '4' })).config.copyConcurrencyStart).to.equal(4);
      // The template's empty CopyConcurrencyStart leaves the variable out: the handler's own start.
      expect(parseLocalEnvironment(deployEnv()).config.copyConcurrencyStart).to.equal(undefined);
    });

    it('gives a tunable the shell does not set the template\'s default, as the stack does', () => {
      const { template } = loadTemplate();
      expect(parseLocalEnvironment(deployEnv()).config.copyConcurrency).to.equal(Number(template.Parameters.CopyConcurrency!.Default));
    });

    it('takes both names of a setting when they agree', () => {
      expect(parseLocalEnvironment({ ...deployEnv(), ...handlerEnv() }).config.sourceBucket).to.equal(SOURCE_BUCKET);
    });

    it('refuses two names of one setting that disagree, naming both (neither wins)', () => {
      const { lead, problems } = refusal(deployEnv({ SOURCE_BUCKET: 'another-bucket', LAG_DAYS: '5' }));
      expect(lead).to.match(/^invalid environment \(S3_ROOT_BUCKET, .* set/);
      expect(problems).to.deep.equal([
        `SOURCE_BUCKET is "another-bucket", but S3_ROOT_BUCKET gives it "${SOURCE_BUCKET}" (as the stack would set it): unset SOURCE_BUCKET, or set both to the same value`,
        'LAG_DAYS is "5", but S3_REPLICATE_LAG_DAYS gives it "1" (as the stack would set it): unset LAG_DAYS, or set both to the same value',
      ]);
    });

    it('never prints the external id, even when its two names disagree', () => {
      const { problems } = refusal(deployEnv({ EXTERNAL_ID: 'another-secret-id' }));
      expect(problems).to.deep.equal(['EXTERNAL_ID is set, but S3_REPLICATE_EXTERNAL_ID gives it set (as the stack would set it): unset EXTERNAL_ID, or set both to the same value']);
      expect(problems.join('\n')).to.not.include('another-secret-id').and.not.include(EXTERNAL_ID);
    });

    it('a handler variable the stack would leave out (no S3_REPLICATE_KMS_KEY_ARN) disagrees too', () => {
      const key = `arn:aws:kms:us-east-1:${DESTINATION_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
      expect(refusal(deployEnv({ KMS_KEY_ARN: key })).problems).to.deep.equal([
        `KMS_KEY_ARN is "${key}", but S3_REPLICATE_KMS_KEY_ARN gives it not set (as the stack would set it): unset KMS_KEY_ARN, or set both to the same value`,
      ]);
    });

    it('one deploy variable makes the whole deploy environment required, every fault at once, named as deploy names it', () => {
      const { problems } = refusal(handlerEnv({ ...region, S3_REPLICATE_LAG_DAYS: '2' }));
      expect(problems).to.include.members([
        'AWS_ACCOUNT is not set: expected the 12-digit id of the source account',
        `S3_ROOT_BUCKET is not set: expected the source bucket name (${BUCKET_NAME_EXPECTED})`,
      ]);
      expect(problems.every((p) => !/^(SOURCE_BUCKET|DESTINATION_BUCKET) /.test(p)), 'the handler\'s names are not blamed for the deploy environment').to.equal(true);
    });
  });
});
