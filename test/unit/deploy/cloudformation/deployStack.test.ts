import { expect } from 'chai';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type ResourceStatus,
  type Stack,
  type StackEvent,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { deployStack, type DeployStackRequest } from '../../../../deploy/cloudformation/deployStack.ts';
import { DeployError } from '../../../../deploy/cli/errors.ts';
import { awsError, NO_CHANGE_MESSAGES, stackMissing } from '../../../helpers/errors.ts';

const NAME = 'replicate-to-partner-landing-zone';
const ID = `arn:aws:cloudformation:us-east-1:123456789012:stack/${NAME}/new`;
const OLD_ID = `arn:aws:cloudformation:us-east-1:123456789012:stack/${NAME}/old`;
const CS = `arn:aws:cloudformation:us-east-1:123456789012:changeSet/s3-push-1/abc`;
const noWait = { pollIntervalMs: 0, timeoutMs: 60_000, sleep: () => Promise.resolve() };
const TOKEN = 's3-push-0b5e7c1e-token';

function stack(status: string, id = ID, lastUpdated?: Date): Stack {
  return { StackName: NAME, StackId: id, StackStatus: status as StackStatus, CreationTime: new Date(0), LastUpdatedTime: lastUpdated };
}

let seq = 0;
/** An event of the operation deploy started (its token), stamped an hour before the local clock: no event is ever filtered by time. */
function event(logicalId: string, status: string, reason?: string, type = 'AWS::Lambda::Function', token = TOKEN): StackEvent {
  seq += 1;
  return {
    StackId: ID, StackName: NAME, EventId: `e${seq}`, LogicalResourceId: logicalId, ResourceType: type, ResourceStatus: status as ResourceStatus,
    ResourceStatusReason: reason, Timestamp: new Date(Date.now() - 3_600_000 + seq), ClientRequestToken: token,
  };
}

