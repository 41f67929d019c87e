/**
 * The Sids of one stack's statements in the source bucket policy. Several stacks (one per partner)
 * may push from one source bucket, each merging its statements into the one bucket policy by Sid:
 * each stack's Sids must be its own, and the same at every deploy of it, so that a redeploy replaces
 * only its own statements and a destroy removes only them. Pure.
 *
 * The rule: `S3Push` + the statement's kind (`Read`, `List`, `Deny`) + the stack name's letters and
 * digits (its hyphens dropped; cut to {@link SID_NAME_CHARS}) + 8 hex digits of the SHA-256 of
 * `<region>/<stack name>`. IAM admits only ASCII letters and digits in a Sid
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html), so the
 * name alone is not enough: `acme-push` and `acmepush` would read the same, and a cut name would
 * clash with another that starts alike. The hash tells them apart (and a stack of the same name in
 * another region, which is another stack), and it is always there, so that no stack's readable part
 * can spell another's hash. At most 4 + 6 + 32 + 8 = 50 characters.
 */
import { createHash } from 'node:crypto';

/** The stack a source bucket policy statement belongs to: a stack is its name in a region (of the one account). */
export interface StackIdentity {
  readonly stackName: string;
  readonly region: string;
}

/** The kinds of statement a stack writes in the source bucket policy. */
export const SOURCE_STATEMENT_KINDS = ['Read', 'List', 'Deny'] as const;
export type SourceStatementKind = (typeof SOURCE_STATEMENT_KINDS)[number];

/** How many of the stack name's letters and digits a Sid keeps. */
export const SID_NAME_CHARS = 32;

/** The longest Sid {@link sourcePolicySid} returns. */
export const MAX_SOURCE_SID_CHARS = 'S3Push'.length + 'Read'.length + SID_NAME_CHARS + 8;

/** The Sid of the stack's statement of `kind`. */
export function sourcePolicySid(stack: StackIdentity, kind: SourceStatementKind): string {
  const hash = createHash('sha256').update(`${stack.region}/${stack.stackName}`).digest('hex').slice(0, 8);
  return `S3Push${kind}${stack.stackName.replace(/[^A-Za-z0-9]/g, '').slice(0, SID_NAME_CHARS)}${hash}`;
}

/** Every Sid of the stack, by kind. */
export function sourcePolicySids(stack: StackIdentity): Record<SourceStatementKind, string> {
  return { Read: sourcePolicySid(stack, 'Read'), List: sourcePolicySid(stack, 'List'), Deny: sourcePolicySid(stack, 'Deny') };
}

/**
 * The fixed Sids of the releases that allowed one stack per source bucket. A statement of either
 * belongs to the stack whose destination role and day pattern it names; deploy replaces it by that
 * stack's own Sids, destroy removes it with them.
 */
export const LEGACY_SOURCE_POLICY_SIDS: readonly string[] = ['S3PushReadAccess', 'S3PushListAccess'];
