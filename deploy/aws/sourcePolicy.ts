/**
 * The source bucket policy, shared by every stack (one per partner) that pushes from the bucket and
 * by whatever else the bucket's owner grants. `--apply-source-policy` merges one stack's statements
 * into it by the stack's own Sids (rules/sourcePolicySids.ts): every other statement is kept (other
 * partners' and unrelated ones), the policy is created when the bucket has none, and it is written
 * only when it changes. A statement of one of the stack's Sids is replaced only when it grants
 * nothing the stack's do not (an earlier rendering); one that grants anything else is refused,
 * naming it, before anything is written, and so is a merged policy over S3's 20 KB. Statements of
 * the fixed Sids of older releases are taken over in the same write when they are the stack's (its
 * role, its day patterns) and kept otherwise. `npm run destroy` takes out the stack's statements only.
 */
import { DeleteBucketPolicyCommand, GetBucketPolicyCommand, PutBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import { DeployError } from '../cli/errors.ts';
import { S3PushError, describeError } from '../../rules/errors.ts';
import { errorName } from '../../rules/awsErrors.ts';
import { quoteValue } from '../../rules/quote.ts';
import { parseRoleArn } from '../../rules/awsNames.ts';
import type { PolicyStatement } from '../config/policies.ts';
import { LEGACY_SOURCE_POLICY_SIDS, SOURCE_STATEMENT_KINDS, sourcePolicySids, type StackIdentity } from '../../rules/sourcePolicySids.ts';
import { dayPattern, dayPatterns } from '../../rules/prefix.ts';

/** A bucket policy as S3 returns it; statements may be one object or a list. */
export interface BucketPolicy {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

/**
 * The bucket policy holds a statement of s3-push's Sid that grants something else: replacing it
 * would silently take that grant away. The operator renames or removes it (exit 2); nothing was written.
 */
export class SourcePolicyConflictError extends S3PushError {
  override name = 'SourcePolicyConflictError';

  constructor(message: string) {
    super(message, { userFault: true });
  }
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function list(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** A Principal with every value as a sorted list, so that `"x"` and `["x"]` compare equal. */
function principalKey(principal: unknown): string {
  if (principal === null || typeof principal !== 'object' || Array.isArray(principal)) return canonical(principal);
  const entries = Object.entries(principal as Record<string, unknown>).map(([k, v]) => [k, list(v).map(String).sort()] as const);
  return canonical(Object.fromEntries(entries));
}

/**
 * What `existing` (a statement of the same Sid as `ours`) grants that `ours` does not; empty when it
 * only allows `ours`' principal a part of `ours`' actions on `ours`' buckets (the bucket or objects
 * in it), whatever its resources' prefixes and conditions: then it is an earlier rendering of ours.
 * Pure.
 */
export function grantsBeyond(existing: PolicyStatement, ours: PolicyStatement): string[] {
  const raw = existing as unknown as Record<string, unknown>;
  const beyond: string[] = [];
  for (const key of ['NotPrincipal', 'NotAction', 'NotResource']) {
    if (raw[key] !== undefined) beyond.push(`${key} ${JSON.stringify(raw[key])}`);
  }
  // A Deny grants nothing, but replacing it would lift it.
  if (existing.Effect !== 'Allow') beyond.push(`Effect ${JSON.stringify(existing.Effect)}`);
  if (principalKey(existing.Principal) !== principalKey(ours.Principal)) beyond.push(`Principal ${JSON.stringify(existing.Principal)}`);
  const actions = new Set(list(ours.Action).map((a) => String(a).toLowerCase()));
  const otherActions = list(existing.Action).filter((a) => !actions.has(String(a).toLowerCase()));
  if (otherActions.length > 0) beyond.push(`Action ${JSON.stringify(otherActions)}`);
  const buckets = new Set(list(ours.Resource).map((r) => String(r).split('/')[0]!));
  const inBucket = (r: string) => buckets.has(r) || [...buckets].some((b) => r.startsWith(`${b}/`));
  const otherResources = list(existing.Resource).filter((r) => !inBucket(String(r)));
  if (otherResources.length > 0) beyond.push(`Resource ${JSON.stringify(otherResources)}`);
  return beyond;
}

/**
 * S3's limit on a bucket policy: "Bucket policies are limited to 20 KB in size"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-iam-policies.html). Counted as
 * 20 × 1,024 bytes of the policy as s3-push writes it (JSON without white space), as AWS counts its
 * other policy quotas in multiples of 1,024 (IAM's 10,240 characters for an inline role policy).
 */
export const BUCKET_POLICY_MAX_BYTES = 20 * 1024;

/** The size of a policy as {@link applySourcePolicy} writes it. */
export function policyBytes(policy: BucketPolicy): number {
  return Buffer.byteLength(JSON.stringify(policy), 'utf8');
}

/**
 * The merged policy would pass S3's size limit: PutBucketPolicy would fail. Refused before any
 * change (exit 2): the operator removes statements no longer needed, or shortens the values.
 */
export class SourcePolicySizeError extends S3PushError {
  override name = 'SourcePolicySizeError';

  constructor(message: string) {
    super(message, { userFault: true });
  }
}

/**
 * One stack's statements in the source bucket policy, and how to tell them from everyone else's:
 * by Sid (the stack's own, every kind it may write), and, for a statement of an older release's
 * fixed Sid, by its principal and day patterns.
 */
export interface StackStatements {
  /** The stack's statements as rendered now (each with one of {@link sids}); none when only removing. */
  readonly rendered: readonly PolicyStatement[];
  /** Every Sid the stack may have written, rendered now or not (a Deny written before, say). */
  readonly sids: readonly string[];
  /** The destination role: the principal of each of the stack's statements. */
  readonly principal: string;
  /** The source bucket's ARN. */
  readonly bucketArn: string;
  /** The actions the stack's Allow statements may grant. */
  readonly actions: readonly string[];
  /**
   * The object ARN patterns and s3:prefix values of the stack's day patterns, as rendered now and as
   * earlier releases rendered them: a statement of a legacy Sid that names only these (and the
   * stack's principal and actions) is the stack's.
   */
  readonly dayResources: readonly string[];
  readonly dayPrefixes: readonly string[];
}

/** What a change to the source bucket policy would do. */
export interface SourcePolicyPlan {
  /** The policy to write; undefined when no statement is left (the policy is deleted). */
  readonly policy: BucketPolicy | undefined;
  /** Whether it differs from the bucket's policy. */
  readonly changed: boolean;
  /** The stack's statements written (Sids). */
  readonly written: readonly string[];
  /** Statements taken out: the stack's own not rendered any more, and its statements of legacy Sids. */
  readonly removed: readonly PolicyStatement[];
  /** Statements of a legacy Sid left in place, with why they are not this stack's. */
  readonly keptLegacy: readonly { readonly sid: string; readonly why: string }[];
  /** Statements of the stack's Sids that grant something else: never touched (destroy) or refused (deploy). */
  readonly foreign: readonly { readonly sid: string; readonly beyond: readonly string[] }[];
  /** The size of {@link policy} as written, in bytes (0 without one). */
  readonly bytes: number;
}

function statementsOf(existing: BucketPolicy | undefined): PolicyStatement[] {
  return existing === undefined ? [] : Array.isArray(existing.Statement) ? existing.Statement : [existing.Statement];
}

/** Why `st`, a statement of one of the stack's own Sids, may not be replaced or removed by it: empty when it is the stack's. */
function ownBeyond(st: PolicyStatement, own: StackStatements): string[] {
  const principal = { AWS: own.principal };
  if (st.Effect === 'Deny') {
    // A Deny of the stack's role only narrows what the stack's own Allow statements grant: lifting
    // it (a changed exclusion) takes nothing from anyone else.
    const raw = st as unknown as Record<string, unknown>;
    const beyond = ['NotPrincipal', 'NotAction', 'NotResource'].filter((k) => raw[k] !== undefined).map((k) => `${k} ${JSON.stringify(raw[k])}`);
    if (principalKey(st.Principal) !== principalKey(principal)) beyond.push(`Principal ${JSON.stringify(st.Principal)}`);
    return beyond;
  }
  // An earlier rendering may have split the grants differently (one statement listed and read
  // before the day pattern gave the listing its own statement): what one of our Sids held is
  // measured against everything the stack grants together.
  return grantsBeyond(st, { Effect: 'Allow', Principal: principal, Action: [...own.actions], Resource: [own.bucketArn, `${own.bucketArn}/*`] });
}

/** Why `st`, a statement of a legacy Sid, is not the stack's; undefined when it is. */
function legacyNotOurs(st: PolicyStatement, own: StackStatements): string | undefined {
  const beyond = ownBeyond(st, own);
  if (st.Effect !== 'Allow') beyond.unshift('Effect "Deny"');
  if (beyond.length > 0) return `it grants what this stack does not (${beyond.join('; ')})`;
  const resources = new Set([own.bucketArn, ...own.dayResources]);
  const others = list(st.Resource).map(String).filter((r) => !resources.has(r));
  if (others.length > 0) return `it names ${JSON.stringify(others)}, not this stack's day patterns`;
  const raw = st as unknown as Record<string, unknown>;
  const condition = (raw.Condition ?? {}) as Record<string, Record<string, unknown>>;
  // A listing without an s3:prefix condition lists the whole bucket: a sibling of the same role
  // with another day format may list through it.
  if (list(st.Resource).map(String).includes(own.bucketArn) && condition.StringLike?.['s3:prefix'] === undefined) {
    return 'it lets the role list the whole bucket, not only this stack\'s days';
  }
  const prefixes = new Set(own.dayPrefixes);
  for (const [operator, keys] of Object.entries(condition)) {
    for (const [key, value] of Object.entries(keys ?? {})) {
      if (operator !== 'StringLike' || key !== 's3:prefix' || !list(value).every((v) => prefixes.has(String(v)))) {
        return `its condition ${operator} ${key} ${JSON.stringify(value)} is not this stack's day patterns`;
      }
    }
  }
  return undefined;
}

/**
 * The bucket policy with the stack's statements as `own.rendered`: every statement that is not the
 * stack's kept where it was; each of the stack's replaced in place (or added at the end); the
 * stack's statements of its own Sids that it renders no more, and its statements of the legacy Sids,
 * taken out — in the same PutBucketPolicy that writes the new ones, so the role's access has no gap.
 * Statements of the stack's Sids that grant anything else are listed in `foreign` and kept. Pure.
 */
export function planStatements(existing: BucketPolicy | undefined, own: StackStatements): SourcePolicyPlan {
  const renderedSids = new Set(own.rendered.map((s) => s.Sid));
  if (renderedSids.has(undefined) || renderedSids.size !== own.rendered.length || own.rendered.some((s) => !own.sids.includes(s.Sid!))) {
    throw new Error('every statement of the stack needs its own Sid, one of the stack\'s');
  }
  const current = statementsOf(existing);
  const sids = new Set(own.sids);
  const out: PolicyStatement[] = [];
  const placed = new Set<string>();
  const removed: PolicyStatement[] = [];
  const keptLegacy: { sid: string; why: string }[] = [];
  const foreign: { sid: string; beyond: string[] }[] = [];
  for (const st of current) {
    const sid = st.Sid;
    if (sid !== undefined && sids.has(sid)) {
      const beyond = ownBeyond(st, own);
      if (beyond.length > 0) {
        foreign.push({ sid, beyond });
        out.push(st);
        continue;
      }
      const now = own.rendered.find((r) => r.Sid === sid);
      if (now !== undefined && !placed.has(sid)) {
        out.push(now);
        placed.add(sid);
      } else {
        removed.push(st);
      }
    } else if (sid !== undefined && LEGACY_SOURCE_POLICY_SIDS.includes(sid)) {
      const why = legacyNotOurs(st, own);
      if (why === undefined) removed.push(st);
      else {
        keptLegacy.push({ sid, why });
        out.push(st);
      }
    } else {
      out.push(st);
    }
  }
  for (const st of own.rendered) if (!placed.has(st.Sid!)) out.push(st);
  const policy: BucketPolicy | undefined = out.length === 0 ? undefined : { ...(existing ?? {}), Version: existing?.Version ?? '2012-10-17', Statement: out };
  const changed = existing === undefined ? policy !== undefined : canonical(current) !== canonical(out);
  return { policy, changed, written: own.rendered.map((s) => s.Sid!), removed, keptLegacy, foreign, bytes: policy === undefined ? 0 : policyBytes(policy) };
}

/**
 * The plan of merging the stack's rendered statements ({@link planStatements}), refused before
 * anything is written: a {@link SourcePolicyConflictError} when a statement of one of the stack's
 * Sids grants anything else, a {@link SourcePolicySizeError} when the policy would pass
 * {@link BUCKET_POLICY_MAX_BYTES}. Pure.
 *
 * @param bucket the bucket, for the messages.
 */
export function mergeStatements(existing: BucketPolicy | undefined, own: StackStatements, bucket = 'the bucket'): SourcePolicyPlan {
  const plan = planStatements(existing, own);
  if (plan.foreign.length > 0) {
    throw new SourcePolicyConflictError(plan.foreign.map(({ sid, beyond }) =>
      `the bucket policy of ${bucket} already has a statement with the Sid ${sid} that grants what s3-push's does not (${beyond.join('; ')}): ` +
      `not replaced, nothing written. Give that statement another Sid (or remove it) and rerun, or add the statement of the rendered sourceBucketPolicy.json.tmp by hand under another Sid`).join('\n'));
  }
  if (plan.changed && plan.bytes > BUCKET_POLICY_MAX_BYTES) {
    const ours = own.rendered.length === 0 ? 0 : policyBytes({ Version: '2012-10-17', Statement: [...own.rendered] });
    const others = (plan.policy === undefined ? [] : statementsOf(plan.policy)).length - own.rendered.length;
    throw new SourcePolicySizeError(
      `the bucket policy of ${bucket} would be ${plan.bytes} bytes with this stack's statements (about ${ours} bytes of them, ${others} other statement(s) kept), ` +
      `over S3's limit of 20 KB (${BUCKET_POLICY_MAX_BYTES} bytes): nothing written. Remove the statements of partners that are gone (npm run destroy removes a stack's own), ` +
      `or shorten S3_REPLICATE_PREFIX_FORMAT or the destination role's ARN, which each statement repeats`);
  }
  return plan;
}

/**
 * The longest bucket policy text {@link parseStoredPolicy} parses. S3 keeps at most
 * {@link BUCKET_POLICY_MAX_BYTES} of policy but does not say whether it counts white space, so a
 * policy put indented may come back longer than that: four times the limit leaves room for any
 * indentation, and refuses before JSON.parse a text no S3 kept (an endpoint that does not hold
 * S3's limit), whose every statement deploy and destroy would otherwise walk and write back.
 */
export const STORED_POLICY_MAX_BYTES = 4 * BUCKET_POLICY_MAX_BYTES;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The bucket policy as S3 returned it, checked before anything acts on it: at most
 * {@link STORED_POLICY_MAX_BYTES}, JSON, an object whose Statement is one statement object or a list
 * of them. A {@link DeployError} naming the bucket otherwise (nothing is written). Pure.
 */
export function parseStoredPolicy(text: string, bucket: string): BucketPolicy {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > STORED_POLICY_MAX_BYTES) {
    throw new DeployError(`the bucket policy of ${bucket} as read is ${bytes} bytes, over the ${STORED_POLICY_MAX_BYTES} any policy S3 keeps fits in (S3's limit is 20 KB): not parsed, nothing written; is AWS_ENDPOINT_URL an S3 that keeps S3's limit?`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DeployError(`the bucket policy of ${bucket} as read is not JSON (${describeError(err)}): nothing written`, err);
  }
  const statement = isObject(parsed) ? parsed.Statement : undefined;
  if (!isObject(statement) && !(Array.isArray(statement) && statement.every(isObject))) {
    throw new DeployError(`the bucket policy of ${bucket} as read has no Statement of statement objects (expected {"Statement": [{…}, …]}, got ${quoteValue(text)}): nothing written`);
  }
  return parsed as BucketPolicy;
}

/** Reads the bucket policy ({@link parseStoredPolicy}); undefined when the bucket has none. */
export async function getBucketPolicy(s3: S3Client, bucket: string, account: string): Promise<BucketPolicy | undefined> {
  let text: string | undefined;
  try {
    text = (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket, ExpectedBucketOwner: account }))).Policy;
  } catch (err) {
    if (errorName(err) === 'NoSuchBucketPolicy') return undefined;
    throw new DeployError(`could not read the bucket policy of ${bucket}: ${describeError(err)}`, err, 's3:GetBucketPolicy');
  }
  return text ? parseStoredPolicy(text, bucket) : undefined;
}

/**
 * Reads the bucket policy and merges the stack's statements into it, writing nothing: what
 * {@link applySourcePolicy} would write. Throws as {@link mergeStatements} does, so deploy can
 * refuse before it changes anything.
 */
export async function planSourcePolicy(s3: S3Client, bucket: string, account: string, own: StackStatements): Promise<SourcePolicyPlan> {
  return mergeStatements(await getBucketPolicy(s3, bucket, account), own, bucket);
}

/** Writes `plan`'s policy (PutBucketPolicy, or DeleteBucketPolicy when no statement is left). */
async function writePlan(s3: S3Client, bucket: string, account: string, plan: SourcePolicyPlan): Promise<void> {
  const action = plan.policy === undefined ? 's3:DeleteBucketPolicy' : 's3:PutBucketPolicy';
  try {
    if (plan.policy === undefined) await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket, ExpectedBucketOwner: account }));
    else await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(plan.policy), ExpectedBucketOwner: account }));
  } catch (err) {
    throw new DeployError(`could not write the bucket policy of ${bucket}: ${describeError(err)}`, err, action);
  }
}

