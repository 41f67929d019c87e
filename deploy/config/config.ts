/**
 * The environment of `npm run deploy` (docs/configuration.md, "Deploy variables"), parsed in one pure
 * function that takes `env` as an argument, reports every fault at once and returns a frozen
 * config. No AWS call.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_PREFIX_FORMAT, KEY_PREFIX_PATTERN, dayPattern, destinationPrefixFormatProblems, prefixFormatProblems, staticLead } from '../../rules/prefix.ts';
import { BUCKET_NAME_EXPECTED, bucketNameProblem } from '../../rules/bucketName.ts';
import { DEFAULT_LAG_DAYS, MAX_LAG_DAYS } from '../../rules/dates.ts';
import { DEFAULT_MAX_DELETES_PER_DAY, MAX_MAX_DELETES_PER_DAY } from '../../handler/copy/extras.ts';
import { externalIdProblem, kmsKeyArnProblem, parseRoleArn, partitionMismatch, partitionOf, ROLE_ARN_EXPECTED } from '../../rules/awsNames.ts';
import { ConfigError } from '../../rules/errors.ts';
import { storageClassProblem, type CopyStorageClass } from '../../rules/storageClass.ts';
import { denySizeProblem, excludedResources, excludeProblems, splitExcludePatterns } from '../../rules/exclude.ts';
import { DEFAULT_LOOKBACK_DAYS, MAX_LOOKBACK_DAYS, readyKeyProblem } from '../../rules/readyKey.ts';
import { DAY_MARKER_NAME } from '../../handler/marker/manifest.ts';
import { plainHttpEndpointProblems } from '../../rules/endpoint.ts';
import { readRegion } from './region.ts';
import { scheduleProblem } from './schedule.ts';
import { dayDeadlineHours } from './scheduleGap.ts';
import { MAX_EVENT_PATTERN_CHARS, objectCreatedPattern } from './eventPattern.ts';

/** Default `S3_REPLICATE_SCHEDULE`: 06:00 UTC every day. */
export const DEFAULT_SCHEDULE = 'cron(0 6 * * ? *)';

