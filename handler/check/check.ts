/**
 * The preflight check (`{"check": true}`): tries each link of the permission chain the copies
 * depend on, with the same credentials they use, and names the file or statement that fixes a
 * broken one.
 *
 *   1. AssumeRole on the destination role (its trust policy, the external id);
 *   2. ListObjectsV2 on the source bucket with the role, under one day's prefix (the source bucket
 *      policy lets the role list only with a day's prefix: the scheduled day's, or the event's `date`);
 *   3. GetObject of one source byte with the role (the source bucket policy; the source objects' KMS
 *      key policy when KMS refuses it: HeadObject, which needs no kms:Decrypt, names the key);
 *   4. GetBucketEncryption of the destination, then ListObjectsV2, PutObject and DeleteObject of a
 *      probe in the destination (the role's policy; the KMS key of the copies, or of the bucket's
 *      default encryption, when KMS refuses the write).
 *
 * A link runs when the links it needs are ok: 2 and 4 need 1, 3 needs an object listed by 2. Link 4
 * does not need 2 or 3, so one run reports both the source side (fixed by the source account) and
 * the destination side (fixed by the destination account) — often two different teams.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { HandlerConfig } from '../config.ts';
import { S3PushError, describeError } from '../../rules/errors.ts';
import type { Logger } from '../logger.ts';
import { bucketEncryption, deleteProbe, listSome, objectEncryption, putProbe, readFirstByte, resolveCredentials, type Encryption, type ProbeObject } from '../aws/s3Probe.ts';
import { accountOf, kmsKeyArnProblem, roleNameOf } from '../../rules/awsNames.ts';
import { errorName, isAccessDenied } from '../../rules/awsErrors.ts';
import { DESTINATION_ROLE_POLICY_FILE, PREFLIGHT_LOG_MESSAGE, SOURCE_KEY_POLICY_FILE, SOURCE_LIST_POLICY_SID, SOURCE_POLICY_FILE, SOURCE_POLICY_SID, TRUST_POLICY_FILE, TRUST_POLICY_SID } from '../../rules/names.ts';
import { dayPattern, renderPrefix } from '../../rules/prefix.ts';
import { daysBefore, type IsoDate } from '../../rules/dates.ts';

/**
 * The probe's name, put under DESTINATION_PREFIX. A fixed name (not a random one) so that the
 * destination role's DeletePreflightProbe statement can grant s3:DeleteObject on this one key only.
 */
export const PROBE_NAME = 's3-push-preflight-probe.txt';

/** Keys listed by link 2; one of them (the first non-empty) is read by link 3. */
const LIST_KEYS = 20;

export type LinkName = 'assume-role' | 'list-source' | 'read-source' | 'write-destination';
export type LinkStatus = 'ok' | 'broken' | 'not-tried';

/** One link of the chain. */
export interface CheckLink {
  /** 1–4, in the order above. */
  readonly link: number;
  readonly name: LinkName;
  /** What was tried, e.g. "assume the destination role arn:aws:iam::…". */
  readonly title: string;
  readonly status: LinkStatus;
  /** ok: what was seen; broken: the error AWS answered; not-tried: why. */
  readonly detail: string;
  /** Only when broken: the file or statement that fixes it. */
  readonly fix?: string;
}

/** What `{"check": true}` returns (and logs as one JSON line). */
export interface CheckReport {
  readonly check: true;
  /** True when no link is broken. */
  readonly ok: boolean;
  readonly links: readonly CheckLink[];
}

/** A link is broken; thrown after the report is logged, so `npm run check` and alarms see it. */
export class PreflightFailedError extends S3PushError {
  override name = 'PreflightFailedError';
  readonly report: CheckReport;

  constructor(report: CheckReport) {
    const broken = report.links.filter((l) => l.status === 'broken');
    const lines = broken.map((l) => `link ${l.link} (${l.title}) is broken: ${l.detail}\n  fix: ${l.fix ?? '?'}`);
    // Not a user fault in the sense of errors.ts: the event and the environment are valid; the IAM
    // outside is not. Commands exit 1 for it, as for a failed copy (2 means "nothing was done").
    super(`preflight: ${broken.length} link(s) of the permission chain broken:\n${lines.join('\n')}`, { userFault: false });
    this.report = report;
  }
}

