/**
 * The two emulated accounts and the names that the tests, the measuring scripts and the dev worlds
 * share. moto acts in 123456789012 for plain keys.
 */
export const SOURCE_ACCOUNT = '123456789012';
export const DESTINATION_ACCOUNT = '210987654321';
export const REGION = 'us-east-1';
export const SOURCE_BUCKET = 'acme-source-data';
export const DESTINATION_BUCKET = 'partner-landing-zone';
export const DESTINATION_ROLE_NAME = 's3-push-writer';
export const DESTINATION_ROLE_ARN = `arn:aws:iam::${DESTINATION_ACCOUNT}:role/${DESTINATION_ROLE_NAME}`;
export const EXTERNAL_ID = 'ext-7f3c9a2e';

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

