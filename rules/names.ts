/**
 * Names the handler and the commands must agree on: the messages of the handler's JSON log lines
 * (the commands find the summary and the preflight report in a log tail by them, and operators
 * search CloudWatch Logs for them), and the IAM documents deploy writes (the preflight names them
 * in its fixes). Pure.
 */

/** The handler's log line with the run summary (one per invocation that copies). */
export const SUMMARY_LOG_MESSAGE = 's3-push summary';
/** The handler's log line with the preflight report (`{"check": true}`). */
export const PREFLIGHT_LOG_MESSAGE = 's3-push preflight';
/** The handler's log line with a fan-out plan. */
export const FAN_OUT_LOG_MESSAGE = 's3-push fan-out planned';
/** The handler's log line of an SQS batch of work items. */
export const WORK_BATCH_LOG_MESSAGE = 's3-push work batch';
/** The message of the WARN line that lists a run's archived source objects and how to restore them. */
export const ARCHIVED_LOG_MESSAGE = 's3-push archived objects';
/** The message of the WARN line of a day whose copies S3 throttled (503 SlowDown), and how far they backed off. */
export const THROTTLED_LOG_MESSAGE = 's3-push throttled by S3';
/** The message of the WARN line, one per day and run, that lists source objects whose destination key would be too long for S3. */
export const TOO_LONG_LOG_MESSAGE = 's3-push objects too long for the destination';

/** The source bucket policy statement, applied in the source account. */
export const SOURCE_POLICY_FILE = 'sourceBucketPolicy.json.tmp';
/** The destination role's trust policy, applied in the destination account. */
export const TRUST_POLICY_FILE = 'trustRelationshipExample.json.tmp';
/**
 * The Sid of its one statement (the function's execution role may assume the role): s3-push's own,
 * so that it can be merged into a trust policy that trusts others too, replacing only an earlier one.
 */
export const TRUST_POLICY_SID = 'S3PushFunction';
/** The destination role's permissions, applied in the destination account. */
export const DESTINATION_ROLE_POLICY_FILE = 'roleDefinitionDestinationExample.json.tmp';
/** Only with a source KMS key: the statement the source account adds to that key's policy. */
export const SOURCE_KEY_POLICY_FILE = 'sourceKeyPolicyStatement.json.tmp';
/** The Sid of that key policy statement: s3-push's own, so that a merge by Sid replaces only it. */
export const SOURCE_KEY_POLICY_SID = 'S3PushDecryptSourceObjects';

/**
 * The source bucket policy's statements ("ReadAccess", "ListAccess" in docs/deploy.md) have Sids of
 * their stack's own: rules/sourcePolicySids.ts.
 */
