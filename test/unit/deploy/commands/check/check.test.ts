import { expect } from 'chai';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';

/** A response payload (the SDK types it as its blob adapter; the code reads it as bytes). */
const payload = (text: string) => Buffer.from(text) as unknown as InvokeCommandOutput['Payload'];
import type { CheckReport } from '../../../../../handler/check/check.ts';
import { checkDeployed } from '../../../../../deploy/commands/check/check.ts';
import { DeployError } from '../../../../../deploy/cli/errors.ts';
import { mockCommandClients } from '../../../../helpers/awsMocks.ts';

const report: CheckReport = {
  check: true,
  ok: false,
  links: [
    { link: 1, name: 'assume-role', title: 'assume the destination role R', status: 'broken', detail: 'AccessDenied: User x is not authorized', fix: 'apply trustRelationshipExample.json.tmp' },
    { link: 2, name: 'list-source', title: 'list', status: 'not-tried', detail: 'needs the role (link 1)' },
  ],
};
const target = { region: 'us-east-1', stackName: 'replicate-to-x' };

describe('deploy/commands/check/check checkDeployed', () => {
  const { clients: { cfn, lambda }, cfn: cfnMock, lambda: lambdaMock } = mockCommandClients();
  const lines: string[] = [];
  beforeEach(() => {
    lines.length = 0;
    cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'replicate-to-x', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'FunctionName', OutputValue: 'fn' }] }] });
  });
  const run = () => checkDeployed(target, { cfn, lambda }, (l) => lines.push(l));

  it('sends {"check": true} to the stack\'s function and returns its report', async () => {
    const ok = { ...report, ok: true, links: [{ ...report.links[0]!, status: 'ok', detail: 'assumed R' }] };
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(JSON.stringify(ok)) });
    expect(await run()).to.deep.equal(ok);
    const input = lambdaMock.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).to.deep.include({ FunctionName: 'fn', InvocationType: 'RequestResponse' });
    expect(Buffer.from(input.Payload as Uint8Array).toString()).to.equal('{"check":true}');
    expect(lines).to.deep.equal(['running the preflight on fn (stack replicate-to-x, us-east-1)']);
  });

  it('a broken link fails the invocation: the report comes from the logged line in the tail', async () => {
    const logged = JSON.stringify({ level: 'ERROR', message: 's3-push preflight', ...report, timestamp: 't' });
    lambdaMock.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload(JSON.stringify({ errorType: 'PreflightFailedError', errorMessage: 'preflight: 1 link(s) …' })),
      LogResult: Buffer.from(`START\n2024-01-01T00:00:00Z\tid\tERROR\t${logged}\nEND\n`).toString('base64'),
    });
    expect(await run()).to.deep.equal(report);
  });

  it('without the line in the tail, the error message still carries the broken link', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payload(JSON.stringify({ errorType: 'PreflightFailedError', errorMessage: 'preflight: link 1 is broken' })) });
    const err = await run().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DeployError);
    expect((err as Error).message).to.equal('the preflight found a broken link: PreflightFailedError: preflight: link 1 is broken');
  });

  it('a function that cannot run at all (moto without Docker) is an error that says so', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Handled', Payload: payload('error running docker: Error while fetching server API version') });
    const err = await run().catch((e: unknown) => e);
    expect((err as Error).message).to.equal('fn could not run the check: Handled function error: error running docker: Error while fetching server API version');
  });

  it('old code answering with a summary is told to redeploy', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload('{"dryRun":false}') });
    const err = await run().catch((e: unknown) => e);
    expect((err as Error).message).to.match(/answered without a preflight report .*run npm run deploy$/);
  });
});

describe('deploy/commands/check/check checkDeployed: the alarm address', () => {
  const { clients: { cfn, lambda, sns }, cfn: cfnMock, lambda: lambdaMock, sns: snsMock } = mockCommandClients();
  const TOPIC = 'arn:aws:sns:us-east-1:123456789012:replicate-to-x-AlarmTopic-ABC';
  const lines: string[] = [];
  const stackWith = (email: string) => cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [{
    StackName: 'replicate-to-x', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(),
    Parameters: [{ ParameterKey: 'AlarmEmail', ParameterValue: email }, { ParameterKey: 'AlarmTopicArn', ParameterValue: '' }],
    Outputs: [{ OutputKey: 'FunctionName', OutputValue: 'fn' }, { OutputKey: 'AlarmTopicArn', OutputValue: TOPIC }],
  }] });
  beforeEach(() => {
    lines.length = 0;
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(JSON.stringify({ ...report, ok: true, links: [] })) });
  });
  const run = () => checkDeployed(target, { cfn, lambda, sns }, (l) => lines.push(l));

  it('warns, with the command that fixes it, when the stack\'s address is no longer subscribed (expired or unsubscribed)', async () => {
    stackWith('ops@example.com');
    snsMock.on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC }).resolves({ Subscriptions: [] });
    expect((await run()).ok).to.equal(true);
    // The stack is read once, for the function and the address alike.
    expect(cfnMock.commandCalls(DescribeStacksCommand)).to.have.length(1);
    expect(lines[0]).to.match(/^alarms: WARNING: ops@example.com is not subscribed to the alarm topic/);
    expect(lines[0]).to.include(`aws sns subscribe --region us-east-1 --topic-arn ${TOPIC} --protocol email --notification-endpoint ops@example.com`);
  });

  it('says so when it is pending, and when it is confirmed', async () => {
    stackWith('ops@example.com');
    snsMock.on(ListSubscriptionsByTopicCommand).resolvesOnce({ Subscriptions: [{ Protocol: 'email', Endpoint: 'ops@example.com', SubscriptionArn: 'PendingConfirmation' }] })
      .resolvesOnce({ Subscriptions: [{ Protocol: 'email', Endpoint: 'ops@example.com', SubscriptionArn: `${TOPIC}:1` }] });
    await run();
    expect(lines[0]).to.include('pending confirmation');
    lines.length = 0;
    await run();
    expect(lines[0]).to.equal(`alarms: ops@example.com is subscribed to ${TOPIC} (confirmed)`);
  });

  it('a stack without an address says nobody is subscribed; a refused listing is a line, not a failed check', async () => {
    stackWith('');
    await run();
    expect(lines[0]).to.equal(`alarms: no e-mail address is subscribed by the stack (topic ${TOPIC})`);
    stackWith('ops@example.com');
    snsMock.on(ListSubscriptionsByTopicCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AuthorizationError' }));
    lines.length = 0;
    expect((await run()).ok).to.equal(true);
    expect(lines[0]).to.match(/^alarms: the alarm topic's subscriptions could not be read \(AuthorizationError: not authorized/);
  });
});
