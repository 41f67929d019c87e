/** Accounts, ARNs and names shared by every test. moto acts in 123456789012 for plain keys. */
export const SOURCE_ACCOUNT = '123456789012';
export const DESTINATION_ACCOUNT = '210987654321';
export const REGION = 'us-east-1';
export const SOURCE_BUCKET = 'acme-source-data';
export const DESTINATION_BUCKET = 'partner-landing-zone';
export const DESTINATION_ROLE_NAME = 's3-push-writer';
export const DESTINATION_ROLE_ARN = `arn:aws:iam::${DESTINATION_ACCOUNT}:role/${DESTINATION_ROLE_NAME}`;
export const EXTERNAL_ID = 'ext-7f3c9a2e';

/** An EventBridge scheduled event as the schedule delivers it. */
export function scheduledEvent(time: string): Record<string, unknown> {
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

/** A complete, valid handler environment (the names the template sets). */
export function handlerEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    SOURCE_BUCKET,
    DESTINATION_BUCKET,
    DESTINATION_ROLE_ARN,
    EXTERNAL_ID,
    ...overrides,
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