/** The validated deploy configuration. */
export interface DeployConfig {
  /** `AWS_REGION`, else `AWS_DEFAULT_REGION`. */
  readonly region: string;
  /** `AWS_ACCOUNT`: the source account; the credentials must belong to it. */
  readonly account: string;
  /** `S3_ROOT_BUCKET`. */
  readonly sourceBucket: string;
  /** `S3_REPLICATE_BUCKET_NAME`. */
  readonly destinationBucket: string;
  /** `S3_REPLICATE_OTHER_ACCOUNT`. */
  readonly destinationAccount: string;
  /** `S3_REPLICATE_OTHER_ROLE_ARN`; its account is `destinationAccount`. */
  readonly destinationRoleArn: string;
  /** `S3_REPLICATE_EXTERNAL_ID`, undefined when unset or empty. Never print it. */
  readonly externalId: string | undefined;
  /** `S3_REPLICATE_PREFIX_FORMAT`, default `{YYYY}/{MM}/{DD}/`. */
  readonly prefixFormat: string;
  /** The fixed part of the prefix format before its first token (may be empty): the function reads only under it. */
  readonly sourceKeyPrefix: string;
  /** `S3_REPLICATE_DEST_PREFIX`, default empty. */
  readonly destinationPrefix: string;
  /** `S3_REPLICATE_DEST_PREFIX_FORMAT`: the destination prefix of one day; undefined when unset (then the source's, under the destination prefix). */
  readonly destinationPrefixFormat: string | undefined;
  /** `S3_REPLICATE_DEST_STORAGE_CLASS`: the copies' storage class; undefined when unset (S3's default, STANDARD). */
  readonly destinationStorageClass: CopyStorageClass | undefined;
  /** `S3_REPLICATE_SCHEDULE`, default `cron(0 6 * * ? *)`. */
  readonly schedule: string;
  /** The "day not completed" alarm's hours: the schedule's longest gap between two runs plus a margin (26 for a daily schedule). */
  readonly dayDeadlineHours: number;
  /** `S3_REPLICATE_LAG_DAYS`, default 1. */
  readonly lagDays: number;
  /** `S3_REPLICATE_KMS_KEY_ARN`, undefined when unset. */
  readonly kmsKeyArn: string | undefined;
  /** `S3_REPLICATE_SOURCE_KMS_KEY_ARN`: the key the source objects are encrypted with, undefined when unset. */
  readonly sourceKmsKeyArn: string | undefined;
  /** `S3_ARTIFACT_BUCKET`, default `s3-push-artifacts-<account>-<region>`. */
  readonly artifactBucket: string;
  /** `S3_REPLICATE_STACK_NAME`, default `replicate-to-<destination bucket, dots as hyphens>`. */
  readonly stackName: string;
  /** The function's name, derived from the stack name (at most 64 characters). */
  readonly functionName: string;
  /** The execution role's name, derived from the stack name (at most 64 characters). */
  readonly lambdaRoleName: string;
  /** The partition of `region` (aws, aws-cn, aws-us-gov): the first field of every ARN deploy builds. */
  readonly partition: string;
  /** `AWS_ENDPOINT_URL` when set (a local emulator). */
  readonly endpointUrl: string | undefined;
  /** `S3_REPLICATE_PUSH_ON_WRITE` (`true` or `false`, default false): the EventBridge rule and the object queue. */
  readonly pushOnWrite: boolean;
  /** `S3_REPLICATE_ALARM_EMAIL`: subscribed by email to the alarm topic; undefined when unset. */
  readonly alarmEmail: string | undefined;
  /** `S3_REPLICATE_ALARM_TOPIC_ARN`: an existing topic (this account and region) instead of the stack's own; undefined when unset. */
  readonly alarmTopicArn: string | undefined;
  /** `S3_REPLICATE_EMPTY_DAYS_OK`, default false: true turns the "scheduled day listed no object" alarm off. */
  readonly emptyDaysOk: boolean;
  /** `S3_REPLICATE_DAY_MARKER`, default false: the function writes the day-complete marker (DAY_MARKER). */
  readonly dayMarker: boolean;
  /** `S3_REPLICATE_EXCLUDE`: glob patterns, relative to the day prefix, of keys that are not objects of a day (EXCLUDE); empty when unset. */
  readonly exclude: readonly string[];
  /** `S3_REPLICATE_SOURCE_READY_KEY`: upstream's ready marker relative to the day prefix (SOURCE_READY_KEY); undefined when unset. */
  readonly sourceReadyKey: string | undefined;
  /** `S3_REPLICATE_LOOKBACK_DAYS`, default 3 (0–31): days before the scheduled one that each scheduled run reconciles (LOOKBACK_DAYS). */
  readonly lookbackDays: number;
  /**
   * `S3_REPLICATE_EXACT_DAYS`, default false: the function deletes the destination objects of a day
   * that the source day does not have (EXACT_DAYS), and the role document grants s3:DeleteObject
   * on the destination's day pattern only.
   */
  readonly exactDays: boolean;
  /** `S3_REPLICATE_EXACT_DAYS_MAX_DELETES`, default 10,000: the most extras exact days delete in one day (EXACT_DAYS_MAX_DELETES). */
  readonly exactDaysMaxDeletes: number;
}

type Env = Readonly<Record<string, string | undefined>>;

const KEY_CHARS = new RegExp(KEY_PREFIX_PATTERN);
const ACCOUNT = /^\d{12}$/;
// What SNS accepts for an email endpoint is looser; this catches typos (spaces, no domain, no dot).
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
const TOPIC_ARN = /^arn:(aws|aws-cn|aws-us-gov):sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256})$/;
/** CloudFormation's stack name rule. */
export const STACK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/** EventBridge's longest schedule expression (AWS::Events::Rule ScheduleExpression, maxLength 256). */
export const MAX_SCHEDULE_LENGTH = 256;
/**
 * IAM's longest role path, its slashes included
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): a longer path
 * names no role AssumeRole could find.
 */
