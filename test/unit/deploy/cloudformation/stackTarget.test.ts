import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudFormationClient, DescribeStackResourceCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { findDeployedFunction, resolveStackTarget } from '../../../../deploy/cloudformation/stackTarget.ts';
import { DeployError } from '../../../../deploy/cli/errors.ts';
import { ConfigError } from '../../../../rules/errors.ts';
import { stackMissing } from '../../../helpers/errors.ts';

describe('deploy/cloudformation/stackTarget resolveStackTarget', () => {
  it('takes --stack first, then S3_REPLICATE_STACK_NAME, then deploy\'s default from the bucket', () => {
    const env = { AWS_REGION: 'eu-west-1', S3_REPLICATE_STACK_NAME: 'named', S3_REPLICATE_BUCKET_NAME: 'partner.landing' };
    expect(resolveStackTarget(env, 'flag')).to.deep.equal({ region: 'eu-west-1', stackName: 'flag' });
    expect(resolveStackTarget(env)).to.deep.equal({ region: 'eu-west-1', stackName: 'named' });
    expect(resolveStackTarget({ AWS_DEFAULT_REGION: 'us-east-1', S3_REPLICATE_BUCKET_NAME: 'partner.landing' })).to.deep.equal({ region: 'us-east-1', stackName: 'replicate-to-partner-landing' });
  });

  it('reports a missing region and a missing stack at once, before any call', () => {
    const err = (() => { try { resolveStackTarget({}); } catch (e) { return e; } return undefined; })();
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).exitCode).to.equal(2);
    expect((err as ConfigError).problems).to.deep.equal([
      'AWS_DEFAULT_REGION (or AWS_REGION) is not set: expected the region of the stack, e.g. us-east-1',
      'no stack named: pass --stack NAME, or set S3_REPLICATE_STACK_NAME, or S3_REPLICATE_BUCKET_NAME as for npm run deploy',
    ]);
  });

  it('names the source of a bad stack name', () => {
    expect(() => resolveStackTarget({ AWS_REGION: 'us-east-1' }, '1bad_name')).to.throw(ConfigError, '--stack gives the stack name "1bad_name": expected 1-128 letters');
    expect(() => resolveStackTarget({ AWS_REGION: 'nowhere' }, 'ok')).to.throw(ConfigError, 'AWS_REGION is "nowhere": expected a region like us-east-1');
  });
});

describe('deploy/cloudformation/stackTarget findDeployedFunction', () => {
  const cfn = new CloudFormationClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const mock = mockClient(cfn);
  afterEach(() => mock.reset());

  it('reads the function and its log group from the outputs', async () => {
    mock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 's', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'FunctionName', OutputValue: 'fn' }, { OutputKey: 'LogGroupName', OutputValue: '/aws/lambda/fn' }] }] });
    expect(await findDeployedFunction(cfn, 's')).to.deep.equal({ functionName: 'fn', logGroupName: '/aws/lambda/fn' });
    expect(mock.commandCalls(DescribeStackResourceCommand)).to.have.length(0);
  });

  it('falls back to the PushFunction resource when the outputs are missing (moto drops them)', async () => {
    mock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 's', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }] });
    mock.on(DescribeStackResourceCommand, { LogicalResourceId: 'PushFunction' }).resolves({ StackResourceDetail: { PhysicalResourceId: 'fn', LogicalResourceId: 'PushFunction', ResourceType: 'AWS::Lambda::Function', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() } });
    expect(await findDeployedFunction(cfn, 's')).to.deep.equal({ functionName: 'fn', logGroupName: '/aws/lambda/fn' });
  });

  it('says to deploy first when there is no stack', async () => {
    mock.on(DescribeStacksCommand).rejects(stackMissing('s'));
    const err = await findDeployedFunction(cfn, 's').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DeployError);
    expect((err as Error).message).to.equal('stack s does not exist: deploy it first with npm run deploy');
  });
});
