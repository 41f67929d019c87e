/**
 * The handler's environment (set by the CloudFormation template; `npm run invoke -- --local` reads
 * the same names), parsed in one place. Pure: takes the environment as an argument.
 */
import { ConfigError } from './errors.ts';
import { DEFAULT_PREFIX_FORMAT, prefixFormatProblems } from '../rules/prefix.ts';
import { bucketNameProblem } from '../rules/bucketName.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** S3's smallest part (all but the last) and its largest single copy / part. */
export const S3_MIN_PART_BYTES = 5 * MiB;
export const S3_MAX_COPY_BYTES = 5 * GiB;

/** Default COPY_CONCURRENCY: objects copied at once (see the README for the measurement). */
export const DEFAULT_COPY_CONCURRENCY = 16;
/**
 * Default MULTIPART_THRESHOLD_BYTES: 256 MiB. Up to it one CopyObject (1 request, the source ETag
 * kept); above it a multipart copy whose parts run in parallel. S3 copies a few hundred MB in one
 * request in seconds, so small objects gain nothing from the 4 extra requests of a multipart copy,
 * while large ones finish several times faster in parallel parts.
 */
export const DEFAULT_MULTIPART_THRESHOLD_BYTES = 256 * MiB;
/** Default PART_SIZE_BYTES: 64 MiB (a 5 GiB object in 80 parts). */
export const DEFAULT_PART_SIZE_BYTES = 64 * MiB;
/** Default LAG_DAYS: a scheduled run copies yesterday (UTC). */
export const DEFAULT_LAG_DAYS = 1;

/** The handler configuration, validated and frozen. */
export interface HandlerConfig {
  /** SOURCE_BUCKET (required): the bucket read, in the function's own account. */
  readonly sourceBucket: string;
  /** DESTINATION_BUCKET (required): the bucket written, in the other account. */
  readonly destinationBucket: string;
  /** DESTINATION_ROLE_ARN (required): the role assumed to list and write the destination. */
  readonly destinationRoleArn: string;
  /** EXTERNAL_ID (optional; empty means unset): passed as sts:ExternalId. Never logged. */
  readonly externalId: string | undefined;
  /** PREFIX_FORMAT, default `{YYYY}/{MM}/{DD}/`. */
  readonly prefixFormat: string;
  /** DESTINATION_PREFIX, default empty: prepended to every destination key. */
  readonly destinationPrefix: string;
  /** LAG_DAYS, default 1 (0–3650). */
  readonly lagDays: number;
  /** KMS_KEY_ARN (optional; empty means unset): copies are SSE-KMS with this key. */
  readonly kmsKeyArn: string | undefined;
  /** COPY_CONCURRENCY, default 16 (1–256). */
  readonly copyConcurrency: number;
  /** MULTIPART_THRESHOLD_BYTES, default 256 MiB (5 MiB – 5 GiB): larger objects are copied in parts. */
  readonly multipartThresholdBytes: number;
  /** PART_SIZE_BYTES, default 64 MiB (5 MiB – 5 GiB); raised for an object that would need over 10,000 parts. */
  readonly partSizeBytes: number;
  /**
   * WORK_QUEUE_URL (optional; empty means unset): the fan-out work queue. With it, an event of more
   * than one day (or with `"fanOut": true`) is planned into one work item per day, and SQS batches
   * of work items are accepted. Without it, such events run inline as before.
   */
  readonly workQueueUrl: string | undefined;
}

