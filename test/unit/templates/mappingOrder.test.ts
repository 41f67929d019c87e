import { expect } from 'chai';
import { loadTemplate } from '../../../deploy/cloudformation/template.ts';
import { condition, resolve, type ResolveContext } from '../../helpers/cfnResolve.ts';
import { DESTINATION_BUCKET, DESTINATION_ROLE_ARN, REGION, SOURCE_ACCOUNT, SOURCE_BUCKET } from '../../helpers/fixtures.ts';

// Lambda validates the execution role's SQS permissions when it creates an event source mapping
// ("The provided execution role does not have permissions to call ReceiveMessage on SQS",
// InvalidParameterValueException; the race of aws-cdk#6770). A mapping that CloudFormation may
// create before the resource holding those permissions fails the stack operation: each mapping must
// name that resource in its own DependsOn, not reach it only through the function.
const { template } = loadTemplate();
const CONSUME = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

function context(pushOnWrite: string): ResolveContext {
  const physical: Record<string, string> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::SQS::Queue') physical[`${logicalId}.Arn`] = `arn:aws:sqs:${REGION}:${SOURCE_ACCOUNT}:stack-${logicalId}-ABC`;
    physical[logicalId] = `stack-${logicalId}-ABC`;
    physical[`${logicalId}.Arn`] ??= `arn:aws:test:::${logicalId}`;
  }
  return {
    template,
    parameters: {
      SourceBucket: SOURCE_BUCKET, DestinationBucket: DESTINATION_BUCKET, DestinationRoleArn: DESTINATION_ROLE_ARN,
      FunctionName: 'replicate-to-partner', LambdaRoleName: 'replicate-to-partner-lambda', PushOnWrite: pushOnWrite,
    },
    account: SOURCE_ACCOUNT, region: REGION, stackName: 'stack', physical,
  };
}

interface Statement { Effect?: string; Action?: string | string[]; Resource?: string | string[] }

/** The statements of every identity policy a resource carries (a role's inline policies, a policy resource). */
function statementsOf(properties: Record<string, unknown>): Statement[] {
  const documents: unknown[] = [];
  const inline = properties.Policies as { PolicyDocument: unknown }[] | undefined;
  for (const policy of inline ?? []) documents.push(policy.PolicyDocument);
  if (properties.PolicyDocument) documents.push(properties.PolicyDocument);
  return documents.flatMap((document) => {
    const statement = (document as { Statement?: Statement | Statement[] }).Statement ?? [];
    return Array.isArray(statement) ? statement : [statement];
  });
}

const asList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The logical ids of the resources whose policies allow every consume action on the queue. */
function grantingResources(ctx: ResolveContext, queueArn: string): string[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => ['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::RolePolicy'].includes(resource.Type))
    .filter(([, resource]) => !resource.Condition || condition(resource.Condition, ctx))
    .filter(([, resource]) => {
      const statements = statementsOf(resolve(resource.Properties ?? {}, ctx) as Record<string, unknown>);
      return CONSUME.every((action) => statements.some((s) => s.Effect === 'Allow'
        && asList(s.Action).includes(action) && asList(s.Resource).includes(queueArn)));
    })
    .map(([logicalId]) => logicalId);
}

describe('template: event source mappings wait for their SQS permissions', () => {
  for (const pushOnWrite of ['false', 'true']) {
    describe(`PushOnWrite=${pushOnWrite}`, () => {
      const ctx = context(pushOnWrite);
      const mappings = Object.entries(template.Resources)
        .filter(([, resource]) => resource.Type === 'AWS::Lambda::EventSourceMapping')
        .filter(([, resource]) => !resource.Condition || condition(resource.Condition, ctx));

      it('has the mappings it is expected to have', () => {
        expect(mappings.map(([id]) => id).sort()).to.deep.equal(pushOnWrite === 'true' ? ['ObjectEventsMapping', 'WorkQueueMapping'] : ['WorkQueueMapping']);
      });

      for (const [logicalId, mapping] of mappings) {
        it(`${logicalId} names in DependsOn every resource that grants it the queue`, () => {
          const queueArn = resolve(mapping.Properties!.EventSourceArn, ctx) as string;
          const granting = grantingResources(ctx, queueArn);
          expect(granting, `no policy grants ${CONSUME.join(', ')} on ${queueArn}`).to.not.be.empty;
          expect(asList(mapping.DependsOn)).to.include.members(granting);
        });
      }
    });
  }
});