export const MAX_ROLE_PATH = 512;

/** The path of a role ARN (`/` when it has none), e.g. `/team/` of `arn:aws:iam::1:role/team/writer`. */
export function rolePathOf(roleArn: string): string {
  const rest = roleArn.slice(roleArn.indexOf(':role/') + ':role/'.length);
  return `/${rest.slice(0, rest.lastIndexOf('/') + 1)}`;
}

/** The region of a KMS key ARN (its fourth field). */
export function kmsKeyRegion(arn: string): string {
  return arn.split(':')[3] ?? '';
}

/** The default stack name of a destination bucket: `replicate-to-<bucket>`, dots as hyphens (stack names allow no dots). */
export function defaultStackName(destinationBucket: string): string {
  return `replicate-to-${destinationBucket.replaceAll('.', '-')}`;
}

/** `base + suffix`, shortened with a hash of `base` when it exceeds `max` (names stay unique and stable). */
export function fitName(base: string, suffix: string, max = 64): string {
  if (base.length + suffix.length <= max) return base + suffix;
  const hash = createHash('sha256').update(base).digest('hex').slice(0, 8);
  return `${base.slice(0, max - suffix.length - hash.length - 1)}-${hash}${suffix}`;
}

/**
 * Parses the deploy environment. Every missing or malformed variable is reported in one
 * {@link ConfigError} (exit 2); nothing is read from AWS.
 */
/** What the deploy environment's parsing needs besides the environment. */
export interface ParseOptions {
  /** Where the schedule's fires are enumerated from (the deadline alarm's hours). Default: now. */
  readonly now?: Date;
}

