/**
 * The table of bad inputs (issue 6): handler events, the handler environment (through
 * `npm run invoke -- --local`), the deploy environment and the command-line flags. Each names what
 * the message must contain (the value at fault) and, for secrets, what it must not.
 */
import { deployEnv, DESTINATION_ACCOUNT, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, EXTERNAL_ID, REGION, scheduledEvent, SOURCE_ACCOUNT, SOURCE_BUCKET } from './fixtures.ts';

export type Surface = 'handler event' | 'handler env' | 'invoke flags' | 'deploy env' | 'deploy flags';

export interface BadInput {
  readonly surface: Surface;
  readonly what: string;
  /** For 'handler event': the event given to the handler. */
  readonly event?: unknown;
  /** For the CLI cases: the whole environment of the command (AWS_ENDPOINT_URL added by the test). */
  readonly env: Record<string, string | undefined>;
  /** For the CLI cases: the arguments. */
  readonly args: readonly string[];
  /** The variables of `env` the report shows. */
  readonly shows: readonly string[];
  /** Substrings the message must contain: the value at fault (and where it is). */
  readonly names: readonly string[];
  /** A value the message must not contain. */
  readonly secret?: string;
}

const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };

/** A valid environment of `npm run invoke -- --local`. */
export const HANDLER_CLI_ENV: Record<string, string | undefined> = {
  ...CREDENTIALS,
  AWS_REGION: REGION,
  SOURCE_BUCKET,
  DESTINATION_BUCKET,
  DESTINATION_ROLE_ARN,
  SOURCE_ACCOUNT_ID: SOURCE_ACCOUNT,
  EXTERNAL_ID,
};

/** A valid environment of `npm run deploy`. */
export const DEPLOY_ENV: Record<string, string | undefined> = { ...CREDENTIALS, ...deployEnv() };

const event = (what: string, ev: unknown, names: string[]): BadInput => ({ surface: 'handler event', what, event: ev, env: {}, args: [], shows: [], names });
const handlerVar = (what: string, name: string, value: string, names: string[], secret?: string): BadInput => ({
  surface: 'handler env',
  what,
  env: { ...HANDLER_CLI_ENV, [name]: value },
  args: ['--local', '--dates', '2024-01-01'],
  shows: [name],
  names,
  ...(secret ? { secret } : {}),
});
const invokeFlags = (what: string, args: string[], names: string[]): BadInput => ({ surface: 'invoke flags', what, env: HANDLER_CLI_ENV, args, shows: [], names });
const deployVar = (what: string, overrides: Record<string, string | undefined>, names: string[], secret?: string): BadInput => ({
  surface: 'deploy env',
  what,
  env: { ...DEPLOY_ENV, ...overrides },
  args: ['--plan'],
  shows: Object.keys(overrides),
  names,
  ...(secret ? { secret } : {}),
});
const deployFlags = (what: string, args: string[], names: string[]): BadInput => ({ surface: 'deploy flags', what, env: DEPLOY_ENV, args, shows: [], names });

