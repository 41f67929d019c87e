/** Fixtures shared by every test: the accounts and names (from dev/accounts.ts), events, SDK errors. */
import type { ScheduledEvent } from 'aws-lambda';
import { DESTINATION_BUCKET, REGION, SOURCE_ACCOUNT } from '../../dev/accounts.ts';

export { SOURCE_ACCOUNT, DESTINATION_ACCOUNT, REGION, SOURCE_BUCKET, DESTINATION_BUCKET, DESTINATION_ROLE_NAME, DESTINATION_ROLE_ARN, EXTERNAL_ID, handlerEnv } from '../../dev/accounts.ts';

/** An EventBridge scheduled event as the schedule delivers it. */
export function scheduledEvent(time: string): ScheduledEvent {
  return {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: SOURCE_ACCOUNT,
    time,
    region: REGION,
    resources: [`arn:aws:events:${REGION}:${SOURCE_ACCOUNT}:rule/replicate-to-${DESTINATION_BUCKET}`],
    detail: {},
  };
}

/**
 * An error as the SDK throws it for an AWS error response (name = the error code, the HTTP
 * status in `$metadata`), e.g. `awsError('AccessDenied', 403, 'Access Denied')`.
 */
export function awsError(name: string, httpStatusCode: number, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode } });
}

/** The execution role deploy creates for the fixtures' stack (what the destination role trusts). */
export const EXECUTION_ROLE_ARN = `arn:aws:iam::${SOURCE_ACCOUNT}:role/replicate-to-${DESTINATION_BUCKET}-lambda`;
