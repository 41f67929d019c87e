import { expect } from 'chai';
import { DEFAULT_MULTIPART_THRESHOLD_BYTES, DEFAULT_PART_SIZE_BYTES, parseHandlerConfig } from '../../../handler/config.ts';
import { ConfigError } from '../../../handler/errors.ts';
import { DESTINATION_BUCKET, DESTINATION_ROLE_ARN, EXTERNAL_ID, handlerEnv, SOURCE_BUCKET } from '../../helpers/fixtures.ts';

function problems(env: Record<string, string | undefined>): string[] {
  try {
    parseHandlerConfig(env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('handler/config', () => {
  it('applies the documented defaults and freezes the result', () => {
    const c = parseHandlerConfig(handlerEnv());
    expect(c).to.deep.equal({
      sourceBucket: SOURCE_BUCKET,
      destinationBucket: DESTINATION_BUCKET,
      destinationRoleArn: DESTINATION_ROLE_ARN,
      externalId: EXTERNAL_ID,
      prefixFormat: '{YYYY}/{MM}/{DD}/',
      destinationPrefix: '',
      lagDays: 1,
      kmsKeyArn: undefined,
      copyConcurrency: 16,
      multipartThresholdBytes: 256 * 1024 * 1024,
      partSizeBytes: 64 * 1024 * 1024,
      workQueueUrl: undefined,
      dayMarker: false,
    });
    expect(Object.isFrozen(c)).to.equal(true);
    expect(DEFAULT_PART_SIZE_BYTES).to.be.lessThan(DEFAULT_MULTIPART_THRESHOLD_BYTES);
  });

  it('reads every optional variable, empty meaning unset', () => {
    const c = parseHandlerConfig(handlerEnv({
      EXTERNAL_ID: '',
      PREFIX_FORMAT: 'logs/dt={YYYY}-{MM}-{DD}/',
      DESTINATION_PREFIX: 'acme/',
      LAG_DAYS: '0',
      KMS_KEY_ARN: 'arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      COPY_CONCURRENCY: '4',
      MULTIPART_THRESHOLD_BYTES: String(5 * 1024 ** 3),
      PART_SIZE_BYTES: String(5 * 1024 ** 2),
    }));
    expect(c).to.deep.include({ externalId: undefined, prefixFormat: 'logs/dt={YYYY}-{MM}-{DD}/', destinationPrefix: 'acme/', lagDays: 0, copyConcurrency: 4, multipartThresholdBytes: 5 * 1024 ** 3, partSizeBytes: 5 * 1024 ** 2 });
    expect(c.kmsKeyArn).to.match(/^arn:aws:kms:/);
  });

  it('reports every bad variable at once', () => {
    const p = problems({
      SOURCE_BUCKET: 'Bad_Bucket',
      DESTINATION_ROLE_ARN: 'arn:aws:iam::123:role/x',
      PREFIX_FORMAT: '{YYYY}/{MM}/',
      LAG_DAYS: '-1',
      KMS_KEY_ARN: 'my-key',
      COPY_CONCURRENCY: '0',
      MULTIPART_THRESHOLD_BYTES: '6000000000',
      PART_SIZE_BYTES: '1MiB',
    });
    expect(p.map((x) => x.split(' ')[0])).to.deep.equal([
      'SOURCE_BUCKET', 'DESTINATION_BUCKET', 'DESTINATION_ROLE_ARN', 'PREFIX_FORMAT', 'LAG_DAYS', 'KMS_KEY_ARN', 'COPY_CONCURRENCY', 'MULTIPART_THRESHOLD_BYTES', 'PART_SIZE_BYTES',
    ]);
    expect(p[0]).to.equal('SOURCE_BUCKET is "Bad_Bucket": a bucket name holds only lower-case letters, digits, dots and hyphens');
    expect(p[1]).to.match(/DESTINATION_BUCKET is not set/);
    expect(p[4]).to.match(/LAG_DAYS is "-1": expected a whole number from 0 to 3650/);
    expect(p[8]).to.match(/PART_SIZE_BYTES is "1MiB": expected a whole number from 5242880 to 5368709120 bytes/);
  });

  it('never repeats the external id in its message', () => {
    const secret = 'bad id with spaces';
    const p = problems(handlerEnv({ EXTERNAL_ID: secret }));
    expect(p).to.have.length(1);
    expect(p[0]).to.match(/^EXTERNAL_ID is malformed/);
    expect(p.join()).not.to.include(secret);
  });
});

describe('handler/config: ARN partitions', () => {
  const base = { SOURCE_BUCKET, DESTINATION_BUCKET, DESTINATION_ROLE_ARN };
  const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';

  it('rejects a role ARN in a partition that does not exist ("awsx")', () => {
    expect(() => parseHandlerConfig({ ...base, DESTINATION_ROLE_ARN: 'arn:awsx:iam::210987654321:role/x' })).to.throw(/DESTINATION_ROLE_ARN is "arn:awsx:iam::210987654321:role\/x"/);
  });
  it('rejects a KMS ARN in a partition that does not exist', () => {
    expect(() => parseHandlerConfig({ ...base, KMS_KEY_ARN: `arn:aws-moon:kms:us-east-1:210987654321:key/${KEY}` })).to.throw(/KMS_KEY_ARN is "arn:aws-moon:kms/);
  });
  it('accepts every real partition', () => {
    for (const p of ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc']) {
      const c = parseHandlerConfig({ ...base, DESTINATION_ROLE_ARN: `arn:${p}:iam::210987654321:role/x`, KMS_KEY_ARN: `arn:${p}:kms:us-east-1:210987654321:key/${KEY}` });
      expect(c.destinationRoleArn).to.equal(`arn:${p}:iam::210987654321:role/x`);
    }
  });
  it('takes the same KMS key ARNs as deploy: a key, not an alias', () => {
    expect(() => parseHandlerConfig({ ...base, KMS_KEY_ARN: 'arn:aws:kms:us-east-1:210987654321:alias/s3-push' })).to.throw(/KMS_KEY_ARN is "arn:aws:kms:us-east-1:210987654321:alias\/s3-push": expected a KMS key ARN, .* \(not an alias\)/);
  });
});
