import { expect } from 'chai';
import { decide, sessionOf, type PolicyDocument } from '../../helpers/iamSimulator.ts';
import { lintPolicy } from '../../helpers/policyLint.ts';
import { EXECUTION_ROLE_ARN, FUNCTION_NAME, executionRolePolicy, fakePhysicalIds, resolvedResources } from '../../helpers/stackPolicies.ts';
import { loadTemplate } from '../../../deploy/cloudformation/template.ts';
import { REGION, SOURCE_ACCOUNT } from '../../helpers/fixtures.ts';

// Push on write adds two grants, both proven here with an IAM policy simulator (moto enforces no
// policy): the function may receive from its own object queue only, and EventBridge may send to
// that queue only on behalf of the stack's ObjectCreatedRule. AWS documents the queue policy that
// lets an EventBridge rule deliver to SQS, with aws:SourceArn naming the rule:
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sqs-permissions

const ids = fakePhysicalIds(loadTemplate().template);
const OBJECT_QUEUE = ids['ObjectEventsQueue.Arn']!;
const OBJECT_DLQ = ids['ObjectEventsDeadLetterQueue.Arn']!;
const WORK_QUEUE = ids['WorkQueue.Arn']!;
const RULE = ids['ObjectCreatedRule.Arn']!;
const SCHEDULE_RULE = ids['ScheduleRule.Arn']!;
const EXEC_SESSION = sessionOf(EXECUTION_ROLE_ARN, FUNCTION_NAME);
const EVENTS = 'events.amazonaws.com';
const CONSUME = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

describe('security: push on write (template, IAM simulator)', () => {
  const on = resolvedResources({ PushOnWrite: 'true', SourceKeyPrefix: 'exports/', PrefixFormat: 'exports/{YYYY}/{MM}/{DD}/' });
  const queuePolicy = (on.ObjectEventsQueuePolicy?.Properties as { PolicyDocument: PolicyDocument } | undefined)?.PolicyDocument;
  const execOn = executionRolePolicy({ PushOnWrite: 'true' });
  const execOff = executionRolePolicy({ PushOnWrite: 'false' });

  it('has the queue policy, on the object queue, and it passes the least-privilege lint', async () => {
    expect(queuePolicy).to.not.equal(undefined);
    expect((on.ObjectEventsQueuePolicy!.Properties as { Queues: string[] }).Queues).to.deep.equal([ids.ObjectEventsQueue]);
    expect(await lintPolicy('ObjectEventsQueuePolicy', queuePolicy!, 'resource')).to.deep.equal([]);
  });

  describe('the function receives from its own object queue only', () => {
    for (const action of CONSUME) {
      it(`allows ${action} on the object queue`, async () => {
        expect(await decide({ principal: EXEC_SESSION, action, resource: OBJECT_QUEUE }, { identity: [execOn] })).to.equal('Allowed');
      });
    }
    it('denies receiving from the object dead-letter queue, another queue of the account, or with the option off', async () => {
      for (const action of CONSUME) {
        expect(await decide({ principal: EXEC_SESSION, action, resource: OBJECT_DLQ }, { identity: [execOn] }), `${action} DLQ`).to.not.equal('Allowed');
        expect(await decide({ principal: EXEC_SESSION, action, resource: `arn:aws:sqs:${REGION}:${SOURCE_ACCOUNT}:orders` }, { identity: [execOn] }), `${action} other`).to.not.equal('Allowed');
        expect(await decide({ principal: EXEC_SESSION, action, resource: OBJECT_QUEUE }, { identity: [execOff] }), `${action} off`).to.not.equal('Allowed');
      }
    });
    it('gives the function nothing else on the object queue (no send, purge, visibility change, policy change)', async () => {
      for (const action of ['sqs:SendMessage', 'sqs:PurgeQueue', 'sqs:ChangeMessageVisibility', 'sqs:SetQueueAttributes', 'sqs:DeleteQueue']) {
        expect(await decide({ principal: EXEC_SESSION, action, resource: OBJECT_QUEUE }, { identity: [execOn] }), action).to.not.equal('Allowed');
      }
    });
    it('adds exactly the one statement to the execution role (the rest is as without the option)', () => {
      const statements = (doc: PolicyDocument) => (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]);
      const added = statements(execOn).filter((s) => !statements(execOff).some((o) => JSON.stringify(o) === JSON.stringify(s)));
      expect(added).to.deep.equal([{ Sid: 'ConsumeObjectEvents', Effect: 'Allow', Action: CONSUME, Resource: OBJECT_QUEUE }]);
      expect(statements(execOn)).to.have.length(statements(execOff).length + 1);
    });
  });

  describe('EventBridge sends to the object queue only from the ObjectCreatedRule', () => {
    const policies = () => ({ identity: [] as PolicyDocument[], resource: queuePolicy });
    it('allows sqs:SendMessage from the rule', async () => {
      expect(await decide({ principal: EVENTS, action: 'sqs:SendMessage', resource: OBJECT_QUEUE, context: { 'aws:SourceArn': RULE, 'aws:SourceAccount': SOURCE_ACCOUNT } }, policies())).to.equal('Allowed');
      // Only because of the queue policy: without it, nothing lets EventBridge in.
      expect(await decide({ principal: EVENTS, action: 'sqs:SendMessage', resource: OBJECT_QUEUE, context: { 'aws:SourceArn': RULE } }, { identity: [] })).to.not.equal('Allowed');
    });
    it('denies it from another rule (the schedule rule, a rule of another account) or without a source rule', async () => {
      for (const context of <Record<string, string>[]>[
        { 'aws:SourceArn': SCHEDULE_RULE },
        { 'aws:SourceArn': `arn:aws:events:${REGION}:999999999999:rule/${RULE.split('/').pop()!}` },
        {},
      ]) {
        expect(await decide({ principal: EVENTS, action: 'sqs:SendMessage', resource: OBJECT_QUEUE, context }, policies()), JSON.stringify(context)).to.not.equal('Allowed');
      }
    });
    it('lets the rule do nothing else, and lets no other principal send through the queue policy', async () => {
      for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:PurgeQueue']) {
        expect(await decide({ principal: EVENTS, action, resource: OBJECT_QUEUE, context: { 'aws:SourceArn': RULE } }, policies()), action).to.not.equal('Allowed');
      }
      for (const principal of ['sns.amazonaws.com', 's3.amazonaws.com', `arn:aws:iam::${SOURCE_ACCOUNT}:user/alice`, 'arn:aws:sts::999999999999:assumed-role/x/y']) {
        expect(await decide({ principal, action: 'sqs:SendMessage', resource: OBJECT_QUEUE, context: { 'aws:SourceArn': RULE } }, policies()), principal).to.not.equal('Allowed');
      }
    });
    it('targets the rule at the object queue, and the work queue gets no such grant', () => {
      expect((on.ObjectCreatedRule!.Properties as { Targets: unknown }).Targets).to.deep.equal([{ Id: 'ObjectEventsQueue', Arn: OBJECT_QUEUE }]);
      expect(JSON.stringify(queuePolicy)).to.not.include(WORK_QUEUE);
    });
  });
});