/** Merges the stack's statements into the bucket's policy; `unchanged` when they were already in place. */
export async function applySourcePolicy(s3: S3Client, bucket: string, account: string, own: StackStatements): Promise<{ outcome: 'applied' | 'unchanged'; plan: SourcePolicyPlan }> {
  const plan = await planSourcePolicy(s3, bucket, account, own);
  if (!plan.changed) return { outcome: 'unchanged', plan };
  await writePlan(s3, bucket, account, plan);
  return { outcome: 'applied', plan };
}

/**
 * The bucket policy without the stack's statements (`own.rendered` is ignored): its own Sids and its
 * statements of the legacy Sids taken out, everything else kept. Pure.
 */
export function planRemoval(existing: BucketPolicy | undefined, own: StackStatements): SourcePolicyPlan {
  return planStatements(existing, { ...own, rendered: [] });
}

/**
 * Takes the stack's statements out of the bucket's policy. The policy is read again just before the
 * write (S3 has no conditional PutBucketPolicy), so that a statement another stack wrote since the
 * plan was shown is kept; returns what was done.
 */
export async function removeSourcePolicy(s3: S3Client, bucket: string, account: string, own: StackStatements): Promise<SourcePolicyPlan> {
  const plan = planRemoval(await getBucketPolicy(s3, bucket, account), own);
  if (plan.changed) await writePlan(s3, bucket, account, plan);
  return plan;
}