/** The names of the handler environment, in the order of DESIGN.md. */
export const HANDLER_ENV_NAMES = [
  'SOURCE_BUCKET',
  'DESTINATION_BUCKET',
  'DESTINATION_ROLE_ARN',
  'EXTERNAL_ID',
  'PREFIX_FORMAT',
  'DESTINATION_PREFIX',
  'LAG_DAYS',
  'KMS_KEY_ARN',
  'COPY_CONCURRENCY',
  'MULTIPART_THRESHOLD_BYTES',
  'PART_SIZE_BYTES',
  'WORK_QUEUE_URL',
] as const;

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// The partitions AWS has; `aws[a-z-]*` let "arn:awsx:…" through.
const PARTITION = '(?:aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc)';
const ROLE_ARN = new RegExp(String.raw`^arn:${PARTITION}:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$`);
const KMS_ARN = new RegExp(String.raw`^arn:${PARTITION}:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/+=,.@-]+$`);
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
// https://sqs.<region>.amazonaws.com/<account>/<name> on AWS; http://127.0.0.1:<port>/<account>/<name> on moto.
const QUEUE_URL = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/\d{12}\/[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

/**
 * Parses the handler environment. Reports every missing or malformed variable in one
 * {@link ConfigError}; returns a frozen config with the documented defaults otherwise.
 * Optional variables that are set but empty count as unset (the template passes "" for them).
 */
export function parseHandlerConfig(env: Record<string, string | undefined>): HandlerConfig {
  const problems: string[] = [];
  const optional = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v === '' ? undefined : v;
  };
  const required = (name: string, re: RegExp, expected: string): string => {
    const v = env[name];
    if (v === undefined || v === '') problems.push(`${name} is not set: expected ${expected}`);
    else if (!re.test(v)) problems.push(`${name} is ${JSON.stringify(v)}: expected ${expected}`);
    return v ?? '';
  };
  const integer = (name: string, def: number, min: number, max: number, unit = ''): number => {
    const v = optional(name);
    if (v === undefined) return def;
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      problems.push(`${name} is ${JSON.stringify(v)}: expected a whole number from ${min} to ${max}${unit} (default ${def})`);
      return def;
    }
    return n;
  };

  // The pattern is a first filter; S3's other rules (adjacent dots, IP form, reserved names) follow.
  const bucket = (name: string): string => {
    const v = required(name, BUCKET, 'an S3 bucket name (3–63 lower-case letters, digits, dots, hyphens)');
    const problem = BUCKET.test(v) ? bucketNameProblem(v) : undefined;
    if (problem) problems.push(`${name} is ${JSON.stringify(v)}: ${problem}`);
    return v;
  };
  const sourceBucket = bucket('SOURCE_BUCKET');
  const destinationBucket = bucket('DESTINATION_BUCKET');
  const destinationRoleArn = required('DESTINATION_ROLE_ARN', ROLE_ARN, 'an IAM role ARN like arn:aws:iam::210987654321:role/s3-push-writer');

  const externalId = optional('EXTERNAL_ID');
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
    // The value is a shared secret of sorts: name the rule, not the value.
    problems.push('EXTERNAL_ID is malformed: expected 2–1224 characters of letters, digits and +=,.@:/-');
  }

  const prefixFormat = optional('PREFIX_FORMAT') ?? DEFAULT_PREFIX_FORMAT;
  for (const p of prefixFormatProblems(prefixFormat)) problems.push(`PREFIX_FORMAT is ${JSON.stringify(prefixFormat)}: ${p}`);

  const destinationPrefix = optional('DESTINATION_PREFIX') ?? '';
  if (Buffer.byteLength(destinationPrefix) > 512) problems.push(`DESTINATION_PREFIX is ${Buffer.byteLength(destinationPrefix)} bytes: expected at most 512 (keys are limited to 1024 bytes)`);

  const lagDays = integer('LAG_DAYS', DEFAULT_LAG_DAYS, 0, 3650);
  const kmsKeyArn = optional('KMS_KEY_ARN');
  if (kmsKeyArn !== undefined && !KMS_ARN.test(kmsKeyArn)) problems.push(`KMS_KEY_ARN is ${JSON.stringify(kmsKeyArn)}: expected a KMS key or alias ARN like arn:aws:kms:us-east-1:210987654321:key/1234abcd-…`);
  const copyConcurrency = integer('COPY_CONCURRENCY', DEFAULT_COPY_CONCURRENCY, 1, 256);
  const multipartThresholdBytes = integer('MULTIPART_THRESHOLD_BYTES', DEFAULT_MULTIPART_THRESHOLD_BYTES, S3_MIN_PART_BYTES, S3_MAX_COPY_BYTES, ' bytes (5 MiB – 5 GiB; S3 copies at most 5 GiB in one request)');
  const partSizeBytes = integer('PART_SIZE_BYTES', DEFAULT_PART_SIZE_BYTES, S3_MIN_PART_BYTES, S3_MAX_COPY_BYTES, ' bytes (5 MiB – 5 GiB, the S3 part limits)');

  const workQueueUrl = optional('WORK_QUEUE_URL');
  if (workQueueUrl !== undefined) {
    if (!QUEUE_URL.test(workQueueUrl)) problems.push(`WORK_QUEUE_URL is ${JSON.stringify(workQueueUrl)}: expected an SQS queue URL like https://sqs.us-east-1.amazonaws.com/123456789012/s3-push-work (the stack output WorkQueueUrl)`);
    // Work items carry no message group; a FIFO queue would also serialise the days.
    else if (workQueueUrl.endsWith('.fifo')) problems.push(`WORK_QUEUE_URL is ${JSON.stringify(workQueueUrl)}: a FIFO queue; expected a standard queue (the stack output WorkQueueUrl)`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    sourceBucket,
    destinationBucket,
    destinationRoleArn,
    externalId,
    prefixFormat,
    destinationPrefix,
    lagDays,
    kmsKeyArn,
    copyConcurrency,
    multipartThresholdBytes,
    partSizeBytes,
    workQueueUrl,
  });
}
