/**
 * The AWS clients of the operator commands, built in one place and passed in. They follow the SDK's
 * default credential chain and honour `AWS_ENDPOINT_URL` (a local emulator) by themselves; the
 * endpoint rule (handler/aws/endpointGuard.ts) guards every request they send.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { COMMAND_TIMEOUTS, MAX_REQUEST_TIMEOUT_MS } from '../../rules/timeouts.ts';
import { httpHandlerOptions } from '../../handler/aws/requestTimeouts.ts';
import { SQSClient } from '@aws-sdk/client-sqs';
import { checkEndpoints, guardRequests, type GuardedClient } from '../../handler/aws/endpointGuard.ts';

/** Every client a command may need; construction makes no call. */
export interface AwsClients {
  readonly sts: STSClient;
  readonly s3: S3Client;
  readonly cfn: CloudFormationClient;
  readonly iam: IAMClient;
  readonly lambda: LambdaClient;
  readonly sns: SNSClient;
}

export interface ClientOptions {
  /** Region of the stack and the source bucket. */
  region: string;
}

/** Builds the clients once; commands receive them, tests replace them with mocks. */
export function createClients(options: ClientOptions): AwsClients {
  // Every client waits a bounded time for a connection and an answer (rules/timeouts.ts), so a
  // request that is never answered ends in a retried TimeoutError, not a command that hangs.
  const common = { region: options.region, requestHandler: httpHandlerOptions(COMMAND_TIMEOUTS) };
  const clients: AwsClients = {
    sts: new STSClient(common),
    s3: new S3Client(common),
    cfn: new CloudFormationClient(common),
    // IAM is global; the SDK routes it to the partition's endpoint whatever region it is given.
    iam: new IAMClient(common),
    // Invoke answers when the function ends: up to Lambda's 15 minutes.
    lambda: new LambdaClient({ ...common, requestHandler: { ...httpHandlerOptions(COMMAND_TIMEOUTS), requestTimeout: MAX_REQUEST_TIMEOUT_MS, socketTimeout: MAX_REQUEST_TIMEOUT_MS } }),
    // The alarm topic: its key and the e-mail subscription (deploy, check).
    sns: new SNSClient(common),
  };
  for (const client of Object.values(clients) as GuardedClient[]) guardRequests(client);
  return clients;
}

/**
 * Refuses (ConfigError, exit 2) an endpoint of any of `clients` that the endpoint rule refuses, as
 * the SDK resolved it from the environment and the config files, naming where it came from. Every
 * command calls it before its first AWS call.
 */
export async function checkClientEndpoints(clients: AwsClients): Promise<void> {
  await checkEndpoints(Object.values(clients) as GuardedClient[]);
}

/**
 * The same for the handler's clients (S3, STS, SQS) when a command runs the handler in this
 * process (`--local`): they take every endpoint from the SDK's own configuration, so clients of
 * the same services built here resolve the same.
 */
export async function checkHandlerEndpoints(): Promise<void> {
  await checkEndpoints([new S3Client({}), new STSClient({}), new SQSClient({})]);
}

/** One AWS operation a command made, e.g. `{ service: 'S3', operation: 'HeadObject' }`. */
export interface ApiCall {
  readonly service: string;
  readonly operation: string;
}

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/**
 * Records every operation sent through the clients (once per call, retries not counted) by adding
 * a middleware; returns the live list. Used by the call-count script and the end-to-end test.
 */
export function recordApiCalls(clients: AwsClients): ApiCall[] {
  const calls: ApiCall[] = [];
  for (const client of Object.values(clients) as unknown as MiddlewareClient[]) {
    client.middlewareStack.add(
      (next, context) => (args) => {
        calls.push({ service: (context.clientName ?? '?').replace(/Client$/, ''), operation: (context.commandName ?? '?').replace(/Command$/, '') });
        return next(args);
      },
      { step: 'initialize', name: 's3pushApiCallRecorder' },
    );
  }
  return calls;
}

/** Counts of `Service:Operation`, sorted, for printing. */
export function tallyApiCalls(calls: readonly ApiCall[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const c of calls) counts.set(`${c.service}:${c.operation}`, (counts.get(`${c.service}:${c.operation}`) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
}
