import { expect } from 'chai';
import { fitName, parseDeployConfig } from '../../../../deploy/config/config.ts';
import { ConfigError } from '../../../../deploy/cli/errors.ts';
import { DEPLOY_ENV } from '../../../helpers/badInputs.ts';
import { deployEnv, DESTINATION_ACCOUNT, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, EXTERNAL_ID, SOURCE_ACCOUNT, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';

/** The required variables of the deploy environment only (one region variable, no external id). */
const env = (overrides: Record<string, string | undefined> = {}) => deployEnv({ AWS_REGION: undefined, S3_REPLICATE_EXTERNAL_ID: undefined, ...overrides });

function problems(e: Record<string, string | undefined>): readonly string[] {
  try {
    parseDeployConfig(e);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).exitCode).to.equal(2);
    return (err as ConfigError).problems;
  }
  return [];
}

describe('deploy/config/config parseDeployConfig', () => {
  it('returns a frozen config with the documented defaults', () => {
    const c = parseDeployConfig(env());
    expect(Object.isFrozen(c)).to.equal(true);
    expect(c).to.deep.include({
      region: 'us-east-1',
      account: SOURCE_ACCOUNT,
      sourceBucket: SOURCE_BUCKET,
      destinationBucket: DESTINATION_BUCKET,
      destinationAccount: DESTINATION_ACCOUNT,
      destinationRoleArn: DESTINATION_ROLE_ARN,
      externalId: undefined,
      prefixFormat: '{YYYY}/{MM}/{DD}/',
      sourceKeyPrefix: '',
      destinationPrefix: '',
      schedule: 'cron(0 6 * * ? *)',
      lagDays: 1,
      kmsKeyArn: undefined,
      artifactBucket: `s3-push-artifacts-${SOURCE_ACCOUNT}-us-east-1`,
      stackName: `replicate-to-${DESTINATION_BUCKET}`,
      functionName: `replicate-to-${DESTINATION_BUCKET}`,
      lambdaRoleName: `replicate-to-${DESTINATION_BUCKET}-lambda`,
      endpointUrl: undefined,
    });
  });

  it('reads every optional variable', () => {
    const c = parseDeployConfig(env({
      S3_REPLICATE_EXTERNAL_ID: EXTERNAL_ID,
      S3_REPLICATE_PREFIX_FORMAT: 'exports/dt={YYYY}-{MM}-{DD}/',
      S3_REPLICATE_DEST_PREFIX: 'from-acme/',
      S3_REPLICATE_SCHEDULE: 'rate(1 day)',
      S3_REPLICATE_LAG_DAYS: '0',
      S3_REPLICATE_KMS_KEY_ARN: 'arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      S3_ARTIFACT_BUCKET: 'my-artifacts',
      S3_REPLICATE_STACK_NAME: 'push-acme',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
    }));
    expect(c).to.deep.include({
      externalId: EXTERNAL_ID,
      prefixFormat: 'exports/dt={YYYY}-{MM}-{DD}/',
      sourceKeyPrefix: 'exports/dt=',
      destinationPrefix: 'from-acme/',
      schedule: 'rate(1 day)',
      lagDays: 0,
      artifactBucket: 'my-artifacts',
      stackName: 'push-acme',
      functionName: 'push-acme',
      lambdaRoleName: 'push-acme-lambda',
      endpointUrl: 'http://127.0.0.1:5000',
    });
  });

  it('prefers AWS_REGION and refuses two different regions', () => {
    expect(parseDeployConfig(env({ AWS_DEFAULT_REGION: undefined, AWS_REGION: 'eu-west-1' })).region).to.equal('eu-west-1');
    expect(problems(env({ AWS_REGION: 'eu-west-1' }))).to.deep.equal(['AWS_REGION is "eu-west-1" but AWS_DEFAULT_REGION is "us-east-1": set one, or both to the same region']);
  });

  it('turns dots of the destination bucket into hyphens for the default stack name', () => {
    expect(parseDeployConfig(env({ S3_REPLICATE_BUCKET_NAME: 'landing.zone.eu' })).stackName).to.equal('replicate-to-landing-zone-eu');
  });

  it('keeps derived names within 64 characters, stable and distinct', () => {
    const long = 'a'.repeat(63);
    const c = parseDeployConfig(env({ S3_REPLICATE_BUCKET_NAME: long }));
    expect(c.functionName).to.have.length(64);
    expect(c.lambdaRoleName).to.have.length(64);
    expect(c.lambdaRoleName.endsWith('-lambda')).to.equal(true);
    expect(fitName(`x${long}`, '-lambda')).to.not.equal(fitName(`y${long}`, '-lambda'));
    expect(fitName('short', '-lambda')).to.equal('short-lambda');
  });

  it('reports every fault at once, naming each variable', () => {
    const p = problems({});
    expect(p.map((line) => line.split(' ')[0])).to.deep.equal([
      'AWS_DEFAULT_REGION', 'AWS_ACCOUNT', 'S3_ROOT_BUCKET', 'S3_REPLICATE_BUCKET_NAME', 'S3_REPLICATE_OTHER_ACCOUNT', 'S3_REPLICATE_OTHER_ROLE_ARN',
    ]);
  });

  // [variable, value, a fragment of the expected message]; undefined = missing, '' = empty.
  const cases: [string, string | undefined, string][] = [
    ['AWS_DEFAULT_REGION', undefined, 'AWS_DEFAULT_REGION (or AWS_REGION) is not set'],
    ['AWS_DEFAULT_REGION', '', 'AWS_DEFAULT_REGION (or AWS_REGION) is not set'],
    ['AWS_DEFAULT_REGION', 'Frankfurt', 'AWS_DEFAULT_REGION is "Frankfurt": expected a region like us-east-1'],
    ['AWS_ACCOUNT', undefined, 'AWS_ACCOUNT is not set: expected the 12-digit id'],
    ['AWS_ACCOUNT', '', 'AWS_ACCOUNT is empty'],
    ['AWS_ACCOUNT', '12345678901', 'AWS_ACCOUNT is "12345678901": expected a 12-digit account id'],
    ['AWS_ACCOUNT', '1234-5678-9012', 'AWS_ACCOUNT is "1234-5678-9012"'],
    ['S3_ROOT_BUCKET', undefined, 'S3_ROOT_BUCKET is not set'],
    ['S3_ROOT_BUCKET', '', 'S3_ROOT_BUCKET is empty'],
    ['S3_ROOT_BUCKET', 'Acme_Data', 'S3_ROOT_BUCKET is "Acme_Data": a bucket name holds only lower-case letters, digits, dots and hyphens'],
    ['S3_ROOT_BUCKET', 'ab', 'S3_ROOT_BUCKET is "ab": a bucket name has 3 to 63 characters, not 2'],
    ['S3_ROOT_BUCKET', 'acme..data', 'must not contain two adjacent dots'],
    ['S3_ROOT_BUCKET', '192.168.1.10', 'IP address'],
    ['S3_ROOT_BUCKET', 'xn--acme', 'must not start with the reserved prefix "xn--"'],
    ['S3_ROOT_BUCKET', 'acme-s3alias', 'must not end with the reserved suffix "-s3alias"'],
    ['S3_REPLICATE_BUCKET_NAME', undefined, 'S3_REPLICATE_BUCKET_NAME is not set'],
    ['S3_REPLICATE_BUCKET_NAME', '', 'S3_REPLICATE_BUCKET_NAME is empty'],
    ['S3_REPLICATE_BUCKET_NAME', 'partner-', 'S3_REPLICATE_BUCKET_NAME is "partner-"'],
    ['S3_REPLICATE_BUCKET_NAME', SOURCE_BUCKET, 'the same as S3_ROOT_BUCKET'],
    ['S3_REPLICATE_OTHER_ACCOUNT', undefined, 'S3_REPLICATE_OTHER_ACCOUNT is not set'],
    ['S3_REPLICATE_OTHER_ACCOUNT', '', 'S3_REPLICATE_OTHER_ACCOUNT is empty'],
    ['S3_REPLICATE_OTHER_ACCOUNT', '21098765432x', 'S3_REPLICATE_OTHER_ACCOUNT is "21098765432x": expected a 12-digit account id'],
    ['S3_REPLICATE_OTHER_ROLE_ARN', undefined, 'S3_REPLICATE_OTHER_ROLE_ARN is not set'],
    ['S3_REPLICATE_OTHER_ROLE_ARN', '', 'S3_REPLICATE_OTHER_ROLE_ARN is empty'],
    ['S3_REPLICATE_OTHER_ROLE_ARN', 's3-push-writer', 'S3_REPLICATE_OTHER_ROLE_ARN is "s3-push-writer": expected an IAM role ARN'],
    ['S3_REPLICATE_OTHER_ROLE_ARN', 'arn:aws:iam::210987654321:user/bob', 'expected an IAM role ARN'],
    ['S3_REPLICATE_OTHER_ROLE_ARN', 'arn:aws:iam::999999999999:role/s3-push-writer', 'S3_REPLICATE_OTHER_ROLE_ARN is in account 999999999999, but S3_REPLICATE_OTHER_ACCOUNT is 210987654321'],
    ['S3_REPLICATE_OTHER_ROLE_ARN', 'arn:aws:iam::210987654321:role/a"b', 'expected an IAM role ARN'],
    ['S3_REPLICATE_EXTERNAL_ID', 'x', 'S3_REPLICATE_EXTERNAL_ID is malformed (1 characters)'],
    ['S3_REPLICATE_EXTERNAL_ID', 'has space', 'S3_REPLICATE_EXTERNAL_ID is malformed'],
    ['S3_REPLICATE_EXTERNAL_ID', 'a"}', 'S3_REPLICATE_EXTERNAL_ID is malformed'],
    ['S3_REPLICATE_PREFIX_FORMAT', '{YYYY}/{MM}/', 'missing {DD}'],
    ['S3_REPLICATE_PREFIX_FORMAT', '{YYYY}/{MM}/{DD}/{HH}/', 'unknown token(s) {HH}'],
    ['S3_REPLICATE_PREFIX_FORMAT', 'logs*/{YYYY}/{MM}/{DD}/', 'only letters, digits, / _ . = - and the tokens are allowed'],
    ['S3_REPLICATE_PREFIX_FORMAT', '/{YYYY}/{MM}/{DD}/', 'must not start with "/"'],
    ['S3_REPLICATE_DEST_PREFIX', 'from acme/', 'S3_REPLICATE_DEST_PREFIX is "from acme/"'],
    ['S3_REPLICATE_DEST_PREFIX', '/abs/', 'not starting with "/"'],
    ['S3_REPLICATE_SCHEDULE', 'daily', 'S3_REPLICATE_SCHEDULE is "daily": expected rate(...) or cron(...)'],
    ['S3_REPLICATE_SCHEDULE', 'cron(0 6 * * *)', 'cron takes 6 fields'],
    ['S3_REPLICATE_SCHEDULE', 'rate(1 days)', 'singular for 1'],
    ['S3_REPLICATE_LAG_DAYS', '-1', 'S3_REPLICATE_LAG_DAYS is "-1": expected a whole number of days from 0 to 3650'],
    ['S3_REPLICATE_LAG_DAYS', '1.5', 'S3_REPLICATE_LAG_DAYS is "1.5"'],
    ['S3_REPLICATE_LAG_DAYS', '3651', 'S3_REPLICATE_LAG_DAYS is "3651"'],
    ['S3_REPLICATE_KMS_KEY_ARN', 'alias/s3-push', 'S3_REPLICATE_KMS_KEY_ARN is "alias/s3-push": expected a KMS key ARN'],
    ['S3_REPLICATE_KMS_KEY_ARN', 'arn:aws:kms:us-east-1:210987654321:alias/s3-push', '(not an alias)'],
    ['S3_ARTIFACT_BUCKET', 'Artifacts', 'S3_ARTIFACT_BUCKET is "Artifacts"'],
    ['S3_REPLICATE_STACK_NAME', '1stack', 'S3_REPLICATE_STACK_NAME is "1stack": expected 1-128 letters'],
    ['S3_REPLICATE_STACK_NAME', 'my_stack', 'S3_REPLICATE_STACK_NAME is "my_stack"'],
    ['AWS_ENDPOINT_URL', 'localhost:5000', 'AWS_ENDPOINT_URL is "localhost:5000": expected an http(s) URL'],
    ['S3_REPLICATE_PUSH_ON_WRITE', 'yes', 'S3_REPLICATE_PUSH_ON_WRITE is "yes": expected true or false'],
    ['S3_REPLICATE_PUSH_ON_WRITE', 'TRUE', 'S3_REPLICATE_PUSH_ON_WRITE is "TRUE": expected true or false'],
  ];
  for (const [name, value, fragment] of cases) {
    const label = value === undefined ? 'missing' : value === '' ? 'empty' : JSON.stringify(value);
    it(`${name} ${label} → exit 2 naming it`, () => {
      const p = problems(env({ [name]: value }));
      expect(p, JSON.stringify(p)).to.have.length.greaterThan(0);
      expect(p.join('\n')).to.include(fragment);
      expect(p.every((line) => line.includes(name) || line.includes('S3_ROOT_BUCKET'))).to.equal(true);
    });
  }

  // Optional variables: missing and empty both mean the default.
  const optional: [string, keyof ReturnType<typeof parseDeployConfig>, unknown][] = [
    ['S3_REPLICATE_EXTERNAL_ID', 'externalId', undefined],
    ['S3_REPLICATE_PREFIX_FORMAT', 'prefixFormat', '{YYYY}/{MM}/{DD}/'],
    ['S3_REPLICATE_DEST_PREFIX', 'destinationPrefix', ''],
    ['S3_REPLICATE_SCHEDULE', 'schedule', 'cron(0 6 * * ? *)'],
    ['S3_REPLICATE_LAG_DAYS', 'lagDays', 1],
    ['S3_REPLICATE_KMS_KEY_ARN', 'kmsKeyArn', undefined],
    ['S3_ARTIFACT_BUCKET', 'artifactBucket', `s3-push-artifacts-${SOURCE_ACCOUNT}-us-east-1`],
    ['S3_REPLICATE_STACK_NAME', 'stackName', `replicate-to-${DESTINATION_BUCKET}`],
    ['AWS_ENDPOINT_URL', 'endpointUrl', undefined],
    ['S3_REPLICATE_PUSH_ON_WRITE', 'pushOnWrite', false],
  ];
  for (const [name, field, def] of optional) {
    it(`${name} missing or empty → the default`, () => {
      expect(parseDeployConfig(env({ [name]: undefined }))[field]).to.deep.equal(def);
      expect(parseDeployConfig(env({ [name]: '' }))[field]).to.deep.equal(def);
    });
  }

  it('S3_REPLICATE_PUSH_ON_WRITE=true turns push on write on, false off', () => {
    expect(parseDeployConfig(env({ S3_REPLICATE_PUSH_ON_WRITE: 'true' })).pushOnWrite).to.equal(true);
    expect(parseDeployConfig(env({ S3_REPLICATE_PUSH_ON_WRITE: 'false' })).pushOnWrite).to.equal(false);
  });

  it('never echoes the external id in a message', () => {
    const secret = 'not valid because of spaces';
    const p = problems(env({ S3_REPLICATE_EXTERNAL_ID: secret }));
    expect(p.join('\n')).to.not.include(secret);
  });
});