/** The SDK error inside our wrappers (AwsCallError wraps AssumeRole's). */
function innermost(err: unknown): unknown {
  let e = err;
  while (e instanceof S3PushError && e.cause !== undefined) e = e.cause;
  return e;
}

/** AWS's "you may not", under our wrappers. */
function isDenied(err: unknown): boolean {
  return isAccessDenied(innermost(err));
}

function mentionsKms(err: unknown): boolean {
  return /kms/i.test(describeError(innermost(err)));
}

/**
 * S3's own error codes for a KMS key it could not use: `KMS.DisabledException`,
 * `KMS.KMSInvalidStateException` (pending deletion), `KMS.NotFoundException` (no such key in the
 * bucket's region), `KMS.InvalidKeyUsageException`… (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 */
function isKmsError(err: unknown): boolean {
  return errorName(innermost(err)).startsWith('KMS.');
}

/** KMS refused the request: a denial naming KMS (kms:Decrypt, kms:GenerateDataKey), or one of S3's KMS.* codes. */
function kmsRefused(err: unknown): boolean {
  return (isDenied(err) && mentionsKms(err)) || isKmsError(err);
}

/** What a KMS.* code says about the key, or '' for a denial. */
function kmsState(err: unknown): string {
  const name = errorName(innermost(err));
  if (name === 'KMS.DisabledException') return ' The key is disabled: enable it (aws kms enable-key), or name another key.';
  if (name === 'KMS.KMSInvalidStateException') return ' The key is not usable in its state (pending deletion or import): cancel the deletion (aws kms cancel-key-deletion), or name another key.';
  if (name === 'KMS.NotFoundException') return ' KMS does not find the key in the bucket\'s region: a KMS key must be in the bucket\'s region.';
  return isKmsError(err) ? ` KMS answered ${name}.` : '';
}

/**
 * How to set S3_REPLICATE_KMS_KEY_ARN to `key`: deploy takes a key ARN, while a bucket's default
 * encryption may name a key id or an alias.
 */
function setKmsKeyArn(key: string): string {
  return kmsKeyArnProblem(key) === undefined
    ? `set S3_REPLICATE_KMS_KEY_ARN=${key}`
    : `set S3_REPLICATE_KMS_KEY_ARN to the ARN of the key ${key} (aws kms describe-key --key-id ${key} --query KeyMetadata.Arn, in the destination account)`;
}

/** A KMS key ARN named in an error message (KMS denials name the key they refused), or undefined. */
function kmsKeyIn(err: unknown): string | undefined {
  return /arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+/.exec(describeError(innermost(err)))?.[0];
}

/** True for SSE-KMS (aws:kms, aws:kms:dsse). */
function isKms(e: Encryption | undefined): boolean {
  return (e?.algorithm ?? '').startsWith('aws:kms');
}

/**
 * The fix for a source object the role may not decrypt. Cross-account, kms:Decrypt must be allowed
 * both by the key's policy (source account) and by the role's own policy
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html);
 * an AWS managed key (aws/s3) cannot be shared with another account at all.
 */
function sourceKeyFix(key: string, config: HandlerConfig): string {
  const render = config.sourceKmsKeyArn === key
    ? ''
    : `set S3_REPLICATE_SOURCE_KMS_KEY_ARN=${key} and run npm run deploy (SOURCE_KMS_KEY_ARN is ${config.sourceKmsKeyArn ?? 'not set'}), then `;
  return `the object is encrypted with the KMS key ${key}: ${render}apply the DecryptSourceObjects statement of ${DESTINATION_ROLE_POLICY_FILE} ` +
    `to the role and add the statement of ${SOURCE_KEY_POLICY_FILE} to the key policy of ${key} (source account). ` +
    'If it is the AWS managed key aws/s3, no other account can use it: re-encrypt the objects with a customer managed key';
}

/** The fix for an error that is not a denial: what AWS said, and where such errors come from. */
function otherFix(err: unknown, bucketVariable?: { bucket: string; variable: string }): string {
  const e = innermost(err);
  if (bucketVariable && errorName(e) === 'NoSuchBucket') {
    return `the bucket ${bucketVariable.bucket} does not exist: check ${bucketVariable.variable} and redeploy`;
  }
  return `not a permission denial (${errorName(e) || 'error'}): it may be transient (run the check again) or a setting of the function (region, endpoint, bucket name); see the error`;
}

