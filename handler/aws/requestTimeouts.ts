/**
 * Puts a {@link TimeoutPlan} on the clients: the HTTP handler's connection and socket timeouts at
 * construction ({@link httpHandlerOptions}), and each request's own time to its response, chosen
 * from its headers (a copy waits as long as its bytes need, anything else the small-request time),
 * by wrapping the handler every request of the client goes through — the SDK's own and the lean
 * copy path's (handler/aws/fastCopy.ts) alike.
 */
import type { HttpRequest } from '@smithy/types';
import { requestTimeoutFor, type TimeoutPlan } from '../../rules/timeouts.ts';

/** The options of the SDK's Node.js HTTP handler that the plan sets. */
export function httpHandlerOptions(plan: TimeoutPlan): { connectionTimeout: number; socketTimeout: number; requestTimeout: number; throwOnRequestTimeout: true } {
  return {
    connectionTimeout: plan.connectionTimeoutMs,
    socketTimeout: plan.socketTimeoutMs,
    requestTimeout: plan.requestTimeoutMs,
    // Without it the handler only logs a warning when the request timeout passes and keeps waiting.
    throwOnRequestTimeout: true,
  };
}

interface TimedHandler {
  handle(request: HttpRequest, options?: { requestTimeout?: number; abortSignal?: unknown }): Promise<unknown>;
  s3pushTimeouts?: TimeoutPlan;
}

/** Wraps the client's HTTP handler (once, even when clients share it) so that each request gets its own response timeout. */
export function installRequestTimeouts(client: { config: { requestHandler: unknown } }, plan: TimeoutPlan): void {
  const handler = client.config.requestHandler as TimedHandler;
  if (handler.s3pushTimeouts) return;
  const handle = handler.handle.bind(handler);
  handler.handle = (request, options = {}) => handle(request, { ...options, requestTimeout: options.requestTimeout ?? requestTimeoutFor(plan, request.headers) });
  handler.s3pushTimeouts = plan;
}
