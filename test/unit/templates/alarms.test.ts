import { expect } from 'chai';
import { loadTemplate } from '../../../deploy/cloudformation/template.ts';
import { FUNCTION_DIMENSION, METRIC, METRICS_NAMESPACE } from '../../../handler/metrics.ts';
import { decide, type PolicyDocument } from '../../helpers/iamSimulator.ts';
import { DESTINATION_ACCOUNT, REGION, SOURCE_ACCOUNT } from '../../helpers/fixtures.ts';
import { FUNCTION_NAME, resolvedResources, STACK_NAME, type ResolvedResources } from '../../helpers/stackPolicies.ts';

// moto's CloudFormation skips AWS::CloudWatch::Alarm silently, so the alarms are tested here, from
// the template itself with every intrinsic resolved (test/helpers/cfnResolve.ts).
const { template } = loadTemplate();
const EXISTING_TOPIC = `arn:aws:sns:${REGION}:${SOURCE_ACCOUNT}:ops-paging`;
const EMAIL = 'ops@example.com';
const CASES: Record<string, Record<string, string>> = {
  'no alarm variable': {},
  'an email': { AlarmEmail: EMAIL },
  'an existing topic': { AlarmTopicArn: EXISTING_TOPIC },
  'an existing topic and an email': { AlarmTopicArn: EXISTING_TOPIC, AlarmEmail: EMAIL },
  'empty days ok': { EmptyDaysOk: 'true' },
  'push on write': { PushOnWrite: 'true' },
  'a weekday schedule (deadline 74 hours)': { ScheduleExpression: 'cron(0 6 ? * MON-FRI *)', DayDeadlineHours: '74' },
};

type Props = Record<string, unknown>;
const ofType = (resources: ResolvedResources, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type).map(([name, r]) => [name, r.Properties as Props] as const);
const topicOf = (resources: ResolvedResources) => (resources.AlarmTopic ? `arn:aws:sns:${REGION}:${SOURCE_ACCOUNT}:${STACK_NAME}-AlarmTopic-ABC123` : EXISTING_TOPIC);
const HANDLER_METRICS: readonly string[] = Object.values(METRIC);

