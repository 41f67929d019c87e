/**
 * The names and identifiers AWS defines that both the handler and the commands check: partitions
 * and regions, IAM role ARNs, KMS key ARNs, STS external ids. One rule and one message each; the
 * template's AllowedPatterns are the same patterns (test/unit/templates/patterns.test.ts holds
 * them equal). Pure.
 */

/**
 * AWS's partitions and the regions each holds, as the AWS SDK's partitions table
 * (`@aws-sdk/core` util-endpoints `partitions.js`) defines them. A region matching none is in `aws`.
 */
const PARTITIONS = [
  { partition: 'aws-cn', regions: /^cn-/ },
  { partition: 'aws-us-gov', regions: /^us-gov-/ },
  { partition: 'aws-iso', regions: /^us-iso-/ },
  { partition: 'aws-iso-b', regions: /^us-isob-/ },
  { partition: 'aws-iso-e', regions: /^eu-isoe-/ },
  { partition: 'aws-iso-f', regions: /^us-isof-/ },
  { partition: 'aws-eusc', regions: /^eusc-/ },
] as const;

/** The partition part of an ARN: `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`, `aws-iso-e`, `aws-iso-f` or `aws-eusc`. */
const PARTITION = 'aws(-cn|-us-gov|-iso|-iso-b|-iso-e|-iso-f|-eusc)?';
/** A region as it appears in an ARN: us-east-1, cn-north-1, us-gov-west-1, us-isob-east-1, eusc-de-east-1. */
const REGION = '[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}';

/** The partition of a region (the ARNs of its resources start `arn:<partition>:`). */
export function partitionOf(region: string): string {
  return PARTITIONS.find((p) => p.regions.test(region))?.partition ?? 'aws';
}

/** The shape of a region name. */
export const REGION_PATTERN = new RegExp(`^${REGION}$`);

/** What every message about a bad region expects. */
export const REGION_EXPECTED = 'a region like us-east-1';

/**
 * An IAM role ARN: `arn:<partition>:iam::<12-digit account>:role/<path/><name>`, the name 1–64 of
 * letters, digits and `+=,.@_-` (IAM's role name rule), each path segment of the same characters.
 * The template's DestinationRoleArn AllowedPattern is this text.
 */
export const ROLE_ARN_PATTERN = `^arn:${PARTITION}:iam::[0-9]{12}:role/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,64}$`;

/** What every message about a bad role ARN expects. */
export const ROLE_ARN_EXPECTED = 'an IAM role ARN, arn:aws:iam::<12-digit account>:role/<name>';

/**
 * A KMS key ARN (not an alias: IAM policies grant KMS actions on keys, and the rendered role names
 * the key): `arn:<partition>:kms:<region>:<12-digit account>:key/<key id>`, the key id a UUID or,
 * for a multi-Region key, `mrk-` and 32 hex digits. The template's KmsKeyArn AllowedPattern is this
 * text, made optional.
 */
export const KMS_KEY_ARN_PATTERN = `^arn:${PARTITION}:kms:${REGION}:[0-9]{12}:key/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`;

/** What every message about a bad KMS key ARN expects. */
export const KMS_KEY_ARN_EXPECTED = 'a KMS key ARN, arn:aws:kms:<region>:<account>:key/<key id> (not an alias)';

/**
 * An STS external id: 2–1224 of letters, digits and `+=,.@:/_-` (AssumeRole's ExternalId rule).
 * The template's ExternalId AllowedPattern is this text, made optional.
 */
export const EXTERNAL_ID_PATTERN = '^[A-Za-z0-9+=,.@:/_-]{2,1224}$';

/** What every message about a bad external id expects; the value is never echoed (a shared secret of sorts). */
export const EXTERNAL_ID_EXPECTED = '2–1224 letters, digits and + = , . @ : / _ -';

const ROLE_ARN = new RegExp(ROLE_ARN_PATTERN);
const KMS_KEY_ARN = new RegExp(KMS_KEY_ARN_PATTERN);
const EXTERNAL_ID = new RegExp(EXTERNAL_ID_PATTERN);

/** The parts of a valid ARN this project reads. */
export interface ArnParts {
  readonly partition: string;
  readonly account: string;
}

/** The partition and account of `arn` (fields 2 and 5). */
function partsOf(arn: string): ArnParts {
  const fields = arn.split(':');
  return { partition: fields[1] ?? '', account: fields[4] ?? '' };
}

/** The partition and account of a valid role ARN, or undefined when it is not one. */
export function parseRoleArn(arn: string): ArnParts | undefined {
  return ROLE_ARN.test(arn) ? partsOf(arn) : undefined;
}

/** What is wrong with a region name (`expected …`), or undefined. */
export function regionProblem(region: string): string | undefined {
  return REGION_PATTERN.test(region) ? undefined : `expected ${REGION_EXPECTED}`;
}

/** What is wrong with a role ARN (`expected …`), or undefined. */
export function roleArnProblem(arn: string): string | undefined {
  return ROLE_ARN.test(arn) ? undefined : `expected ${ROLE_ARN_EXPECTED}`;
}

/** What is wrong with a KMS key ARN (`expected …`), or undefined. */
export function kmsKeyArnProblem(arn: string): string | undefined {
  return KMS_KEY_ARN.test(arn) ? undefined : `expected ${KMS_KEY_ARN_EXPECTED}`;
}

/**
 * What is wrong with an external id (`malformed (N characters): expected …`), or undefined. The
 * value is never part of the message.
 */
export function externalIdProblem(value: string): string | undefined {
  return EXTERNAL_ID.test(value) ? undefined : `malformed (${value.length} characters): expected ${EXTERNAL_ID_EXPECTED}`;
}

/**
 * When a valid ARN is in another partition than the region (AssumeRole and KMS cannot cross
 * partitions, so the function in that region could never use it): `in partition X, but region R
 * is in partition Y`. Undefined when they agree.
 */
export function partitionMismatch(arn: string, region: string): string | undefined {
  const { partition } = partsOf(arn);
  const expected = partitionOf(region);
  return partition === expected ? undefined : `in partition ${partition}, but region ${region} is in partition ${expected}`;
}

/** The role's name: the last segment of a role ARN, without its path (what `aws iam … --role-name` takes). */
export function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}

/** The account of an ARN (its fifth field), or `?`. */
export function accountOf(arn: string): string {
  return partsOf(arn).account || '?';
}
