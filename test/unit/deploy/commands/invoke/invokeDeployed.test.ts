import { expect } from 'chai';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { EventValidationError } from '../../../../../handler/errors.ts';
import { invokeDeployed, reportInvocation } from '../../../../../deploy/commands/invoke/invokeDeployed.ts';
import { findSummary } from '../../../../../deploy/cli/reportFormat.ts';
import { mockCommandClients } from '../../../../helpers/awsMocks.ts';
import { objectCreatedEvent, s3NotificationRecord, sqsRecord } from '../../../../helpers/fixtures.ts';
import { ConfigError } from '../../../../../rules/errors.ts';

const payload = (text: string) => Buffer.from(text) as unknown as InvokeCommandOutput['Payload'];
const summary = { dryRun: false, dates: [{ date: '2024-01-01', prefix: '2024/01/01/', listed: 1, copied: 1, skipped: 0, failed: 0, bytesCopied: 3 }], copied: 1, skipped: 0, failed: 0, bytesCopied: 3, failures: [] };
const target = { region: 'us-east-1', stackName: 'replicate-to-x' };

describe('deploy/commands/invoke/invokeDeployed', () => {
  const { clients: { cfn, lambda }, cfn: cfnMock, lambda: lambdaMock } = mockCommandClients();
  const lines: string[] = [];
  beforeEach(() => {
    lines.length = 0;
    cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'replicate-to-x', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'FunctionName', OutputValue: 'fn' }, { OutputKey: 'LogGroupName', OutputValue: '/aws/lambda/fn' }] }] });
  });
  const run = (event: unknown, mode: 'sync' | 'async' = 'sync') => invokeDeployed(target, { cfn, lambda }, event, mode, (l) => lines.push(l));

  it('refuses a bad event with the handler\'s own message before any AWS call', async () => {
    const err = await run({ from: '2024-01-31', to: '2024-01-01' }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(EventValidationError);
    expect((err as Error).message).to.equal('bad event: "from" 2024-01-31 is after "to" 2024-01-01: the range is inclusive and must go forward');
    expect(cfnMock.calls()).to.have.length(0);
    expect(lambdaMock.calls()).to.have.length(0);
  });

  it('synchronously: prints the returned summary on stdout and the log tail on stderr, exit 0', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(JSON.stringify(summary)), LogResult: Buffer.from('START\nEND\n').toString('base64') });
    const report = reportInvocation(await run({ dates: ['2024-01-01'] }));
    expect(report.exitCode).to.equal(0);
    expect(JSON.parse(report.stdout.join('\n'))).to.deep.equal(summary);
    expect(report.stderr).to.deep.equal(['log tail of fn (the last 4 KB):', '  START', '  END']);
    expect(lines[0]).to.match(/^invoking fn \(stack replicate-to-x, us-east-1\) and waiting for it/);
  });

  it('a failed run: exit 1 with the error, the tail, and the logged summary on stdout', async () => {
    const failed = { ...summary, failed: 1, copied: 0, failures: [{ key: '2024/01/01/a', error: 'AccessDenied' }] };
    const logged = JSON.stringify({ level: 'ERROR', message: 's3-push summary', ...failed, timestamp: 't' });
    lambdaMock.on(InvokeCommand).resolves({
      StatusCode: 200, FunctionError: 'Unhandled',
      Payload: payload(JSON.stringify({ errorType: 'ReplicationFailedError', errorMessage: '1 object(s) failed to copy' })),
      LogResult: Buffer.from(`2024-01-01T00:00:00Z\tid\tINFO\t${logged}\n`).toString('base64'),
    });
    const report = reportInvocation(await run({ dates: ['2024-01-01'] }));
    expect(report.exitCode).to.equal(1);
    expect(report.stderr[0]).to.equal('fn failed: ReplicationFailedError: 1 object(s) failed to copy');
    expect(JSON.parse(report.stdout.join('\n'))).to.deep.equal(failed);
  });

  it('moto without Docker: exit 1, its message word for word, and where the log would be', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Handled', Payload: payload('error running docker: Error while fetching server API version') });
    const report = reportInvocation(await run({ dates: ['2024-01-01'] }));
    expect(report).to.deep.equal({
      stdout: [],
      stderr: ['fn failed: Handled function error: error running docker: Error while fetching server API version', 'its log:  aws logs tail /aws/lambda/fn --follow'],
      exitCode: 1,
    });
  });

  it('--async: queues an Event and says how to follow it', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 202, Payload: payload('') });
    const report = reportInvocation(await run({ from: '2024-01-01', to: '2024-12-31' }, 'async'));
    expect(lambdaMock.commandCalls(InvokeCommand)[0]!.args[0].input.InvocationType).to.equal('Event');
    expect(report.exitCode).to.equal(0);
    expect(report.stdout).to.deep.equal(['queued on fn (Lambda answered 202)']);
    expect(report.stderr[0]).to.equal('follow it:  aws logs tail /aws/lambda/fn --follow');
  });

  it('accepts a backfill over a year (the stack fans it out) and says how to follow the fan-out', async () => {
    const plan = { planned: ['2023-01-01', '2023-01-02'], queue: 'https://sqs.us-east-1.amazonaws.com/123456789012/work', dryRun: false };
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(JSON.stringify(plan)) });
    const report = reportInvocation(await run({ from: '2023-01-01', to: '2024-12-31' }));
    expect(report.exitCode).to.equal(0);
    expect(JSON.parse(report.stdout.join('\n'))).to.deep.equal(plan);
    expect(report.stderr[0]).to.equal('2 day(s) queued on the work queue, one invocation each; follow them:  aws logs tail /aws/lambda/fn --follow');
    const err = await run({ from: '2010-01-01', to: '2024-12-31' }).catch((e: unknown) => e);
    expect((err as Error).message).to.match(/^bad event: 5479 days requested; at most 3660 days per event/);
  });

  it('sends object events of both shapes and SQS batches to the function as they are: the handler judges them', async () => {
    const objects = { events: 1, copied: 1, skipped: 0, failed: 0, archived: 0, bytesCopied: 5, ignored: {} };
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(JSON.stringify(objects)) });
    const events = [
      objectCreatedEvent('2024/01/01/a.json'),
      { Records: [s3NotificationRecord('2024/01/01/red+flower.json')] },
      { Records: [sqsRecord('m-1', JSON.stringify(objectCreatedEvent('2024/01/01/a.json'))), sqsRecord('m-2', '{"date":"2024-01-01"}')] },
    ];
    for (const event of events) {
      const report = reportInvocation(await run(event));
      expect(report.exitCode).to.equal(0);
      expect(JSON.parse(report.stdout.join('\n'))).to.deep.equal(objects);
    }
    const sent = lambdaMock.commandCalls(InvokeCommand).map((c) => JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString('utf8')) as unknown);
    expect(sent).to.deep.equal(events);
  });

  it('refuses a malformed object event, an object event with dryRun and an event over Lambda\'s payload limit before any AWS call', async () => {
    const noKey = objectCreatedEvent('2024/01/01/a.json');
    delete (noKey.detail as Record<string, unknown>).object;
    expect(await run(noKey).catch((e: unknown) => e)).to.be.instanceOf(EventValidationError);
    expect(await run({ ...objectCreatedEvent('2024/01/01/a.json'), dryRun: true }).catch((e: unknown) => e)).to.be.instanceOf(ConfigError);
    // 1 MB queued: a batch a synchronous invocation would take.
    const big = { Records: [sqsRecord('m-1', JSON.stringify({ ...objectCreatedEvent('2024/01/01/a.json'), pad: 'x'.repeat(1_048_576) }))] };
    const err = await run(big, 'async').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).problems[0]).to.match(/^the event is \d+ bytes: Lambda takes at most 1048576 bytes in a queued \(--async\) invocation$/);
    expect(cfnMock.calls()).to.have.length(0);
    expect(lambdaMock.calls()).to.have.length(0);
  });

  it('finds the summary line only when it is whole', () => {
    const line = JSON.stringify({ level: 'INFO', message: 's3-push summary', ...summary, timestamp: 't' });
    expect(findSummary(`x\t${line}\n`)).to.deep.equal(summary);
    expect(findSummary(line.slice(30))).to.equal(undefined);
  });
});
