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
    SOURCE_ACCOUNT_ID: SOURCE_ACCOUNT,
    EXTERNAL_ID,
    ...overrides,
  };
}


/**
 * A complete, valid deploy environment for the two emulated accounts (docs/configuration.md):
 * both region variables, the required ones and the external id; `overrides` set or (with
 * undefined) remove variables. The one deploy environment of the tests and the scripts.
 */
export function deployEnv(overrides?: Record<string, string>): Record<string, string>;
export function deployEnv(overrides: Record<string, string | undefined>): Record<string, string | undefined>;
export function deployEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCOUNT: SOURCE_ACCOUNT,
    S3_ROOT_BUCKET: SOURCE_BUCKET,
    S3_REPLICATE_BUCKET_NAME: DESTINATION_BUCKET,
    S3_REPLICATE_OTHER_ACCOUNT: DESTINATION_ACCOUNT,
    S3_REPLICATE_OTHER_ROLE_ARN: DESTINATION_ROLE_ARN,
    S3_REPLICATE_EXTERNAL_ID: EXTERNAL_ID,
    ...overrides,
  };
}

/** Plain test keys: moto acts in {@link SOURCE_ACCOUNT} for them. */
export const MOTO_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' } as const;

/**
 * Points the AWS SDK of this process at a moto server as the source account: the endpoint, the
 * region, {@link MOTO_CREDENTIALS}, and no session token or profile from the shell that could
 * reach a real account.
 */
export function useMotoAsSource(endpoint: string, env: NodeJS.ProcessEnv = process.env): void {
  Object.assign(env, { AWS_ENDPOINT_URL: endpoint, AWS_REGION: REGION, AWS_DEFAULT_REGION: REGION, AWS_ACCOUNT: SOURCE_ACCOUNT, ...MOTO_CREDENTIALS });
  delete env.AWS_SESSION_TOKEN;
  delete env.AWS_PROFILE;
}
