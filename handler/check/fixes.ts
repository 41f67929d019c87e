/**
 * What the preflight tells the operator to do about a broken link: which file or statement fixes
 * it, in which account, with which command. The texts only; the links that use them are in
 * check.ts. Pure.
 */
import type { HandlerConfig } from '../config.ts';
import { kmsKeyArnProblem, accountOf, roleNameOf } from '../../rules/awsNames.ts';
import { errorName } from '../../rules/awsErrors.ts';
import { DESTINATION_ROLE_POLICY_FILE, SOURCE_KEY_POLICY_FILE, SOURCE_POLICY_FILE, TRUST_POLICY_FILE, TRUST_POLICY_SID } from '../../rules/names.ts';
import { endpointFailure, innermost, isKmsError } from './answers.ts';

/** A bucket and the account that must own it. */
export interface OwnedBucket {
  readonly name: string;
  readonly owner: string;
}

/** The variable that names a bucket, and the bucket: named in a fix when S3 says it does not exist. */
export interface BucketVariable {
  readonly bucket: string;
  readonly variable: string;
}

/** Where the source bucket is set, for the fixes that name it. */
export const SOURCE_BUCKET_VARIABLE = 'S3_ROOT_BUCKET (SOURCE_BUCKET)';
/** Where the destination bucket is set. */
export const DESTINATION_BUCKET_VARIABLE = 'S3_REPLICATE_BUCKET_NAME (DESTINATION_BUCKET)';

/** What a KMS.* code says about the key, or '' for a denial. */
export function kmsState(err: unknown): string {
  const name = errorName(innermost(err));
  if (name === 'KMS.DisabledException') return ' The key is disabled: enable it (aws kms enable-key), or name another key.';
  if (name === 'KMS.KMSInvalidStateException') return ' The key is not usable in its state (pending deletion or import): cancel the deletion (aws kms cancel-key-deletion), or name another key.';
  if (name === 'KMS.NotFoundException') return ' KMS does not find the key in the bucket\'s region: a KMS key must be in the bucket\'s region.';
  return isKmsError(err) ? ` KMS answered ${name}.` : '';
}

/**
 * How to set S3_REPLICATE_KMS_KEY_ARN to `key`: deploy takes a key ARN, while a bucket's default
 * encryption may name a key id or an alias.
 */
export function setKmsKeyArn(key: string): string {
  return kmsKeyArnProblem(key) === undefined
    ? `set S3_REPLICATE_KMS_KEY_ARN=${key}`
    : `set S3_REPLICATE_KMS_KEY_ARN to the ARN of the key ${key} (aws kms describe-key --key-id ${key} --query KeyMetadata.Arn, in the destination account)`;
}

/**
 * The fix for a source object the role may not decrypt. Cross-account, kms:Decrypt must be allowed
 * both by the key's policy (source account) and by the role's own policy
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html);
 * an AWS managed key (aws/s3) cannot be shared with another account at all.
 */
export function sourceKeyFix(key: string, config: Pick<HandlerConfig, 'sourceKmsKeyArn'>): string {
  const render = config.sourceKmsKeyArn === key
    ? ''
    : `set S3_REPLICATE_SOURCE_KMS_KEY_ARN=${key} and run npm run deploy (SOURCE_KMS_KEY_ARN is ${config.sourceKmsKeyArn ?? 'not set'}), then `;
  return `the object is encrypted with the KMS key ${key}: ${render}apply the DecryptSourceObjects statement of ${DESTINATION_ROLE_POLICY_FILE} ` +
    `to the role and add the statement of ${SOURCE_KEY_POLICY_FILE} to the key policy of ${key} (source account). ` +
    'If it is the AWS managed key aws/s3, no other account can use it: re-encrypt the objects with a customer managed key';
}

/** What an endpoint that did not answer as S3 does said, in plain words. */
function endpointFix(failure: { status: number | undefined; html: boolean }, name: string): string {
  const answered = failure.html
    ? `the endpoint answered an HTML page${failure.status === undefined ? '' : ` (HTTP ${failure.status})`}, not S3's XML`
    : `the endpoint answered HTTP ${failure.status ?? '?'}${name === '' || name === 'Unknown' ? '' : ` (${name})`}, a server failure after the SDK's retries`;
  return `${answered}: not a permission denial, and nothing the IAM documents fix. Against AWS, S3 failed or throttled: run the check again later. ` +
    'Against an emulator or a proxy (AWS_ENDPOINT_URL), it failed on this request: its log names the cause';
}

/** The fix for an error that is not a denial: what the endpoint said, and where such errors come from. */
export function otherFix(err: unknown, bucketVariable?: BucketVariable): string {
  const e = innermost(err);
  if (bucketVariable && errorName(e) === 'NoSuchBucket') {
    return `the bucket ${bucketVariable.bucket} does not exist: check ${bucketVariable.variable} and redeploy`;
  }
  const failure = endpointFailure(e);
  if (failure) return endpointFix(failure, errorName(e));
  return `not a permission denial (${errorName(e) || 'error'}): it may be transient (run the check again) or a setting of the function (region, endpoint, bucket name); see the error`;
}

