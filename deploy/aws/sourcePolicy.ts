/**
 * `--apply-source-policy`: merges the rendered statement into the source bucket's policy by Sid
 * (s3-push's own, `S3PushReadAccess`): every other statement is kept, the policy is created when the
 * bucket has none, and it is written only when it changes. A statement of that Sid is replaced only
 * when it grants nothing s3-push's does not (an earlier rendering: another prefix, another version
 * of s3-push); one that grants anything else is refused, naming it, before anything is written.
 */
import { GetBucketPolicyCommand, PutBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import { DeployError } from '../cli/errors.ts';
import { S3PushError, describeError } from '../../rules/errors.ts';
import { errorName } from '../../rules/awsErrors.ts';
import type { PolicyDocument, PolicyStatement } from '../config/policies.ts';

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
 * The merged policy, and whether it differs from the existing one. Pure. Throws a
 * {@link SourcePolicyConflictError} when a statement of one of `add`'s Sids grants anything else.
 *
 * @param bucket the bucket, for the message.
 */
export function mergeStatements(existing: BucketPolicy | undefined, add: PolicyDocument, bucket = 'the bucket'): { policy: BucketPolicy; changed: boolean } {
  const sids = new Set(add.Statement.map((s) => s.Sid));
  if (sids.has(undefined) || sids.size !== add.Statement.length) throw new Error('every merged statement needs its own Sid');
  const current = existing === undefined ? [] : Array.isArray(existing.Statement) ? existing.Statement : [existing.Statement];
  // An earlier rendering may have split the grants differently (one statement listed and read
  // before the day pattern gave the listing its own statement): what one of our Sids held is
  // measured against everything the rendered statements grant together.
  const together: PolicyStatement = {
    Effect: 'Allow',
    Principal: add.Statement[0]?.Principal,
    Action: add.Statement.flatMap((st) => list(st.Action).map(String)),
    Resource: add.Statement.flatMap((st) => list(st.Resource).map(String)),
  };
  const conflicts = add.Statement.flatMap((ours) => current
    .filter((c) => c.Sid === ours.Sid)
    .map((c) => ({ sid: ours.Sid!, beyond: grantsBeyond(c, together) }))
    .filter((c) => c.beyond.length > 0));
  if (conflicts.length > 0) {
    throw new SourcePolicyConflictError(conflicts.map(({ sid, beyond }) =>
      `the bucket policy of ${bucket} already has a statement with the Sid ${sid} that grants what s3-push's does not (${beyond.join('; ')}): ` +
      `not replaced, nothing written. Give that statement another Sid (or remove it) and rerun, or add the statement of the rendered sourceBucketPolicy.json.tmp by hand under another Sid`).join('\n'));
  }
  const kept = current.filter((s) => !sids.has(s.Sid));
  const policy: BucketPolicy = { ...(existing ?? {}), Version: existing?.Version ?? add.Version, Statement: [...kept, ...add.Statement] };
  // Unchanged when every rendered statement is already there, as is.
  const changed = existing === undefined || add.Statement.some((s) => !current.some((c) => c.Sid === s.Sid && canonical(c) === canonical(s)));
  return { policy, changed };
}

/** Reads the bucket policy; undefined when the bucket has none. */
export async function getBucketPolicy(s3: S3Client, bucket: string, account: string): Promise<BucketPolicy | undefined> {
  try {
    const out = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket, ExpectedBucketOwner: account }));
    return out.Policy ? (JSON.parse(out.Policy) as BucketPolicy) : undefined;
  } catch (err) {
    if (errorName(err) === 'NoSuchBucketPolicy') return undefined;
    throw new DeployError(`could not read the bucket policy of ${bucket}: ${describeError(err)}`, err, 's3:GetBucketPolicy');
  }
}

/**
 * Reads the bucket policy and merges `doc` into it, writing nothing: what {@link applySourcePolicy}
 * would write. Throws a {@link SourcePolicyConflictError} as {@link mergeStatements} does, so deploy
 * can refuse before it changes anything.
 */
export async function planSourcePolicy(s3: S3Client, bucket: string, account: string, doc: PolicyDocument): Promise<{ policy: BucketPolicy; changed: boolean }> {
  return mergeStatements(await getBucketPolicy(s3, bucket, account), doc, bucket);
}

/** Merges `doc`'s statements into the bucket's policy; `unchanged` when they were already in place. */
export async function applySourcePolicy(s3: S3Client, bucket: string, account: string, doc: PolicyDocument): Promise<'applied' | 'unchanged'> {
  const { policy, changed } = await planSourcePolicy(s3, bucket, account, doc);
  if (!changed) return 'unchanged';
  try {
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy), ExpectedBucketOwner: account }));
  } catch (err) {
    throw new DeployError(`could not write the bucket policy of ${bucket}: ${describeError(err)}`, err, 's3:PutBucketPolicy');
  }
  return 'applied';
}
