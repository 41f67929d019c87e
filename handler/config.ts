/**
 * The handler's environment (set by the CloudFormation template; `npm run invoke -- --local` reads
 * the same names), parsed in one place. Pure: takes the environment as an argument.
 */
import { ConfigError } from '../rules/errors.ts';
import { plainHttpEndpointProblems } from '../rules/endpoint.ts';
import { DEFAULT_PREFIX_FORMAT, destinationPrefixFormatProblems, prefixFormatProblems } from '../rules/prefix.ts';
import { BUCKET_NAME_EXPECTED, bucketNameProblem } from '../rules/bucketName.ts';
import { DEFAULT_LAG_DAYS, MAX_LAG_DAYS } from '../rules/dates.ts';
import { MAX_REQUEST_TIMEOUT_MS } from '../rules/timeouts.ts';
import { excludeProblems, splitExcludePatterns } from '../rules/exclude.ts';
import { MAX_LOOKBACK_DAYS, readyKeyProblem } from '../rules/readyKey.ts';
import { DAY_MARKER_NAME } from './marker/manifest.ts';
import { externalIdProblem, kmsKeyArnProblem, roleArnProblem, ROLE_ARN_EXPECTED } from '../rules/awsNames.ts';
import { storageClassProblem, type CopyStorageClass } from '../rules/storageClass.ts';
import { DEFAULT_COPY_CONCURRENCY } from './copy/connections.ts';
import { DEFAULT_START_CONCURRENCY } from './copy/adaptiveConcurrency.ts';
import { DEFAULT_MAX_DELETES_PER_DAY, MAX_MAX_DELETES_PER_DAY } from './copy/extras.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** S3's smallest part (all but the last) and its largest single copy / part. */
export const S3_MIN_PART_BYTES = 5 * MiB;
export const S3_MAX_COPY_BYTES = 5 * GiB;

/** Default COPY_CONCURRENCY: objects copied at once, derived from the socket budget (handler/copy/connections.ts). */
export { DEFAULT_COPY_CONCURRENCY };
/**
 * Default MULTIPART_THRESHOLD_BYTES: 256 MiB. Up to it one CopyObject (1 request, the source ETag
 * kept); above it a multipart copy whose parts run in parallel. S3 copies a few hundred MB in one
 * request in seconds, so small objects gain nothing from the 4 extra requests of a multipart copy,
 * while large ones finish several times faster in parallel parts.
 */
export const DEFAULT_MULTIPART_THRESHOLD_BYTES = 256 * MiB;
/** Default PART_SIZE_BYTES: 64 MiB (a 5 GiB object in 80 parts). */
export const DEFAULT_PART_SIZE_BYTES = 64 * MiB;

