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
import { bucketEncryption, deleteProbe, listSome, objectEncryption, putProbe, readFirstByte, resolveCredentials, type ProbeObject } from '../aws/s3Probe.ts';
import { errorName } from '../../rules/awsErrors.ts';
import { PREFLIGHT_LOG_MESSAGE } from '../../rules/names.ts';
import { dayKeys, dayPattern } from '../../rules/prefix.ts';
import { daysBefore, type IsoDate } from '../../rules/dates.ts';
import { innermost, isDenied, isKms, isKmsError, kmsKeyIn, kmsRefused } from './answers.ts';
import {
  assumeRoleFix, defaultKeyFix, destinationEncryptionFix, destinationStatementFix, DESTINATION_BUCKET_VARIABLE, kmsState, kmsWriteFix, listSourceFix, otherFix,
  readSourceFix, setKmsKeyArn, sourceKeyFix, SOURCE_BUCKET_VARIABLE, type OwnedBucket,
} from './fixes.ts';

/**
 * The probe's name, put under the checked day's destination prefix, where the copies of that day
 * go: the write it proves is the one the copies make (WriteDestination). A fixed name (not a
 * random one) so that the destination role's DeletePreflightProbe statement can grant
 * s3:DeleteObject on this one name of a day only.
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

/** What every link reads: the settings, the role's client, and what the run is about. */
interface LinkContext {
  readonly config: HandlerConfig;
  /** The destination client: it carries the assumed role's credentials. */
  readonly s3: S3Client;
  readonly now: () => Date;
  readonly day: IsoDate;
  readonly sourcePrefix: string;
  /** The day pattern of the bucket policy, as its statements name it (`????/??/??/*`). */
  readonly pattern: string;
  /** The checked day's destination prefix, which link 4 lists. */
  readonly destinationPrefix: string;
  readonly probeKey: string;
  readonly source: OwnedBucket;
  readonly destination: OwnedBucket;
}

function titleOf(ctx: LinkContext, name: LinkName): string {
  const { config } = ctx;
  switch (name) {
    case 'assume-role':
      return `assume the destination role ${config.destinationRoleArn}${config.externalId ? ' (with the external id)' : ''}`;
    case 'list-source':
      return `list s3://${config.sourceBucket}/${ctx.sourcePrefix} (the day ${ctx.day}) with the role`;
    case 'read-source':
      return 'read one source object with the role';
    case 'write-destination':
      return `list, write and delete s3://${config.destinationBucket}/${ctx.probeKey} with the role`;
  }
}

const LINK_NUMBER: Record<LinkName, number> = { 'assume-role': 1, 'list-source': 2, 'read-source': 3, 'write-destination': 4 };

function linkOf(ctx: LinkContext, name: LinkName, status: LinkStatus, detail: string, fix?: string): CheckLink {
  return { link: LINK_NUMBER[name], name, title: titleOf(ctx, name), status, detail, ...(fix === undefined ? {} : { fix }) };
}

/** 1. AssumeRole on the destination role. */
async function assumeRole(ctx: LinkContext): Promise<CheckLink> {
  const roleArn = ctx.config.destinationRoleArn;
  try {
    await resolveCredentials(ctx.s3);
    return linkOf(ctx, 'assume-role', 'ok', `assumed ${roleArn}`);
  } catch (err) {
    const fix = isDenied(err) ? assumeRoleFix(roleArn, Boolean(ctx.config.externalId)) : otherFix(err);
    return linkOf(ctx, 'assume-role', 'broken', describeError(innermost(err)), fix);
  }
}

/** 2. One page of the source day's listing; its first non-empty object is what link 3 reads. */
async function listSource(ctx: LinkContext): Promise<{ readonly link: CheckLink; readonly sample?: ProbeObject }> {
  try {
    const objects = await listSome(ctx.s3, ctx.source, ctx.sourcePrefix, LIST_KEYS);
    const sample = objects.find((o) => o.size > 0) ?? objects[0];
    const link = linkOf(ctx, 'list-source', 'ok', objects.length === 0 ? 'listed: no objects yet' : `listed ${objects.length}${objects.length === LIST_KEYS ? '+' : ''} object(s)`);
    return sample ? { link, sample } : { link };
  } catch (err) {
    const fix = isDenied(err)
      ? listSourceFix(ctx.source, ctx.pattern)
      : otherFix(err, { bucket: ctx.config.sourceBucket, variable: SOURCE_BUCKET_VARIABLE });
    return { link: linkOf(ctx, 'list-source', 'broken', describeError(innermost(err)), fix) };
  }
}