/** S3 answers an owner mismatch (a bucket of that name in another account) as a denial. */
export function notOwned(bucket: OwnedBucket, variable: string): string {
  return `; or ${bucket.name} is not owned by account ${bucket.owner} (every request names that owner, and S3 denies it when the bucket is another account's, e.g. deleted and its name registered again): check ${variable}`;
}

/** Link 1 denied: the trust policy (or the role, or the external id). */
export function assumeRoleFix(roleArn: string, withExternalId: boolean): string {
  return `apply ${TRUST_POLICY_FILE} as the trust policy of ${roleArn} (account ${accountOf(roleArn)}, with that account's credentials: ` +
    `merge its ${TRUST_POLICY_SID} statement into the role's trust policy, with the commands npm run deploy prints, or, for a role that trusts nothing else, ` +
    `aws iam update-assume-role-policy --role-name ${roleNameOf(roleArn)} --policy-document file://${TRUST_POLICY_FILE}, which replaces the whole trust policy); ` +
    'AWS answers the same when the role does not exist (check DESTINATION_ROLE_ARN)' +
    (withExternalId
      ? '; or the external id the function passes (EXTERNAL_ID, from S3_REPLICATE_EXTERNAL_ID) differs from the sts:ExternalId the trust policy demands: a wrong external id and a missing trust look the same to AWS, so compare them'
      : '');
}

/** Link 2 denied: the source bucket policy's listing statement (only with a day's prefix), and the role's. */
export function listSourceFix(source: OwnedBucket, pattern: string): string {
  return `add the listing statement (its Sid starts S3PushList, the stack's own) of ${SOURCE_POLICY_FILE} to the bucket policy of ${source.name} (it grants s3:ListBucket with an s3:prefix like ${pattern}; npm run deploy -- --apply-source-policy merges it in); ` +
    `the role needs the ListSource statement of ${DESTINATION_ROLE_POLICY_FILE} as well` + notOwned(source, 'S3_ROOT_BUCKET (SOURCE_BUCKET) and the stack\'s account (SOURCE_ACCOUNT_ID)');
}

/** Link 3 denied by S3 (not KMS): the source bucket policy's read statement, and the role's. */
export function readSourceFix(sourceBucket: string, pattern: string): string {
  return `the read statement (its Sid starts S3PushRead, the stack's own) of ${SOURCE_POLICY_FILE} in the bucket policy of ${sourceBucket} (it grants s3:GetObject on ${sourceBucket}/${pattern}) and the ReadSource statement of ${DESTINATION_ROLE_POLICY_FILE}`;
}

/** Link 4: the role may not read which key the destination encrypts with. */
export function destinationEncryptionFix(destinationBucket: string): string {
  return `the ReadDestinationEncryption statement of ${DESTINATION_ROLE_POLICY_FILE} in the role's permissions (s3:GetEncryptionConfiguration on ${destinationBucket}: the check reads which key the bucket encrypts with)`;
}

/** Link 4: the copies are encrypted with `key`; what lets the role use it. */
export function writeKeyFix(key: string, kmsKeyArnSet: boolean): string {
  return `the copies are encrypted with the KMS key ${key}: its key policy must let the role use it (kms:GenerateDataKey, kms:Decrypt), ` +
    `and the role needs the EncryptCopiesWithKmsKey statement of ${DESTINATION_ROLE_POLICY_FILE}` +
    (kmsKeyArnSet ? '' : ` (${setKmsKeyArn(key)} and run npm run deploy to render it)`);
}

/** Link 4: KMS refused the probe's write. `key`: the key of the copies, when known. */
export function kmsWriteFix(err: unknown, key: string | undefined, destinationBucket: string, kmsKeyArnSet: boolean): string {
  return `KMS refused the write: ${key ? writeKeyFix(key, kmsKeyArnSet) : `the key of the bucket's default encryption (aws s3api get-bucket-encryption --bucket ${destinationBucket}) must let the role use it; S3_REPLICATE_KMS_KEY_ARN set to it renders the role's EncryptCopiesWithKmsKey statement`}.${kmsState(err)}`;
}

/** Link 4 denied by S3: the role's statement for that request (and, for the write, its key). */
export function destinationStatementFix(statement: string, writeKey: string | undefined, destination: OwnedBucket, kmsKeyArnSet: boolean): string {
  return `the ${statement} statement of ${DESTINATION_ROLE_POLICY_FILE} in the role's permissions${statement === 'WriteDestination' && writeKey ? `; ${writeKeyFix(writeKey, kmsKeyArnSet)}` : ''}` +
    notOwned(destination, 'S3_REPLICATE_BUCKET_NAME (DESTINATION_BUCKET) and the account of DESTINATION_ROLE_ARN');
}

/** Link 4: the probe passed, but the copies' default key is one the role document grants nothing on. */
export function defaultKeyFix(defaultKey: string): string {
  return `${setKmsKeyArn(defaultKey)} and run npm run deploy, then apply the EncryptCopiesWithKmsKey statement of ${DESTINATION_ROLE_POLICY_FILE}; the key policy of ${defaultKey} must let the role use it`;
}