/** The handler configuration, validated and frozen. */
export interface HandlerConfig {
  /** SOURCE_BUCKET (required): the bucket read, in the function's own account. */
  readonly sourceBucket: string;
  /** DESTINATION_BUCKET (required): the bucket written, in the other account. */
  readonly destinationBucket: string;
  /** DESTINATION_ROLE_ARN (required): the role assumed to list and write the destination. */
  readonly destinationRoleArn: string;
  /**
   * SOURCE_ACCOUNT_ID (required): the function's own account, which owns SOURCE_BUCKET. Every
   * request on the source bucket names it as the expected bucket owner.
   */
  readonly sourceAccountId: string;
  /** The account of DESTINATION_ROLE_ARN, which owns DESTINATION_BUCKET: the expected owner of every destination request. */
  readonly destinationAccountId: string;
  /** EXTERNAL_ID (optional; empty means unset): passed as sts:ExternalId. Never logged. */
  readonly externalId: string | undefined;
  /** PREFIX_FORMAT, default `{YYYY}/{MM}/{DD}/`. */
  readonly prefixFormat: string;
  /** DESTINATION_PREFIX, default empty: prepended to every destination key. */
  readonly destinationPrefix: string;
  /**
   * DESTINATION_PREFIX_FORMAT (optional): the destination prefix of one day, `{YYYY}` `{MM}` `{DD}`
   * each once; a source key `<source day prefix><rest>` lands at `<destination day prefix><rest>`.
   * Not together with DESTINATION_PREFIX. Unset: the source key under DESTINATION_PREFIX.
   */
  readonly destinationPrefixFormat: string | undefined;
  /**
   * DESTINATION_STORAGE_CLASS (optional): the storage class every copy is written in (CopyObject
   * and CreateMultipartUpload). Unset: no class is sent, and S3 stores the copy in STANDARD.
   */
  readonly destinationStorageClass: CopyStorageClass | undefined;
  /** LAG_DAYS, default 1 (0–3650). */
  readonly lagDays: number;
  /** KMS_KEY_ARN (optional; empty means unset): copies are SSE-KMS with this key. */
  readonly kmsKeyArn: string | undefined;
  /** SOURCE_KMS_KEY_ARN (optional): the key the source objects are encrypted with; the preflight names it. */
  readonly sourceKmsKeyArn: string | undefined;
  /** COPY_CONCURRENCY, default {@link DEFAULT_COPY_CONCURRENCY} (62; 1–256): the most copies in flight. */
  readonly copyConcurrency: number;
  /**
   * COPY_CONCURRENCY_START (optional; 1 to COPY_CONCURRENCY): copies in flight when a day starts;
   * the run adapts from there (handler/copy/adaptiveConcurrency.ts). Unset: the smaller of
   * {@link DEFAULT_START_CONCURRENCY} (16) and COPY_CONCURRENCY.
   */
  readonly copyConcurrencyStart: number | undefined;
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
  /** DAY_MARKER, default false: write `<DESTINATION_PREFIX><day prefix>_S3PUSH_COMPLETE.json` once a day is complete. */
  readonly dayMarker: boolean;
  /**
   * EXACT_DAYS, default false: once every copy of a day succeeded, delete the destination objects
   * under the day's destination prefix that the source day does not have (handler/copy/extras.ts
   * has the rules). Off, they are counted (`extra`) and kept.
   */
  readonly exactDays: boolean;
  /**
   * EXACT_DAYS_MAX_DELETES, default 10,000 (1–1,000,000,000): the most extras exact days delete in
   * one day. A day with more deletes none and fails, naming the count (rclone's --max-delete).
   */
  readonly exactDaysMaxDeletes: number;
  /**
   * REQUEST_TIMEOUT_MS (optional; 100–900,000): replaces every request's time to its answer and the
   * connection's silence timeout. Unset: derived per request (rules/timeouts.ts).
   */
  readonly requestTimeoutMs: number | undefined;
  /**
   * EXCLUDE (optional; empty means none): glob patterns of keys, relative to the day prefix, that are
   * not objects of a day: never copied, compared, deleted or listed in the marker.
   */
  readonly exclude: readonly string[];
  /**
   * SOURCE_READY_KEY (optional): upstream's ready marker, relative to the day prefix (`_SUCCESS`). A
   * day is copied only once it exists in the source day (until then the day is `waiting`), and it
   * is copied last, after every other object of the day succeeded.
   */
  readonly sourceReadyKey: string | undefined;
  /** LOOKBACK_DAYS (0–31; unset: 0, the stack sets 3 by default): a scheduled run also reconciles the days before its own. */
  readonly lookbackDays: number;
}

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
  /** A required variable, checked by `problem` (a rule of rules/ that says what it expects). */
  const required = (name: string, expected: string, problem: (v: string) => string | undefined): string => {
    const v = env[name];
    if (v === undefined || v === '') problems.push(`${name} is not set: expected ${expected}`);
    else {
      const p = problem(v);
      if (p) problems.push(`${name} is ${JSON.stringify(v)}: ${p}`);
    }
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

  const bucket = (name: string): string => required(name, `an S3 bucket name (${BUCKET_NAME_EXPECTED})`, bucketNameProblem);
  const sourceBucket = bucket('SOURCE_BUCKET');
  const destinationBucket = bucket('DESTINATION_BUCKET');
  const destinationRoleArn = required('DESTINATION_ROLE_ARN', ROLE_ARN_EXPECTED, roleArnProblem);
  const sourceAccountId = required('SOURCE_ACCOUNT_ID', 'the 12-digit id of the account that owns SOURCE_BUCKET (the function\'s own; the stack sets it)', (v) => (/^\d{12}$/.test(v) ? undefined : 'expected 12 digits'));
  const destinationAccountId = destinationRoleArn.split(':')[4] ?? '';

  const externalId = optional('EXTERNAL_ID');
  // The value is a shared secret of sorts: the message names the rule, not the value.
  const externalIdFault = externalId === undefined ? undefined : externalIdProblem(externalId);
  if (externalIdFault) problems.push(`EXTERNAL_ID is ${externalIdFault}`);

  const prefixFormat = optional('PREFIX_FORMAT') ?? DEFAULT_PREFIX_FORMAT;
  for (const p of prefixFormatProblems(prefixFormat)) problems.push(`PREFIX_FORMAT is ${JSON.stringify(prefixFormat)}: ${p}`);

  const destinationPrefix = optional('DESTINATION_PREFIX') ?? '';
  if (Buffer.byteLength(destinationPrefix) > 512) problems.push(`DESTINATION_PREFIX is ${Buffer.byteLength(destinationPrefix)} bytes: expected at most 512 (keys are limited to 1024 bytes)`);

  const destinationPrefixFormat = optional('DESTINATION_PREFIX_FORMAT');
  if (destinationPrefixFormat !== undefined) {
    const formatProblems = destinationPrefixFormatProblems(destinationPrefixFormat);
    if (Buffer.byteLength(destinationPrefixFormat) > 512) formatProblems.push(`${Buffer.byteLength(destinationPrefixFormat)} bytes: expected at most 512 (keys are limited to 1024 bytes)`);
    for (const p of formatProblems) problems.push(`DESTINATION_PREFIX_FORMAT is ${JSON.stringify(destinationPrefixFormat)}: ${p}`);
    // Two homes for the fixed text would leave the reader guessing which comes first.
    if (destinationPrefix !== '') problems.push(`DESTINATION_PREFIX_FORMAT is ${JSON.stringify(destinationPrefixFormat)} and DESTINATION_PREFIX is ${JSON.stringify(destinationPrefix)}: expected one of the two (put the fixed text in the format, e.g. ${JSON.stringify(destinationPrefix + destinationPrefixFormat)})`);
  }

  const destinationStorageClass = optional('DESTINATION_STORAGE_CLASS');
  const storageClassFault = destinationStorageClass === undefined ? undefined : storageClassProblem(destinationStorageClass);
  if (storageClassFault) problems.push(`DESTINATION_STORAGE_CLASS is ${JSON.stringify(destinationStorageClass)}: ${storageClassFault}`);

  const lagDays = integer('LAG_DAYS', DEFAULT_LAG_DAYS, 0, MAX_LAG_DAYS);
  const kmsKeyArn = optional('KMS_KEY_ARN');
  const kmsFault = kmsKeyArn === undefined ? undefined : kmsKeyArnProblem(kmsKeyArn);
  if (kmsFault) problems.push(`KMS_KEY_ARN is ${JSON.stringify(kmsKeyArn)}: ${kmsFault}`);
  const sourceKmsKeyArn = optional('SOURCE_KMS_KEY_ARN');
  const sourceKmsFault = sourceKmsKeyArn === undefined ? undefined : kmsKeyArnProblem(sourceKmsKeyArn);
  if (sourceKmsFault) problems.push(`SOURCE_KMS_KEY_ARN is ${JSON.stringify(sourceKmsKeyArn)}: ${sourceKmsFault}`);
  const copyConcurrency = integer('COPY_CONCURRENCY', DEFAULT_COPY_CONCURRENCY, 1, 256);
  const copyConcurrencyStartText = optional('COPY_CONCURRENCY_START');
  let copyConcurrencyStart: number | undefined;
  if (copyConcurrencyStartText !== undefined) {
    copyConcurrencyStart = /^\d{1,3}$/.test(copyConcurrencyStartText) ? Number(copyConcurrencyStartText) : NaN;
    if (!(copyConcurrencyStart >= 1 && copyConcurrencyStart <= copyConcurrency)) {
      problems.push(`COPY_CONCURRENCY_START is ${JSON.stringify(copyConcurrencyStartText)}: expected a whole number from 1 to COPY_CONCURRENCY (${copyConcurrency}) (unset: ${Math.min(DEFAULT_START_CONCURRENCY, copyConcurrency)})`);
      copyConcurrencyStart = undefined;
    }
  }
  const multipartThresholdBytes = integer('MULTIPART_THRESHOLD_BYTES', DEFAULT_MULTIPART_THRESHOLD_BYTES, S3_MIN_PART_BYTES, S3_MAX_COPY_BYTES, ' bytes (5 MiB – 5 GiB; S3 copies at most 5 GiB in one request)');
  const partSizeBytes = integer('PART_SIZE_BYTES', DEFAULT_PART_SIZE_BYTES, S3_MIN_PART_BYTES, S3_MAX_COPY_BYTES, ' bytes (5 MiB – 5 GiB, the S3 part limits)');

  const workQueueUrl = optional('WORK_QUEUE_URL');
  if (workQueueUrl !== undefined) {
    if (!QUEUE_URL.test(workQueueUrl)) problems.push(`WORK_QUEUE_URL is ${JSON.stringify(workQueueUrl)}: expected an SQS queue URL like https://sqs.us-east-1.amazonaws.com/123456789012/s3-push-work (the stack output WorkQueueUrl)`);
    // Work items carry no message group; a FIFO queue would also serialise the days.
    else if (workQueueUrl.endsWith('.fifo')) problems.push(`WORK_QUEUE_URL is ${JSON.stringify(workQueueUrl)}: a FIFO queue; expected a standard queue (the stack output WorkQueueUrl)`);
  }

  const requestTimeoutText = optional('REQUEST_TIMEOUT_MS');
  let requestTimeoutMs: number | undefined;
  if (requestTimeoutText !== undefined) {
    requestTimeoutMs = /^\d{1,9}$/.test(requestTimeoutText) ? Number(requestTimeoutText) : NaN;
    if (!(requestTimeoutMs >= 100 && requestTimeoutMs <= MAX_REQUEST_TIMEOUT_MS)) {
      problems.push(`REQUEST_TIMEOUT_MS is ${JSON.stringify(requestTimeoutText)}: expected a whole number of milliseconds from 100 to ${MAX_REQUEST_TIMEOUT_MS} (unset: derived from each request's size)`);
    }
  }

  const dayMarkerText = optional('DAY_MARKER');
  if (dayMarkerText !== undefined && dayMarkerText !== 'true' && dayMarkerText !== 'false') problems.push(`DAY_MARKER is ${JSON.stringify(dayMarkerText)}: expected true or false (default false)`);
  const exactDaysText = optional('EXACT_DAYS');
  if (exactDaysText !== undefined && exactDaysText !== 'true' && exactDaysText !== 'false') problems.push(`EXACT_DAYS is ${JSON.stringify(exactDaysText)}: expected true or false (default false)`);
  const exactDaysMaxDeletes = integer('EXACT_DAYS_MAX_DELETES', DEFAULT_MAX_DELETES_PER_DAY, 1, MAX_MAX_DELETES_PER_DAY, ' extras deleted per day');

  const excludeText = optional('EXCLUDE');
  const excludeFaults = excludeProblems('EXCLUDE', excludeText);
  problems.push(...excludeFaults);
  const sourceReadyKey = optional('SOURCE_READY_KEY');
  const readyFault = sourceReadyKey === undefined ? undefined : readyKeyProblem(sourceReadyKey, excludeFaults.length > 0 ? [] : splitExcludePatterns(excludeText), DAY_MARKER_NAME);
  if (readyFault) problems.push(`SOURCE_READY_KEY is ${JSON.stringify(sourceReadyKey)}: ${readyFault}`);
  // Unset is off: the stack always sets it (S3_REPLICATE_LOOKBACK_DAYS, default DEFAULT_LOOKBACK_DAYS); a
  // local run given only the handler's variables reconciles nothing it was not asked to.
  const lookbackDays = integer('LOOKBACK_DAYS', 0, 0, MAX_LOOKBACK_DAYS);

  // The SDK reads AWS_ENDPOINT_URL from the same environment: refuse it in clear text off this machine.
  problems.push(...plainHttpEndpointProblems(env));

  if (problems.length > 0) throw new ConfigError(problems, 'invalid handler environment');
  return Object.freeze({
    sourceBucket,
    destinationBucket,
    destinationRoleArn,
    sourceAccountId,
    destinationAccountId,
    externalId,
    prefixFormat,
    destinationPrefix,
    destinationPrefixFormat,
    destinationStorageClass: destinationStorageClass as CopyStorageClass | undefined,
    lagDays,
    kmsKeyArn,
    sourceKmsKeyArn,
    copyConcurrency,
    copyConcurrencyStart,
    multipartThresholdBytes,
    partSizeBytes,
    workQueueUrl,
    dayMarker: dayMarkerText === 'true',
    exactDays: exactDaysText === 'true',
    exactDaysMaxDeletes,
    requestTimeoutMs,
    exclude: Object.freeze(splitExcludePatterns(excludeText)),
    sourceReadyKey,
    lookbackDays,
  });
}
