import { expect } from 'chai';
import { DEFAULT_MULTIPART_THRESHOLD_BYTES, DEFAULT_PART_SIZE_BYTES, parseHandlerConfig } from '../../../handler/config.ts';
import { ConfigError } from '../../../rules/errors.ts';
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
      sourceAccountId: '123456789012',
      destinationAccountId: '210987654321',
      externalId: EXTERNAL_ID,
      prefixFormat: '{YYYY}/{MM}/{DD}/',
      destinationPrefix: '',
      destinationPrefixFormat: undefined,
      destinationStorageClass: undefined,
      lagDays: 1,
      kmsKeyArn: undefined,
      sourceKmsKeyArn: undefined,
      copyConcurrency: 62,
      copyConcurrencyStart: undefined,
      multipartThresholdBytes: 256 * 1024 * 1024,
      partSizeBytes: 64 * 1024 * 1024,
      workQueueUrl: undefined,
      dayMarker: false,
      exactDays: false,
      exactDaysMaxDeletes: 10_000,
      requestTimeoutMs: undefined,
      exclude: [],
      sourceReadyKey: undefined,
      lookbackDays: 0,
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

  it('reads DESTINATION_PREFIX_FORMAT: each token once, never with DESTINATION_PREFIX', () => {
    expect(parseHandlerConfig(handlerEnv({ DESTINATION_PREFIX_FORMAT: 'acme/dt={DD}-{MM}-{YYYY}/' }))).to.deep.include({ destinationPrefixFormat: 'acme/dt={DD}-{MM}-{YYYY}/', destinationPrefix: '' });
    expect(parseHandlerConfig(handlerEnv({ DESTINATION_PREFIX_FORMAT: '' })).destinationPrefixFormat).to.equal(undefined);
    expect(problems(handlerEnv({ DESTINATION_PREFIX_FORMAT: '{YYYY}{MM}{DD}/{DD}/' }))).to.deep.equal(['DESTINATION_PREFIX_FORMAT is "{YYYY}{MM}{DD}/{DD}/": {DD} more than once: each token goes in exactly once']);
    expect(problems(handlerEnv({ DESTINATION_PREFIX_FORMAT: 'acme/{YYYY}/{MM}/' }))).to.deep.equal(['DESTINATION_PREFIX_FORMAT is "acme/{YYYY}/{MM}/": missing {DD}: each day needs its own prefix']);
    expect(problems(handlerEnv({ DESTINATION_PREFIX_FORMAT: `${'a'.repeat(500)}{YYYY}{MM}{DD}` }))[0]).to.match(/^DESTINATION_PREFIX_FORMAT is "a+\{YYYY\}\{MM\}\{DD\}": 514 bytes: expected at most 512/);
    expect(problems(handlerEnv({ DESTINATION_PREFIX_FORMAT: 'dt={YYYY}-{MM}-{DD}/', DESTINATION_PREFIX: 'acme/' }))).to.deep.equal([
      'DESTINATION_PREFIX_FORMAT is "dt={YYYY}-{MM}-{DD}/" and DESTINATION_PREFIX is "acme/": expected one of the two (put the fixed text in the format, e.g. "acme/dt={YYYY}-{MM}-{DD}/")',
    ]);
  });

  it('reads DESTINATION_STORAGE_CLASS: one of the classes a copy can be written in', () => {
    expect(parseHandlerConfig(handlerEnv({ DESTINATION_STORAGE_CLASS: 'GLACIER_IR' })).destinationStorageClass).to.equal('GLACIER_IR');
    expect(parseHandlerConfig(handlerEnv({ DESTINATION_STORAGE_CLASS: '' })).destinationStorageClass).to.equal(undefined);
    expect(problems(handlerEnv({ DESTINATION_STORAGE_CLASS: 'SNOW' }))).to.deep.equal([
      'DESTINATION_STORAGE_CLASS is "SNOW": SNOW is a storage class of Snow Family devices only; expected one of STANDARD, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE, REDUCED_REDUNDANCY (S3\'s classes of a general purpose bucket; unset: STANDARD, S3\'s default for a copy)',
    ]);
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
      'SOURCE_BUCKET', 'DESTINATION_BUCKET', 'DESTINATION_ROLE_ARN', 'SOURCE_ACCOUNT_ID', 'PREFIX_FORMAT', 'LAG_DAYS', 'KMS_KEY_ARN', 'COPY_CONCURRENCY', 'MULTIPART_THRESHOLD_BYTES', 'PART_SIZE_BYTES',
    ]);
    expect(p[0]).to.equal('SOURCE_BUCKET is "Bad_Bucket": a bucket name holds only lower-case letters, digits, dots and hyphens');
    expect(p[1]).to.match(/DESTINATION_BUCKET is not set/);
    expect(p[5]).to.match(/LAG_DAYS is "-1": expected a whole number from 0 to 3650/);
    expect(p[9]).to.match(/PART_SIZE_BYTES is "1MiB": expected a whole number from 5242880 to 5368709120 bytes/);
  });

  it('never repeats the external id in its message', () => {
    const secret = 'bad id with spaces';
    const p = problems(handlerEnv({ EXTERNAL_ID: secret }));
    expect(p).to.have.length(1);
    expect(p[0]).to.match(/^EXTERNAL_ID is malformed/);
    expect(p.join()).not.to.include(secret);
  });

  it('reads WORK_QUEUE_URL: an SQS queue URL on AWS or on a local emulator', () => {
    const aws = 'https://sqs.us-east-1.amazonaws.com/123456789012/s3-push-WorkQueue-ABC_1';
    expect(parseHandlerConfig(handlerEnv({ WORK_QUEUE_URL: aws })).workQueueUrl).to.equal(aws);
    expect(parseHandlerConfig(handlerEnv({ WORK_QUEUE_URL: 'http://127.0.0.1:4566/123456789012/work' })).workQueueUrl).to.equal('http://127.0.0.1:4566/123456789012/work');
    expect(parseHandlerConfig(handlerEnv({ WORK_QUEUE_URL: '' })).workQueueUrl).to.equal(undefined);
  });

  it('refuses a malformed WORK_QUEUE_URL, naming it', () => {
    for (const bad of [
      'sqs.us-east-1.amazonaws.com/123456789012/work',
      'ftp://sqs.us-east-1.amazonaws.com/123456789012/work',
      'https://sqs.us-east-1.amazonaws.com/12345678901/work',
      'https://sqs.us-east-1.amazonaws.com/123456789012/',
      'https://sqs.us-east-1.amazonaws.com/123456789012/work queue',
      'https://sqs.us-east-1.amazonaws.com/123456789012/work/extra',
      `https://sqs.us-east-1.amazonaws.com/123456789012/${'q'.repeat(81)}`,
      'https://sqs.us-east-1.amazonaws.com:123456/123456789012/work',
      ' https://sqs.us-east-1.amazonaws.com/123456789012/work',
    ]) {
      expect(problems(handlerEnv({ WORK_QUEUE_URL: bad })), bad).to.deep.equal([
        `WORK_QUEUE_URL is ${JSON.stringify(bad)}: expected an SQS queue URL like https://sqs.us-east-1.amazonaws.com/123456789012/s3-push-work (the stack output WorkQueueUrl)`,
      ]);
    }
  });

  it('refuses a FIFO WORK_QUEUE_URL: work items need a standard queue', () => {
    const fifo = 'https://sqs.us-east-1.amazonaws.com/123456789012/work.fifo';
    expect(problems(handlerEnv({ WORK_QUEUE_URL: fifo }))).to.deep.equal([
      `WORK_QUEUE_URL is "${fifo}": a FIFO queue; expected a standard queue (the stack output WorkQueueUrl)`,
    ]);
  });

  it('caps DESTINATION_PREFIX at 512 bytes (a key has at most 1,024), counting bytes, not characters', () => {
    expect(parseHandlerConfig(handlerEnv({ DESTINATION_PREFIX: 'p'.repeat(512) })).destinationPrefix).to.have.length(512);
    expect(problems(handlerEnv({ DESTINATION_PREFIX: 'p'.repeat(513) }))).to.deep.equal(['DESTINATION_PREFIX is 513 bytes: expected at most 512 (keys are limited to 1024 bytes)']);
    expect(problems(handlerEnv({ DESTINATION_PREFIX: 'é'.repeat(257) }))).to.deep.equal(['DESTINATION_PREFIX is 514 bytes: expected at most 512 (keys are limited to 1024 bytes)']);
  });

  it('takes numbers written as plain decimal digits only: no exponent, hex, sign, fraction or spaces', () => {
    for (const bad of ['1e2', '0x10', '+4', '4.0', ' 4', '4 ', '1_000']) {
      expect(problems(handlerEnv({ COPY_CONCURRENCY: bad })), bad).to.deep.equal([
        `COPY_CONCURRENCY is ${JSON.stringify(bad)}: expected a whole number from 1 to 256 (default 62)`,
      ]);
    }
    expect(parseHandlerConfig(handlerEnv({ COPY_CONCURRENCY: '007' })).copyConcurrency).to.equal(7);
  });

  it('takes COPY_CONCURRENCY_START from 1 up to COPY_CONCURRENCY, whichever that is', () => {
    expect(parseHandlerConfig(handlerEnv({ COPY_CONCURRENCY_START: '1' })).copyConcurrencyStart).to.equal(1);
    expect(parseHandlerConfig(handlerEnv({ COPY_CONCURRENCY_START: '62' })).copyConcurrencyStart).to.equal(62);
    expect(parseHandlerConfig(handlerEnv({ COPY_CONCURRENCY: '256', COPY_CONCURRENCY_START: '256' })).copyConcurrencyStart).to.equal(256);
    expect(parseHandlerConfig(handlerEnv({ COPY_CONCURRENCY_START: '' })).copyConcurrencyStart).to.equal(undefined);
    expect(problems(handlerEnv({ COPY_CONCURRENCY_START: '63' }))).to.deep.equal([
      'COPY_CONCURRENCY_START is "63": expected a whole number from 1 to COPY_CONCURRENCY (62) (unset: 16)',
    ]);
    expect(problems(handlerEnv({ COPY_CONCURRENCY: '8', COPY_CONCURRENCY_START: '9' }))).to.deep.equal([
      'COPY_CONCURRENCY_START is "9": expected a whole number from 1 to COPY_CONCURRENCY (8) (unset: 8)',
    ]);
    for (const bad of ['0', '-1', '1e1', 'auto', '4.5', '1000']) {
      expect(problems(handlerEnv({ COPY_CONCURRENCY_START: bad })), bad).to.deep.equal([
        `COPY_CONCURRENCY_START is ${JSON.stringify(bad)}: expected a whole number from 1 to COPY_CONCURRENCY (62) (unset: 16)`,
      ]);
    }
  });

  it('holds every number to its range, both ends included', () => {
    expect(parseHandlerConfig(handlerEnv({ COPY_CONCURRENCY: '1', LAG_DAYS: '3650' }))).to.deep.include({ copyConcurrency: 1, lagDays: 3650 });
    expect(parseHandlerConfig(handlerEnv({ COPY_CONCURRENCY: '256' })).copyConcurrency).to.equal(256);
    expect(problems(handlerEnv({ COPY_CONCURRENCY: '257', LAG_DAYS: '3651' }))).to.deep.equal([
      'LAG_DAYS is "3651": expected a whole number from 0 to 3650 (default 1)',
      'COPY_CONCURRENCY is "257": expected a whole number from 1 to 256 (default 62)',
    ]);
    expect(problems(handlerEnv({ MULTIPART_THRESHOLD_BYTES: String(5 * 1024 ** 2 - 1) }))).to.deep.equal([
      'MULTIPART_THRESHOLD_BYTES is "5242879": expected a whole number from 5242880 to 5368709120 bytes (5 MiB – 5 GiB; S3 copies at most 5 GiB in one request) (default 268435456)',
    ]);
    expect(problems(handlerEnv({ PART_SIZE_BYTES: String(5 * 1024 ** 3 + 1) }))).to.have.length(1);
    expect(problems(handlerEnv({ LAG_DAYS: '99999999999999999999' }))).to.have.length(1);
  });

  it("checks bucket names by S3's rules: length, characters, adjacent dots, IP form, reserved names", () => {
    expect(parseHandlerConfig(handlerEnv({ SOURCE_BUCKET: 'abc' })).sourceBucket).to.equal('abc');
    expect(parseHandlerConfig(handlerEnv({ SOURCE_BUCKET: 'a'.repeat(63) })).sourceBucket).to.have.length(63);
    expect(parseHandlerConfig(handlerEnv({ SOURCE_BUCKET: '192.168.5.com' })).sourceBucket).to.equal('192.168.5.com');
    const one = (name: string, value: string, fragment: RegExp): void => {
      const p = problems(handlerEnv({ [name]: value }));
      expect(p, value).to.have.length(1);
      expect(p[0], value).to.satisfy((line: string) => line.startsWith(`${name} is ${JSON.stringify(value)}: `)).and.match(fragment);
    };
    for (const bad of ['ab', 'a'.repeat(64)]) one('SOURCE_BUCKET', bad, /3.(to )?63/);
    for (const bad of ['-abc', 'abc-', 'a_bc']) one('SOURCE_BUCKET', bad, /letter|digit/);
    one('SOURCE_BUCKET', '192.168.5.4', /IP address/);
    one('DESTINATION_BUCKET', 'a..b', /two adjacent dots/);
    one('DESTINATION_BUCKET', 'xn--abc', /reserved prefix "xn--"/);
  });

  it('names a missing required variable as not set, and a malformed one with its value', () => {
    expect(problems({ ...handlerEnv(), DESTINATION_ROLE_ARN: '' })).to.deep.equal(['DESTINATION_ROLE_ARN is not set: expected an IAM role ARN, arn:aws:iam::<12-digit account>:role/<name>']);
    expect(problems({ ...handlerEnv(), DESTINATION_ROLE_ARN: 'arn:aws:iam::210987654321:user/x' })).to.deep.equal([
      'DESTINATION_ROLE_ARN is "arn:aws:iam::210987654321:user/x": expected an IAM role ARN, arn:aws:iam::<12-digit account>:role/<name>',
    ]);
  });

  it('accepts the external ids STS accepts (2 to 1,224 characters of its set) and no others', () => {
    expect(parseHandlerConfig(handlerEnv({ EXTERNAL_ID: 'ab' })).externalId).to.equal('ab');
    expect(parseHandlerConfig(handlerEnv({ EXTERNAL_ID: `a+=,.@:/-_${'x'.repeat(1214)}` })).externalId).to.have.length(1224);
    for (const bad of ['a', 'x'.repeat(1225), 'a b', 'a"b']) expect(problems(handlerEnv({ EXTERNAL_ID: bad })), bad).to.have.length(1);
  });

  it('refuses a PREFIX_FORMAT that is not a valid day format, naming the format', () => {
    expect(problems(handlerEnv({ PREFIX_FORMAT: '{YYYY}/{MM}' }))).to.deep.equal(['PREFIX_FORMAT is "{YYYY}/{MM}": missing {DD}: each day needs its own prefix']);
  });
});