export function parseDeployConfig(env: Env, options: ParseOptions = {}): DeployConfig {
  const problems: string[] = [];
  const show = (v: string) => JSON.stringify(v);
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v;
  };
  const required = (name: string, expected: string): string | undefined => {
    const v = get(name);
    if (v === undefined) problems.push(`${name} is ${env[name] === undefined ? 'not set' : 'empty'}: expected ${expected}`);
    return v;
  };
  const bucket = (name: string, v: string | undefined): string => {
    if (v === undefined) return '';
    const p = bucketNameProblem(v);
    if (p) problems.push(`${name} is ${show(v)}: ${p}`);
    return v;
  };

  const region = readRegion(env, 'the stack and the source bucket', problems) ?? '';

  const account = required('AWS_ACCOUNT', 'the 12-digit id of the source account') ?? '';
  if (account && !ACCOUNT.test(account)) problems.push(`AWS_ACCOUNT is ${show(account)}: expected a 12-digit account id`);

  const sourceBucket = bucket('S3_ROOT_BUCKET', required('S3_ROOT_BUCKET', `the source bucket name (${BUCKET_NAME_EXPECTED})`));
  const destinationBucket = bucket('S3_REPLICATE_BUCKET_NAME', required('S3_REPLICATE_BUCKET_NAME', `the destination bucket name (${BUCKET_NAME_EXPECTED})`));
  if (sourceBucket && sourceBucket === destinationBucket) problems.push(`S3_REPLICATE_BUCKET_NAME is ${show(destinationBucket)}, the same as S3_ROOT_BUCKET: expected another bucket`);

  const destinationAccount = required('S3_REPLICATE_OTHER_ACCOUNT', 'the 12-digit id of the destination account') ?? '';
  if (destinationAccount && !ACCOUNT.test(destinationAccount)) problems.push(`S3_REPLICATE_OTHER_ACCOUNT is ${show(destinationAccount)}: expected a 12-digit account id`);

  const destinationRoleArn = required('S3_REPLICATE_OTHER_ROLE_ARN', `the ARN of the role to assume in the destination account, ${ROLE_ARN_EXPECTED}`) ?? '';
  if (destinationRoleArn) {
    const role = parseRoleArn(destinationRoleArn);
    // AssumeRole cannot cross partitions: such a role could never be assumed from this region.
    const mismatch = role && region ? partitionMismatch(destinationRoleArn, region) : undefined;
    if (!role) problems.push(`S3_REPLICATE_OTHER_ROLE_ARN is ${show(destinationRoleArn)}: expected ${ROLE_ARN_EXPECTED}`);
    else if (rolePathOf(destinationRoleArn).length > MAX_ROLE_PATH) {
      problems.push(`S3_REPLICATE_OTHER_ROLE_ARN has a path of ${rolePathOf(destinationRoleArn).length} characters: expected at most ${MAX_ROLE_PATH}, IAM's limit`);
    } else if (mismatch) problems.push(`S3_REPLICATE_OTHER_ROLE_ARN is ${show(destinationRoleArn)}: a role ${mismatch}`);
    else if (ACCOUNT.test(destinationAccount) && role.account !== destinationAccount) {
      problems.push(`S3_REPLICATE_OTHER_ROLE_ARN is in account ${role.account}, but S3_REPLICATE_OTHER_ACCOUNT is ${destinationAccount}: the role must be in the destination account`);
    }
  }

  const externalId = get('S3_REPLICATE_EXTERNAL_ID');
  // Never echo the value: it is a shared secret of sorts.
  const externalIdFault = externalId === undefined ? undefined : externalIdProblem(externalId);
  if (externalIdFault) problems.push(`S3_REPLICATE_EXTERNAL_ID is ${externalIdFault}`);

  /** A format's own rules, and the characters and length of its fixed text. */
  const formatProblems = (format: string, rules: (f: string) => string[]): string[] => {
    const found = rules(format);
    // The fixed text lands in IAM resource ARNs and conditions, where * and ? are wildcards.
    if (!KEY_CHARS.test(format.replace(/\{(YYYY|MM|DD)\}/g, ''))) found.push('only letters, digits, / _ . = - and the tokens are allowed (they appear in IAM policies)');
    if (format.length > 512) found.push(`at most 512 characters (it has ${format.length})`);
    return found;
  };
  const prefixFormat = get('S3_REPLICATE_PREFIX_FORMAT') ?? DEFAULT_PREFIX_FORMAT;
  const prefixProblems = formatProblems(prefixFormat, prefixFormatProblems);
  for (const p of prefixProblems) problems.push(`S3_REPLICATE_PREFIX_FORMAT is ${show(prefixFormat)}: ${p}`);

  const destinationPrefix = get('S3_REPLICATE_DEST_PREFIX') ?? '';
  if (!KEY_CHARS.test(destinationPrefix) || destinationPrefix.length > 512 || destinationPrefix.startsWith('/')) {
    problems.push(`S3_REPLICATE_DEST_PREFIX is ${show(destinationPrefix)}: expected at most 512 letters, digits and / _ . = -, not starting with "/"`);
  }
  const destinationPrefixFormat = get('S3_REPLICATE_DEST_PREFIX_FORMAT');
  if (destinationPrefixFormat !== undefined) {
    for (const p of formatProblems(destinationPrefixFormat, destinationPrefixFormatProblems)) problems.push(`S3_REPLICATE_DEST_PREFIX_FORMAT is ${show(destinationPrefixFormat)}: ${p}`);
    // One home for the fixed text: with both, which comes first would be a guess.
    if (destinationPrefix !== '') {
      problems.push(`S3_REPLICATE_DEST_PREFIX_FORMAT is ${show(destinationPrefixFormat)} and S3_REPLICATE_DEST_PREFIX is ${show(destinationPrefix)}: expected one of the two (put the fixed text in the format, e.g. S3_REPLICATE_DEST_PREFIX_FORMAT=${destinationPrefix}${destinationPrefixFormat})`);
    }
  }

  const destinationStorageClass = get('S3_REPLICATE_DEST_STORAGE_CLASS');
  const storageClassFault = destinationStorageClass === undefined ? undefined : storageClassProblem(destinationStorageClass);
  if (storageClassFault) problems.push(`S3_REPLICATE_DEST_STORAGE_CLASS is ${show(destinationStorageClass!)}: ${storageClassFault}`);

  const schedule = get('S3_REPLICATE_SCHEDULE') ?? DEFAULT_SCHEDULE;
  const sp = schedule.length > MAX_SCHEDULE_LENGTH ? `at most ${MAX_SCHEDULE_LENGTH} characters, EventBridge's limit (it has ${schedule.length})` : scheduleProblem(schedule);
  if (sp) problems.push(`S3_REPLICATE_SCHEDULE is ${show(schedule)}: ${sp}`);
  const deadline = sp ? undefined : dayDeadlineHours(schedule, options.now ?? new Date());
  if (deadline && 'problem' in deadline) problems.push(`S3_REPLICATE_SCHEDULE is ${show(schedule)}: ${deadline.problem}`);

  const lagText = get('S3_REPLICATE_LAG_DAYS');
  let lagDays = DEFAULT_LAG_DAYS;
  if (lagText !== undefined) {
    lagDays = /^\d{1,4}$/.test(lagText) ? Number(lagText) : NaN;
    if (!(lagDays >= 0 && lagDays <= MAX_LAG_DAYS)) problems.push(`S3_REPLICATE_LAG_DAYS is ${show(lagText)}: expected a whole number of days from 0 to ${MAX_LAG_DAYS} (default ${DEFAULT_LAG_DAYS})`);
  }

  const kmsKeyArn = get('S3_REPLICATE_KMS_KEY_ARN');
  // A key ARN, not an alias: IAM policies grant KMS actions on keys, and the rendered role names it.
  if (kmsKeyArn !== undefined) {
    const bad = kmsKeyArnProblem(kmsKeyArn);
    const mismatch = !bad && region ? partitionMismatch(kmsKeyArn, region) : undefined;
    if (bad) problems.push(`S3_REPLICATE_KMS_KEY_ARN is ${show(kmsKeyArn)}: ${bad}`);
    else if (mismatch) problems.push(`S3_REPLICATE_KMS_KEY_ARN is ${show(kmsKeyArn)}: a key ${mismatch}`);
  }

  const sourceKmsKeyArn = get('S3_REPLICATE_SOURCE_KMS_KEY_ARN');
  if (sourceKmsKeyArn !== undefined) {
    const bad = kmsKeyArnProblem(sourceKmsKeyArn);
    if (bad) problems.push(`S3_REPLICATE_SOURCE_KMS_KEY_ARN is ${show(sourceKmsKeyArn)}: ${bad}`);
    // S3 uses a KMS key of the bucket's own region; the source bucket is in the stack's region.
    else if (region && kmsKeyRegion(sourceKmsKeyArn) !== region) {
      problems.push(`S3_REPLICATE_SOURCE_KMS_KEY_ARN is ${show(sourceKmsKeyArn)}: a key in ${kmsKeyRegion(sourceKmsKeyArn)}, but the source bucket is in ${region} (S3 encrypts with a key of the bucket's region)`);
    } else if (ACCOUNT.test(account) && sourceKmsKeyArn.split(':')[4] !== account) {
      problems.push(`S3_REPLICATE_SOURCE_KMS_KEY_ARN is in account ${sourceKmsKeyArn.split(':')[4]}, but AWS_ACCOUNT is ${account}: expected the source bucket's key, in the source account`);
    }
  }

  const artifactBucket = bucket('S3_ARTIFACT_BUCKET', get('S3_ARTIFACT_BUCKET')) || `s3-push-artifacts-${account}-${region}`;

  // Only what the user set is blamed: the default stack name comes from S3_REPLICATE_BUCKET_NAME,
  // which is already reported when it is bad (and a good bucket name always gives a good stack name).
  const givenStackName = get('S3_REPLICATE_STACK_NAME');
  const stackName = givenStackName ?? defaultStackName(destinationBucket);
  if (givenStackName !== undefined && !STACK_NAME_PATTERN.test(givenStackName)) {
    problems.push(`S3_REPLICATE_STACK_NAME is ${show(givenStackName)}: expected 1-128 letters, digits and hyphens, starting with a letter`);
  }

  const endpointUrl = get('AWS_ENDPOINT_URL');
  problems.push(...plainHttpEndpointProblems(env));

  const pushText = get('S3_REPLICATE_PUSH_ON_WRITE');
  const pushOnWrite = pushText === 'true';
  if (pushText !== undefined && pushText !== 'true' && pushText !== 'false') problems.push(`S3_REPLICATE_PUSH_ON_WRITE is ${show(pushText)}: expected true or false (default false)`);
  if (pushOnWrite && prefixProblems.length === 0) {
    const size = JSON.stringify(objectCreatedPattern(sourceBucket, staticLead(prefixFormat), get('S3_REPLICATE_EXACT_DAYS') === 'true')).length;
    if (size > MAX_EVENT_PATTERN_CHARS) problems.push(`S3_REPLICATE_PREFIX_FORMAT is ${show(prefixFormat)}: with S3_REPLICATE_PUSH_ON_WRITE=true its fixed lead, in the forms an object event may carry it (as written and URL-encoded), makes an event pattern of ${size} characters; EventBridge takes at most ${MAX_EVENT_PATTERN_CHARS}: shorten the lead before the first token`);
  }
  const alarmEmail = get('S3_REPLICATE_ALARM_EMAIL');
  if (alarmEmail !== undefined && (alarmEmail.length > 254 || !EMAIL.test(alarmEmail))) problems.push(`S3_REPLICATE_ALARM_EMAIL is ${show(alarmEmail)}: expected one email address like ops@example.com`);

  const alarmTopicArn = get('S3_REPLICATE_ALARM_TOPIC_ARN');
  if (alarmTopicArn !== undefined) {
    const m = TOPIC_ARN.exec(alarmTopicArn);
    // CloudWatch alarm actions publish to a topic of the alarm's own account and region.
    if (!m) problems.push(`S3_REPLICATE_ALARM_TOPIC_ARN is ${show(alarmTopicArn)}: expected an SNS topic ARN, arn:aws:sns:<region>:<account>:<name>`);
    else if (region && m[1] !== partitionOf(region)) problems.push(`S3_REPLICATE_ALARM_TOPIC_ARN is ${show(alarmTopicArn)}: a topic in partition ${m[1]}, but region ${region} is in partition ${partitionOf(region)}`);
    else if (ACCOUNT.test(account) && m[3] !== account) problems.push(`S3_REPLICATE_ALARM_TOPIC_ARN is in account ${m[3]}, but AWS_ACCOUNT is ${account}: the alarms publish to a topic of their own account`);
    else if (region && m[2] !== region) problems.push(`S3_REPLICATE_ALARM_TOPIC_ARN is in region ${m[2]}, but the stack is in ${region}: the alarms publish to a topic of their own region`);
  }

  const emptyText = get('S3_REPLICATE_EMPTY_DAYS_OK');
  if (emptyText !== undefined && emptyText !== 'true' && emptyText !== 'false') problems.push(`S3_REPLICATE_EMPTY_DAYS_OK is ${show(emptyText)}: expected true or false (default false)`);

  const markerText = get('S3_REPLICATE_DAY_MARKER');
  if (markerText !== undefined && markerText !== 'true' && markerText !== 'false') problems.push(`S3_REPLICATE_DAY_MARKER is ${show(markerText)}: expected true or false (default false)`);
  const exactText = get('S3_REPLICATE_EXACT_DAYS');
  if (exactText !== undefined && exactText !== 'true' && exactText !== 'false') problems.push(`S3_REPLICATE_EXACT_DAYS is ${show(exactText)}: expected true or false (default false)`);
  const maxDeletesText = get('S3_REPLICATE_EXACT_DAYS_MAX_DELETES');
  let exactDaysMaxDeletes = DEFAULT_MAX_DELETES_PER_DAY;
  if (maxDeletesText !== undefined) {
    exactDaysMaxDeletes = /^\d{1,10}$/.test(maxDeletesText) ? Number(maxDeletesText) : NaN;
    if (!(exactDaysMaxDeletes >= 1 && exactDaysMaxDeletes <= MAX_MAX_DELETES_PER_DAY)) problems.push(`S3_REPLICATE_EXACT_DAYS_MAX_DELETES is ${show(maxDeletesText)}: expected a whole number of extras deleted per day from 1 to ${MAX_MAX_DELETES_PER_DAY} (default ${DEFAULT_MAX_DELETES_PER_DAY})`);
  }

  const excludeText = get('S3_REPLICATE_EXCLUDE');
  const excludeFaults = excludeProblems('S3_REPLICATE_EXCLUDE', excludeText);
  problems.push(...excludeFaults);
  if (excludeFaults.length === 0 && prefixProblems.length === 0) {
    const resources = excludedResources(splitExcludePatterns(excludeText), `arn:${partitionOf(region || 'us-east-1')}:s3:::${sourceBucket}/${dayPattern(prefixFormat)}`);
    const tooLarge = denySizeProblem('S3_REPLICATE_EXCLUDE', resources);
    if (tooLarge) problems.push(tooLarge);
  }

  const sourceReadyKey = get('S3_REPLICATE_SOURCE_READY_KEY');
  const readyFault = sourceReadyKey === undefined ? undefined : readyKeyProblem(sourceReadyKey, excludeFaults.length > 0 ? [] : splitExcludePatterns(excludeText), DAY_MARKER_NAME);
  if (readyFault) problems.push(`S3_REPLICATE_SOURCE_READY_KEY is ${show(sourceReadyKey!)}: ${readyFault}`);

  const lookbackText = get('S3_REPLICATE_LOOKBACK_DAYS');
  let lookbackDays = DEFAULT_LOOKBACK_DAYS;
  if (lookbackText !== undefined) {
    lookbackDays = /^\d{1,2}$/.test(lookbackText) ? Number(lookbackText) : NaN;
    if (!(lookbackDays >= 0 && lookbackDays <= MAX_LOOKBACK_DAYS)) problems.push(`S3_REPLICATE_LOOKBACK_DAYS is ${show(lookbackText)}: expected a whole number of days from 0 (off) to ${MAX_LOOKBACK_DAYS} (default ${DEFAULT_LOOKBACK_DAYS})`);
  }

  if (problems.length > 0) throw new ConfigError(problems, 'the deploy environment is not valid');
  return Object.freeze({
    region,
    partition: partitionOf(region),
    account,
    sourceBucket,
    destinationBucket,
    destinationAccount,
    destinationRoleArn,
    externalId,
    prefixFormat,
    sourceKeyPrefix: staticLead(prefixFormat),
    destinationPrefix,
    destinationPrefixFormat,
    destinationStorageClass: destinationStorageClass as CopyStorageClass | undefined,
    schedule,
    dayDeadlineHours: deadline && 'hours' in deadline ? deadline.hours : 0,
    lagDays,
    kmsKeyArn,
    sourceKmsKeyArn,
    artifactBucket,
    stackName,
    functionName: fitName(stackName, '', 64),
    lambdaRoleName: fitName(stackName, '-lambda', 64),
    endpointUrl,
    pushOnWrite,
    alarmEmail,
    alarmTopicArn,
    emptyDaysOk: emptyText === 'true',
    dayMarker: markerText === 'true',
    exclude: Object.freeze(splitExcludePatterns(excludeText)),
    sourceReadyKey,
    lookbackDays,
    exactDays: exactText === 'true',
    exactDaysMaxDeletes,
  });
}
