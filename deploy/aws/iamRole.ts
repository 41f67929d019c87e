/**
 * IAM is eventually consistent: a role CloudFormation just created may not be visible yet, and the
 * destination account refuses a trust policy naming a principal it cannot see. Wait until GetRole
 * finds the role before telling the operator to apply the trust policy.
 */
import { GetRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { DeployError } from '../cli/errors.ts';
import { describeError } from '../../rules/errors.ts';
import { errorName } from '../../rules/awsErrors.ts';
import { pollSettings, type PollOptions } from './wait.ts';

/** Default poll interval of the role wait: 2 s. */
export const ROLE_POLL_INTERVAL_MS = 2_000;
/** Default deadline of the role wait: 2 min (IAM propagates in seconds, rarely a minute). */
export const ROLE_TIMEOUT_MS = 120_000;

/** Waits until the role is visible and returns its ARN. */
export async function waitForRole(iam: IAMClient, roleName: string, options: PollOptions = {}): Promise<string> {
  const { pollIntervalMs, timeoutMs, sleep, now } = pollSettings(options, { pollIntervalMs: ROLE_POLL_INTERVAL_MS, timeoutMs: ROLE_TIMEOUT_MS });
  const deadline = now() + timeoutMs;
  for (;;) {
    try {
      const out = await iam.send(new GetRoleCommand({ RoleName: roleName }));
      if (out.Role?.Arn) return out.Role.Arn;
    } catch (err) {
      if (errorName(err) !== 'NoSuchEntityException' && errorName(err) !== 'NoSuchEntity') {
        throw new DeployError(`could not read the execution role ${roleName}: ${describeError(err)}`, err);
      }
    }
    if (now() >= deadline) {
      throw new DeployError(`the execution role ${roleName} was not visible in IAM after ${Math.round(timeoutMs / 1000)} s; rerun npm run deploy in a minute`);
    }
    await sleep(pollIntervalMs);
  }
}