describe('handler/config: ARN partitions', () => {
  const base = { SOURCE_BUCKET, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, SOURCE_ACCOUNT_ID: '123456789012' };
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

  it('reads REQUEST_TIMEOUT_MS as whole milliseconds from 100 to 900,000 (unset: derived per request)', () => {
    expect(parseHandlerConfig(handlerEnv()).requestTimeoutMs).to.equal(undefined);
    expect(parseHandlerConfig(handlerEnv({ REQUEST_TIMEOUT_MS: '' })).requestTimeoutMs).to.equal(undefined);
    expect(parseHandlerConfig(handlerEnv({ REQUEST_TIMEOUT_MS: '100' })).requestTimeoutMs).to.equal(100);
    expect(parseHandlerConfig(handlerEnv({ REQUEST_TIMEOUT_MS: '900000' })).requestTimeoutMs).to.equal(900_000);
    for (const bad of ['99', '900001', '1e3', '-5', '12.5', ' 200']) {
      expect(() => parseHandlerConfig(handlerEnv({ REQUEST_TIMEOUT_MS: bad })), bad).to.throw(`REQUEST_TIMEOUT_MS is ${JSON.stringify(bad)}`);
    }
  });

  it('reads SOURCE_READY_KEY and LOOKBACK_DAYS, refusing a bad one by name', () => {
    expect(parseHandlerConfig(handlerEnv({ SOURCE_READY_KEY: '_SUCCESS', LOOKBACK_DAYS: '31' }))).to.deep.include({ sourceReadyKey: '_SUCCESS', lookbackDays: 31 });
    expect(problems(handlerEnv({ LOOKBACK_DAYS: '32' }))).to.deep.equal(['LOOKBACK_DAYS is "32": expected a whole number from 0 to 31 (default 0)']);
    expect(problems(handlerEnv({ SOURCE_READY_KEY: '_SUCCESS', EXCLUDE: '_*' }))).to.deep.equal(['SOURCE_READY_KEY is "_SUCCESS": is excluded by the exclusion patterns: it would never be copied']);
    expect(problems(handlerEnv({ SOURCE_READY_KEY: '_S3PUSH_COMPLETE.json' }))[0]).to.match(/day marker/);
    for (const bad of ['a b', '/x', 'x/', 'a//b', '../x', '*']) expect(problems(handlerEnv({ SOURCE_READY_KEY: bad }))[0]!.startsWith(`SOURCE_READY_KEY is ${JSON.stringify(bad)}: `), bad).to.equal(true);
  });

  it('reads DAY_MARKER as true or false (default false), refusing anything else by name', () => {
    expect(parseHandlerConfig(handlerEnv()).dayMarker).to.equal(false);
    expect(parseHandlerConfig(handlerEnv({ DAY_MARKER: 'true' })).dayMarker).to.equal(true);
    expect(parseHandlerConfig(handlerEnv({ DAY_MARKER: 'false' })).dayMarker).to.equal(false);
    for (const bad of ['TRUE', 'yes', '1']) expect(problems(handlerEnv({ DAY_MARKER: bad }))).to.deep.equal([`DAY_MARKER is "${bad}": expected true or false (default false)`]);
  });

  it('reads EXACT_DAYS as true or false (default false), refusing anything else by name', () => {
    expect(parseHandlerConfig(handlerEnv()).exactDays).to.equal(false);
    expect(parseHandlerConfig(handlerEnv({ EXACT_DAYS: 'true' })).exactDays).to.equal(true);
    expect(parseHandlerConfig(handlerEnv({ EXACT_DAYS: '' })).exactDays).to.equal(false);
    for (const bad of ['TRUE', 'on', '1']) expect(problems(handlerEnv({ EXACT_DAYS: bad }))).to.deep.equal([`EXACT_DAYS is "${bad}": expected true or false (default false)`]);
  });

  it('reads EXACT_DAYS_MAX_DELETES from 1 to 1,000,000,000 (default 10,000), refusing anything else by name', () => {
    expect(parseHandlerConfig(handlerEnv()).exactDaysMaxDeletes).to.equal(10_000);
    expect(parseHandlerConfig(handlerEnv({ EXACT_DAYS_MAX_DELETES: '1' })).exactDaysMaxDeletes).to.equal(1);
    expect(parseHandlerConfig(handlerEnv({ EXACT_DAYS_MAX_DELETES: '1000000000' })).exactDaysMaxDeletes).to.equal(1_000_000_000);
    for (const bad of ['0', '1000000001', '-1', '1e3', 'all']) {
      expect(problems(handlerEnv({ EXACT_DAYS_MAX_DELETES: bad }))).to.deep.equal([`EXACT_DAYS_MAX_DELETES is "${bad}": expected a whole number from 1 to 1000000000 extras deleted per day (default 10000)`]);
    }
  });
});
