/**
 * Which code artifacts may expire, as rules and a few pure checks (no SDK call here; the calls are in
 * artifacts.ts). CloudFormation reads the artifact of the code a stack runs again when it rolls a
 * later update back, so that artifact must never expire: the bucket's lifecycle expires only the
 * artifacts that deploy marked superseded, and deploy marks one only once no stack of the region
 * uses it.
 *
 * S3's rules used here: a lifecycle rule's filter is one of Prefix, Tag, or And (a prefix and tags;
 * an object matches when it matches all of them), and its Expiration Days count from the object's
 * creation (https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRule.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html); a rule with
 * a tag filter cannot abort incomplete multipart uploads, so that is a rule of its own. HeadObject
 * and PutObject answer `x-amz-expiration: expiry-date="…", rule-id="…"` when a rule expires the
 * object (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html).
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { LifecycleRule, Tag } from '@aws-sdk/client-s3';

/** Keys of the code zips start with this; the lifecycle rules touch only them. */
export const ARTIFACT_KEY_PREFIX = 's3-push/';
/** The mark of an artifact that no stack uses any more. */
export const SUPERSEDED_TAG: Readonly<Required<Tag>> = { Key: 's3-push-artifact', Value: 'superseded' };
/** Days from its upload before a superseded artifact is deleted (at once when it is older). */
export const SUPERSEDED_EXPIRY_DAYS = 90;
/** The rule that expires superseded artifacts. */
export const EXPIRY_RULE_ID = 'expire-superseded-s3-push-artifacts';
/** The rule that aborts uploads of artifacts left incomplete. */
export const ABORT_RULE_ID = 'abort-incomplete-s3-push-uploads';
/**
 * The rule of artifact buckets created before: every `s3-push/` artifact expired 90 days after its
 * upload, the one a stack runs included. deploy replaces it (see {@link migrateLifecycleRules}).
 */
export const LEGACY_RULE_ID = 'expire-old-s3-push-artifacts';

/** The artifact bucket's lifecycle rules: expire superseded artifacts, abort incomplete uploads. */
export function artifactLifecycleRules(): LifecycleRule[] {
  return [
    {
      ID: EXPIRY_RULE_ID,
      Status: 'Enabled',
      Filter: { And: { Prefix: ARTIFACT_KEY_PREFIX, Tags: [{ ...SUPERSEDED_TAG }] } },
      Expiration: { Days: SUPERSEDED_EXPIRY_DAYS },
    },
    { ID: ABORT_RULE_ID, Status: 'Enabled', Filter: { Prefix: ARTIFACT_KEY_PREFIX }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
  ];
}

/**
 * The bucket's rules with deploy's own in place: the legacy rule and any older copy of ours
 * replaced, every other rule kept as it is. Undefined when nothing needs to change.
 */
export function migrateLifecycleRules(current: readonly LifecycleRule[]): LifecycleRule[] | undefined {
  const ours = artifactLifecycleRules();
  const ids = new Set([LEGACY_RULE_ID, ...ours.map((r) => r.ID)]);
  const kept = current.filter((r) => !ids.has(r.ID ?? ''));
  const upToDate = current.length === kept.length + ours.length && ours.every((rule) => current.some((r) => normalized(r) === normalized(rule)));
  return upToDate ? undefined : [...kept, ...ours];
}

/**
 * A rule as canonical JSON: keys sorted, and without what S3 leaves out or answers empty, so that
 * a rule read back compares equal to the one written.
 */
function normalized(rule: LifecycleRule): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v === null || typeof v !== 'object') return v;
    const entries = Object.entries(v).filter(([, x]) => x !== undefined && x !== null && !(Array.isArray(x) && x.length === 0));
    return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canonical(x)]));
  };
  return JSON.stringify(canonical(rule));
}

/** An `x-amz-expiration` header: when the object expires and by which rule. */
export interface ObjectExpiration {
  readonly expiryDate: string;
  readonly ruleId: string;
}

/** Reads `expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="picture-deletion-rule"` (rule-id URL-encoded). */
export function parseExpiration(header: string | undefined): ObjectExpiration | undefined {
  if (!header) return undefined;
  const date = /expiry-date="([^"]*)"/.exec(header)?.[1];
  const rule = /rule-id="([^"]*)"/.exec(header)?.[1];
  if (date === undefined || rule === undefined) return undefined;
  let ruleId = rule;
  try {
    ruleId = decodeURIComponent(rule);
  } catch {
    // Not percent-encoded after all: keep it as S3 sent it.
  }
  return { expiryDate: date, ruleId };
}

/**
 * The rules of `rules` that expire an object of this key and these tags (enabled, with an
 * Expiration, and a filter the object matches). Size filters are ignored: an artifact is taken to
 * match them, which errs on the side of "it may expire".
 */
export function rulesExpiring(rules: readonly LifecycleRule[], key: string, tags: readonly Tag[]): LifecycleRule[] {
  const hasTag = (t: Tag) => tags.some((x) => x.Key === t.Key && x.Value === t.Value);
  return rules.filter((rule) => {
    if (rule.Status !== 'Enabled' || rule.Expiration === undefined) return false;
    const filter = rule.Filter;
    const prefix = filter?.And ? filter.And.Prefix : filter ? filter.Prefix : rule.Prefix;
    if (prefix !== undefined && !key.startsWith(prefix)) return false;
    if (filter?.Tag && !hasTag(filter.Tag)) return false;
    if (filter?.And?.Tags && !filter.And.Tags.every(hasTag)) return false;
    return true;
  });
}

/** The ArtifactBucket and ArtifactKey a stack's parameters name (what its function's code is read from). */
export function artifactOf(stack: Stack | undefined): { readonly bucket: string; readonly key: string } | undefined {
  const param = (name: string) => stack?.Parameters?.find((p) => p.ParameterKey === name)?.ParameterValue;
  const bucket = param('ArtifactBucket');
  const key = param('ArtifactKey');
  return bucket && key ? { bucket, key } : undefined;
}

/** Why an artifact must stay unmarked, or undefined when no stack can need it. */
export function whyArtifactIsKept(stacks: readonly Stack[], bucket: string, key: string): string | undefined {
  for (const stack of stacks) {
    const status = stack.StackStatus ?? '';
    // A stack in ROLLBACK_COMPLETE holds no resources (its first create failed); a deleted one none.
    if (status === 'ROLLBACK_COMPLETE' || status === 'DELETE_COMPLETE') continue;
    const artifact = artifactOf(stack);
    if (artifact?.bucket !== bucket) continue;
    if (artifact.key === key) return `stack ${stack.StackName ?? '?'} runs it`;
    // During an operation the parameters may name the new artifact while a rollback would need the old.
    if (status.endsWith('_IN_PROGRESS') && status !== 'REVIEW_IN_PROGRESS') return `stack ${stack.StackName ?? '?'} is ${status}, and may roll back to it`;
  }
  return undefined;
}