describe('templates/pushS3Template.yml: alarms, topic, dashboard', () => {
  for (const [label, parameters] of Object.entries(CASES)) {
    describe(`with ${label}`, () => {
      const resources = resolvedResources(parameters);
      const alarms = ofType(resources, 'AWS::CloudWatch::Alarm');

      it('names every alarm after the function, so the mail says which push fired', () => {
        for (const [name, p] of alarms) expect(String(p.AlarmName), name).to.match(new RegExp(`^${FUNCTION_NAME}-s3push-[a-z-]+$`));
      });

      it('gives every alarm the topic as its alarm and OK action', () => {
        expect(alarms.length).to.equal(6 - (parameters.EmptyDaysOk === 'true' ? 1 : 0) + (parameters.PushOnWrite === 'true' ? 1 : 0));
        for (const [name, p] of alarms) {
          expect(p.AlarmActions, name).to.deep.equal([topicOf(resources)]);
          expect(p.OKActions, name).to.deep.equal([topicOf(resources)]);
        }
      });

      it('keeps every alarm inside the evaluation range AWS allows (PutMetricAlarm: Period × EvaluationPeriods ≤ 7 days, ≤ 1 day under a one-hour period)', () => {
        // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
        for (const [name, p] of alarms) {
          const period = Number(p.Period);
          const range = period * Number(p.EvaluationPeriods);
          expect(period % 60 === 0 || [10, 20, 30].includes(period), name).to.equal(true);
          expect(range, name).to.be.at.most(period < 3600 ? 86_400 : 604_800);
          if (p.DatapointsToAlarm !== undefined) expect(Number(p.DatapointsToAlarm), name).to.be.at.most(Number(p.EvaluationPeriods));
        }
      });

      it('names, in each S3Push alarm, a metric the handler emits, with its one dimension (fails if a name drifts)', () => {
        const own = alarms.filter(([, p]) => p.Namespace === METRICS_NAMESPACE);
        expect(own.length).to.be.at.least(1);
        for (const [name, p] of own) {
          expect(HANDLER_METRICS, name).to.include(p.MetricName);
          expect(p.Dimensions, name).to.deep.equal([{ Name: FUNCTION_DIMENSION, Value: FUNCTION_NAME }]);
        }
      });

      const deadline = Number(parameters.DayDeadlineHours ?? 26);
      it(`alarms when the scheduled day has not completed within ${deadline} hours (DayDeadlineHours), missing data breaching`, () => {
        const p = resources.DayNotCompletedAlarm!.Properties as Props;
        expect(p).to.deep.include({ Namespace: METRICS_NAMESPACE, MetricName: METRIC.scheduledDayCompleted, Statistic: 'Maximum', Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
        expect(Number(p.Period) * Number(p.EvaluationPeriods)).to.equal(deadline * 3600);
        expect(p.DatapointsToAlarm).to.equal(p.EvaluationPeriods);
        expect(p.AlarmDescription).to.include(`in ${deadline} hours`);
      });

      it(`has the "no object listed" alarm ${parameters.EmptyDaysOk === 'true' ? 'turned off' : 'on'}`, () => {
        if (parameters.EmptyDaysOk === 'true') {
          expect(resources).not.to.have.property('EmptyDayAlarm');
          return;
        }
        const p = resources.EmptyDayAlarm!.Properties as Props;
        expect(p).to.deep.include({ Namespace: METRICS_NAMESPACE, MetricName: METRIC.scheduledDayObjectsListed, Statistic: 'Minimum', Threshold: 1, ComparisonOperator: 'LessThanThreshold' });
      });

      it('keeps the errors, throttles and both dead-letter-queue alarms', () => {
        const metric = (name: string) => (resources[name]!.Properties as Props).MetricName;
        expect([metric('ErrorsAlarm'), metric('ThrottlesAlarm'), metric('DeadLetterAlarm'), metric('WorkDeadLetterAlarm')]).to.deep.equal(['Errors', 'Throttles', 'ApproximateNumberOfMessagesVisible', 'ApproximateNumberOfMessagesVisible']);
      });

      it(`${parameters.AlarmTopicArn ? 'creates no topic, key or policy (the existing topic is used)' : 'creates the topic, encrypted with its own key that CloudWatch may use'}`, () => {
        if (parameters.AlarmTopicArn) {
          for (const r of ['AlarmTopic', 'AlarmTopicKey', 'AlarmTopicPolicy']) expect(resources, r).not.to.have.property(r);
          return;
        }
        const topic = resources.AlarmTopic!.Properties as Props;
        // Not alias/aws/sns: CloudWatch cannot use the AWS-managed key (its policy cannot be changed).
        expect(topic.KmsMasterKeyId).to.equal('1234abcd-12ab-34cd-56ef-1234567890ab');
        const key = (resources.AlarmTopicKey!.Properties as { KeyPolicy: PolicyDocument }).KeyPolicy;
        const cw = (key.Statement as { Principal?: { Service?: string }; Action: string[]; Condition: unknown }[]).find((s) => s.Principal?.Service === 'cloudwatch.amazonaws.com');
        expect(cw?.Action).to.have.members(['kms:GenerateDataKey', 'kms:Decrypt']);
        expect(cw?.Condition).to.deep.equal({ StringEquals: { 'aws:SourceAccount': SOURCE_ACCOUNT }, ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${SOURCE_ACCOUNT}:alarm:${FUNCTION_NAME}-s3push-*` } });
      });

      it(`${parameters.AlarmEmail ? 'subscribes the address by email' : 'subscribes no address'}`, () => {
        const onTopic = (resources.AlarmTopic?.Properties)?.Subscription;
        const separate = resources.ExistingTopicEmailSubscription?.Properties;
        if (!parameters.AlarmEmail) {
          expect(onTopic).to.equal(undefined);
          expect(separate).to.equal(undefined);
        } else if (parameters.AlarmTopicArn) {
          expect(separate).to.deep.equal({ TopicArn: EXISTING_TOPIC, Protocol: 'email', Endpoint: EMAIL });
        } else {
          expect(onTopic).to.deep.equal([{ Protocol: 'email', Endpoint: EMAIL }]);
          expect(separate).to.equal(undefined);
        }
      });

      it('has a dashboard: valid JSON, the handler\'s metrics, the Lambda and queue metrics, and every alarm', () => {
        const body = JSON.parse((resources.Dashboard!.Properties as Props).DashboardBody as string) as { widgets: { type: string; properties: { metrics?: unknown[][]; alarms?: string[] } }[] };
        const metrics = body.widgets.flatMap((w) => w.properties.metrics ?? []);
        // A row's "." repeats the previous row's value at that place; a leading "..." repeats the
        // previous row's namespace and metric name.
        const rows: { ns: string; name: string }[] = [];
        for (const m of metrics) {
          const prev = rows[rows.length - 1] ?? { ns: '', name: '' };
          if (m[0] === '...') rows.push(prev);
          else rows.push({ ns: m[0] === '.' ? prev.ns : String(m[0]), name: m[1] === '.' ? prev.name : String(m[1]) });
        }
        const names = new Set(rows.filter((r) => r.ns === METRICS_NAMESPACE).map((r) => r.name));
        for (const n of names) expect(HANDLER_METRICS, n).to.include(n);
        for (const n of [METRIC.copied, METRIC.bytesCopied, METRIC.failed, METRIC.archived, METRIC.durationSeconds]) expect([...names], n).to.include(n);
        const others = rows.filter((r) => r.ns !== METRICS_NAMESPACE).map((r) => `${r.ns} ${r.name}`);
        expect(others).to.include.members(['AWS/Lambda Invocations', 'AWS/Lambda Errors', 'AWS/Lambda Throttles', 'AWS/SQS ApproximateNumberOfMessagesVisible']);
        const alarmWidget = body.widgets.find((w) => w.type === 'alarm');
        const alarmArns = alarms.map(([, p]) => `arn:aws:cloudwatch:${REGION}:${SOURCE_ACCOUNT}:alarm:${String(p.AlarmName)}`);
        expect(alarmWidget?.properties.alarms).to.have.members(alarmArns);
      });
    });
  }

  describe('the topic policy (IAM simulator): CloudWatch alarms of this stack may publish, nobody else', () => {
    const resources = resolvedResources({});
    const policy = (resources.AlarmTopicPolicy!.Properties as { PolicyDocument: PolicyDocument }).PolicyDocument;
    const topic = topicOf(resources);
    const alarm = `arn:aws:cloudwatch:${REGION}:${SOURCE_ACCOUNT}:alarm:${FUNCTION_NAME}-s3push-errors`;
    const publish = (principal: string, context: Record<string, string> = {}) =>
      decide({ principal, action: 'sns:Publish', resource: topic, context }, { identity: [], resource: policy });

    it('allows cloudwatch.amazonaws.com for an alarm of this stack in this account', async () => {
      expect(await publish('cloudwatch.amazonaws.com', { 'aws:SourceAccount': SOURCE_ACCOUNT, 'aws:SourceArn': alarm })).to.equal('Allowed');
    });
    it('denies CloudWatch acting for another account, or for another stack\'s alarm', async () => {
      expect(await publish('cloudwatch.amazonaws.com', { 'aws:SourceAccount': DESTINATION_ACCOUNT, 'aws:SourceArn': alarm.replace(SOURCE_ACCOUNT, DESTINATION_ACCOUNT) })).not.to.equal('Allowed');
      expect(await publish('cloudwatch.amazonaws.com', { 'aws:SourceAccount': SOURCE_ACCOUNT, 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${SOURCE_ACCOUNT}:alarm:other-stack-ErrorsAlarm-X` })).not.to.equal('Allowed');
      expect(await publish('cloudwatch.amazonaws.com')).not.to.equal('Allowed');
    });
    it('denies other services and roles of this and other accounts', async () => {
      expect(await publish('events.amazonaws.com', { 'aws:SourceAccount': SOURCE_ACCOUNT })).not.to.equal('Allowed');
      expect(await publish(`arn:aws:iam::${DESTINATION_ACCOUNT}:role/anyone`)).not.to.equal('Allowed');
      expect(await publish(`arn:aws:iam::${SOURCE_ACCOUNT}:role/someone-else`)).not.to.equal('Allowed');
    });
    it('grants only sns:Publish', async () => {
      const subscribe = await decide({ principal: 'cloudwatch.amazonaws.com', action: 'sns:Subscribe', resource: topic, context: { 'aws:SourceAccount': SOURCE_ACCOUNT, 'aws:SourceArn': alarm } }, { identity: [], resource: policy });
      expect(subscribe).not.to.equal('Allowed');
    });
  });

  it('declares the alarm parameters with their constraints', () => {
    expect(template.Parameters.AlarmEmail).to.include({ Default: '' });
    expect(template.Parameters.AlarmTopicArn).to.include({ Default: '' });
    expect(template.Parameters.EmptyDaysOk).to.deep.include({ Default: 'false', AllowedValues: ['true', 'false'] });
    const email = new RegExp(template.Parameters.AlarmEmail!.AllowedPattern!);
    expect(email.test(EMAIL)).to.equal(true);
    expect(email.test('not an address')).to.equal(false);
  });
});
