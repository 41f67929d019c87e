/** The stack's parameters from the deploy config and the uploaded artifact. Pure. */
import type { DeployConfig } from '../config/config.ts';
import { eventKeyPrefixForms } from '../../rules/prefix.ts';

/** The uploaded handler zip the function runs. */
export interface ArtifactLocation {
  readonly bucket: string;
  readonly key: string;
}

/** One parameter deploy sets: the deploy variable it comes from (when one does) and its value. */
export interface StackParameterSource {
  readonly parameter: string;
  /** The variable of the deploy environment the value is read or derived from; undefined for the artifact's key. */
  readonly variable: string | undefined;
  readonly value: (config: DeployConfig, artifact: ArtifactLocation) => string;
}

/**
 * Every parameter the template declares without a default that the orchestrator must set, and
 * those it sets on purpose, each with its deploy variable: the one mapping from deploy's names to
 * the stack's (and, through the template's function environment, to the handler's).
 */
export const STACK_PARAMETER_SOURCES: readonly StackParameterSource[] = [
  { parameter: 'SourceBucket', variable: 'S3_ROOT_BUCKET', value: (c) => c.sourceBucket },
  { parameter: 'SourceKeyPrefix', variable: 'S3_REPLICATE_PREFIX_FORMAT', value: (c) => c.sourceKeyPrefix },
  // The other forms an object event may carry the lead in ('' when a form adds nothing).
  { parameter: 'SourceKeyPrefixEncoded', variable: 'S3_REPLICATE_PREFIX_FORMAT', value: (c) => eventKeyPrefixForms(c.sourceKeyPrefix).encoded },
  { parameter: 'SourceKeyPrefixSlashEncoded', variable: 'S3_REPLICATE_PREFIX_FORMAT', value: (c) => eventKeyPrefixForms(c.sourceKeyPrefix).slashEncoded },
  { parameter: 'DestinationBucket', variable: 'S3_REPLICATE_BUCKET_NAME', value: (c) => c.destinationBucket },
  { parameter: 'DestinationRoleArn', variable: 'S3_REPLICATE_OTHER_ROLE_ARN', value: (c) => c.destinationRoleArn },
  { parameter: 'ExternalId', variable: 'S3_REPLICATE_EXTERNAL_ID', value: (c) => c.externalId ?? '' },
  { parameter: 'KmsKeyArn', variable: 'S3_REPLICATE_KMS_KEY_ARN', value: (c) => c.kmsKeyArn ?? '' },
  { parameter: 'SourceKmsKeyArn', variable: 'S3_REPLICATE_SOURCE_KMS_KEY_ARN', value: (c) => c.sourceKmsKeyArn ?? '' },
  { parameter: 'PrefixFormat', variable: 'S3_REPLICATE_PREFIX_FORMAT', value: (c) => c.prefixFormat },
  { parameter: 'DestinationPrefix', variable: 'S3_REPLICATE_DEST_PREFIX', value: (c) => c.destinationPrefix },
  { parameter: 'DestinationPrefixFormat', variable: 'S3_REPLICATE_DEST_PREFIX_FORMAT', value: (c) => c.destinationPrefixFormat ?? '' },
  { parameter: 'DestinationStorageClass', variable: 'S3_REPLICATE_DEST_STORAGE_CLASS', value: (c) => c.destinationStorageClass ?? '' },
  { parameter: 'LagDays', variable: 'S3_REPLICATE_LAG_DAYS', value: (c) => String(c.lagDays) },
  { parameter: 'ScheduleExpression', variable: 'S3_REPLICATE_SCHEDULE', value: (c) => c.schedule },
  { parameter: 'DayDeadlineHours', variable: 'S3_REPLICATE_SCHEDULE', value: (c) => String(c.dayDeadlineHours) },
  { parameter: 'FunctionName', variable: 'S3_REPLICATE_STACK_NAME', value: (c) => c.functionName },
  { parameter: 'LambdaRoleName', variable: 'S3_REPLICATE_STACK_NAME', value: (c) => c.lambdaRoleName },
  { parameter: 'ArtifactBucket', variable: 'S3_ARTIFACT_BUCKET', value: (_, a) => a.bucket },
  { parameter: 'ArtifactKey', variable: undefined, value: (_, a) => a.key },
  // Always sent: a redeploy without the variable turns the rule and the object queue off.
  { parameter: 'PushOnWrite', variable: 'S3_REPLICATE_PUSH_ON_WRITE', value: (c) => String(c.pushOnWrite) },
  { parameter: 'AlarmEmail', variable: 'S3_REPLICATE_ALARM_EMAIL', value: (c) => c.alarmEmail ?? '' },
  { parameter: 'AlarmTopicArn', variable: 'S3_REPLICATE_ALARM_TOPIC_ARN', value: (c) => c.alarmTopicArn ?? '' },
  { parameter: 'EmptyDaysOk', variable: 'S3_REPLICATE_EMPTY_DAYS_OK', value: (c) => String(c.emptyDaysOk) },
  { parameter: 'DayMarker', variable: 'S3_REPLICATE_DAY_MARKER', value: (c) => String(c.dayMarker) },
  // Always sent, '' for none: a redeploy without the variable drops the exclusions.
  { parameter: 'Exclude', variable: 'S3_REPLICATE_EXCLUDE', value: (c) => c.exclude.join(',') },
  { parameter: 'SourceReadyKey', variable: 'S3_REPLICATE_SOURCE_READY_KEY', value: (c) => c.sourceReadyKey ?? '' },
  { parameter: 'LookbackDays', variable: 'S3_REPLICATE_LOOKBACK_DAYS', value: (c) => String(c.lookbackDays) },
  // Always sent: a redeploy without the variable turns deletes off.
  { parameter: 'ExactDays', variable: 'S3_REPLICATE_EXACT_DAYS', value: (c) => String(c.exactDays) },
  { parameter: 'ExactDaysMaxDeletes', variable: 'S3_REPLICATE_EXACT_DAYS_MAX_DELETES', value: (c) => String(c.exactDaysMaxDeletes) },
];

/** The parameters deploy sends, by name. */
export function stackParameters(config: DeployConfig, artifact: ArtifactLocation): Record<string, string> {
  return Object.fromEntries(STACK_PARAMETER_SOURCES.map((p) => [p.parameter, p.value(config, artifact)]));
}