/** The clients the check uses; the destination client carries the assumed-role credentials. */
export interface CheckClients {
  readonly destinationS3: S3Client;
}

/** Options of {@link runCheck}. */
export interface CheckOptions {
  readonly logger: Logger;
  /** The clock, for the probe's text and the default day. Default `() => new Date()`. */
  readonly now?: () => Date;
  /**
   * The day whose prefix links 2 and 3 list and read. Default: the day a scheduled run copies now
   * (LAG_DAYS before today, UTC). Never the fixed lead of the prefix format or the whole bucket:
   * the source bucket policy lets the role list only with a day's prefix.
   */
  readonly day?: IsoDate;
}

/**
 * Runs the preflight: every link that can run, in order. Logs the report as one JSON line
 * (`message: "s3-push preflight"`) and returns it when no link is broken; throws
 * {@link PreflightFailedError} (carrying the report) after logging otherwise. The external id is
 * never part of the report (the logger masks it as well).
 */
export async function runCheck(config: HandlerConfig, clients: CheckClients, options: CheckOptions): Promise<CheckReport> {
  const s3 = clients.destinationS3;
  const now = options.now ?? (() => new Date());
  const roleArn = config.destinationRoleArn;
  const day = options.day ?? daysBefore(now(), config.lagDays);
  const sourcePrefix = renderPrefix(config.prefixFormat, day);
  const pattern = `${dayPattern(config.prefixFormat)}*`;
  const probeKey = config.destinationPrefix + PROBE_NAME;
  const source = { name: config.sourceBucket, owner: config.sourceAccountId };
  const destination = { name: config.destinationBucket, owner: config.destinationAccountId };
  // S3 answers an owner mismatch (a bucket of that name in another account) as a denial.
  const notOwned = (bucket: { name: string; owner: string }, variable: string): string =>
    `; or ${bucket.name} is not owned by account ${bucket.owner} (every request names that owner, and S3 denies it when the bucket is another account's, e.g. deleted and its name registered again): check ${variable}`;
  const links: CheckLink[] = [];

  const titles: Record<LinkName, string> = {
    'assume-role': `assume the destination role ${roleArn}${config.externalId ? ' (with the external id)' : ''}`,
    'list-source': `list s3://${config.sourceBucket}/${sourcePrefix} (the day ${day}) with the role`,
    'read-source': `read one source object with the role`,
    'write-destination': `list, write and delete s3://${config.destinationBucket}/${probeKey} with the role`,
  };
  const add = (link: number, name: LinkName, status: LinkStatus, detail: string, fix?: string): void => {
    links.push({ link, name, title: titles[name], status, detail, ...(fix === undefined ? {} : { fix }) });
  };
  const notTried = (link: number, name: LinkName, why: string): void => add(link, name, 'not-tried', why);

  // 1. AssumeRole.
  let assumed = false;
  try {
    await resolveCredentials(s3);
    assumed = true;
    add(1, 'assume-role', 'ok', `assumed ${roleArn}`);
  } catch (err) {
    const fix = isDenied(err)
      ? `apply ${TRUST_POLICY_FILE} as the trust policy of ${roleArn} (account ${accountOf(roleArn)}, with that account's credentials: ` +
        `merge its ${TRUST_POLICY_SID} statement into the role's trust policy, with the commands npm run deploy prints, or, for a role that trusts nothing else, ` +
        `aws iam update-assume-role-policy --role-name ${roleNameOf(roleArn)} --policy-document file://${TRUST_POLICY_FILE}, which replaces the whole trust policy); ` +
        'AWS answers the same when the role does not exist (check DESTINATION_ROLE_ARN)' +
        (config.externalId
          ? '; or the external id the function passes (EXTERNAL_ID, from S3_REPLICATE_EXTERNAL_ID) differs from the sts:ExternalId the trust policy demands: a wrong external id and a missing trust look the same to AWS, so compare them'
          : '')
      : otherFix(err);
    add(1, 'assume-role', 'broken', describeError(innermost(err)), fix);
  }

  // 2. List the source; 3. read one object of it.
  let sample: ProbeObject | undefined;
  let listed = false;
  if (!assumed) {
    notTried(2, 'list-source', 'needs the role (link 1)');
  } else {
    try {
      const objects = await listSome(s3, source, sourcePrefix, LIST_KEYS);
      listed = true;
      sample = objects.find((o) => o.size > 0) ?? objects[0];
      add(2, 'list-source', 'ok', objects.length === 0 ? 'listed: no objects yet' : `listed ${objects.length}${objects.length === LIST_KEYS ? '+' : ''} object(s)`);
    } catch (err) {
      const fix = isDenied(err)
        ? `add the ${SOURCE_LIST_POLICY_SID} statement of ${SOURCE_POLICY_FILE} to the bucket policy of ${config.sourceBucket} (it grants s3:ListBucket with an s3:prefix like ${pattern}; npm run deploy -- --apply-source-policy merges it in); ` +
          `the role needs the ListSource statement of ${DESTINATION_ROLE_POLICY_FILE} as well` + notOwned(source, 'S3_ROOT_BUCKET (SOURCE_BUCKET) and the stack\'s account (SOURCE_ACCOUNT_ID)')
        : otherFix(err, { bucket: config.sourceBucket, variable: 'S3_ROOT_BUCKET (SOURCE_BUCKET)' });
      add(2, 'list-source', 'broken', describeError(innermost(err)), fix);
    }
  }

  if (!assumed) {
    notTried(3, 'read-source', 'needs the role (link 1)');
  } else if (!listed) {
    notTried(3, 'read-source', 'needs an object listed by link 2');
  } else if (!sample) {
    notTried(3, 'read-source', `no object under s3://${config.sourceBucket}/${sourcePrefix} to read: this link is unproven until that day has data (or check a day that has: {"check": true, "date": "YYYY-MM-DD"})`);
  } else {
    const where = `s3://${config.sourceBucket}/${sample.key}`;
    try {
      await readFirstByte(s3, source, sample.key);
      add(3, 'read-source', 'ok', `read the first byte of ${where}`);
    } catch (err) {
      let fix = isDenied(err)
        ? `the ${SOURCE_POLICY_SID} statement of ${SOURCE_POLICY_FILE} in the bucket policy of ${config.sourceBucket} (it grants s3:GetObject on ${config.sourceBucket}/${pattern}) and the ReadSource statement of ${DESTINATION_ROLE_POLICY_FILE}`
        : otherFix(err);
      if (isDenied(err) || isKmsError(err)) {
        // GET needs kms:Decrypt on an SSE-KMS object, HEAD does not: HEAD says which key it is. When
        // HEAD is refused too, S3 itself refused (the bucket policy), not KMS.
        const encryption = await objectEncryption(s3, source, sample.key).catch(() => undefined);
        const key = (isKms(encryption) ? encryption?.kmsKeyId : undefined) ?? (kmsRefused(err) ? kmsKeyIn(err) ?? 'of the object (aws s3api head-object shows SSEKMSKeyId)' : undefined);
        if (key !== undefined) fix = `KMS refused the read: ${sourceKeyFix(key, config)}.${kmsState(err)}`;
      }
      add(3, 'read-source', 'broken', `${where}: ${describeError(innermost(err))}`, fix);
    }
  }

  // 4. The destination: list (the copies skip what is there), write, delete the probe.
  if (!assumed) {
    notTried(4, 'write-destination', 'needs the role (link 1)');
  } else {
    const probeUrl = `s3://${config.destinationBucket}/${probeKey}`;
    // The destination's default encryption: a customer managed key there refuses the copies when
    // the role has no KMS permission for it (GenerateDataKey, and Decrypt for multipart uploads).
    let defaultKey: string | undefined;
    let encryptionNote = '';
    try {
      const encryption = await bucketEncryption(s3, destination);
      // No key id, or the alias aws/s3: the destination account's AWS managed key, which the role (of that account) may use through S3.
      defaultKey = isKms(encryption) && !/(^|\/|:)alias\/aws\/s3$/.test(encryption.kmsKeyId ?? 'alias/aws/s3') ? encryption.kmsKeyId : undefined;
    } catch (err) {
      if (isDenied(err)) {
        add(4, 'write-destination', 'broken', `GetBucketEncryption s3://${config.destinationBucket}: ${describeError(innermost(err))}`,
          `the ReadDestinationEncryption statement of ${DESTINATION_ROLE_POLICY_FILE} in the role's permissions (s3:GetEncryptionConfiguration on ${config.destinationBucket}: the check reads which key the bucket encrypts with)`);
      } else if (errorName(innermost(err)) !== 'ServerSideEncryptionConfigurationNotFoundError') {
        encryptionNote = ` (its default encryption could not be read: ${describeError(innermost(err))})`;
      }
    }
    const writeKey = config.kmsKeyArn ?? defaultKey;
    const keyFix = (key: string) => `the copies are encrypted with the KMS key ${key}: its key policy must let the role use it (kms:GenerateDataKey, kms:Decrypt), ` +
      `and the role needs the EncryptCopiesWithKmsKey statement of ${DESTINATION_ROLE_POLICY_FILE}` +
      (config.kmsKeyArn ? '' : ` (${setKmsKeyArn(key)} and run npm run deploy to render it)`);
    const step = async (what: string, statement: string, call: () => Promise<unknown>): Promise<boolean> => {
      try {
        await call();
        return true;
      } catch (err) {
        const key = writeKey ?? kmsKeyIn(err);
        const fix = statement === 'WriteDestination' && kmsRefused(err)
          ? `KMS refused the write: ${key ? keyFix(key) : `the key of the bucket's default encryption (aws s3api get-bucket-encryption --bucket ${config.destinationBucket}) must let the role use it; S3_REPLICATE_KMS_KEY_ARN set to it renders the role's EncryptCopiesWithKmsKey statement`}.${kmsState(err)}`
          : isDenied(err)
            ? `the ${statement} statement of ${DESTINATION_ROLE_POLICY_FILE} in the role's permissions${statement === 'WriteDestination' && writeKey ? `; ${keyFix(writeKey)}` : ''}` + notOwned(destination, 'S3_REPLICATE_BUCKET_NAME (DESTINATION_BUCKET) and the account of DESTINATION_ROLE_ARN')
            : otherFix(err, { bucket: config.destinationBucket, variable: 'S3_REPLICATE_BUCKET_NAME (DESTINATION_BUCKET)' });
        add(4, 'write-destination', 'broken', `${what}: ${describeError(innermost(err))}`, fix);
        return false;
      }
    };
    const body = `Written by the s3-push preflight check (npm run check) at ${now().toISOString()} and deleted at once. Safe to delete.\n`;
    const ok = links.every((l) => l.link !== 4) &&
      (await step(`ListObjectsV2 s3://${config.destinationBucket}/${config.destinationPrefix}`, 'ListDestination', () => listSome(s3, destination, config.destinationPrefix, 1))) &&
      (await step(`PutObject ${probeUrl}`, 'WriteDestination', () => putProbe(s3, destination, probeKey, body, { kmsKeyArn: config.kmsKeyArn }))) &&
      (await step(`DeleteObject ${probeUrl} (the probe is left behind: aws s3 rm ${probeUrl})`, 'DeletePreflightProbe', () => deleteProbe(s3, destination, probeKey)));
    if (ok && defaultKey && !config.kmsKeyArn) {
      // The probe (one PutObject) may pass on a grant the copies lack: a multipart copy also needs kms:Decrypt.
      add(4, 'write-destination', 'broken',
        `wrote and deleted ${probeUrl}, but the default encryption of ${config.destinationBucket} is SSE-KMS with the customer managed key ${defaultKey}, and S3_REPLICATE_KMS_KEY_ARN is not set: ` +
          'the role document grants no KMS permission (copies need kms:GenerateDataKey, multipart copies kms:Decrypt as well)',
        `${setKmsKeyArn(defaultKey)} and run npm run deploy, then apply the EncryptCopiesWithKmsKey statement of ${DESTINATION_ROLE_POLICY_FILE}; the key policy of ${defaultKey} must let the role use it`);
    } else if (ok) {
      const note = defaultKey && defaultKey !== config.kmsKeyArn
        ? ` (the bucket's default key is ${defaultKey}; the copies use S3_REPLICATE_KMS_KEY_ARN ${config.kmsKeyArn ?? ''}: ${setKmsKeyArn(defaultKey)} to use the bucket's)`
        : encryptionNote;
      add(4, 'write-destination', 'ok', `listed, wrote and deleted ${probeUrl}${note}`);
    }
  }

  const report: CheckReport = { check: true, ok: links.every((l) => l.status !== 'broken'), links };
  options.logger.log(report.ok ? 'INFO' : 'ERROR', PREFLIGHT_LOG_MESSAGE, { ...report });
  if (!report.ok) throw new PreflightFailedError(report);
  return report;
}
