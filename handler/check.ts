/**
 * The preflight check (`{"check": true}`): tries each link of the permission chain the copies
 * depend on, with the same credentials they use, and names the file or statement that fixes a
 * broken one.
 *
 *   1. AssumeRole on the destination role (its trust policy, the external id);
 *   2. ListObjectsV2 on the source bucket with the role (the source bucket policy);
 *   3. GetObject of one source byte with the role (the source bucket policy);
 *   4. ListObjectsV2, PutObject and DeleteObject of a probe in the destination (the role's policy).
 *
 * A link runs when the links it needs are ok: 2 and 4 need 1, 3 needs an object listed by 2. Link 4
 * does not need 2 or 3, so one run reports both the source side (fixed by the source account) and
 * the destination side (fixed by the destination account) — often two different teams.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { HandlerConfig } from './config.ts';
import { S3PushError, describeError } from '../rules/errors.ts';
import type { Logger } from './logger.ts';
import { deleteProbe, listSome, putProbe, readFirstByte, resolveCredentials, type ProbeObject } from './aws/s3Probe.ts';
import { accountOf, roleNameOf } from '../rules/awsNames.ts';
import { errorName, isAccessDenied } from '../rules/awsErrors.ts';
import { DESTINATION_ROLE_POLICY_FILE, PREFLIGHT_LOG_MESSAGE, SOURCE_POLICY_FILE, SOURCE_POLICY_SID, TRUST_POLICY_FILE } from '../rules/names.ts';
import { staticLead } from '../rules/prefix.ts';

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
  /** The clock, for the probe's text. Default `() => new Date()`. */
  readonly now?: () => Date;
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
  const sourcePrefix = staticLead(config.prefixFormat);
  const probeKey = config.destinationPrefix + PROBE_NAME;
  const links: CheckLink[] = [];

  const titles: Record<LinkName, string> = {
    'assume-role': `assume the destination role ${roleArn}${config.externalId ? ' (with the external id)' : ''}`,
    'list-source': `list s3://${config.sourceBucket}/${sourcePrefix} with the role`,
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
        `aws iam update-assume-role-policy --role-name ${roleNameOf(roleArn)} --policy-document file://${TRUST_POLICY_FILE}); ` +
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
      const objects = await listSome(s3, config.sourceBucket, sourcePrefix, LIST_KEYS);
      listed = true;
      sample = objects.find((o) => o.size > 0) ?? objects[0];
      add(2, 'list-source', 'ok', objects.length === 0 ? 'listed: no objects yet' : `listed ${objects.length}${objects.length === LIST_KEYS ? '+' : ''} object(s)`);
    } catch (err) {
      const fix = isDenied(err)
        ? `add the ${SOURCE_POLICY_SID} statement of ${SOURCE_POLICY_FILE} to the bucket policy of ${config.sourceBucket} (npm run deploy -- --apply-source-policy merges it in); ` +
          `the role needs the ListSource statement of ${DESTINATION_ROLE_POLICY_FILE} as well`
        : otherFix(err, { bucket: config.sourceBucket, variable: 'S3_ROOT_BUCKET (SOURCE_BUCKET)' });
      add(2, 'list-source', 'broken', describeError(innermost(err)), fix);
    }
  }

  if (!assumed) {
    notTried(3, 'read-source', 'needs the role (link 1)');
  } else if (!listed) {
    notTried(3, 'read-source', 'needs an object listed by link 2');
  } else if (!sample) {
    notTried(3, 'read-source', `no object under s3://${config.sourceBucket}/${sourcePrefix} to read: this link is unproven until the bucket has data`);
  } else {
    const where = `s3://${config.sourceBucket}/${sample.key}`;
    try {
      await readFirstByte(s3, config.sourceBucket, sample.key);
      add(3, 'read-source', 'ok', `read the first byte of ${where}`);
    } catch (err) {
      let fix = isDenied(err)
        ? `the ${SOURCE_POLICY_SID} statement of ${SOURCE_POLICY_FILE} in the bucket policy of ${config.sourceBucket} (it grants s3:GetObject on ${config.sourceBucket}/${sourcePrefix}*) and the ReadSource statement of ${DESTINATION_ROLE_POLICY_FILE}`
        : otherFix(err);
      if (isDenied(err) && mentionsKms(err)) fix += `; the object is encrypted with a KMS key whose key policy must let the role decrypt`;
      add(3, 'read-source', 'broken', `${where}: ${describeError(innermost(err))}`, fix);
    }
  }

  // 4. The destination: list (the copies skip what is there), write, delete the probe.
  if (!assumed) {
    notTried(4, 'write-destination', 'needs the role (link 1)');
  } else {
    const probeUrl = `s3://${config.destinationBucket}/${probeKey}`;
    const kmsFix = config.kmsKeyArn ? `; with KMS_KEY_ARN set, the key policy of ${config.kmsKeyArn} must let the role use the key (EncryptCopiesWithKmsKey)` : '';
    const step = async (what: string, statement: string, call: () => Promise<unknown>): Promise<boolean> => {
      try {
        await call();
        return true;
      } catch (err) {
        const fix = isDenied(err)
          ? `the ${statement} statement of ${DESTINATION_ROLE_POLICY_FILE} in the role's permissions${statement === 'WriteDestination' ? kmsFix : ''}`
          : otherFix(err, { bucket: config.destinationBucket, variable: 'S3_REPLICATE_BUCKET_NAME (DESTINATION_BUCKET)' });
        add(4, 'write-destination', 'broken', `${what}: ${describeError(innermost(err))}`, fix);
        return false;
      }
    };
    const body = `Written by the s3-push preflight check (npm run check) at ${now().toISOString()} and deleted at once. Safe to delete.\n`;
    const ok =
      (await step(`ListObjectsV2 s3://${config.destinationBucket}/${config.destinationPrefix}`, 'ListDestination', () => listSome(s3, config.destinationBucket, config.destinationPrefix, 1))) &&
      (await step(`PutObject ${probeUrl}`, 'WriteDestination', () => putProbe(s3, config.destinationBucket, probeKey, body, { kmsKeyArn: config.kmsKeyArn }))) &&
      (await step(`DeleteObject ${probeUrl} (the probe is left behind: aws s3 rm ${probeUrl})`, 'DeletePreflightProbe', () => deleteProbe(s3, config.destinationBucket, probeKey)));
    if (ok) add(4, 'write-destination', 'ok', `listed, wrote and deleted ${probeUrl}`);
  }

  const report: CheckReport = { check: true, ok: links.every((l) => l.status !== 'broken'), links };
  options.logger.log(report.ok ? 'INFO' : 'ERROR', PREFLIGHT_LOG_MESSAGE, { ...report });
  if (!report.ok) throw new PreflightFailedError(report);
  return report;
}
