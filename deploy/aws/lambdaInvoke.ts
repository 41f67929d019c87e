/**
 * Lambda Invoke for the operator commands: send an event to the deployed function, synchronously
 * (RequestResponse, with the tail of its log) or queued (Event), and read what came back.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { DeployError } from '../cli/errors.ts';
import { describeError } from '../../rules/errors.ts';
import { errorName } from '../../rules/awsErrors.ts';

/** `sync`: wait for the result (at most Lambda's 15 minutes); `async`: queue it and return. */
export type InvocationMode = 'sync' | 'async';

/** What Lambda answered. */
export interface InvokeOutcome {
  /** 200 for a synchronous run, 202 when queued. */
  readonly statusCode: number;
  /** Set when the function failed (`Unhandled` for a thrown error). */
  readonly functionError: string | undefined;
  /** The response payload as text ('' when there is none, as for a queued event). */
  readonly payload: string;
  /** The last 4 KB of the run's log, decoded (synchronous runs only). */
  readonly logTail: string | undefined;
}

/**
 * Invokes the function with `event` as its JSON payload. An AWS error (no such function, access
 * denied, throttled) is a {@link DeployError} naming the function; a failure *inside* the function
 * is not an error here: it comes back in `functionError`.
 */
export async function invokeFunction(lambda: LambdaClient, functionName: string, event: unknown, mode: InvocationMode): Promise<InvokeOutcome> {
  let out;
  try {
    out = await lambda.send(new InvokeCommand({
      FunctionName: functionName,
      InvocationType: mode === 'sync' ? 'RequestResponse' : 'Event',
      ...(mode === 'sync' ? { LogType: 'Tail' as const } : {}),
      Payload: Buffer.from(JSON.stringify(event)),
    }));
  } catch (err) {
    const hint = errorName(err) === 'ResourceNotFoundException' ? ': the stack names a function that does not exist; run npm run deploy again' : '';
    throw new DeployError(`invoking the function ${functionName} failed: ${describeError(err)}${hint}`, err);
  }
  return {
    statusCode: out.StatusCode ?? 0,
    functionError: out.FunctionError || undefined,
    payload: out.Payload ? Buffer.from(out.Payload).toString('utf8') : '',
    logTail: out.LogResult ? Buffer.from(out.LogResult, 'base64').toString('utf8') : undefined,
  };
}

/** What an invocation came to. */
export type InvokeVerdict =
  /** The function returned; `result` is its parsed JSON. */
  | { readonly kind: 'returned'; readonly result: unknown }
  /** Lambda queued the event (202). */
  | { readonly kind: 'queued' }
  /** The function failed; `errorType` is the thrown error's name when the payload says it. */
  | { readonly kind: 'failed'; readonly errorType: string | undefined; readonly message: string };

/**
 * Reads an outcome. A function error carries `{errorType, errorMessage}` from the Node runtime;
 * anything else in its payload (an emulator that could not start the function says so in plain
 * text) is passed on as the message, never dropped. Pure.
 */
export function interpretInvoke(outcome: InvokeOutcome, mode: InvocationMode): InvokeVerdict {
  if (outcome.functionError) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(outcome.payload);
    } catch {
      parsed = undefined;
    }
    const p = parsed as { errorType?: unknown; errorMessage?: unknown } | undefined;
    if (p && typeof p === 'object' && typeof p.errorMessage === 'string') {
      return { kind: 'failed', errorType: typeof p.errorType === 'string' ? p.errorType : undefined, message: p.errorMessage };
    }
    const text = outcome.payload.trim();
    return { kind: 'failed', errorType: undefined, message: `${outcome.functionError} function error${text ? `: ${text}` : ' (no payload)'}` };
  }
  if (mode === 'async') {
    if (outcome.statusCode === 202) return { kind: 'queued' };
    return { kind: 'failed', errorType: undefined, message: `Lambda answered ${outcome.statusCode} to a queued invocation (expected 202)` };
  }
  try {
    return { kind: 'returned', result: JSON.parse(outcome.payload) as unknown };
  } catch {
    return { kind: 'failed', errorType: undefined, message: `the function returned something that is not JSON: ${outcome.payload.slice(0, 200)}` };
  }
}
