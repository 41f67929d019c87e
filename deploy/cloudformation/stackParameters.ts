/** The stack's parameters from the deploy config and the uploaded artifact. Pure. */
import type { DeployConfig } from '../config/config.ts';
import { eventKeyPrefixForms } from '../../rules/prefix.ts';

/** Every parameter the template declares without a default that the orchestrator must set, and those it sets on purpose. */
export function stackParameters(config: DeployConfig, artifact: { bucket: string; key: string }): Record<string, string> {
  return {
    SourceBucket: config.sourceBucket,
    SourceKeyPrefix: config.sourceKeyPrefix,
    // The other forms an object event may carry the lead in ('' when a form adds nothing).
    SourceKeyPrefixEncoded: eventKeyPrefixForms(config.sourceKeyPrefix).encoded,
    SourceKeyPrefixSlashEncoded: eventKeyPrefixForms(config.sourceKeyPrefix).slashEncoded,
    DestinationBucket: config.destinationBucket,
    DestinationRoleArn: config.destinationRoleArn,
    ExternalId: config.externalId ?? '',
    KmsKeyArn: config.kmsKeyArn ?? '',
    SourceKmsKeyArn: config.sourceKmsKeyArn ?? '',
    PrefixFormat: config.prefixFormat,
    DestinationPrefix: config.destinationPrefix,
    LagDays: String(config.lagDays),
    ScheduleExpression: config.schedule,
    DayDeadlineHours: String(config.dayDeadlineHours),
    FunctionName: config.functionName,
    LambdaRoleName: config.lambdaRoleName,
    ArtifactBucket: artifact.bucket,
    ArtifactKey: artifact.key,
    // Always sent: a redeploy without the variable turns the rule and the object queue off.
    PushOnWrite: String(config.pushOnWrite),
    AlarmEmail: config.alarmEmail ?? '',
    AlarmTopicArn: config.alarmTopicArn ?? '',
    EmptyDaysOk: String(config.emptyDaysOk),
    DayMarker: String(config.dayMarker),
  };
}