// Regression (issue 6, bad-input suite): a role or key in another partition than the region's was
// accepted, and deploy went on to create the stack; AssumeRole cannot cross partitions.
describe('deploy/config/config: ARNs in the partition of the region', () => {
  it('rejects a China-partition role when deploying to us-east-1, naming both', () => {
    expect(() => parseDeployConfig({ ...DEPLOY_ENV, S3_REPLICATE_OTHER_ROLE_ARN: `arn:aws-cn:iam::${DESTINATION_ACCOUNT}:role/w` })).to.throw(
      /S3_REPLICATE_OTHER_ROLE_ARN is "arn:aws-cn:iam::210987654321:role\/w": .*partition aws-cn.*us-east-1.*aws/,
    );
  });
  it('rejects a commercial-partition KMS key when deploying to cn-north-1', () => {
    const env = { ...DEPLOY_ENV, AWS_REGION: 'cn-north-1', AWS_DEFAULT_REGION: 'cn-north-1', S3_REPLICATE_OTHER_ROLE_ARN: `arn:aws-cn:iam::${DESTINATION_ACCOUNT}:role/w` };
    expect(() => parseDeployConfig({ ...env, S3_REPLICATE_KMS_KEY_ARN: `arn:aws:kms:cn-north-1:${DESTINATION_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` })).to.throw(
      /S3_REPLICATE_KMS_KEY_ARN is .*partition aws.*cn-north-1.*aws-cn/,
    );
    expect(parseDeployConfig(env).destinationRoleArn).to.equal(`arn:aws-cn:iam::${DESTINATION_ACCOUNT}:role/w`);
  });
  it('accepts GovCloud ARNs in a GovCloud region', () => {
    const env = { ...DEPLOY_ENV, AWS_REGION: 'us-gov-west-1', AWS_DEFAULT_REGION: 'us-gov-west-1', S3_REPLICATE_OTHER_ROLE_ARN: `arn:aws-us-gov:iam::${DESTINATION_ACCOUNT}:role/w` };
    expect(parseDeployConfig(env).region).to.equal('us-gov-west-1');
  });
});
