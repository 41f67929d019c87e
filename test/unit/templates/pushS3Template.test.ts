import { expect } from 'chai';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { loadTemplate } from '../../../deploy/cloudformation/template.ts';
import { LAMBDA_HANDLER, LAMBDA_RUNTIME } from '../../../deploy/build/bundle.ts';
import { resolve } from '../../helpers/cfnResolve.ts';
import { DESTINATION_BUCKET, DESTINATION_ROLE_ARN, REGION, SOURCE_ACCOUNT, SOURCE_BUCKET } from '../../helpers/fixtures.ts';

const { template } = loadTemplate();
const FUNCTION = 'replicate-to-partner';
const LOG_GROUP_ARN = `arn:aws:logs:${REGION}:${SOURCE_ACCOUNT}:log-group:/aws/lambda/${FUNCTION}:*`;
const DLQ_ARN = `arn:aws:sqs:${REGION}:${SOURCE_ACCOUNT}:stack-DeadLetterQueue-ABC`;
const ROLE_ARN = `arn:aws:iam::${SOURCE_ACCOUNT}:role/${FUNCTION}-lambda`;
const WORK_QUEUE_ARN = `arn:aws:sqs:${REGION}:${SOURCE_ACCOUNT}:stack-WorkQueue-ABC`;
const WORK_QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${SOURCE_ACCOUNT}/stack-WorkQueue-ABC`;
const WORK_DLQ_ARN = `arn:aws:sqs:${REGION}:${SOURCE_ACCOUNT}:stack-WorkDeadLetterQueue-ABC`;

function context(parameters: Record<string, string>) {
  return {
    template,
    parameters,
    account: SOURCE_ACCOUNT,
    region: REGION,
    stackName: 'stack',
    physical: {
      'LogGroup.Arn': LOG_GROUP_ARN,
      'DeadLetterQueue.Arn': DLQ_ARN,
      'WorkQueue.Arn': WORK_QUEUE_ARN,
      'WorkDeadLetterQueue.Arn': WORK_DLQ_ARN,
      'WorkDeadLetterQueue.QueueName': 'stack-WorkDeadLetterQueue-ABC',
      'ObjectEventsQueue.Arn': `arn:aws:sqs:${REGION}:${SOURCE_ACCOUNT}:stack-ObjectEventsQueue-ABC`,
      WorkQueue: WORK_QUEUE_URL,
      LogGroup: `/aws/lambda/${FUNCTION}`,
      PushFunction: FUNCTION,
      AlarmTopic: `arn:aws:sns:${REGION}:${SOURCE_ACCOUNT}:stack-AlarmTopic-ABC`,
    },
  };
}

function executionPolicy(parameters: Record<string, string>): { Statement: Record<string, unknown>[] } {
  const role = resolve(template.Resources.ExecutionRole!.Properties, context(parameters)) as {
    Policies: { PolicyDocument: { Statement: Record<string, unknown>[] } }[];
  };
  expect(role.Policies).to.have.length(1);
  return role.Policies[0]!.PolicyDocument;
}

const BASE = {
  SourceBucket: SOURCE_BUCKET,
  DestinationBucket: DESTINATION_BUCKET,
  DestinationRoleArn: DESTINATION_ROLE_ARN,
  FunctionName: FUNCTION,
  LambdaRoleName: `${FUNCTION}-lambda`,
};

async function allowed(policy: unknown, action: string, resource: string, context: Record<string, string> = {}): Promise<boolean> {
  const result = await runSimulation(
    {
      request: { principal: ROLE_ARN, action, resource: { resource, accountId: SOURCE_ACCOUNT }, contextVariables: context },
      identityPolicies: [{ name: 's3-push', policy: policy as never }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult === 'Allowed';
}

describe('templates/pushS3Template.yml', () => {
  it('is raw CloudFormation: no transform', () => {
    expect(template.AWSTemplateFormatVersion).to.equal('2010-09-09');
    expect(template.Transform).to.equal(undefined);
  });

  it('constrains every parameter so a bad value fails at validation', () => {
    for (const [name, p] of Object.entries(template.Parameters)) {
      const constrained = p.AllowedPattern !== undefined || p.AllowedValues !== undefined || (p.MinValue !== undefined && p.MaxValue !== undefined);
      expect(constrained, name).to.equal(true);
    }
  });

  it('never echoes the external id', () => {
    expect(template.Parameters.ExternalId?.NoEcho).to.equal(true);
  });

  it('runs the bundle with the runtime and handler it was built for, code from the artifact bucket', () => {
    const fn = template.Resources.PushFunction!.Properties!;
    expect(fn.Runtime).to.equal(LAMBDA_RUNTIME);
    expect(fn.Handler).to.equal(LAMBDA_HANDLER);
    expect(fn.Timeout).to.equal(900);
    expect(fn.Code).to.deep.equal({ S3Bucket: { Ref: 'ArtifactBucket' }, S3Key: { Ref: 'ArtifactKey' } });
    expect(fn.Role).to.deep.equal({ 'Fn::GetAtt': ['ExecutionRole', 'Arn'] });
  });

  it('gives the handler exactly the environment of docs/configuration.md, optional values absent when unset', () => {
    const fn = template.Resources.PushFunction!.Properties!;
    const vars = (resolve(fn.Environment, context(BASE)) as { Variables: Record<string, string> }).Variables;
    expect(Object.keys(vars).sort()).to.deep.equal(
      ['SOURCE_BUCKET', 'DESTINATION_BUCKET', 'DESTINATION_ROLE_ARN', 'SOURCE_ACCOUNT_ID', 'PREFIX_FORMAT', 'DESTINATION_PREFIX', 'LAG_DAYS', 'COPY_CONCURRENCY', 'MULTIPART_THRESHOLD_BYTES', 'PART_SIZE_BYTES', 'WORK_QUEUE_URL', 'DAY_MARKER', 'EXCLUDE', 'SOURCE_READY_KEY', 'LOOKBACK_DAYS', 'EXACT_DAYS', 'EXACT_DAYS_MAX_DELETES'].sort(),
    );
    expect(vars.WORK_QUEUE_URL).to.equal(WORK_QUEUE_URL);
    expect(vars.SOURCE_ACCOUNT_ID).to.equal(SOURCE_ACCOUNT);
    const withOptional = (resolve(fn.Environment, context({ ...BASE, ExternalId: 'ext-1', KmsKeyArn: 'arn:aws:kms:us-east-1:210987654321:key/1234' })) as { Variables: Record<string, string> }).Variables;
    expect(withOptional.EXTERNAL_ID).to.equal('ext-1');
    expect(withOptional.KMS_KEY_ARN).to.equal('arn:aws:kms:us-east-1:210987654321:key/1234');
    const withFormat = (resolve(fn.Environment, context({ ...BASE, DestinationPrefixFormat: 'acme/dt={YYYY}-{MM}-{DD}/' })) as { Variables: Record<string, string> }).Variables;
    expect(withFormat.DESTINATION_PREFIX_FORMAT).to.equal('acme/dt={YYYY}-{MM}-{DD}/');
    const withClass = (resolve(fn.Environment, context({ ...BASE, DestinationStorageClass: 'GLACIER_IR' })) as { Variables: Record<string, string> }).Variables;
    expect(withClass.DESTINATION_STORAGE_CLASS).to.equal('GLACIER_IR');
    const withStart = (resolve(fn.Environment, context({ ...BASE, CopyConcurrencyStart: '62' })) as { Variables: Record<string, string> }).Variables;
    expect(withStart.COPY_CONCURRENCY_START).to.equal('62');
    expect(vars.PREFIX_FORMAT).to.equal('{YYYY}/{MM}/{DD}/');
    expect(vars.LAG_DAYS).to.equal('1');
    expect(vars.DAY_MARKER).to.equal('false');
    expect(vars.EXCLUDE).to.equal('');
    expect(vars.LOOKBACK_DAYS).to.equal('3');
  });

  it('lets only this account\'s Lambda service assume the execution role', () => {
    const role = resolve(template.Resources.ExecutionRole!.Properties, context(BASE)) as { AssumeRolePolicyDocument: unknown };
    expect(role.AssumeRolePolicyDocument).to.deep.equal({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': SOURCE_ACCOUNT } } }],
    });
  });

  it('grants the execution role exactly: list the source, assume the one role, its logs, its dead-letter queue, its work queue (the objects are read by the assumed role)', () => {
    expect(executionPolicy(BASE).Statement).to.deep.equal([
      { Sid: 'ListSourcePartitions', Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${SOURCE_BUCKET}` },
      { Sid: 'AssumeDestinationRole', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: DESTINATION_ROLE_ARN },
      { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: LOG_GROUP_ARN },
      { Sid: 'SendFailedInvocations', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: DLQ_ARN },
      { Sid: 'EnqueueWork', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: WORK_QUEUE_ARN },
      { Sid: 'ConsumeWork', Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], Resource: WORK_QUEUE_ARN },
    ]);
  });

  it('narrows listing to the fixed part of the prefix format when there is one', () => {
    const [list] = executionPolicy({ ...BASE, SourceKeyPrefix: 'exports/daily/' }).Statement;
    expect(list).to.deep.equal({
      Sid: 'ListSourcePartitions', Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${SOURCE_BUCKET}`,
      Condition: { StringLike: { 's3:prefix': 'exports/daily/*' } },
    });
  });

  describe('evaluated by an IAM policy simulator', () => {
    const policy = executionPolicy({ ...BASE, SourceKeyPrefix: 'exports/' });
    const yes: [string, string, Record<string, string>?][] = [
      ['s3:ListBucket', `arn:aws:s3:::${SOURCE_BUCKET}`, { 's3:prefix': 'exports/2024/01/01/' }],
      ['sts:AssumeRole', DESTINATION_ROLE_ARN],
      ['logs:PutLogEvents', `arn:aws:logs:${REGION}:${SOURCE_ACCOUNT}:log-group:/aws/lambda/${FUNCTION}:log-stream:2024/01/01/abc`],
      ['sqs:SendMessage', DLQ_ARN],
      ['sqs:SendMessage', WORK_QUEUE_ARN],
      ['sqs:ReceiveMessage', WORK_QUEUE_ARN],
      ['sqs:DeleteMessage', WORK_QUEUE_ARN],
      ['sqs:GetQueueAttributes', WORK_QUEUE_ARN],
    ];
    const no: [string, string, Record<string, string>?][] = [
      ['s3:ListBucket', `arn:aws:s3:::${SOURCE_BUCKET}`, { 's3:prefix': 'private/' }],
      ['s3:GetObject', `arn:aws:s3:::${SOURCE_BUCKET}/exports/2024/01/01/a.csv`],
      ['s3:GetObject', `arn:aws:s3:::${SOURCE_BUCKET}/private/secret.csv`],
      ['s3:GetObject', 'arn:aws:s3:::another-bucket/exports/a.csv'],
      ['s3:PutObject', `arn:aws:s3:::${SOURCE_BUCKET}/exports/a.csv`],
      ['s3:DeleteObject', `arn:aws:s3:::${SOURCE_BUCKET}/exports/a.csv`],
      ['sts:AssumeRole', 'arn:aws:iam::210987654321:role/admin'],
      ['logs:PutLogEvents', `arn:aws:logs:${REGION}:${SOURCE_ACCOUNT}:log-group:/aws/lambda/other:log-stream:x`],
      ['logs:CreateLogGroup', `arn:aws:logs:${REGION}:${SOURCE_ACCOUNT}:log-group:/aws/lambda/${FUNCTION}:*`],
      ['sqs:SendMessage', `arn:aws:sqs:${REGION}:${SOURCE_ACCOUNT}:other-queue`],
      ['sqs:ReceiveMessage', DLQ_ARN],
      ['sqs:ReceiveMessage', WORK_DLQ_ARN],
      ['sqs:SendMessage', WORK_DLQ_ARN],
      ['sqs:PurgeQueue', WORK_QUEUE_ARN],
      ['sqs:ChangeMessageVisibility', WORK_QUEUE_ARN],
    ];
    for (const [action, resource, ctx] of yes) {
      it(`allows ${action} on ${resource}${ctx ? ` ${JSON.stringify(ctx)}` : ''}`, async () => {
        expect(await allowed(policy, action, resource, ctx)).to.equal(true);
      });
    }
    for (const [action, resource, ctx] of no) {
      it(`denies ${action} on ${resource}${ctx ? ` ${JSON.stringify(ctx)}` : ''}`, async () => {
        expect(await allowed(policy, action, resource, ctx)).to.equal(false);
      });
    }
  });

  it('wires the schedule to the function, and only that rule may invoke it', () => {
    const r = template.Resources;
    expect(r.ScheduleRule!.Properties!.ScheduleExpression).to.deep.equal({ Ref: 'ScheduleExpression' });
    expect(r.ScheduleRule!.Properties!.Targets).to.deep.equal([{ Id: 'PushFunction', Arn: { 'Fn::GetAtt': ['PushFunction', 'Arn'] } }]);
    expect(r.SchedulePermission!.Properties).to.deep.include({
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': ['ScheduleRule', 'Arn'] },
    });
  });

  it('sends failed asynchronous invocations to the dead-letter queue and alarms on errors', () => {
    const r = template.Resources;
    expect(r.AsyncInvokeConfig!.Properties!.DestinationConfig).to.deep.equal({ OnFailure: { Destination: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } } });
    expect(r.ErrorsAlarm!.Properties).to.deep.include({ Namespace: 'AWS/Lambda', MetricName: 'Errors' });
    expect(r.ErrorsAlarm!.Properties!.Dimensions).to.deep.equal([{ Name: 'FunctionName', Value: { Ref: 'PushFunction' } }]);
    expect(r.LogGroup!.Properties!.RetentionInDays).to.deep.equal({ Ref: 'LogRetentionInDays' });
  });

  describe('fan-out work queue', () => {
    const r = template.Resources;

    it('redrives a work item to its own dead-letter queue after WorkMaxReceiveCount receives', () => {
      const q = r.WorkQueue!.Properties!;
      expect(q.RedrivePolicy).to.deep.equal({ deadLetterTargetArn: { 'Fn::GetAtt': ['WorkDeadLetterQueue', 'Arn'] }, maxReceiveCount: { Ref: 'WorkMaxReceiveCount' } });
      expect(template.Parameters.WorkMaxReceiveCount).to.deep.include({ MinValue: 1, MaxValue: 1000 });
      expect(r.WorkDeadLetterQueue!.Type).to.equal('AWS::SQS::Queue');
      expect(r.WorkDeadLetterQueue!.Properties!.MessageRetentionPeriod).to.equal(1209600);
    });

    it('keeps an item invisible for six times the function timeout (Lambda requires at least the timeout)', () => {
      const timeout = r.PushFunction!.Properties!.Timeout as number;
      expect(r.WorkQueue!.Properties!.VisibilityTimeout).to.equal(6 * timeout);
    });

    it('maps the queue to the function one item at a time, reporting partial batch failures, with bounded concurrency', () => {
      const m = r.WorkQueueMapping!;
      expect(m.Type).to.equal('AWS::Lambda::EventSourceMapping');
      expect(m.Properties).to.deep.include({
        FunctionName: { Ref: 'PushFunction' },
        EventSourceArn: { 'Fn::GetAtt': ['WorkQueue', 'Arn'] },
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: { Ref: 'FanOutMaximumConcurrency' } },
      });
      // AWS's limits for MaximumConcurrency on an SQS event source.
      expect(template.Parameters.FanOutMaximumConcurrency).to.deep.include({ MinValue: 2, MaxValue: 1000 });
    });

    it('alarms when anything is in the work dead-letter queue', () => {
      const a = resolve(r.WorkDeadLetterAlarm!.Properties, context(BASE)) as Record<string, unknown>;
      expect(a).to.deep.include({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      expect(a.Dimensions).to.deep.equal([{ Name: 'QueueName', Value: 'stack-WorkDeadLetterQueue-ABC' }]);
    });
  });

  describe('push on write (PushOnWrite)', () => {
    const r = template.Resources;
    const PUSH = ['ObjectEventsDeadLetterQueue', 'ObjectEventsQueue', 'ObjectEventsQueuePolicy', 'ObjectCreatedRule', 'ObjectEventsMapping', 'ObjectEventsDeadLetterAlarm'];

    it('adds the rule, the object queue with its dead-letter queue, policy, mapping and alarm only when PushOnWrite is true', () => {
      expect(template.Parameters.PushOnWrite).to.deep.include({ Default: 'false', AllowedValues: ['true', 'false'] });
      expect(template.Conditions?.PushOnWrite).to.deep.equal({ 'Fn::Equals': [{ Ref: 'PushOnWrite' }, 'true'] });
      const conditional = Object.entries(r).filter(([, res]) => res.Condition === 'PushOnWrite').map(([name]) => name);
      expect(conditional.sort()).to.deep.equal([...PUSH].sort());
      for (const [name, output] of Object.entries(template.Outputs ?? {})) {
        if (name.startsWith('Object')) expect((output as { Condition?: string }).Condition, name).to.equal('PushOnWrite');
      }
    });

    it('sends the source bucket\'s Object Created events under the fixed part of the prefix format to the object queue', () => {
      const rule = (params: Record<string, string>) => resolve(r.ObjectCreatedRule!.Properties, context({ ...BASE, ...params })) as { EventPattern: unknown; Targets: unknown; State: string };
      const withPrefix = rule({ SourceKeyPrefix: 'exports/daily/' });
      expect(withPrefix.EventPattern).to.deep.equal({
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [SOURCE_BUCKET] }, object: { key: [{ prefix: 'exports/daily/' }] } },
      });
      expect(withPrefix.State).to.equal('ENABLED');
      // A format that starts with a token has no fixed part: every key of the bucket, and the function checks the date.
      expect(rule({}).EventPattern).to.deep.equal({ source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { bucket: { name: [SOURCE_BUCKET] } } });
      expect(r.ObjectCreatedRule!.Properties!.Targets).to.deep.equal([{ Id: 'ObjectEventsQueue', Arn: { 'Fn::GetAtt': ['ObjectEventsQueue', 'Arn'] } }]);
    });

    it('maps the object queue to the function in batches of up to 100 with a short window, reporting partial batch failures', () => {
      const m = r.ObjectEventsMapping!.Properties!;
      expect(m).to.deep.include({
        FunctionName: { Ref: 'PushFunction' },
        EventSourceArn: { 'Fn::GetAtt': ['ObjectEventsQueue', 'Arn'] },
        BatchSize: 100,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: { Ref: 'ObjectEventsMaximumConcurrency' } },
      });
      // AWS's rules: a standard queue takes BatchSize up to 10,000, and above 10 the batching window
      // must be at least 1 s (at most 300 s); "short" here is the least allowed.
      // https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
      const window = m.MaximumBatchingWindowInSeconds as number;
      expect(m.BatchSize).to.be.at.most(10_000);
      expect(window).to.be.at.least((m.BatchSize as number) > 10 ? 1 : 0).and.at.most(300);
      expect(window).to.equal(1);
      expect(template.Parameters.ObjectEventsMaximumConcurrency).to.deep.include({ MinValue: 2, MaxValue: 1000 });
    });

    it('redrives an object event to its own dead-letter queue, keeps it invisible six function timeouts, and alarms on that queue\'s depth', () => {
      const q = r.ObjectEventsQueue!.Properties!;
      expect(q.RedrivePolicy).to.deep.equal({ deadLetterTargetArn: { 'Fn::GetAtt': ['ObjectEventsDeadLetterQueue', 'Arn'] }, maxReceiveCount: { Ref: 'ObjectEventsMaxReceiveCount' } });
      expect(q.VisibilityTimeout).to.equal(6 * (r.PushFunction!.Properties!.Timeout as number));
      expect(q.SqsManagedSseEnabled).to.equal(true);
      const a = resolve(r.ObjectEventsDeadLetterAlarm!.Properties, { ...context(BASE), physical: { ...context(BASE).physical, 'ObjectEventsDeadLetterQueue.QueueName': 'stack-ObjectEventsDeadLetterQueue-ABC' } }) as Record<string, unknown>;
      expect(a).to.deep.include({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      expect(a.Dimensions).to.deep.equal([{ Name: 'QueueName', Value: 'stack-ObjectEventsDeadLetterQueue-ABC' }]);
    });
  });

  it('outputs what deploy, invoke and destroy read', () => {
    expect(Object.keys(template.Outputs ?? {})).to.include.members([
      'ExecutionRoleArn', 'FunctionName', 'FunctionArn', 'ScheduleRuleName', 'DeadLetterQueueUrl', 'DeadLetterQueueArn', 'LogGroupName',
      'WorkQueueUrl', 'WorkQueueArn', 'WorkDeadLetterQueueUrl', 'WorkDeadLetterQueueArn',
    ]);
  });

  it('uses no resource type beyond those docs/architecture.md lists', () => {
    const types = new Set(Object.values((template).Resources).map((r) => r.Type));
    expect([...types].sort()).to.deep.equal([
      'AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Dashboard', 'AWS::Events::Rule', 'AWS::IAM::Role', 'AWS::KMS::Key', 'AWS::Lambda::EventInvokeConfig', 'AWS::Lambda::EventSourceMapping', 'AWS::Lambda::Function', 'AWS::Lambda::Permission', 'AWS::Logs::LogGroup', 'AWS::SNS::Subscription', 'AWS::SNS::Topic', 'AWS::SNS::TopicPolicy', 'AWS::SQS::Queue', 'AWS::SQS::QueuePolicy',
    ]);
  });
});
