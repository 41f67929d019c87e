/**
 * The template's resources as a stack would get them: parameters substituted and intrinsics
 * resolved (test/helpers/cfnResolve.ts), with made-up physical ids of the right shape generated for
 * every resource from its type — a resource added to the template needs no change here.
 */
import { loadTemplate, type CfnTemplate } from '../../deploy/cloudformation/template.ts';
import { condition, resolve } from './cfnResolve.ts';
import { DESTINATION_BUCKET, DESTINATION_ROLE_ARN, REGION, SOURCE_ACCOUNT, SOURCE_BUCKET } from './fixtures.ts';
import type { PolicyDocument } from './iamSimulator.ts';

export const FUNCTION_NAME = 'replicate-to-partner-landing-zone';
export const LAMBDA_ROLE_NAME = `${FUNCTION_NAME}-lambda`;
export const EXECUTION_ROLE_ARN = `arn:aws:iam::${SOURCE_ACCOUNT}:role/${LAMBDA_ROLE_NAME}`;
export const STACK_NAME = FUNCTION_NAME;

/** The parameters every deploy sets; tests spread their own over them. */
export const BASE_PARAMETERS: Readonly<Record<string, string>> = {
  SourceBucket: SOURCE_BUCKET,
  DestinationBucket: DESTINATION_BUCKET,
  DestinationRoleArn: DESTINATION_ROLE_ARN,
  FunctionName: FUNCTION_NAME,
  LambdaRoleName: LAMBDA_ROLE_NAME,
  ArtifactBucket: `s3-push-artifacts-${SOURCE_ACCOUNT}-${REGION}`,
  ArtifactKey: 's3-push/0123abcd.zip',
};

/** Ref and GetAtt values of every resource, shaped by its type. */
export function fakePhysicalIds(template: CfnTemplate): Record<string, string> {
  const ids: Record<string, string> = {};
  const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${SOURCE_ACCOUNT}:${resource}`;
  for (const [logical, r] of Object.entries(template.Resources)) {
    const name = `${STACK_NAME}-${logical}-ABC123`;
    switch (r.Type) {
      case 'AWS::Logs::LogGroup':
        ids[logical] = `/aws/lambda/${FUNCTION_NAME}`;
        ids[`${logical}.Arn`] = arn('logs', `log-group:/aws/lambda/${FUNCTION_NAME}:*`);
        break;
      case 'AWS::SQS::Queue':
        ids[logical] = `https://sqs.${REGION}.amazonaws.com/${SOURCE_ACCOUNT}/${name}`;
        ids[`${logical}.Arn`] = arn('sqs', name);
        ids[`${logical}.QueueName`] = name;
        ids[`${logical}.QueueUrl`] = ids[logical];
        break;
      case 'AWS::IAM::Role':
        ids[logical] = LAMBDA_ROLE_NAME;
        ids[`${logical}.Arn`] = EXECUTION_ROLE_ARN;
        ids[`${logical}.RoleId`] = 'AROAEXAMPLEEXAMPLE1';
        break;
      case 'AWS::Lambda::Function':
        ids[logical] = FUNCTION_NAME;
        ids[`${logical}.Arn`] = arn('lambda', `function:${FUNCTION_NAME}`);
        break;
      case 'AWS::Events::Rule':
        ids[logical] = name;
        ids[`${logical}.Arn`] = arn('events', `rule/${name}`);
        break;
      case 'AWS::SNS::Topic':
        ids[logical] = arn('sns', name);
        ids[`${logical}.TopicArn`] = ids[logical];
        ids[`${logical}.TopicName`] = name;
        break;
      case 'AWS::KMS::Key':
        ids[logical] = '1234abcd-12ab-34cd-56ef-1234567890ab';
        ids[`${logical}.Arn`] = arn('kms', `key/${ids[logical]}`);
        ids[`${logical}.KeyId`] = ids[logical];
        break;
      case 'AWS::CloudWatch::Alarm':
        ids[logical] = name;
        ids[`${logical}.Arn`] = arn('cloudwatch', `alarm:${name}`);
        break;
      default:
        ids[logical] = name;
        ids[`${logical}.Arn`] = arn(r.Type.split('::')[1]!.toLowerCase(), name);
    }
  }
  return ids;
}

export type ResolvedResources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/**
 * The template's resources with `parameters` (over {@link BASE_PARAMETERS}) substituted; a resource
 * whose `Condition` is false is left out, as CloudFormation leaves it out of the stack.
 */
export function resolvedResources(parameters: Readonly<Record<string, string>> = {}, template: CfnTemplate = loadTemplate().template): ResolvedResources {
  const ctx = {
    template,
    parameters: { ...BASE_PARAMETERS, ...parameters },
    account: SOURCE_ACCOUNT,
    region: REGION,
    stackName: STACK_NAME,
    physical: fakePhysicalIds(template),
  };
  const present = Object.fromEntries(Object.entries(template.Resources).filter(([, r]) => r.Condition === undefined || condition(r.Condition, ctx)));
  return resolve(present, ctx) as ResolvedResources;
}

/** The execution role's permissions (its one inline policy) as the stack would get them. */
export function executionRolePolicy(parameters: Readonly<Record<string, string>> = {}): PolicyDocument {
  const role = resolvedResources(parameters).ExecutionRole?.Properties as { Policies?: { PolicyDocument: PolicyDocument }[] } | undefined;
  const policies = role?.Policies ?? [];
  if (policies.length !== 1) throw new Error(`expected one inline policy on ExecutionRole, found ${policies.length}`);
  return policies[0]!.PolicyDocument;
}
