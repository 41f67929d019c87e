import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';

/** A response payload (the SDK types it as its blob adapter; the code reads it as bytes). */
const payload = (text: string) => Buffer.from(text) as unknown as InvokeCommandOutput['Payload'];
import { interpretInvoke, invokeFunction } from '../../../../deploy/aws/lambdaInvoke.ts';
import { DeployError } from '../../../../deploy/cli/errors.ts';
import { awsError } from '../../../helpers/errors.ts';

// What moto 5.2 answers without Docker (measured): 200, FunctionError "Handled", a plain-text payload.
const MOTO_NO_DOCKER = "error running docker: Error while fetching server API version: ('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))";

describe('deploy/aws/lambdaInvoke', () => {
  const lambda = new LambdaClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const mock = mockClient(lambda);
  afterEach(() => mock.reset());

  it('invokes synchronously with the log tail and decodes payload and log', async () => {
    mock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload('{"copied":1}'), LogResult: Buffer.from('START\nline é\n').toString('base64') });
    const out = await invokeFunction(lambda, 'fn', { dates: ['2024-01-01'] }, 'sync');
    const input = mock.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).to.deep.include({ FunctionName: 'fn', InvocationType: 'RequestResponse', LogType: 'Tail' });
    expect(Buffer.from(input.Payload as Uint8Array).toString()).to.equal('{"dates":["2024-01-01"]}');
    expect(out).to.deep.equal({ statusCode: 200, functionError: undefined, payload: '{"copied":1}', logTail: 'START\nline é\n' });
  });

  it('queues an asynchronous invocation as an Event, without a log tail', async () => {
    mock.on(InvokeCommand).resolves({ StatusCode: 202 });
    const out = await invokeFunction(lambda, 'fn', { from: '2024-01-01', to: '2024-12-31' }, 'async');
    const input = mock.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input.InvocationType).to.equal('Event');
    expect(input).not.to.have.property('LogType');
    expect(interpretInvoke(out, 'async')).to.deep.equal({ kind: 'queued' });
  });

  it('wraps an AWS error with the function name, and says to redeploy when the function is gone', async () => {
    mock.on(InvokeCommand).rejects(awsError('ResourceNotFoundException', 404, 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:fn'));
    const err = await invokeFunction(lambda, 'fn', {}, 'sync').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DeployError);
    expect((err as Error).message).to.equal('invoking the function fn failed: ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:123456789012:function:fn: the stack names a function that does not exist; run npm run deploy again');
  });

  it('reads a thrown handler error from the runtime payload', () => {
    const v = interpretInvoke({ statusCode: 200, functionError: 'Unhandled', payload: '{"errorType":"ReplicationFailedError","errorMessage":"1 object(s) failed","trace":[]}', logTail: '' }, 'sync');
    expect(v).to.deep.equal({ kind: 'failed', errorType: 'ReplicationFailedError', message: '1 object(s) failed' });
  });

  it('passes on an emulator that cannot run the function, word for word', () => {
    const v = interpretInvoke({ statusCode: 200, functionError: 'Handled', payload: MOTO_NO_DOCKER, logTail: undefined }, 'sync');
    expect(v).to.deep.equal({ kind: 'failed', errorType: undefined, message: `Handled function error: ${MOTO_NO_DOCKER}` });
    // moto flags even a queued event as failed; AWS never does. Either way it is not "queued".
    expect(interpretInvoke({ statusCode: 202, functionError: 'Handled', payload: MOTO_NO_DOCKER, logTail: undefined }, 'async').kind).to.equal('failed');
  });

  it('returns the parsed result, and refuses a payload that is not JSON', () => {
    expect(interpretInvoke({ statusCode: 200, functionError: undefined, payload: '{"check":true}', logTail: '' }, 'sync')).to.deep.equal({ kind: 'returned', result: { check: true } });
    expect(interpretInvoke({ statusCode: 200, functionError: undefined, payload: 'oops', logTail: '' }, 'sync').kind).to.equal('failed');
    expect(interpretInvoke({ statusCode: 200, functionError: undefined, payload: '', logTail: '' }, 'async').kind).to.equal('failed');
  });
});
