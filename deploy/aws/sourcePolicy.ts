/**
 * `--apply-source-policy`: merges the rendered statements into the source bucket's policy by Sid
 * (a statement with the same Sid is replaced, every other statement kept, the policy created when
 * the bucket has none), and writes it only when it changes.
 */
import { GetBucketPolicyCommand, PutBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import { DeployError } from '../cli/errors.ts';
import { describeError } from '../../rules/errors.ts';
import { errorName } from '../../rules/awsErrors.ts';
import type { PolicyDocument, PolicyStatement } from '../config/policies.ts';

/** A bucket policy as S3 returns it; statements may be one object or a list. */
export interface BucketPolicy {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The merged policy, and whether it differs from the existing one. Pure. */
export function mergeStatements(existing: BucketPolicy | undefined, add: PolicyDocument): { policy: BucketPolicy; changed: boolean } {
  const sids = new Set(add.Statement.map((s) => s.Sid));
  if (sids.has(undefined) || sids.size !== add.Statement.length) throw new Error('every merged statement needs its own Sid');
  const current = existing === undefined ? [] : Array.isArray(existing.Statement) ? existing.Statement : [existing.Statement];
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
    throw new DeployError(`could not read the bucket policy of ${bucket}: ${describeError(err)}`, err);
  }
}

/** Merges `doc`'s statements into the bucket's policy; `unchanged` when they were already in place. */
export async function applySourcePolicy(s3: S3Client, bucket: string, account: string, doc: PolicyDocument): Promise<'applied' | 'unchanged'> {
  const existing = await getBucketPolicy(s3, bucket, account);
  const { policy, changed } = mergeStatements(existing, doc);
  if (!changed) return 'unchanged';
  try {
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy), ExpectedBucketOwner: account }));
  } catch (err) {
    throw new DeployError(`could not write the bucket policy of ${bucket}: ${describeError(err)}`, err);
  }
  return 'applied';
}
