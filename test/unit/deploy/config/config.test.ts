import { expect } from 'chai';
import { fitName, parseDeployConfig } from '../../../../deploy/config/config.ts';
import { ConfigError } from '../../../../rules/errors.ts';
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
    expect(c.destinationPrefixFormat).to.equal(undefined);
  });

  it('reads S3_REPLICATE_DEST_STORAGE_CLASS, and refuses a class no copy can be written in', () => {
    expect(parseDeployConfig(env({ S3_REPLICATE_DEST_STORAGE_CLASS: 'DEEP_ARCHIVE' })).destinationStorageClass).to.equal('DEEP_ARCHIVE');
    expect(parseDeployConfig(env({})).destinationStorageClass).to.equal(undefined);
    expect(() => parseDeployConfig(env({ S3_REPLICATE_DEST_STORAGE_CLASS: 'Deep Archive' }))).to.throw(ConfigError, /S3_REPLICATE_DEST_STORAGE_CLASS is "Deep Archive": expected one of STANDARD/);
  });

  it('reads S3_REPLICATE_DEST_PREFIX_FORMAT, and refuses it with S3_REPLICATE_DEST_PREFIX naming both', () => {
    expect(parseDeployConfig(env({ S3_REPLICATE_DEST_PREFIX_FORMAT: 'acme/dt={YYYY}-{MM}-{DD}/' }))).to.deep.include({ destinationPrefixFormat: 'acme/dt={YYYY}-{MM}-{DD}/', destinationPrefix: '' });
    expect(() => parseDeployConfig(env({ S3_REPLICATE_DEST_PREFIX_FORMAT: 'dt={YYYY}-{MM}-{DD}/', S3_REPLICATE_DEST_PREFIX: 'acme/' }))).to.throw(ConfigError)
      .with.property('problems').that.deep.equals(['S3_REPLICATE_DEST_PREFIX_FORMAT is "dt={YYYY}-{MM}-{DD}/" and S3_REPLICATE_DEST_PREFIX is "acme/": expected one of the two (put the fixed text in the format, e.g. S3_REPLICATE_DEST_PREFIX_FORMAT=acme/dt={YYYY}-{MM}-{DD}/)']);
    expect(() => parseDeployConfig(env({ S3_REPLICATE_DEST_PREFIX_FORMAT: `${'a'.repeat(500)}{YYYY}{MM}{DD}` }))).to.throw(ConfigError, /S3_REPLICATE_DEST_PREFIX_FORMAT is "a+\{YYYY\}\{MM\}\{DD\}": at most 512 characters \(it has 514\)/);
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

  it('blames only what the user set: a bad S3_REPLICATE_BUCKET_NAME, never the stack name derived from it', () => {
    for (const bucket of ['Partner_Landing', 'ab', 'x'.repeat(70)]) {
      const p = problems(env({ S3_REPLICATE_BUCKET_NAME: bucket }));
      expect(p, bucket).to.have.length(1);
      expect(p[0]).to.match(new RegExp(`^S3_REPLICATE_BUCKET_NAME is "${bucket}"`));
      expect(p.join('\n')).to.not.include('S3_REPLICATE_STACK_NAME');
    }
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
    ['AWS_ENDPOINT_URL', 'localhost:5000', 'AWS_ENDPOINT_URL is "localhost:5000": not a URL (scheme://host[:port]); expected an https:// endpoint or a loopback one (http://127.0.0.1:PORT)'],
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

  it('reads S3_REPLICATE_EXACT_DAYS and its ceiling S3_REPLICATE_EXACT_DAYS_MAX_DELETES (default 10,000, 1 to 1,000,000,000)', () => {
    expect(parseDeployConfig(env())).to.deep.include({ exactDays: false, exactDaysMaxDeletes: 10_000 });
    expect(parseDeployConfig(env({ S3_REPLICATE_EXACT_DAYS: 'true', S3_REPLICATE_EXACT_DAYS_MAX_DELETES: '250' }))).to.deep.include({ exactDays: true, exactDaysMaxDeletes: 250 });
    expect(parseDeployConfig(env({ S3_REPLICATE_EXACT_DAYS_MAX_DELETES: '1000000000' })).exactDaysMaxDeletes).to.equal(1_000_000_000);
    for (const bad of ['0', '1000000001', '12345678901', '-5', '2.5']) {
      expect(problems(env({ S3_REPLICATE_EXACT_DAYS_MAX_DELETES: bad }))).to.deep.equal([`S3_REPLICATE_EXACT_DAYS_MAX_DELETES is "${bad}": expected a whole number of extras deleted per day from 1 to 1000000000 (default 10000)`]);
    }
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

  it('fits the function and role names of 58- to 71-character stack names into 64 characters, hashing only what is too long', () => {
    const stack = (n: number): string => `s${'t'.repeat(n - 1)}`;
    for (let n = 56; n <= 71; n++) {
      const c = parseDeployConfig(env({ S3_REPLICATE_STACK_NAME: stack(n) }));
      expect(c.functionName.length, `function of ${n}`).to.be.at.most(64);
      expect(c.lambdaRoleName.length, `role of ${n}`).to.be.at.most(64);
      expect(c.lambdaRoleName.endsWith('-lambda'), `role of ${n}`).to.equal(true);
      // The role name is the stack name + "-lambda" up to 57 characters, shortened with a hash above.
      if (n <= 57) expect(c.lambdaRoleName).to.equal(`${stack(n)}-lambda`);
      else expect(c.lambdaRoleName).to.match(new RegExp(`^${stack(n).slice(0, 48)}-[0-9a-f]{8}-lambda$`));
      // The function name is the stack name up to 64 characters.
      if (n <= 64) expect(c.functionName).to.equal(stack(n));
      else expect(c.functionName).to.match(new RegExp(`^${stack(n).slice(0, 55)}-[0-9a-f]{8}$`));
    }
    // Names that differ only past the cut still differ (the hash covers the whole name), and stay stable.
    expect(fitName(`${stack(60)}a`, '-lambda')).to.not.equal(fitName(`${stack(60)}b`, '-lambda'));
    expect(fitName(stack(70), '-lambda')).to.equal(fitName(stack(70), '-lambda'));
    expect(fitName('abc', '-x', 5)).to.equal('abc-x');
  });

  it('caps the prefix format and the destination prefix at 512 characters', () => {
    const format = `${'p'.repeat(512 - '{YYYY}/{MM}/{DD}/'.length)}{YYYY}/{MM}/{DD}/`;
    expect(parseDeployConfig(env({ S3_REPLICATE_PREFIX_FORMAT: format })).prefixFormat).to.have.length(512);
    expect(problems(env({ S3_REPLICATE_PREFIX_FORMAT: `p${format}` }))).to.deep.equal([`S3_REPLICATE_PREFIX_FORMAT is "p${format}": at most 512 characters (it has 513)`]);
    expect(parseDeployConfig(env({ S3_REPLICATE_DEST_PREFIX: 'd'.repeat(512) })).destinationPrefix).to.have.length(512);
    expect(problems(env({ S3_REPLICATE_DEST_PREFIX: 'd'.repeat(513) }))).to.deep.equal([
      `S3_REPLICATE_DEST_PREFIX is "${'d'.repeat(513)}": expected at most 512 letters, digits and / _ . = -, not starting with "/"`,
    ]);
  });

  it('takes S3_REPLICATE_LAG_DAYS as plain decimal digits from 0 to 3650 only', () => {
    expect(parseDeployConfig(env({ S3_REPLICATE_LAG_DAYS: '0' })).lagDays).to.equal(0);
    expect(parseDeployConfig(env({ S3_REPLICATE_LAG_DAYS: '3650' })).lagDays).to.equal(3650);
    for (const bad of ['1e2', '0x10', '+1', ' 1', '1 d', '10000', 'NaN', 'Infinity']) {
      expect(problems(env({ S3_REPLICATE_LAG_DAYS: bad })), bad).to.deep.equal([
        `S3_REPLICATE_LAG_DAYS is ${JSON.stringify(bad)}: expected a whole number of days from 0 to 3650 (default 1)`,
      ]);
    }
  });

  it('checks bucket names: 3 to 63 characters, no IP address form, no reserved prefix or suffix', () => {
    expect(parseDeployConfig(env({ S3_ROOT_BUCKET: 'abc' })).sourceBucket).to.equal('abc');
    expect(parseDeployConfig(env({ S3_ROOT_BUCKET: 'a'.repeat(63) })).sourceBucket).to.have.length(63);
    expect(parseDeployConfig(env({ S3_ROOT_BUCKET: '1.2.3.4.5' })).sourceBucket).to.equal('1.2.3.4.5');
    expect(parseDeployConfig(env({ S3_ROOT_BUCKET: 'a1.2.3.4' })).sourceBucket).to.equal('a1.2.3.4');
    const one = (value: string, fragment: RegExp): void => {
      const p = problems(env({ S3_ROOT_BUCKET: value }));
      expect(p, value).to.have.length(1);
      expect(p[0], value).to.satisfy((line: string) => line.startsWith(`S3_ROOT_BUCKET is ${JSON.stringify(value)}: `)).and.match(fragment);
    };
    one('a'.repeat(64), /3 to 63 characters, not 64|3-63/);
    one('10.0.0.1', /IP address/);
    for (const p of ['xn--', 'sthree-', 'amzn-s3-demo-']) one(`${p}data`, new RegExp(`start with .*"${p}"`));
    for (const x of ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3']) one(`data${x}`, new RegExp(`end with .*"${x.replace('.', '\\.')}"`));
    one('.data', /begin and end with a letter or digit|starting and ending with a letter or digit/);
  });

  it('counts a value of spaces only as empty', () => {
    expect(problems(env({ AWS_ACCOUNT: '   ' }))).to.deep.equal(['AWS_ACCOUNT is empty: expected the 12-digit id of the source account']);
    expect(parseDeployConfig(env({ S3_REPLICATE_EXTERNAL_ID: '  ' })).externalId).to.equal(undefined);
  });

  it('accepts the regions of every partition and refuses other shapes, naming the variable that was read', () => {
    for (const region of ['us-east-1', 'eu-central-2', 'us-gov-west-1', 'cn-north-1', 'ap-southeast-12']) {
      expect(parseDeployConfig(env({ AWS_DEFAULT_REGION: region, S3_REPLICATE_OTHER_ROLE_ARN: `arn:${region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws'}:iam::${DESTINATION_ACCOUNT}:role/w` })).region).to.equal(region);
    }
    for (const region of ['US-EAST-1', 'us-east', 'useast-1', 'us-east-123', 'us-east-1a']) {
      expect(problems(env({ AWS_DEFAULT_REGION: region })), region).to.deep.equal([`AWS_DEFAULT_REGION is "${region}": expected a region like us-east-1`]);
    }
    expect(problems(env({ AWS_DEFAULT_REGION: undefined, AWS_REGION: 'moon-1' }))).to.deep.equal(['AWS_REGION is "moon-1": expected a region like us-east-1']);
    expect(parseDeployConfig(env({ AWS_REGION: 'us-east-1' })).region).to.equal('us-east-1');
  });

  it('accepts role ARNs with a path and names of up to 64 characters', () => {
    const withPath = `arn:aws:iam::${DESTINATION_ACCOUNT}:role/service-role/team/w`;
    expect(parseDeployConfig(env({ S3_REPLICATE_OTHER_ROLE_ARN: withPath })).destinationRoleArn).to.equal(withPath);
    expect(parseDeployConfig(env({ S3_REPLICATE_OTHER_ROLE_ARN: `arn:aws:iam::${DESTINATION_ACCOUNT}:role/${'r'.repeat(64)}` })).destinationRoleArn).to.have.length.greaterThan(64);
    for (const bad of [`arn:aws:iam::${DESTINATION_ACCOUNT}:role/${'r'.repeat(65)}`, `arn:aws:iam::${DESTINATION_ACCOUNT}:role/`, `xarn:aws:iam::${DESTINATION_ACCOUNT}:role/w`, `arn:aws:iam::${DESTINATION_ACCOUNT}:role/w `]) {
      expect(problems(env({ S3_REPLICATE_OTHER_ROLE_ARN: bad })), bad).to.deep.equal([`S3_REPLICATE_OTHER_ROLE_ARN is ${JSON.stringify(bad)}: expected an IAM role ARN, arn:aws:iam::<12-digit account>:role/<name>`]);
    }
  });

  it('accepts KMS key ARNs with a key id or a multi-Region key id, not an alias or another shape', () => {
    const key = `arn:aws:kms:us-east-1:${DESTINATION_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const mrk = `arn:aws:kms:us-east-1:${DESTINATION_ACCOUNT}:key/mrk-${'0123456789abcdef'.repeat(2)}`;
    expect(parseDeployConfig(env({ S3_REPLICATE_KMS_KEY_ARN: key })).kmsKeyArn).to.equal(key);
    expect(parseDeployConfig(env({ S3_REPLICATE_KMS_KEY_ARN: mrk })).kmsKeyArn).to.equal(mrk);
    for (const bad of [key.toUpperCase(), `${key}0`, `${mrk}0`, key.replace('us-east-1', 'useast1'), key.replace(DESTINATION_ACCOUNT, '123')]) {
      expect(problems(env({ S3_REPLICATE_KMS_KEY_ARN: bad })), bad).to.deep.equal([`S3_REPLICATE_KMS_KEY_ARN is ${JSON.stringify(bad)}: expected a KMS key ARN, arn:aws:kms:<region>:<account>:key/<key id> (not an alias)`]);
    }
  });

  it('accepts external ids of 2 to 1,224 characters of the STS set', () => {
    expect(parseDeployConfig(env({ S3_REPLICATE_EXTERNAL_ID: 'ab' })).externalId).to.equal('ab');
    expect(parseDeployConfig(env({ S3_REPLICATE_EXTERNAL_ID: `+=,.@:/_-${'x'.repeat(1215)}` })).externalId).to.have.length(1224);
    expect(problems(env({ S3_REPLICATE_EXTERNAL_ID: 'x'.repeat(1225) }))).to.deep.equal(['S3_REPLICATE_EXTERNAL_ID is malformed (1225 characters): expected 2–1224 letters, digits and + = , . @ : / _ -']);
  });

  it('reads the artifact bucket, the stack name and the endpoint when given', () => {
    const c = parseDeployConfig(env({ S3_ARTIFACT_BUCKET: 'my-artifacts', S3_REPLICATE_STACK_NAME: 'S', AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' }));
    expect(c).to.deep.include({ artifactBucket: 'my-artifacts', stackName: 'S', functionName: 'S', lambdaRoleName: 'S-lambda', endpointUrl: 'http://127.0.0.1:5000' });
    expect(parseDeployConfig(env({ S3_REPLICATE_STACK_NAME: `S${'a'.repeat(127)}` })).stackName).to.have.length(128);
    expect(problems(env({ S3_REPLICATE_STACK_NAME: `S${'a'.repeat(128)}` }))).to.have.length(1);
    expect(problems(env({ AWS_ENDPOINT_URL: 'http:// x' }))).to.deep.equal(['AWS_ENDPOINT_URL is "http:// x": not a URL (scheme://host[:port]); expected an https:// endpoint or a loopback one (http://127.0.0.1:PORT)']);
  });

  it('narrows the source to the text of the prefix format before its first token', () => {
    expect(parseDeployConfig(env({ S3_REPLICATE_PREFIX_FORMAT: 'a/b/{YYYY}/{MM}/{DD}' })).sourceKeyPrefix).to.equal('a/b/');
  });

  it('reads S3_REPLICATE_EXCLUDE as a list of glob patterns (none when unset), refusing a bad one and a Deny too large for the bucket policy', () => {
    expect(parseDeployConfig(env()).exclude).to.deep.equal([]);
    expect(parseDeployConfig(env({ S3_REPLICATE_EXCLUDE: '_temporary/**, *.crc' })).exclude).to.deep.equal(['_temporary/**', '*.crc']);
    expect(problems(env({ S3_REPLICATE_EXCLUDE: 'ok,a b' }))).to.have.length(1).and.satisfy((p: string[]) => p[0]!.startsWith('S3_REPLICATE_EXCLUDE has the pattern "a b"'));
    // 32 patterns of three "**" each: 8 resources apiece after a 500-character day pattern.
    const long = `${'x'.repeat(480)}/{YYYY}/{MM}/{DD}/`;
    const many = Array.from({ length: 8 }, (_, i) => `a${i}/**/b/**/c`).join(',');
    expect(problems(env({ S3_REPLICATE_PREFIX_FORMAT: long, S3_REPLICATE_EXCLUDE: many })).join()).to.match(/^S3_REPLICATE_EXCLUDE: the bucket policy's Deny of its patterns would take \d+ characters, at most 8192/);
    expect(problems(env({ S3_REPLICATE_EXCLUDE: many }))).to.deep.equal([]);
  });

  it('reads S3_REPLICATE_SOURCE_READY_KEY and S3_REPLICATE_LOOKBACK_DAYS (default 3, 0–31)', () => {
    expect(parseDeployConfig(env())).to.deep.include({ sourceReadyKey: undefined, lookbackDays: 3 });
    expect(parseDeployConfig(env({ S3_REPLICATE_SOURCE_READY_KEY: '_SUCCESS', S3_REPLICATE_LOOKBACK_DAYS: '0' }))).to.deep.include({ sourceReadyKey: '_SUCCESS', lookbackDays: 0 });
    expect(problems(env({ S3_REPLICATE_LOOKBACK_DAYS: '32' }))).to.deep.equal(['S3_REPLICATE_LOOKBACK_DAYS is "32": expected a whole number of days from 0 (off) to 31 (default 3)']);
    expect(problems(env({ S3_REPLICATE_SOURCE_READY_KEY: 'a b' }))[0]).to.match(/^S3_REPLICATE_SOURCE_READY_KEY is "a b": expected a key relative to the day prefix/);
  });

  it('reads S3_REPLICATE_EMPTY_DAYS_OK and S3_REPLICATE_DAY_MARKER as true or false (default false), refusing anything else by name', () => {
    for (const [variable, field] of [['S3_REPLICATE_EMPTY_DAYS_OK', 'emptyDaysOk'], ['S3_REPLICATE_DAY_MARKER', 'dayMarker']] as const) {
      expect(parseDeployConfig(env())[field], `${variable} unset`).to.equal(false);
      expect(parseDeployConfig(env({ [variable]: 'true' }))[field], `${variable}=true`).to.equal(true);
      expect(parseDeployConfig(env({ [variable]: 'false' }))[field], `${variable}=false`).to.equal(false);
      for (const bad of ['TRUE', 'yes', '1']) {
        expect(problems(env({ [variable]: bad }))).to.deep.equal([`${variable} is "${bad}": expected true or false (default false)`]);
      }
    }
  });

  it('takes one alarm email address of up to 254 characters, and refuses what is no address', () => {
    const domain = '@example.com';
    for (const good of ['ops@example.com', 'first.last+tag_1%x@mail-1.example.co', `${'a'.repeat(254 - domain.length)}${domain}`]) {
      expect(parseDeployConfig(env({ S3_REPLICATE_ALARM_EMAIL: good })).alarmEmail).to.equal(good);
    }
    for (const bad of [`${'a'.repeat(255 - domain.length)}${domain}`, 'ops example.com', 'ops@example', 'ops@example.c', 'ops@ex_ample.com', '@example.com', 'ops@.com', 'ops@example.c0m', ' ops@example.com', 'ops@example.com ', 'ops@@example.com', 'ops@example..com']) {
      expect(problems(env({ S3_REPLICATE_ALARM_EMAIL: bad })), bad).to.deep.equal([`S3_REPLICATE_ALARM_EMAIL is ${JSON.stringify(bad)}: expected one email address like ops@example.com`]);
    }
  });

  it("takes an SNS topic ARN of the stack's own partition, account and region, naming what differs", () => {
    const topic = (partition: string, region: string, account: string, name: string) => `arn:${partition}:sns:${region}:${account}:${name}`;
    for (const name of ['alerts', 'A_b-9', 'n'.repeat(256)]) {
      const arn = topic('aws', 'us-east-1', SOURCE_ACCOUNT, name);
      expect(parseDeployConfig(env({ S3_REPLICATE_ALARM_TOPIC_ARN: arn })).alarmTopicArn).to.equal(arn);
    }
    const shape = (arn: string) => `S3_REPLICATE_ALARM_TOPIC_ARN is ${JSON.stringify(arn)}: expected an SNS topic ARN, arn:aws:sns:<region>:<account>:<name>`;
    for (const arn of [
      topic('aws', 'us-east-1', SOURCE_ACCOUNT, 'n'.repeat(257)),
      topic('aws', 'us-east-1', SOURCE_ACCOUNT, 'a.fifo'),
      topic('aws', 'us-east-1', SOURCE_ACCOUNT, ''),
      topic('aws', 'us-east-1', '12345678901', 'alerts'),
      topic('aws', 'us-east-1', `${SOURCE_ACCOUNT}0`, 'alerts'),
      topic('aws', 'US-EAST-1', SOURCE_ACCOUNT, 'alerts'),
      topic('aws', '', SOURCE_ACCOUNT, 'alerts'),
      topic('aws-iso', 'us-iso-east-1', SOURCE_ACCOUNT, 'alerts'),
      `arn:aws:sqs:us-east-1:${SOURCE_ACCOUNT}:alerts`,
      ` ${topic('aws', 'us-east-1', SOURCE_ACCOUNT, 'alerts')}`,
      `${topic('aws', 'us-east-1', SOURCE_ACCOUNT, 'alerts')} `,
    ]) {
      expect(problems(env({ S3_REPLICATE_ALARM_TOPIC_ARN: arn })), arn).to.deep.equal([shape(arn)]);
    }
    const gov = topic('aws-us-gov', 'us-gov-west-1', SOURCE_ACCOUNT, 'alerts');
    expect(problems(env({ S3_REPLICATE_ALARM_TOPIC_ARN: gov }))).to.deep.equal([`S3_REPLICATE_ALARM_TOPIC_ARN is ${JSON.stringify(gov)}: a topic in partition aws-us-gov, but region us-east-1 is in partition aws`]);
    expect(problems(env({ S3_REPLICATE_ALARM_TOPIC_ARN: topic('aws', 'us-east-1', DESTINATION_ACCOUNT, 'alerts') }))).to.deep.equal([`S3_REPLICATE_ALARM_TOPIC_ARN is in account ${DESTINATION_ACCOUNT}, but AWS_ACCOUNT is ${SOURCE_ACCOUNT}: the alarms publish to a topic of their own account`]);
    expect(problems(env({ S3_REPLICATE_ALARM_TOPIC_ARN: topic('aws', 'us-west-2', SOURCE_ACCOUNT, 'alerts') }))).to.deep.equal(['S3_REPLICATE_ALARM_TOPIC_ARN is in region us-west-2, but the stack is in us-east-1: the alarms publish to a topic of their own region']);
    const cn = topic('aws-cn', 'cn-north-1', SOURCE_ACCOUNT, 'alerts');
    expect(parseDeployConfig(env({ AWS_DEFAULT_REGION: 'cn-north-1', S3_REPLICATE_OTHER_ROLE_ARN: `arn:aws-cn:iam::${DESTINATION_ACCOUNT}:role/s3-push-writer`, S3_REPLICATE_ALARM_TOPIC_ARN: cn })).alarmTopicArn).to.equal(cn);
  });
});
