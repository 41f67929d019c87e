/**
 * Credentials of the destination role: STS AssumeRole (with the external id when set), cached and
 * refreshed before they expire, so a long run never signs with expired keys.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { AwsCallError } from '../errors.ts';
import { describeError } from '../../rules/errors.ts';
import { isAccessDenied } from '../../rules/awsErrors.ts';
import { TRUST_POLICY_FILE } from '../../rules/names.ts';

/** Temporary credentials, the shape the SDK clients accept. */
export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Options of {@link assumedRoleCredentials}. */
export interface AssumedRoleOptions {
  readonly sts: STSClient;
  readonly roleArn: string;
  /** sts:ExternalId; omitted when undefined. */
  readonly externalId?: string | undefined;
  /** RoleSessionName, seen in the destination's CloudTrail. Default `s3-push`. */
  readonly sessionName?: string;
  /** Lifetime asked of STS. Default 3600 s (the role's default maximum). */
  readonly durationSeconds?: number;
  /** Refresh when fewer than this many ms are left. Default 5 minutes (longer than any single copy request). */
  readonly refreshMarginMs?: number;
  /** The clock. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * A credential provider for the destination S3 client. Every call returns the cached credentials
 * unless they expire within the margin; concurrent callers during a refresh share one AssumeRole.
 * A failed AssumeRole throws {@link AwsCallError} pointing at the trust policy; the next call tries
 * again.
 */
export function assumedRoleCredentials(options: AssumedRoleOptions): () => Promise<TemporaryCredentials> {
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? 5 * 60_000;
  let cached: TemporaryCredentials | undefined;
  let inFlight: Promise<TemporaryCredentials> | undefined;

  const fresh = (c: TemporaryCredentials | undefined): c is TemporaryCredentials =>
    c !== undefined && (c.expiration === undefined || c.expiration.getTime() - now() > margin);

  const assume = async (): Promise<TemporaryCredentials> => {
    let out;
    try {
      out = await options.sts.send(new AssumeRoleCommand({
        RoleArn: options.roleArn,
        RoleSessionName: options.sessionName ?? 's3-push',
        DurationSeconds: options.durationSeconds ?? 3600,
        ...(options.externalId ? { ExternalId: options.externalId } : {}),
      }));
    } catch (err) {
      // Only a denial is about the trust policy; a throttle or a 5xx that outlived the retries is not.
      const denied = isAccessDenied(err);
      throw new AwsCallError(
        `assuming the destination role ${options.roleArn} failed: ${describeError(err)}` +
          (denied ? ` (check that its trust policy — ${TRUST_POLICY_FILE} — names this function's execution role and the external id)` : ''),
        err,
      );
    }
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new AwsCallError(`AssumeRole on ${options.roleArn} returned no credentials`);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}), ...(c.Expiration ? { expiration: c.Expiration } : {}) };
  };

  return async () => {
    if (fresh(cached)) return cached;
    inFlight ??= assume().finally(() => {
      inFlight = undefined;
    });
    cached = await inFlight;
    return cached;
  };
}