describe('deploy/cloudformation/deployStack', () => {
  let cfn: CloudFormationClient;
  let mock: AwsClientStub<CloudFormationClient>;
  let lines: string[];

  const request = (extra: Partial<DeployStackRequest> = {}): DeployStackRequest => ({
    stackName: NAME,
    templateBody: 'Resources: {}',
    parameters: { SourceBucket: 'acme-source-data', ArtifactKey: 's3-push/abc.zip' },
    log: (line) => lines.push(line),
    stackWait: noWait,
    changeSetWait: noWait,
    changeSetName: 's3-push-1',
    clientRequestToken: TOKEN,
    ...extra,
  });
  const text = () => lines.join('\n');

  beforeEach(() => {
    cfn = new CloudFormationClient({ region: 'us-east-1' });
    mock = mockClient(cfn);
    lines = [];
    mock.on(CreateChangeSetCommand).resolves({ Id: CS, StackId: ID });
    mock.on(DescribeChangeSetCommand).resolves({
      Status: 'CREATE_COMPLETE', StackId: ID,
      Changes: [{ Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: 'PushFunction', ResourceType: 'AWS::Lambda::Function', Replacement: 'False', Details: [{ Target: { Attribute: 'Properties', Name: 'Code' } }] } }],
    });
    mock.on(ExecuteChangeSetCommand).resolves({});
    mock.on(DeleteChangeSetCommand).resolves({});
    mock.on(DeleteStackCommand).resolves({});
    mock.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
  });

  afterEach(() => mock.reset());

  it('creates a missing stack through a CREATE change set with CAPABILITY_NAMED_IAM, streaming its events', async () => {
    mock.on(DescribeStacksCommand, { StackName: NAME }).rejects(stackMissing(NAME));
    mock.on(DescribeStacksCommand, { StackName: ID }).resolves({ Stacks: [stack('CREATE_COMPLETE')] });
    mock.on(DescribeChangeSetCommand).resolves({ Status: 'CREATE_COMPLETE', StackId: ID, Changes: [{ ResourceChange: { Action: 'Add', LogicalResourceId: 'PushFunction', ResourceType: 'AWS::Lambda::Function' } }] });
    mock.on(DescribeStackEventsCommand).resolves({ StackEvents: [event(NAME, 'CREATE_COMPLETE', undefined, 'AWS::CloudFormation::Stack'), event('PushFunction', 'CREATE_COMPLETE'), event('PushFunction', 'CREATE_IN_PROGRESS')] });

    const result = await deployStack(cfn, request());
    expect(result.outcome).to.equal('created');
    expect(result.stack?.StackStatus).to.equal('CREATE_COMPLETE');
    const input = mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input;
    expect(input).to.deep.include({ StackName: NAME, ChangeSetType: 'CREATE', Capabilities: ['CAPABILITY_NAMED_IAM'], TemplateBody: 'Resources: {}' });
    expect(input.Parameters).to.deep.equal([{ ParameterKey: 'SourceBucket', ParameterValue: 'acme-source-data' }, { ParameterKey: 'ArtifactKey', ParameterValue: 's3-push/abc.zip' }]);
    expect(mock.commandCalls(ExecuteChangeSetCommand)[0]!.args[0].input).to.deep.equal({ ChangeSetName: CS, StackName: NAME, ClientRequestToken: TOKEN });
    expect(text()).to.include('+ Add    PushFunction  AWS::Lambda::Function');
    // Events are shown oldest first.
    expect(text().indexOf('CREATE_IN_PROGRESS')).to.be.lessThan(text().indexOf('CREATE_COMPLETE'));
  });

  it('updates an existing stack through an UPDATE change set and shows what changes', async () => {
    mock.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    // The stack ends UPDATE_COMPLETE as it was before: its own stack-level event says the update ended.
    mock.on(DescribeStackEventsCommand).resolves({ StackEvents: [event(NAME, 'UPDATE_COMPLETE', undefined, 'AWS::CloudFormation::Stack'), event(NAME, 'UPDATE_IN_PROGRESS', undefined, 'AWS::CloudFormation::Stack')] });
    const result = await deployStack(cfn, request());
    expect(result.outcome).to.equal('updated');
    expect(mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.ChangeSetType).to.equal('UPDATE');
    expect(text()).to.include('~ Modify PushFunction  AWS::Lambda::Function  [Code]');
    expect(mock.commandCalls(ExecuteChangeSetCommand)).to.have.length(1);
  });

  for (const message of NO_CHANGE_MESSAGES) {
    it(`treats a change set that failed with "${message}" as a successful no-op and deletes it`, async () => {
      mock.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
      mock.on(DescribeChangeSetCommand).resolves({ Status: 'FAILED', StatusReason: message, StackId: ID });
      const result = await deployStack(cfn, request());
      expect(result.outcome).to.equal('no-changes');
      expect(mock.commandCalls(DeleteChangeSetCommand)[0]!.args[0].input).to.deep.equal({ ChangeSetName: CS, StackName: NAME });
      expect(mock.commandCalls(ExecuteChangeSetCommand)).to.have.length(0);
      expect(text()).to.include('no changes');
    });
  }

  it('treats CreateChangeSet refusing with "No updates are to be performed." as a no-op', async () => {
    mock.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    mock.on(CreateChangeSetCommand).rejects(awsError('ValidationError', 400, 'No updates are to be performed.'));
    const result = await deployStack(cfn, request());
    expect(result.outcome).to.equal('no-changes');
    expect(mock.commandCalls(ExecuteChangeSetCommand)).to.have.length(0);
  });

  it('reports a change set that failed for another reason, with that reason', async () => {
    mock.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    mock.on(DescribeChangeSetCommand).resolves({ Status: 'FAILED', StatusReason: 'Template error: instance of Fn::GetAtt references undefined resource X', StackId: ID });
    const err = await deployStack(cfn, request()).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DeployError);
    expect((err as Error).message).to.include('Fn::GetAtt references undefined resource X');
    expect(mock.commandCalls(ExecuteChangeSetCommand)).to.have.length(0);
  });

  it('deletes a stack left in ROLLBACK_COMPLETE and creates it again, saying so', async () => {
    mock.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [stack('ROLLBACK_COMPLETE', OLD_ID)] });
    mock.on(DescribeStacksCommand, { StackName: OLD_ID }).resolves({ Stacks: [stack('DELETE_COMPLETE', OLD_ID)] });
    mock.on(DescribeStacksCommand, { StackName: ID }).resolves({ Stacks: [stack('CREATE_COMPLETE')] });
    const result = await deployStack(cfn, request());
    expect(result.outcome).to.equal('created');
    expect(mock.commandCalls(DeleteStackCommand)[0]!.args[0].input).to.deep.equal({ StackName: OLD_ID, ClientRequestToken: `${TOKEN}-delete` });
    expect(mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.ChangeSetType).to.equal('CREATE');
    expect(text()).to.include('ROLLBACK_COMPLETE').and.include('deleting it to create it again');
  });

  it('waits for an operation already in progress, then updates', async () => {
    mock.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [stack('UPDATE_IN_PROGRESS')] });
    mock.on(DescribeStacksCommand, { StackName: ID })
      .resolvesOnce({ Stacks: [stack('UPDATE_IN_PROGRESS')] })
      .resolvesOnce({ Stacks: [stack('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')] })
      .resolvesOnce({ Stacks: [stack('UPDATE_COMPLETE', ID, new Date(1000))] })
      .resolves({ Stacks: [stack('UPDATE_COMPLETE', ID, new Date(2000))] });
    const result = await deployStack(cfn, request());
    expect(result.outcome).to.equal('updated');
    expect(text()).to.include('is UPDATE_IN_PROGRESS: another operation is running; waiting for it to finish');
    expect(mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.ChangeSetType).to.equal('UPDATE');
    // Two polls while it ran, one to see it finished, one after the execute (a new LastUpdatedTime: the update ran).
    expect(mock.commandCalls(DescribeStacksCommand).filter((c) => c.args[0].input.StackName === ID)).to.have.length(4);
  });

  it('fails with the failed resources and their reasons when the update rolls back (exit 1)', async () => {
    mock.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    mock.on(DescribeStacksCommand, { StackName: ID }).resolves({ Stacks: [stack('UPDATE_ROLLBACK_COMPLETE')] });
    mock.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        event(NAME, 'UPDATE_ROLLBACK_COMPLETE', undefined, 'AWS::CloudFormation::Stack'),
        event('ScheduleRule', 'UPDATE_FAILED', 'Resource update cancelled', 'AWS::Events::Rule'),
        event('PushFunction', 'UPDATE_FAILED', 'Resource handler returned message: "Error occurred while GetObject. S3 Error Code: NoSuchKey"'),
      ],
    });
    const err = await deployStack(cfn, request()).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DeployError);
    expect((err as DeployError).exitCode).to.equal(1);
    const message = (err as Error).message;
    expect(message).to.include(`stack ${NAME} ended UPDATE_ROLLBACK_COMPLETE`);
    expect(message).to.include('PushFunction (AWS::Lambda::Function) UPDATE_FAILED: Resource handler returned message: "Error occurred while GetObject. S3 Error Code: NoSuchKey"');
    expect(message).to.not.include('ScheduleRule');
  });

  it('reports AccessDenied on DescribeStacks as itself and never creates', async () => {
    mock.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 403, 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:DescribeStacks'));
    const err = await deployStack(cfn, request()).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DeployError);
    expect((err as Error).message).to.include('AccessDenied').and.include('not authorized');
    expect(mock.commandCalls(CreateChangeSetCommand)).to.have.length(0);
  });

  it('does not take another ValidationError for "does not exist"', async () => {
    mock.on(DescribeStacksCommand).rejects(awsError('ValidationError', 400, '1 validation error detected: Value at stackName failed to satisfy constraint'));
    const err = await deployStack(cfn, request()).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DeployError);
    expect(mock.commandCalls(CreateChangeSetCommand)).to.have.length(0);
  });

  it('refuses UPDATE_ROLLBACK_FAILED with the command that unsticks it', async () => {
    mock.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_ROLLBACK_FAILED')] });
    const err = await deployStack(cfn, request()).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DeployError);
    expect((err as Error).message).to.include(`aws cloudformation continue-update-rollback --stack-name ${NAME}`);
    expect(mock.commandCalls(CreateChangeSetCommand)).to.have.length(0);
  });

  it('--plan shows the changes, deletes the change set and executes nothing', async () => {
    mock.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    const result = await deployStack(cfn, request({ plan: true }));
    expect(result.outcome).to.equal('planned');
    expect(text()).to.include('~ Modify PushFunction');
    expect(mock.commandCalls(DeleteChangeSetCommand)).to.have.length(1);
    expect(mock.commandCalls(DeleteStackCommand)).to.have.length(0);
    expect(mock.commandCalls(ExecuteChangeSetCommand)).to.have.length(0);
  });

  it('--plan of a new stack also deletes the empty stack the CREATE change set made', async () => {
    mock.on(DescribeStacksCommand).rejects(stackMissing(NAME));
    await deployStack(cfn, request({ plan: true }));
    expect(mock.commandCalls(DeleteStackCommand)[0]!.args[0].input).to.deep.equal({ StackName: ID });
    expect(mock.commandCalls(ExecuteChangeSetCommand)).to.have.length(0);
  });

  it('gives up at the deadline with how to keep watching', async () => {
    mock.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    mock.on(DescribeStacksCommand, { StackName: ID }).resolves({ Stacks: [stack('UPDATE_IN_PROGRESS')] });
    let clock = 0;
    const err = await deployStack(cfn, request({ stackWait: { pollIntervalMs: 1000, timeoutMs: 5000, now: () => clock, sleep: (ms) => { clock += ms; return Promise.resolve(); } } })).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DeployError);
    expect((err as Error).message).to.include('still UPDATE_IN_PROGRESS after 5 s').and.include('describe-stack-events');
    expect(mock.commandCalls(DescribeStacksCommand).filter((c) => c.args[0].input.StackName === ID)).to.have.length(6);
  });

  describe('the operation deploy started: its events by ClientRequestToken, and a stack that has not moved yet is not the end (issue 11, "Also")', () => {
    it('events of an earlier operation never show, whatever the clocks; the operation\'s own show, even stamped before the local clock', async () => {
      mock.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [stack('UPDATE_COMPLETE', ID, new Date(1000))] });
      mock.on(DescribeStacksCommand, { StackName: ID }).resolves({ Stacks: [stack('UPDATE_ROLLBACK_COMPLETE', ID, new Date(2000))] });
      // Newest first. The earlier operation's failure is stamped *after* ours, as a skewed clock could make it look.
      mock.on(DescribeStackEventsCommand).resolves({
        StackEvents: [
          event(NAME, 'UPDATE_ROLLBACK_COMPLETE', undefined, 'AWS::CloudFormation::Stack'),
          event('PushFunction', 'UPDATE_FAILED', 'S3 Error Code: NoSuchKey'),
          { ...event('ScheduleRule', 'UPDATE_FAILED', 'an earlier update\'s failure', 'AWS::Events::Rule', 'Console-UpdateStack-7f59c3cf'), Timestamp: new Date(Date.now() + 3_600_000) },
          event('QueueOld', 'CREATE_FAILED', 'older still', 'AWS::SQS::Queue', 'Console-CreateStack-1'),
        ],
      });
      const err = await deployStack(cfn, request()).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(DeployError);
      expect((err as Error).message).to.include('PushFunction (AWS::Lambda::Function) UPDATE_FAILED: S3 Error Code: NoSuchKey');
      expect((err as Error).message).to.not.include('earlier').and.not.include('older still');
      expect(text()).to.include('S3 Error Code: NoSuchKey').and.not.include('an earlier update');
    });

    it('an operation someone else started: shows its events from the first poll on (none of the past), whatever their tokens and times', async () => {
      mock.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [stack('UPDATE_IN_PROGRESS')] });
      mock.on(DescribeStacksCommand, { StackName: ID })
        .resolvesOnce({ Stacks: [stack('UPDATE_IN_PROGRESS')] })
        .resolvesOnce({ Stacks: [stack('UPDATE_COMPLETE', ID, new Date(1000))] })
        .resolves({ Stacks: [stack('UPDATE_COMPLETE', ID, new Date(2000))] });
      const past = event('PushFunction', 'UPDATE_IN_PROGRESS', 'before the wait', 'AWS::Lambda::Function', 'Console-UpdateStack-1');
      const later = event('PushFunction', 'UPDATE_COMPLETE', 'during the wait', 'AWS::Lambda::Function', 'Console-UpdateStack-1');
      mock.on(DescribeStackEventsCommand).resolvesOnce({ StackEvents: [past] }).resolves({ StackEvents: [later, past] });
      await deployStack(cfn, request());
      expect(text()).to.include('during the wait').and.not.include('before the wait');
    });

    it('a new stack still REVIEW_IN_PROGRESS right after ExecuteChangeSet has not started: deploy waits for its end', async () => {
      mock.on(DescribeStacksCommand, { StackName: NAME }).rejects(stackMissing(NAME));
      mock.on(DescribeStacksCommand, { StackName: ID })
        .resolvesOnce({ Stacks: [stack('REVIEW_IN_PROGRESS')] })
        .resolvesOnce({ Stacks: [stack('REVIEW_IN_PROGRESS')] })
        .resolvesOnce({ Stacks: [stack('CREATE_IN_PROGRESS')] })
        .resolves({ Stacks: [stack('CREATE_COMPLETE')] });
      const result = await deployStack(cfn, request());
      expect(result.outcome).to.equal('created');
      expect(result.stack?.StackStatus).to.equal('CREATE_COMPLETE');
      expect(mock.commandCalls(DescribeStacksCommand).filter((c) => c.args[0].input.StackName === ID)).to.have.length(4);
    });

    it('the previous UPDATE_COMPLETE right after ExecuteChangeSet is not the end: the update that then rolls back is reported as failed', async () => {
      const last = new Date(1000);
      mock.on(DescribeStacksCommand, { StackName: NAME }).resolves({ Stacks: [stack('UPDATE_COMPLETE', ID, last)] });
      mock.on(DescribeStacksCommand, { StackName: ID })
        .resolvesOnce({ Stacks: [stack('UPDATE_COMPLETE', ID, last)] })
        .resolvesOnce({ Stacks: [stack('UPDATE_IN_PROGRESS', ID, new Date(2000))] })
        .resolves({ Stacks: [stack('UPDATE_ROLLBACK_COMPLETE', ID, new Date(2000))] });
      // Asked while the stack looked as before: not executing yet.
      mock.on(DescribeChangeSetCommand)
        .resolvesOnce({ Status: 'CREATE_COMPLETE', StackId: ID, ExecutionStatus: 'AVAILABLE', Changes: [{ ResourceChange: { Action: 'Modify', LogicalResourceId: 'PushFunction', ResourceType: 'AWS::Lambda::Function' } }] })
        .resolves({ Status: 'CREATE_COMPLETE', StackId: ID, ExecutionStatus: 'AVAILABLE' });
      const err = await deployStack(cfn, request()).catch((e: unknown) => e);
      expect(err, 'not taken for a success').to.be.instanceOf(DeployError);
      expect((err as Error).message).to.include(`stack ${NAME} ended UPDATE_ROLLBACK_COMPLETE`);
      expect(mock.commandCalls(DescribeStacksCommand).filter((c) => c.args[0].input.StackName === ID)).to.have.length(3);
      expect(mock.commandCalls(DescribeChangeSetCommand).map((c) => c.args[0].input)).to.deep.include({ ChangeSetName: CS, StackName: NAME });
    });

    it('an update that ends UPDATE_COMPLETE again, with nothing else to tell, ends when its change set says EXECUTE_COMPLETE', async () => {
      mock.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
      mock.on(DescribeChangeSetCommand)
        .resolvesOnce({ Status: 'CREATE_COMPLETE', StackId: ID, ExecutionStatus: 'AVAILABLE', Changes: [{ ResourceChange: { Action: 'Modify', LogicalResourceId: 'PushFunction', ResourceType: 'AWS::Lambda::Function' } }] })
        .resolvesOnce({ Status: 'CREATE_COMPLETE', StackId: ID, ExecutionStatus: 'AVAILABLE' })
        .resolves({ Status: 'CREATE_COMPLETE', StackId: ID, ExecutionStatus: 'EXECUTE_COMPLETE' });
      const result = await deployStack(cfn, request());
      expect(result.outcome).to.equal('updated');
      // One to compute the change set, then one per poll while the stack looked as before.
      expect(mock.commandCalls(DescribeChangeSetCommand)).to.have.length(3);
    });

    it('an operation that never starts: at the deadline, says so (not "still in progress") and how to watch it', async () => {
      mock.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
      mock.on(DescribeChangeSetCommand).resolves({ Status: 'CREATE_COMPLETE', StackId: ID, ExecutionStatus: 'AVAILABLE', Changes: [{ ResourceChange: { Action: 'Modify', LogicalResourceId: 'PushFunction', ResourceType: 'AWS::Lambda::Function' } }] });
      let clock = 0;
      const err = await deployStack(cfn, request({ stackWait: { pollIntervalMs: 1000, timeoutMs: 3000, now: () => clock, sleep: (ms) => { clock += ms; return Promise.resolve(); } } })).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(DeployError);
      expect((err as Error).message).to.include(`stack ${NAME} still showed UPDATE_COMPLETE 3 s after the operation was requested: it has not started`).and.include('describe-stack-events');
    });

    it('the token it sends by default fits CloudFormation\'s pattern and differs per deploy', async () => {
      mock.on(DescribeStacksCommand, { StackName: NAME }).rejects(stackMissing(NAME));
      mock.on(DescribeStacksCommand, { StackName: ID }).resolves({ Stacks: [stack('CREATE_COMPLETE')] });
      await deployStack(cfn, request({ clientRequestToken: undefined }));
      await deployStack(cfn, request({ clientRequestToken: undefined }));
      const tokens = mock.commandCalls(ExecuteChangeSetCommand).map((c) => c.args[0].input.ClientRequestToken ?? '');
      for (const t of tokens) expect(t).to.match(/^[a-zA-Z0-9][-a-zA-Z0-9]*$/).and.have.length.below(129);
      expect(new Set(tokens).size).to.equal(2);
    });
  });
});