/** 3. The first byte of one source object; when S3 or KMS refuses, HEAD names the object's key. */
async function readSource(ctx: LinkContext, sample: ProbeObject): Promise<CheckLink> {
  const { config } = ctx;
  const where = `s3://${config.sourceBucket}/${sample.key}`;
  try {
    await readFirstByte(ctx.s3, ctx.source, sample.key);
    return linkOf(ctx, 'read-source', 'ok', `read the first byte of ${where}`);
  } catch (err) {
    let fix = isDenied(err) ? readSourceFix(config.sourceBucket, ctx.pattern) : otherFix(err);
    if (isDenied(err) || isKmsError(err)) {
      // GET needs kms:Decrypt on an SSE-KMS object, HEAD does not: HEAD says which key it is. When
      // HEAD is refused too, S3 itself refused (the bucket policy), not KMS.
      const encryption = await objectEncryption(ctx.s3, ctx.source, sample.key).catch(() => undefined);
      const key = (isKms(encryption) ? encryption?.kmsKeyId : undefined) ?? (kmsRefused(err) ? kmsKeyIn(err) ?? 'of the object (aws s3api head-object shows SSEKMSKeyId)' : undefined);
      if (key !== undefined) fix = `KMS refused the read: ${sourceKeyFix(key, config)}.${kmsState(err)}`;
    }
    return linkOf(ctx, 'read-source', 'broken', `${where}: ${describeError(innermost(err))}`, fix);
  }
}

/**
 * The destination's default encryption: a customer managed key there refuses the copies when the
 * role has no KMS permission for it (GenerateDataKey, and Decrypt for multipart uploads).
 */
async function destinationKey(ctx: LinkContext): Promise<{ readonly defaultKey?: string; readonly note: string } | { readonly broken: CheckLink }> {
  try {
    const encryption = await bucketEncryption(ctx.s3, ctx.destination);
    // No key id, or the alias aws/s3: the destination account's AWS managed key, which the role (of that account) may use through S3.
    const defaultKey = isKms(encryption) && !/(^|\/|:)alias\/aws\/s3$/.test(encryption.kmsKeyId ?? 'alias/aws/s3') ? encryption.kmsKeyId : undefined;
    return defaultKey === undefined ? { note: '' } : { defaultKey, note: '' };
  } catch (err) {
    if (isDenied(err)) {
      return { broken: linkOf(ctx, 'write-destination', 'broken', `GetBucketEncryption s3://${ctx.config.destinationBucket}: ${describeError(innermost(err))}`, destinationEncryptionFix(ctx.config.destinationBucket)) };
    }
    if (errorName(innermost(err)) === 'ServerSideEncryptionConfigurationNotFoundError') return { note: '' };
    return { note: ` (its default encryption could not be read: ${describeError(innermost(err))})` };
  }
}

