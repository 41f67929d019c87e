import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { sqsWorkQueue } from '../../../../handler/aws/workQueue.ts';
import { handleEvent } from '../../../../handler/index.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { createLogger } from '../../../../handler/logger.ts';
import { handlerEnv } from '../../../helpers/fixtures.ts';
import { S3Client } from '@aws-sdk/client-s3';
import { AwsCallError } from '../../../../handler/errors.ts';
import { dateRange, parseIsoDate } from '../../../../rules/dates.ts';

const URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/stack-WorkQueue-ABC';
const days = (n: number) => dateRange(parseIsoDate('2024-01-01')!, parseIsoDate('2024-12-31')!).slice(0, n).map((date) => ({ date }));

describe('handler/aws/workQueue sqsWorkQueue', () => {
  const sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const mock = mockClient(sqs);
  const sleeps: number[] = [];
  const sleep = (ms: number) => {
    sleeps.push(ms);
    return Promise.resolve();
  };
  beforeEach(() => {
    sleeps.length = 0;
  });
  afterEach(() => mock.reset());

  const sentBodies = () => mock.commandCalls(SendMessageBatchCommand).flatMap((c) => (c.args[0].input.Entries ?? []).map((e) => e.MessageBody));

  it('sends 10 items per SendMessageBatch, in order, as compact JSON', async () => {
    mock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    await sqsWorkQueue(sqs, URL, { sleep }).send(days(25));
    const calls = mock.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).to.deep.equal([10, 10, 5]);
    expect(calls.every((c) => c.args[0].input.QueueUrl === URL)).to.equal(true);
    expect(sentBodies()[0]).to.equal('{"date":"2024-01-01"}');
    expect(sentBodies()[24]).to.equal('{"date":"2024-01-25"}');
    expect(new Set(calls[0]!.args[0].input.Entries!.map((e) => e.Id)).size).to.equal(10);
  });

  it('retries only the entries SQS answered as failed, with backoff', async () => {
    let call = 0;
    mock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
      call++;
      // The first answer fails entries 3 and 7; the retry fails 7 again; the third succeeds.
      const failing = call === 1 ? ['3', '7'] : call === 2 ? [input.Entries!.find((e) => e.MessageBody === '{"date":"2024-01-08"}')!.Id!] : [];
      return Promise.resolve({ Failed: failing.map((Id) => ({ Id, Code: 'InternalError', SenderFault: false })) });
    });
    await sqsWorkQueue(sqs, URL, { sleep, retryDelayMs: 10 }).send(days(10));
    const calls = mock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.map((e) => e.MessageBody));
    expect(calls).to.have.length(3);
    expect(calls[1]).to.deep.equal(['{"date":"2024-01-04"}', '{"date":"2024-01-08"}']);
    expect(calls[2]).to.deep.equal(['{"date":"2024-01-08"}']);
    expect(sleeps).to.deep.equal([10, 20]);
  });

  it('gives up after maxAttempts and names the item it could not send', async () => {
    mock.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: '0', Code: 'ServiceUnavailable', SenderFault: false }] });
    const err = await sqsWorkQueue(sqs, URL, { sleep, maxAttempts: 3 }).send(days(1)).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(AwsCallError);
    expect((err as Error).message).to.equal(`1 work item(s) could not be sent to ${URL} after 3 attempts: ServiceUnavailable: ; first: {"date":"2024-01-01"}`);
    expect(mock.commandCalls(SendMessageBatchCommand)).to.have.length(3);
  });

  it('does not retry an entry refused through the sender\'s fault', async () => {
    mock.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: '1', Code: 'InvalidMessageContents', Message: 'bad', SenderFault: true }] });
    const err = await sqsWorkQueue(sqs, URL, { sleep }).send(days(2)).catch((e: unknown) => e);
    expect((err as Error).message).to.match(/SQS refused 1 work item\(s\) .*InvalidMessageContents: bad \(item \{"date":"2024-01-02"\}\)/);
    expect(mock.commandCalls(SendMessageBatchCommand)).to.have.length(1);
  });

  it('wraps a failed call with the queue it was for', async () => {
    mock.on(SendMessageBatchCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    const err = await sqsWorkQueue(sqs, URL, { sleep }).send(days(3)).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(AwsCallError);
    expect((err as Error).message).to.equal(`sending 3 work item(s) to ${URL} failed`);
    expect((err as AwsCallError).cause).to.have.property('name', 'AccessDenied');
  });

  it('plans a 25-day range through SQS: 3 batches, a failed entry retried, the plan returned', async () => {
    let call = 0;
    mock.on(SendMessageBatchCommand).callsFake(() => Promise.resolve(++call === 2 ? { Failed: [{ Id: '4', Code: 'InternalError', SenderFault: false }] } : {}));
    const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const config = parseHandlerConfig(handlerEnv({ WORK_QUEUE_URL: URL }));
    const result = await handleEvent({ from: '2024-01-01', to: '2024-01-25' }, config, { sourceS3: s3, destinationS3: s3 }, { workQueue: sqsWorkQueue(sqs, URL, { sleep }), logger: createLogger([], () => undefined) });
    expect(result.kind).to.equal('plan');
    const plan = result.kind === 'plan' ? result.plan : undefined;
    expect(plan).to.deep.include({ queue: URL, dryRun: false });
    expect(plan?.planned).to.have.length(25);
    expect(mock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.length)).to.deep.equal([10, 10, 1, 5]);
    expect(new Set(sentBodies()).size).to.equal(25);
    expect(sentBodies()[20]).to.equal('{"date":"2024-01-15"}');
  });
});