export const BAD_INPUTS: readonly BadInput[] = [
  // The handler's events (in process, through handleEvent with the real clients).
  event('not an object: null', null, ['null']),
  event('not an object: a bare date string', '2024-01-01', ['"2024-01-01"']),
  event('not an object: a list', ['2024-01-01'], ['["2024-01-01"]']),
  event('an empty object', {}, ['{}']),
  event('"dates" is a string, not a list', { dates: '2024-01-01' }, ['"dates" is "2024-01-01"']),
  event('"dates" is empty', { dates: [] }, ['"dates" is []']),
  event('a date as a number', { dates: [20240101] }, ['"dates"[0] is 20240101']),
  event('an empty date string', { dates: [''] }, ['"dates"[0] is ""']),
  event('an impossible date (Feb 30)', { dates: ['2024-02-30'] }, ['"2024-02-30"']),
  event('Feb 29 of a common year', { dates: ['2023-02-29'] }, ['"2023-02-29"']),
  event('one bad date among good ones (nothing is copied)', { dates: ['2024-01-01', '2024-13-01'] }, ['"dates"[1] is "2024-13-01"']),
  event('a US-style date', { dates: ['01/02/2024'] }, ['"01/02/2024"']),
  event('a date with a trailing newline', { dates: ['2024-01-01\n'] }, ['"2024-01-01\\n"']),
  event('a reversed range', { from: '2024-01-31', to: '2024-01-01' }, ['2024-01-31', '2024-01-01', 'after']),
  event('a huge range (35 years)', { from: '1990-01-01', to: '2024-12-31' }, ['12784 days']),
  event('"from" without "to"', { from: '2024-01-01' }, ['"from" without "to"']),
  event('"to" is null', { from: '2024-01-01', to: null }, ['"to" is null']),
  event('an unknown key (a typo of dryRun)', { dates: ['2024-01-01'], dryrun: true }, ['"dryrun"']),
  event('"dryRun" is a string', { dates: ['2024-01-01'], dryRun: 'yes' }, ['"dryRun" is "yes"']),
  event('both "dates" and a range', { dates: ['2024-01-01'], from: '2024-01-01', to: '2024-01-02' }, ['"dates"', '"from"/"to"']),
  event('a scheduled event whose time is not a timestamp', { ...scheduledEvent('yesterday') }, ['"yesterday"']),
  event('a scheduled event on an impossible day', { ...scheduledEvent('2024-02-30T06:00:00Z') }, ['"2024-02-30T06:00:00Z"']),
  event('"check" is the string "true"', { check: 'true' }, ['"check" is "true"']),

  // The handler's environment, through npm run invoke -- --local.
  handlerVar('SOURCE_BUCKET empty', 'SOURCE_BUCKET', '', ['SOURCE_BUCKET is not set']),
  handlerVar('DESTINATION_BUCKET with capitals and an underscore', 'DESTINATION_BUCKET', 'Partner_Landing', ['DESTINATION_BUCKET is "Partner_Landing"']),
  handlerVar('DESTINATION_BUCKET with two dots in a row', 'DESTINATION_BUCKET', 'partner..landing', ['DESTINATION_BUCKET is "partner..landing"', 'adjacent dots']),
  handlerVar('REQUEST_TIMEOUT_MS below 100 ms', 'REQUEST_TIMEOUT_MS', '50', ['REQUEST_TIMEOUT_MS is "50"', 'from 100 to 900000']),
  handlerVar('REQUEST_TIMEOUT_MS in seconds with a unit', 'REQUEST_TIMEOUT_MS', '30s', ['REQUEST_TIMEOUT_MS is "30s"', 'milliseconds']),
  handlerVar('SOURCE_BUCKET shaped like an IP address', 'SOURCE_BUCKET', '192.168.5.4', ['SOURCE_BUCKET is "192.168.5.4"', 'IP address']),
  handlerVar('SOURCE_KMS_KEY_ARN as a key id, not an ARN', 'SOURCE_KMS_KEY_ARN', '5678abcd-12ab-34cd-56ef-1234567890ab', ['SOURCE_KMS_KEY_ARN is "5678abcd-12ab-34cd-56ef-1234567890ab"']),
  handlerVar('DESTINATION_ROLE_ARN with an 11-digit account', 'DESTINATION_ROLE_ARN', 'arn:aws:iam::21098765432:role/s3-push-writer', ['"arn:aws:iam::21098765432:role/s3-push-writer"']),
  handlerVar('DESTINATION_ROLE_ARN naming a user, not a role', 'DESTINATION_ROLE_ARN', `arn:aws:iam::${DESTINATION_ACCOUNT}:user/writer`, [`"arn:aws:iam::${DESTINATION_ACCOUNT}:user/writer"`]),
  handlerVar('DESTINATION_ROLE_ARN in a partition that does not exist', 'DESTINATION_ROLE_ARN', `arn:aws-moon:iam::${DESTINATION_ACCOUNT}:role/w`, [`"arn:aws-moon:iam::${DESTINATION_ACCOUNT}:role/w"`]),
  handlerVar('PREFIX_FORMAT without a day token', 'PREFIX_FORMAT', '{YYYY}/{MM}/', ['PREFIX_FORMAT is "{YYYY}/{MM}/"', '{DD}']),
  handlerVar('PREFIX_FORMAT with an unknown token', 'PREFIX_FORMAT', '{YYYY}/{MM}/{DAY}/', ['"{YYYY}/{MM}/{DAY}/"', '{DAY}']),
  handlerVar('DESTINATION_PREFIX_FORMAT with a token twice', 'DESTINATION_PREFIX_FORMAT', 'acme/{YYYY}/{YYYY}{MM}{DD}/', ['DESTINATION_PREFIX_FORMAT is "acme/{YYYY}/{YYYY}{MM}{DD}/"', '{YYYY} more than once']),
  handlerVar('DESTINATION_PREFIX_FORMAT without the day', 'DESTINATION_PREFIX_FORMAT', 'acme/{YYYY}-{MM}/', ['DESTINATION_PREFIX_FORMAT is "acme/{YYYY}-{MM}/"', '{DD}']),
  { ...handlerVar('DESTINATION_PREFIX_FORMAT and DESTINATION_PREFIX both set', 'DESTINATION_PREFIX_FORMAT', 'dt={YYYY}-{MM}-{DD}/', ['DESTINATION_PREFIX_FORMAT is "dt={YYYY}-{MM}-{DD}/"', 'DESTINATION_PREFIX is "acme/"', 'one of the two']),
    env: { ...HANDLER_CLI_ENV, DESTINATION_PREFIX_FORMAT: 'dt={YYYY}-{MM}-{DD}/', DESTINATION_PREFIX: 'acme/' }, shows: ['DESTINATION_PREFIX_FORMAT', 'DESTINATION_PREFIX'] },
  handlerVar('DESTINATION_STORAGE_CLASS in lower case', 'DESTINATION_STORAGE_CLASS', 'glacier_ir', ['DESTINATION_STORAGE_CLASS is "glacier_ir"', 'upper case: GLACIER_IR']),
  handlerVar('DESTINATION_STORAGE_CLASS of a directory bucket', 'DESTINATION_STORAGE_CLASS', 'EXPRESS_ONEZONE', ['DESTINATION_STORAGE_CLASS is "EXPRESS_ONEZONE"', 'directory buckets only']),
  handlerVar('LAG_DAYS negative', 'LAG_DAYS', '-1', ['LAG_DAYS is "-1"']),
  handlerVar('COPY_CONCURRENCY not a number', 'COPY_CONCURRENCY', 'many', ['COPY_CONCURRENCY is "many"']),
  handlerVar('COPY_CONCURRENCY_START above COPY_CONCURRENCY', 'COPY_CONCURRENCY_START', '100', ['COPY_CONCURRENCY_START is "100"', 'COPY_CONCURRENCY (62)']),
  handlerVar('PART_SIZE_BYTES below S3 minimum', 'PART_SIZE_BYTES', '1024', ['PART_SIZE_BYTES is "1024"']),
  handlerVar('EXACT_DAYS as yes', 'EXACT_DAYS', 'yes', ['EXACT_DAYS is "yes"', 'true or false']),
  handlerVar('EXACT_DAYS_MAX_DELETES of 0', 'EXACT_DAYS_MAX_DELETES', '0', ['EXACT_DAYS_MAX_DELETES is "0"', 'from 1 to 1000000000']),
  handlerVar('EXTERNAL_ID with spaces (a secret: named, not echoed)', 'EXTERNAL_ID', 'my secret id', ['EXTERNAL_ID is malformed'], 'my secret id'),
  handlerVar('EXCLUDE with a folder written as "x/" (a glob matches keys)', 'EXCLUDE', '*.crc,_temporary/', ['EXCLUDE has the pattern "_temporary/"', 'write "_temporary"']),
  handlerVar('EXCLUDE with a brace list (the comma splits it)', 'EXCLUDE', '*.{crc}', ['EXCLUDE has the pattern "*.{crc}"', 'the character "{"']),
  handlerVar('SOURCE_READY_KEY with a wildcard (it names one key)', 'SOURCE_READY_KEY', '_SUCC*', ['SOURCE_READY_KEY is "_SUCC*"']),
  handlerVar('LOOKBACK_DAYS over a month', 'LOOKBACK_DAYS', '90', ['LOOKBACK_DAYS is "90"', 'from 0 to 31']),

  // npm run invoke flags.
  invokeFlags('--dates with an impossible date', ['--local', '--dates', '2024-02-30'], ['"2024-02-30"']),
  invokeFlags('--from after --to', ['--local', '--from', '2024-01-31', '--to', '2024-01-01'], ['2024-01-31', '2024-01-01']),
  invokeFlags('--from without --to', ['--local', '--from', '2024-01-01'], ['--from needs --to']),
  invokeFlags('an unknown flag', ['--local', '--dates', '2024-01-01', '--bogus'], ['"--bogus"']),
  invokeFlags('--dates without a value', ['--local', '--dates'], ['--dates needs a value']),
  invokeFlags('--dates with an empty entry', ['--local', '--dates', '2024-01-01,,2024-01-02'], ['"2024-01-01,,2024-01-02"']),
  invokeFlags('--event naming a missing file', ['--local', '--event', 'no-such-event.json'], ['no-such-event.json']),
  invokeFlags('--event with broken JSON', ['--local', '--event', 'broken.json'], ['broken.json', 'not valid JSON']),
  invokeFlags('--event with an impossible date', ['--local', '--event', 'impossible.json'], ['"2024-02-30"']),
  invokeFlags('--local with --async', ['--local', '--async', '--dates', '2024-01-01'], ['--async', '--local']),

  // npm run deploy environment (with --plan; even a plan must not start).
  deployVar('S3_ROOT_BUCKET missing', { S3_ROOT_BUCKET: undefined }, ['S3_ROOT_BUCKET is not set']),
  deployVar('S3_REPLICATE_BUCKET_NAME with capitals', { S3_REPLICATE_BUCKET_NAME: 'Partner_Landing' }, ['S3_REPLICATE_BUCKET_NAME is "Partner_Landing"']),
  deployVar('S3_REPLICATE_BUCKET_NAME with a reserved prefix', { S3_REPLICATE_BUCKET_NAME: 'xn--partner' }, ['"xn--partner"']),
  deployVar('S3_ROOT_BUCKET too short', { S3_ROOT_BUCKET: 'ab' }, ['S3_ROOT_BUCKET is "ab"']),
  deployVar('source and destination the same bucket', { S3_REPLICATE_BUCKET_NAME: SOURCE_BUCKET }, [`"${SOURCE_BUCKET}", the same as S3_ROOT_BUCKET`]),
  deployVar('S3_REPLICATE_OTHER_ACCOUNT with 11 digits', { S3_REPLICATE_OTHER_ACCOUNT: '21098765432' }, ['S3_REPLICATE_OTHER_ACCOUNT is "21098765432"']),
  deployVar('the role ARN in another account than S3_REPLICATE_OTHER_ACCOUNT', { S3_REPLICATE_OTHER_ROLE_ARN: 'arn:aws:iam::999999999999:role/s3-push-writer' }, ['999999999999', DESTINATION_ACCOUNT]),
  deployVar('the role ARN in the China partition while deploying to us-east-1', { S3_REPLICATE_OTHER_ROLE_ARN: `arn:aws-cn:iam::${DESTINATION_ACCOUNT}:role/s3-push-writer` }, [`arn:aws-cn:iam::${DESTINATION_ACCOUNT}:role/s3-push-writer`, 'us-east-1']),
  deployVar('the role ARN in a partition that does not exist', { S3_REPLICATE_OTHER_ROLE_ARN: `arn:aws-moon:iam::${DESTINATION_ACCOUNT}:role/w` }, [`"arn:aws-moon:iam::${DESTINATION_ACCOUNT}:role/w"`]),
  deployVar('a KMS alias instead of a key ARN', { S3_REPLICATE_KMS_KEY_ARN: 'alias/partner-key' }, ['S3_REPLICATE_KMS_KEY_ARN is "alias/partner-key"']),
  deployVar('the source objects\' KMS key as an alias', { S3_REPLICATE_SOURCE_KMS_KEY_ARN: 'arn:aws:kms:us-east-1:123456789012:alias/aws/s3' }, ['S3_REPLICATE_SOURCE_KMS_KEY_ARN is "arn:aws:kms:us-east-1:123456789012:alias/aws/s3"']),
  deployVar('the source objects\' KMS key in another region than the source bucket', { S3_REPLICATE_SOURCE_KMS_KEY_ARN: 'arn:aws:kms:eu-west-1:123456789012:key/5678abcd-12ab-34cd-56ef-1234567890ab' }, ['S3_REPLICATE_SOURCE_KMS_KEY_ARN is "arn:aws:kms:eu-west-1:123456789012:key/5678abcd-12ab-34cd-56ef-1234567890ab"', 'eu-west-1']),
  deployVar('the source objects\' KMS key in the destination account', { S3_REPLICATE_SOURCE_KMS_KEY_ARN: `arn:aws:kms:us-east-1:${DESTINATION_ACCOUNT}:key/5678abcd-12ab-34cd-56ef-1234567890ab` }, ['S3_REPLICATE_SOURCE_KMS_KEY_ARN is in account 210987654321']),
  deployVar('a cron with 5 fields (crontab style)', { S3_REPLICATE_SCHEDULE: 'cron(0 6 * * *)' }, ['S3_REPLICATE_SCHEDULE is "cron(0 6 * * *)"', '6 fields']),
  deployVar('a cron with both day-of-month and day-of-week', { S3_REPLICATE_SCHEDULE: 'cron(0 6 * * MON *)' }, ['"cron(0 6 * * MON *)"', '"?"']),
  deployVar('a cron at hour 25', { S3_REPLICATE_SCHEDULE: 'cron(0 25 * * ? *)' }, ['"cron(0 25 * * ? *)"', 'hours "25"']),
  deployVar('rate with a plural for 1', { S3_REPLICATE_SCHEDULE: 'rate(1 days)' }, ['"rate(1 days)"', 'rate(1 day)']),
  deployVar('rate of zero minutes', { S3_REPLICATE_SCHEDULE: 'rate(0 minutes)' }, ['"rate(0 minutes)"']),
  deployVar('a schedule that is neither rate nor cron', { S3_REPLICATE_SCHEDULE: 'daily at 6' }, ['"daily at 6"']),
  deployVar('a weekly schedule, longer than the deadline alarm can wait', { S3_REPLICATE_SCHEDULE: 'cron(0 6 ? * MON *)' }, ['S3_REPLICATE_SCHEDULE is "cron(0 6 ? * MON *)"', '168 hours']),
  deployVar('a schedule that fires once a month', { S3_REPLICATE_SCHEDULE: 'rate(30 days)' }, ['"rate(30 days)"', '30 days']),
  deployVar('a cron whose years are all past', { S3_REPLICATE_SCHEDULE: 'cron(0 6 * * ? 1999)' }, ['"cron(0 6 * * ? 1999)"', 'does not fire']),
  deployVar('S3_REPLICATE_EXACT_DAYS as 1', { S3_REPLICATE_EXACT_DAYS: '1' }, ['S3_REPLICATE_EXACT_DAYS is "1"', 'true or false']),
  deployVar('S3_REPLICATE_EXACT_DAYS_MAX_DELETES as a word', { S3_REPLICATE_EXACT_DAYS_MAX_DELETES: 'all' }, ['S3_REPLICATE_EXACT_DAYS_MAX_DELETES is "all"', 'from 1 to 1000000000']),
  deployVar('S3_REPLICATE_PREFIX_FORMAT without a day token', { S3_REPLICATE_PREFIX_FORMAT: 'exports/{YYYY}/{MM}/' }, ['"exports/{YYYY}/{MM}/"', '{DD}']),
  deployVar('S3_REPLICATE_PREFIX_FORMAT with a wildcard (lands in IAM policies)', { S3_REPLICATE_PREFIX_FORMAT: 'exports/*/{YYYY}/{MM}/{DD}/' }, ['"exports/*/{YYYY}/{MM}/{DD}/"']),
  deployVar('S3_REPLICATE_PREFIX_FORMAT with a quote (would break the policy JSON)', { S3_REPLICATE_PREFIX_FORMAT: 'ex"ports/{YYYY}/{MM}/{DD}/' }, ['S3_REPLICATE_PREFIX_FORMAT is "ex\\"ports/{YYYY}/{MM}/{DD}/"']),
  deployVar('S3_REPLICATE_DEST_PREFIX_FORMAT with an unknown token', { S3_REPLICATE_DEST_PREFIX_FORMAT: 'acme/dt={YYYY}-{MM}-{DAY}/' }, ['S3_REPLICATE_DEST_PREFIX_FORMAT is "acme/dt={YYYY}-{MM}-{DAY}/"', '{DAY}']),
  deployVar('S3_REPLICATE_DEST_PREFIX_FORMAT with a token twice', { S3_REPLICATE_DEST_PREFIX_FORMAT: 'acme/{YYYY}/{YYYY}-{MM}-{DD}/' }, ['S3_REPLICATE_DEST_PREFIX_FORMAT is "acme/{YYYY}/{YYYY}-{MM}-{DD}/"', 'more than once']),
  deployVar('S3_REPLICATE_DEST_PREFIX_FORMAT with a wildcard (lands in IAM policies)', { S3_REPLICATE_DEST_PREFIX_FORMAT: 'acme/*/{YYYY}/{MM}/{DD}/' }, ['S3_REPLICATE_DEST_PREFIX_FORMAT is "acme/*/{YYYY}/{MM}/{DD}/"']),
  deployVar('S3_REPLICATE_DEST_PREFIX_FORMAT together with S3_REPLICATE_DEST_PREFIX', { S3_REPLICATE_DEST_PREFIX: 'acme/', S3_REPLICATE_DEST_PREFIX_FORMAT: 'dt={YYYY}-{MM}-{DD}/' }, ['S3_REPLICATE_DEST_PREFIX_FORMAT is "dt={YYYY}-{MM}-{DD}/"', 'S3_REPLICATE_DEST_PREFIX is "acme/"', 'one of the two']),
  deployVar('S3_REPLICATE_DEST_STORAGE_CLASS a console name', { S3_REPLICATE_DEST_STORAGE_CLASS: 'Glacier Deep Archive' }, ['S3_REPLICATE_DEST_STORAGE_CLASS is "Glacier Deep Archive"', 'DEEP_ARCHIVE']),
  deployVar('S3_REPLICATE_DEST_STORAGE_CLASS of S3 on Outposts', { S3_REPLICATE_DEST_STORAGE_CLASS: 'OUTPOSTS' }, ['S3_REPLICATE_DEST_STORAGE_CLASS is "OUTPOSTS"', 'S3 on Outposts buckets only']),
  deployVar('S3_REPLICATE_LAG_DAYS a word', { S3_REPLICATE_LAG_DAYS: 'yesterday' }, ['S3_REPLICATE_LAG_DAYS is "yesterday"']),
  deployVar('AWS_ACCOUNT not digits', { AWS_ACCOUNT: 'acme-prod' }, ['AWS_ACCOUNT is "acme-prod"']),
  deployVar('no region at all', { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined }, ['AWS_DEFAULT_REGION (or AWS_REGION) is not set']),
  deployVar('a region that does not exist in shape', { AWS_REGION: 'moon', AWS_DEFAULT_REGION: 'moon' }, ['"moon"']),
  deployVar('S3_REPLICATE_STACK_NAME starting with a digit', { S3_REPLICATE_STACK_NAME: '1-replicate' }, ['S3_REPLICATE_STACK_NAME is "1-replicate"']),
  deployVar('S3_REPLICATE_EXTERNAL_ID with a quote (a secret: named, not echoed)', { S3_REPLICATE_EXTERNAL_ID: 'abc"def' }, ['S3_REPLICATE_EXTERNAL_ID is malformed'], 'abc"def'),
  deployVar('AWS_ENDPOINT_URL not a URL', { AWS_ENDPOINT_URL: 'localhost:4566' }, ['AWS_ENDPOINT_URL is "localhost:4566"']),
  deployVar('S3_REPLICATE_EXCLUDE with a pattern of wildcards only (the whole day)', { S3_REPLICATE_EXCLUDE: '_temporary/**,**' }, ['S3_REPLICATE_EXCLUDE has the pattern "**"', 'every object of the day']),
  deployVar('S3_REPLICATE_EXCLUDE with a quote (would break the bucket policy)', { S3_REPLICATE_EXCLUDE: 'a"b' }, ['S3_REPLICATE_EXCLUDE has the pattern "a\\"b"']),
  deployVar('S3_REPLICATE_SOURCE_READY_KEY excluded by S3_REPLICATE_EXCLUDE (never copied)', { S3_REPLICATE_SOURCE_READY_KEY: '_SUCCESS', S3_REPLICATE_EXCLUDE: '_*' }, ['S3_REPLICATE_SOURCE_READY_KEY is "_SUCCESS"', 'excluded']),
  deployVar('S3_REPLICATE_LOOKBACK_DAYS negative', { S3_REPLICATE_LOOKBACK_DAYS: '-1' }, ['S3_REPLICATE_LOOKBACK_DAYS is "-1"', 'from 0 (off) to 31']),

  // npm run deploy flags.
  deployFlags('an unknown flag', ['--bogus'], ['"--bogus"']),
  deployFlags('--out without a directory', ['--out'], ['--out needs a value: --out DIR']),
  deployFlags('--plan with --apply-source-policy', ['--plan', '--apply-source-policy'], ['--plan', '--apply-source-policy']),
];
