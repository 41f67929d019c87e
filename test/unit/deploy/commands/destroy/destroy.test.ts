import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudFormationClient, DeleteStackCommand, DescribeStackEventsCommand, DescribeStackResourcesCommand, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { DeleteBucketPolicyCommand, GetBucketPolicyCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { runDestroy } from '../../../../../deploy/commands/destroy/destroy.ts';
import { sourcePolicySids } from '../../../../../rules/sourcePolicySids.ts';
import { DeployError } from '../../../../../deploy/cli/errors.ts';
import { ConfigError } from '../../../../../rules/errors.ts';
import { awsError, stackMissing } from '../../../../helpers/errors.ts';

const target = { region: 'us-east-1', stackName: 'replicate-to-x' };
const ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/replicate-to-x/1';
const stack = (status: string): Stack => ({
  StackName: 'replicate-to-x', StackId: ID, StackStatus: status as Stack['StackStatus'], CreationTime: new Date(),
  Parameters: [{ ParameterKey: 'SourceBucket', ParameterValue: 'src' }, { ParameterKey: 'DestinationBucket', ParameterValue: 'dst' }, { ParameterKey: 'ArtifactBucket', ParameterValue: 'art' }],
});
const FAST = { pollIntervalMs: 1, timeoutMs: 1000, sleep: () => Promise.resolve() };

describe('deploy/commands/destroy/destroy runDestroy', () => {
  const cfn = new CloudFormationClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const mock = mockClient(cfn);
  const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const s3Mock = mockClient(s3);
  let lines: string[];
  const deps = (confirm?: (q: string) => Promise<boolean>) => ({ cfn, s3, log: (l: string) => lines.push(l), confirm, wait: FAST });
  beforeEach(() => {
    lines = [];
    mock.on(DescribeStackResourcesCommand).resolves({ StackResources: [
      { LogicalResourceId: 'PushFunction', PhysicalResourceId: 'replicate-to-x', ResourceType: 'AWS::Lambda::Function', ResourceStatus: 'CREATE_COMPLETE', Timestamp: new Date() },
      { LogicalResourceId: 'ExecutionRole', PhysicalResourceId: 'replicate-to-x-lambda', ResourceType: 'AWS::IAM::Role', ResourceStatus: 'CREATE_COMPLETE', Timestamp: new Date() },
    ] });
    mock.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
  });
  afterEach(() => {
    mock.reset();
    s3Mock.reset();
  });

  it('says what goes and what stays, deletes by stack id and waits for DELETE_COMPLETE', async () => {
    mock.on(DescribeStacksCommand).resolvesOnce({ Stacks: [stack('UPDATE_COMPLETE')] }).resolvesOnce({ Stacks: [stack('DELETE_IN_PROGRESS')] }).resolves({ Stacks: [stack('DELETE_COMPLETE')] });
    expect(await runDestroy(target, { yes: true }, deps())).to.equal('deleted');
    const input = mock.commandCalls(DeleteStackCommand)[0]!.args[0].input;
    expect(input.StackName).to.equal(ID);
    // A token of its own, which the delete's events carry (CloudFormation's pattern, at most 128 characters).
    expect(input.ClientRequestToken).to.match(/^s3-push-destroy-[-a-zA-Z0-9]+$/).and.have.length.below(129);
    expect(lines).to.include(`  - ${'AWS::Lambda::Function'.padEnd(32)} replicate-to-x`);
    expect(lines).to.include('kept (not part of the stack): source bucket src, destination bucket dst, artifact bucket art, and their objects.');
    expect(lines.at(-1)).to.equal('stack replicate-to-x deleted.');
  });

  it('a stack that does not exist (a typo in --stack) is a failure naming the stack and the region, not a delete done', async () => {
    mock.on(DescribeStacksCommand).rejects(stackMissing('replicate-to-x'));
    const err = await runDestroy(target, { yes: true }, deps()).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DeployError);
    expect((err as DeployError).exitCode).to.equal(1);
    expect((err as Error).message).to.match(/^stack replicate-to-x does not exist in us-east-1: nothing deleted/);
    expect(lines).to.deep.equal([]);
    expect(mock.commandCalls(DeleteStackCommand)).to.have.length(0);
  });

  it('a stack already deleted (DELETE_COMPLETE) is as absent', async () => {
    mock.on(DescribeStacksCommand).resolves({ Stacks: [stack('DELETE_COMPLETE')] });
    const err = await runDestroy(target, { yes: true }, deps()).catch((e: unknown) => e);
    expect((err as Error).message).to.include('does not exist in us-east-1');
    expect(mock.commandCalls(DeleteStackCommand)).to.have.length(0);
  });

  it('does not take AccessDenied for "does not exist"', async () => {
    mock.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 403, 'User is not authorized to perform: cloudformation:DescribeStacks'));
    const err = await runDestroy(target, { yes: true }, deps()).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DeployError);
    expect((err as Error).message).to.match(/^could not read stack replicate-to-x: .*AccessDenied|not authorized/).and.not.include('does not exist');
    expect(mock.commandCalls(DeleteStackCommand)).to.have.length(0);
  });

  it('without a terminal and without --yes refuses (exit 2) and deletes nothing', async () => {
    mock.on(DescribeStacksCommand).resolves({ Stacks: [stack('CREATE_COMPLETE')] });
    const err = await runDestroy(target, { yes: false }, deps(undefined)).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).exitCode).to.equal(2);
    expect((err as Error).message).to.include('pass --yes to delete stack replicate-to-x');
    expect(mock.commandCalls(DeleteStackCommand)).to.have.length(0);
  });

  it('asks on a terminal; "no" deletes nothing, "yes" deletes', async () => {
    mock.on(DescribeStacksCommand).resolves({ Stacks: [stack('CREATE_COMPLETE')] });
    const questions: string[] = [];
    expect(await runDestroy(target, { yes: false }, deps((q) => { questions.push(q); return Promise.resolve(false); }))).to.equal('declined');
    expect(questions).to.deep.equal(['delete stack replicate-to-x? [y/N] ']);
    expect(mock.commandCalls(DeleteStackCommand)).to.have.length(0);
  });

  it('deletes when the operator answers yes', async () => {
    mock.on(DescribeStacksCommand).resolvesOnce({ Stacks: [stack('CREATE_COMPLETE')] }).resolves({ Stacks: [stack('DELETE_COMPLETE')] });
    expect(await runDestroy(target, { yes: false }, deps(() => Promise.resolve(true)))).to.equal('deleted');
    expect(mock.commandCalls(DeleteStackCommand)).to.have.length(1);
  });

  it('a failed delete names the resource and why: its own events by token, whatever their time, never an earlier operation\'s', async () => {
    mock.on(DescribeStacksCommand).resolvesOnce({ Stacks: [stack('CREATE_COMPLETE')] }).resolves({ Stacks: [stack('DELETE_FAILED')] });
    const token = () => mock.commandCalls(DeleteStackCommand)[0]?.args[0].input.ClientRequestToken;
    // A local clock an hour ahead of CloudFormation's changes nothing: no event is filtered by time.
    const earlier = new Date(Date.now() - 3_600_000);
    mock.on(DescribeStackEventsCommand).callsFake(() => ({ StackEvents: [
      { EventId: '2', StackId: ID, StackName: 'replicate-to-x', LogicalResourceId: 'ExecutionRole', ResourceType: 'AWS::IAM::Role', ResourceStatus: 'DELETE_FAILED', ResourceStatusReason: 'Cannot delete entity, must detach all policies first.', Timestamp: earlier, ClientRequestToken: token() },
      { EventId: '1', StackId: ID, StackName: 'replicate-to-x', LogicalResourceId: 'PushFunction', ResourceType: 'AWS::Lambda::Function', ResourceStatus: 'UPDATE_FAILED', ResourceStatusReason: 'an earlier update', Timestamp: earlier, ClientRequestToken: 'Console-UpdateStack-1' },
    ] }));
    const err = await runDestroy(target, { yes: true }, deps()).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DeployError);
    expect((err as Error).message).to.include('stack replicate-to-x ended DELETE_FAILED.');
    expect((err as Error).message).to.include('ExecutionRole (AWS::IAM::Role) DELETE_FAILED: Cannot delete entity, must detach all policies first.');
    expect((err as Error).message).to.not.include('an earlier update');
  });

  it('refuses while another operation runs', async () => {
    mock.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_IN_PROGRESS')] });
    const err = await runDestroy(target, { yes: true }, deps()).catch((e: unknown) => e);
    expect((err as Error).message).to.equal('stack replicate-to-x is UPDATE_IN_PROGRESS: wait until that operation ends, then run npm run destroy again');
  });

  describe('the stack\'s statements in the source bucket policy', () => {
    const ROLE = 'arn:aws:iam::210987654321:role/partner';
    const sids = sourcePolicySids(target);
    const withSource = (status: string): Stack => ({ ...stack(status), Parameters: [...stack(status).Parameters!, { ParameterKey: 'PrefixFormat', ParameterValue: '{YYYY}/{MM}/{DD}/' }, { ParameterKey: 'DestinationRoleArn', ParameterValue: ROLE }] });
    const mine = [
      { Sid: sids.Read, Effect: 'Allow', Principal: { AWS: ROLE }, Action: ['s3:GetObject', 's3:GetObjectTagging'], Resource: 'arn:aws:s3:::src/????/??/??/*' },
      { Sid: sids.List, Effect: 'Allow', Principal: { AWS: ROLE }, Action: 's3:ListBucket', Resource: 'arn:aws:s3:::src', Condition: { StringLike: { 's3:prefix': '????/??/??/*' } } },
    ];
    const others = [
      { Sid: 'S3PushReadreplicatetoy1a2b3c4d', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::210987654321:role/other' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::src/raw/*' },
      { Sid: 'AuditRead', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:role/audit' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::src/*' },
    ];
    beforeEach(() => {
      s3Mock.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: [others[0], ...mine, others[1]] }) });
      s3Mock.on(PutBucketPolicyCommand).resolves({});
    });

    it('by default takes out only the stack\'s statements, said before the question, and before the stack is deleted', async () => {
      mock.on(DescribeStacksCommand).resolvesOnce({ Stacks: [withSource('CREATE_COMPLETE')] }).resolves({ Stacks: [withSource('DELETE_COMPLETE')] });
      const putsBeforeDelete: number[] = [];
      mock.on(DeleteStackCommand).callsFake(() => { putsBeforeDelete.push(s3Mock.commandCalls(PutBucketPolicyCommand).length); return {}; });
      const questions: string[] = [];
      const seen: number[] = [];
      expect(await runDestroy(target, { yes: false }, deps((q) => { questions.push(q); seen.push(lines.length); return Promise.resolve(true); }))).to.equal('deleted');
      const said = lines.slice(0, seen[0]).join('\n');
      expect(said).to.include(`source bucket policy of src: this stack's statements ${sids.Read}, ${sids.List} will be taken out; the 2 other statement(s) are kept.`);
      expect(JSON.parse(s3Mock.commandCalls(PutBucketPolicyCommand)[0]!.args[0].input.Policy!)).to.deep.equal({ Version: '2012-10-17', Statement: others });
      expect(s3Mock.commandCalls(PutBucketPolicyCommand)[0]!.args[0].input.ExpectedBucketOwner).to.equal('123456789012');
      expect(lines).to.include(`took this stack's statements ${sids.Read}, ${sids.List} out of the bucket policy of src.`);
      expect(putsBeforeDelete).to.deep.equal([1]);
    });

    it('--plan says the same and changes nothing', async () => {
      mock.on(DescribeStacksCommand).resolves({ Stacks: [withSource('CREATE_COMPLETE')] });
      expect(await runDestroy(target, { yes: true, plan: true }, deps())).to.equal('planned');
      expect(lines.join('\n')).to.include(`this stack's statements ${sids.Read}, ${sids.List} will be taken out`);
      expect(lines.at(-1)).to.equal('--plan: nothing changed.');
      expect(s3Mock.commandCalls(PutBucketPolicyCommand)).to.have.length(0);
      expect(mock.commandCalls(DeleteStackCommand)).to.have.length(0);
    });

    it('--keep-source-policy leaves them, saying so', async () => {
      mock.on(DescribeStacksCommand).resolvesOnce({ Stacks: [withSource('CREATE_COMPLETE')] }).resolves({ Stacks: [withSource('DELETE_COMPLETE')] });
      expect(await runDestroy(target, { yes: true, keepSourcePolicy: true }, deps())).to.equal('deleted');
      expect(lines.join('\n')).to.include(`this stack's statements ${sids.Read}, ${sids.List} are KEPT (--keep-source-policy)`);
      expect(s3Mock.commandCalls(PutBucketPolicyCommand)).to.have.length(0);
      expect(mock.commandCalls(DeleteStackCommand)).to.have.length(1);
    });

    it('a bucket policy it may not read stops it before any change, naming the way out', async () => {
      mock.on(DescribeStacksCommand).resolves({ Stacks: [withSource('CREATE_COMPLETE')] });
      s3Mock.on(GetBucketPolicyCommand).rejects(awsError('AccessDenied', 403));
      const err = await runDestroy(target, { yes: true }, deps()).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(DeployError);
      expect((err as Error).message).to.include('nothing deleted').and.include('--keep-source-policy');
      expect(mock.commandCalls(DeleteStackCommand)).to.have.length(0);
    });

    it('deletes the policy when the stack\'s were its only statements', async () => {
      mock.on(DescribeStacksCommand).resolvesOnce({ Stacks: [withSource('CREATE_COMPLETE')] }).resolves({ Stacks: [withSource('DELETE_COMPLETE')] });
      s3Mock.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: mine }) });
      s3Mock.on(DeleteBucketPolicyCommand).resolves({});
      await runDestroy(target, { yes: true }, deps());
      expect(lines.join('\n')).to.include('no statement is left, so the policy is deleted');
      expect(s3Mock.commandCalls(DeleteBucketPolicyCommand)).to.have.length(1);
    });
  });
});