/** The actions the stack's Allow statements grant (sourceBucketPolicy.json.hbs; a test holds them equal). */
export const SOURCE_POLICY_ACTIONS: readonly string[] = ['s3:GetObject', 's3:GetObjectTagging', 's3:ListBucket'];

/** What names one stack's statements: the stack, its source bucket and day format, its partner's role. */
export interface StackStatementsValues {
  readonly stack: StackIdentity;
  readonly sourceBucket: string;
  readonly prefixFormat: string;
  readonly destinationRoleArn: string;
}

/**
 * The stack's {@link StackStatements}: `rendered`, its statements as rendered now (none when only
 * removing them), and its day patterns as this release and the earlier ones rendered them. Pure.
 */
export function stackStatements(values: StackStatementsValues, rendered: readonly PolicyStatement[] = []): StackStatements {
  // As renderDocuments reads it, so that the bucket ARN matches the rendered statements'.
  const partition = parseRoleArn(values.destinationRoleArn)?.partition ?? 'aws';
  const bucketArn = `arn:${partition}:s3:::${values.sourceBucket}`;
  // The narrow patterns rendered now, and the one broad pattern earlier releases rendered.
  const patterns = [...dayPatterns(values.prefixFormat), dayPattern(values.prefixFormat)].map((p) => `${p}*`);
  const sids = sourcePolicySids(values.stack);
  return {
    rendered,
    sids: SOURCE_STATEMENT_KINDS.map((k) => sids[k]),
    principal: values.destinationRoleArn,
    bucketArn,
    actions: SOURCE_POLICY_ACTIONS,
    dayResources: patterns.map((p) => `${bucketArn}/${p}`),
    dayPrefixes: patterns,
  };
}
