/**
 * Builds the AWS clients of the handler, once per container: the source S3 client with the
 * function's own credentials, STS, and the destination S3 client with the assumed role's
 * credentials. Endpoints and region come from the SDK's own configuration (AWS_REGION,
 * AWS_ENDPOINT_URL), never from handler code.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { guardRequests } from './endpointGuard.ts';
import { assumedRoleCredentials } from './assumedCredentials.ts';
import { installFastCopy } from './fastCopy.ts';
import { installLeanListing } from './leanListing.ts';
import { installThrottleCounter, type ThrottleCounter } from './throttleSignal.ts';
import { httpHandlerOptions, installRequestTimeouts } from './requestTimeouts.ts';
import { timeoutPlan } from '../../rules/timeouts.ts';
import type { HandlerConfig } from '../config.ts';
import { connectionPlan } from '../copy/connections.ts';
import type { ReplicationClients } from '../copy/replicateDay.ts';

/**
 * Attempts per S3 (and STS) request, the first included. The SDK's default (3) is tuned for single
 * calls; a run sends thousands at once and S3 answers bursts with 503 SlowDown, so allow more
 * backoff. AssumeRole gets as many: a throttled STS would otherwise fail a whole day.
 */
export const S3_MAX_ATTEMPTS = 6;

/** Options of {@link createClients}. */
export interface ClientOptions {
  /** RoleSessionName for the destination role. Default `s3-push`. */
  readonly sessionName?: string;
}

/** Creates the clients for a config. */
export function createClients(config: HandlerConfig, options: ClientOptions = {}): ReplicationClients {
  // Every object in flight and the parts of its multipart copy get a socket, within the share of
  // Lambda's 1,024 file descriptors that connectionPlan allows (see ../copy/connections.ts).
  const plan = connectionPlan(config.copyConcurrency);
  // A request that is never answered ends in a TimeoutError, retried like any transient error
  // (rules/timeouts.ts derives the values; REQUEST_TIMEOUT_MS overrides them).
  const timeouts = timeoutPlan(config.multipartThresholdBytes, config.partSizeBytes, config.requestTimeoutMs);
  const agent = (maxSockets: number) => ({ ...httpHandlerOptions(timeouts), httpsAgent: { maxSockets, keepAlive: true }, httpAgent: { maxSockets, keepAlive: true } });
  const common = {
    maxAttempts: S3_MAX_ATTEMPTS,
    // The destination bucket may live in another region than the function.
    followRegionRedirects: true,
  };
  const sts = new STSClient({ maxAttempts: S3_MAX_ATTEMPTS, requestHandler: httpHandlerOptions(timeouts) });
  const destinationS3 = new S3Client({
    ...common,
    requestHandler: agent(plan.destinationSockets),
    credentials: assumedRoleCredentials({
      sts,
      roleArn: config.destinationRoleArn,
      externalId: config.externalId,
      ...(options.sessionName ? { sessionName: options.sessionName } : {}),
    }),
  });
  // Copies take a lean first attempt (handler/aws/fastCopy.ts); what it does not complete goes to
  // a twin of the client, same sockets and credentials, with one attempt fewer, so an object still
  // gets S3_MAX_ATTEMPTS in all.
  const copyFallback = new S3Client({
    ...common,
    maxAttempts: S3_MAX_ATTEMPTS - 1,
    requestHandler: destinationS3.config.requestHandler,
    credentials: destinationS3.config.credentials,
  });
  installRequestTimeouts(destinationS3, timeouts);
  // Every throttling answer the destination gives, to the lean attempt and to each SDK retry alike
  // (copyFallback shares the handler), so that the copies in flight back off
  // (handler/copy/adaptiveConcurrency.ts).
  const throttles: ThrottleCounter = { count: 0 };
  installThrottleCounter(destinationS3, throttles);
  installFastCopy(destinationS3, copyFallback);
  // Listing pages are read by the lean reader (handler/aws/leanListing.ts) on both sides.
  const sourceS3 = new S3Client({ ...common, requestHandler: agent(plan.sourceSockets) });
  installRequestTimeouts(sourceS3, timeouts);
  installLeanListing(sourceS3);
  installLeanListing(destinationS3);
  // Every request, the lean copies' included, leaves through a guarded HTTP handler.
  for (const client of [sts, sourceS3, destinationS3]) guardRequests(client);
  return { sourceS3, destinationS3, throttles };
}