/** 4. The destination: its key, then list (the copies skip what is there), write and delete the probe. */
async function writeDestination(ctx: LinkContext): Promise<CheckLink> {
  const { config } = ctx;
  const probeUrl = `s3://${config.destinationBucket}/${ctx.probeKey}`;
  const encryption = await destinationKey(ctx);
  if ('broken' in encryption) return encryption.broken;
  const { defaultKey, note: encryptionNote } = encryption;
  const kmsKeyArnSet = Boolean(config.kmsKeyArn);
  const writeKey = config.kmsKeyArn ?? defaultKey;
  const step = async (what: string, statement: string, call: () => Promise<unknown>): Promise<CheckLink | undefined> => {
    try {
      await call();
      return undefined;
    } catch (err) {
      const fix = statement === 'WriteDestination' && kmsRefused(err)
        ? kmsWriteFix(err, writeKey ?? kmsKeyIn(err), config.destinationBucket, kmsKeyArnSet)
        : isDenied(err)
          ? destinationStatementFix(statement, writeKey, ctx.destination, kmsKeyArnSet)
          : otherFix(err, { bucket: config.destinationBucket, variable: DESTINATION_BUCKET_VARIABLE });
      return linkOf(ctx, 'write-destination', 'broken', `${what}: ${describeError(innermost(err))}`, fix);
    }
  };
  const body = `Written by the s3-push preflight check (npm run check) at ${ctx.now().toISOString()} and deleted at once. Safe to delete.\n`;
  const broken =
    (await step(`ListObjectsV2 s3://${config.destinationBucket}/${ctx.destinationPrefix}`, 'ListDestination', () => listSome(ctx.s3, ctx.destination, ctx.destinationPrefix, 1))) ??
    (await step(`PutObject ${probeUrl}`, 'WriteDestination', () => putProbe(ctx.s3, ctx.destination, ctx.probeKey, body, { kmsKeyArn: config.kmsKeyArn }))) ??
    (await step(`DeleteObject ${probeUrl} (the probe is left behind: aws s3 rm ${probeUrl})`, 'DeletePreflightProbe', () => deleteProbe(ctx.s3, ctx.destination, ctx.probeKey)));
  if (broken) return broken;
  if (defaultKey && !config.kmsKeyArn) {
    // The probe (one PutObject) may pass on a grant the copies lack: a multipart copy also needs kms:Decrypt.
    return linkOf(ctx, 'write-destination', 'broken',
      `wrote and deleted ${probeUrl}, but the default encryption of ${config.destinationBucket} is SSE-KMS with the customer managed key ${defaultKey}, and S3_REPLICATE_KMS_KEY_ARN is not set: ` +
        'the role document grants no KMS permission (copies need kms:GenerateDataKey, multipart copies kms:Decrypt as well)',
      defaultKeyFix(defaultKey));
  }
  const note = defaultKey && defaultKey !== config.kmsKeyArn
    ? ` (the bucket's default key is ${defaultKey}; the copies use S3_REPLICATE_KMS_KEY_ARN ${config.kmsKeyArn ?? ''}: ${setKmsKeyArn(defaultKey)} to use the bucket's)`
    : encryptionNote;
  return linkOf(ctx, 'write-destination', 'ok', `listed, wrote and deleted ${probeUrl}${note}`);
}

/**
 * Runs the preflight: every link that can run, in order. A link runs when the links it needs are
 * ok. Logs the report as one JSON line (`message: "s3-push preflight"`) and returns it when no link
 * is broken; throws {@link PreflightFailedError} (carrying the report) after logging otherwise. The
 * external id is never part of the report (the logger masks it as well).
 */
export async function runCheck(config: HandlerConfig, clients: CheckClients, options: CheckOptions): Promise<CheckReport> {
  const now = options.now ?? (() => new Date());
  const day = options.day ?? daysBefore(now(), config.lagDays);
  const keys = dayKeys(config, day);
  const ctx: LinkContext = {
    config,
    s3: clients.destinationS3,
    now,
    day,
    sourcePrefix: keys.sourcePrefix,
    pattern: `${dayPattern(config.prefixFormat)}*`,
    destinationPrefix: keys.destinationPrefix,
    probeKey: keys.destinationPrefix + PROBE_NAME,
    source: { name: config.sourceBucket, owner: config.sourceAccountId },
    destination: { name: config.destinationBucket, owner: config.destinationAccountId },
  };
  const notTried = (name: LinkName, why: string): CheckLink => linkOf(ctx, name, 'not-tried', why);
  const links: CheckLink[] = [await assumeRole(ctx)];
  if (links[0]?.status !== 'ok') {
    links.push(notTried('list-source', 'needs the role (link 1)'), notTried('read-source', 'needs the role (link 1)'), notTried('write-destination', 'needs the role (link 1)'));
  } else {
    const listed = await listSource(ctx);
    links.push(listed.link);
    if (listed.link.status !== 'ok') links.push(notTried('read-source', 'needs an object listed by link 2'));
    else if (!listed.sample) links.push(notTried('read-source', `no object under s3://${config.sourceBucket}/${ctx.sourcePrefix} to read: this link is unproven until that day has data (or check a day that has: {"check": true, "date": "YYYY-MM-DD"})`));
    else links.push(await readSource(ctx, listed.sample));
    links.push(await writeDestination(ctx));
  }

  const report: CheckReport = { check: true, ok: links.every((l) => l.status !== 'broken'), links };
  options.logger.log(report.ok ? 'INFO' : 'ERROR', PREFLIGHT_LOG_MESSAGE, { ...report });
  if (!report.ok) throw new PreflightFailedError(report);
  return report;
}
