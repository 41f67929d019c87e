/**
 * The endpoint rule (rules/endpoint.ts) applied to what the SDK itself resolved, not to our own
 * reading of its sources. The SDK takes a client's endpoint from `AWS_ENDPOINT_URL_<SERVICE>`,
 * `AWS_ENDPOINT_URL`, the profile's `[services]` section and its `endpoint_url` in the config file
 * (`AWS_CONFIG_FILE`, `AWS_PROFILE`) or the credentials file, in that order
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html). Two checks:
 *
 * - {@link checkEndpoints}, before a command's first AWS call: each client's configured endpoint
 *   as the SDK resolves it (`serviceConfiguredEndpoint`, its own loader), refused with one
 *   {@link ConfigError} (exit 2) that names where it came from;
 * - {@link guardRequests}, on every request: the client's HTTP handler refuses to send a request
 *   whose protocol and host the rule refuses (the lean copy path sends through the same handler),
 *   so an endpoint the first check could not see (a bucket's virtual host under `localhost`, a
 *   source read later) is never sent in clear text either.
 *
 * `localhost` and `*.localhost` names are looked up as Node's HTTP client would look them up, and
 * accepted only when every address is loopback.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { join } from 'node:path';
import { getHomeDir, loadSharedConfigFiles } from '@smithy/core/config';
import { ALLOW_PLAIN_HTTP_VARIABLE, endpointProblem, judgeEndpoint, lookupProblem, resolvesToLoopback } from '../../rules/endpoint.ts';
import { ConfigError } from '../../rules/errors.ts';

/** Resolves a host name to its addresses; an unknown name gives none. */
export type Lookup = (hostname: string) => Promise<string[]>;

/** Node's resolver (`getaddrinfo`, as the HTTP client uses it): every address of the name. */
export const systemLookup: Lookup = async (hostname) => {
  try {
    return (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    return [];
  }
};

/** Options of the checks. */
export interface EndpointGuardOptions {
  /** The environment the SDK reads. Default `process.env` (the SDK reads no other). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default {@link systemLookup}. */
  readonly lookup?: Lookup;
}

/** The part of an SDK client the checks read. */
export interface GuardedClient {
  readonly config: {
    readonly serviceId?: string;
    readonly requestHandler?: unknown;
    readonly isCustomEndpoint?: boolean;
    readonly endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number; path: string }>;
    readonly serviceConfiguredEndpoint?: () => Promise<string | undefined>;
  };
}

/**
 * Where the SDK took `value`, the configured endpoint of `serviceId`, from: the first source of the
 * SDK's order that holds it.
 */
export async function endpointOrigin(serviceId: string, value: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<string> {
  const serviceVariable = ['AWS_ENDPOINT_URL', ...serviceId.split(' ').map((w) => w.toUpperCase())].join('_');
  if (env[serviceVariable]) return serviceVariable;
  if (env.AWS_ENDPOINT_URL) return 'AWS_ENDPOINT_URL';
  const home = getHomeDir();
  const configPath = env.AWS_CONFIG_FILE || join(home, '.aws', 'config');
  const credentialsPath = env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials');
  const profile = env.AWS_PROFILE || 'default';
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ configFilepath: configPath, filepath: credentialsPath });
  const fromConfig = configFile[profile] ?? {};
  const servicesName = fromConfig.services;
  const serviceKey = `${serviceId.split(' ').map((w) => w.toLowerCase()).join('_')}.endpoint_url`;
  if (servicesName !== undefined && configFile[`services.${servicesName}`]?.[serviceKey] === value) {
    return `endpoint_url of ${serviceKey.split('.')[0]} in [services ${servicesName}] of ${configPath} (profile ${profile})`;
  }
  if (fromConfig.endpoint_url === value) return `endpoint_url of profile ${profile} in ${configPath}`;
  if (credentialsFile[profile]?.endpoint_url === value) return `endpoint_url of profile ${profile} in ${credentialsPath}`;
  return `the ${serviceId} endpoint the SDK configured`;
}

/** The problem with `value` (undefined when the rule accepts it), looking a `localhost` name up. */
async function problemOf(value: string, origin: () => Promise<string>, options: EndpointGuardOptions): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const verdict = judgeEndpoint(value, env[ALLOW_PLAIN_HTTP_VARIABLE] === '1');
  if (verdict.kind === 'accepted') return undefined;
  if (verdict.kind === 'refused') return endpointProblem(await origin(), value, verdict.why, verdict.allowable);
  const addresses = await (options.lookup ?? systemLookup)(verdict.hostname);
  return resolvesToLoopback(addresses) ? undefined : lookupProblem(await origin(), value, verdict.hostname, addresses);
}

/** The endpoint a client was given or the SDK configured for it, or undefined for AWS's own. */
async function configuredEndpoint(client: GuardedClient): Promise<{ value: string; given: boolean } | undefined> {
  const { config } = client;
  if (config.isCustomEndpoint && config.endpoint) {
    const e = await config.endpoint();
    return { value: `${e.protocol}//${e.hostname}${e.port === undefined ? '' : `:${e.port}`}${e.path}`, given: true };
  }
  const value = await config.serviceConfiguredEndpoint?.();
  return value ? { value, given: false } : undefined;
}

/**
 * Refuses, with one {@link ConfigError} listing each once, every client whose endpoint the rule
 * refuses — as the SDK resolved it. Call before the first AWS call.
 */
export async function checkEndpoints(clients: readonly GuardedClient[], options: EndpointGuardOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const problems = new Set<string>();
  for (const client of clients) {
    const serviceId = client.config.serviceId ?? 'AWS';
    let endpoint: Awaited<ReturnType<typeof configuredEndpoint>>;
    try {
      endpoint = await configuredEndpoint(client);
    } catch (err) {
      problems.add(`the ${serviceId} endpoint could not be read from the SDK's configuration: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    if (endpoint === undefined) continue;
    const { value, given } = endpoint;
    const problem = await problemOf(value, () => (given ? Promise.resolve(`the ${serviceId} client's endpoint`) : endpointOrigin(serviceId, value, env)), options);
    if (problem !== undefined) problems.add(problem);
  }
  if (problems.size > 0) throw new ConfigError([...problems], 'the AWS endpoint is not allowed');
}

interface HttpHandler {
  handle(request: { protocol: string; hostname: string; port?: number }, options?: unknown): Promise<unknown>;
}

const guarded = new WeakSet<object>();

/**
 * Makes `client`'s HTTP handler refuse, before it sends, any request to an endpoint the rule
 * refuses ({@link ConfigError}, naming where the client's endpoint came from). A handler shared by
 * several clients is guarded once. Each protocol and host is judged once per handler.
 */
export function guardRequests(client: GuardedClient, options: EndpointGuardOptions = {}): void {
  const handler = client.config.requestHandler as HttpHandler | undefined;
  if (handler === undefined || typeof handler.handle !== 'function' || guarded.has(handler)) return;
  guarded.add(handler);
  const serviceId = client.config.serviceId ?? 'AWS';
  const verdicts = new Map<string, Promise<string | undefined>>();
  const send = handler.handle.bind(handler);
  handler.handle = async (request, handlerOptions) => {
    const target = `${request.protocol}//${request.hostname}${request.port === undefined ? '' : `:${request.port}`}`;
    let verdict = verdicts.get(target);
    if (verdict === undefined) {
      verdict = problemOf(target, async () => {
        const configured = await configuredEndpoint(client).catch(() => undefined);
        return configured === undefined ? `the ${serviceId} request's endpoint` : configured.given ? `the ${serviceId} client's endpoint` : endpointOrigin(serviceId, configured.value, options.env);
      }, options);
      verdicts.set(target, verdict);
    }
    const problem = await verdict;
    if (problem !== undefined) throw new ConfigError([problem], 'the AWS endpoint is not allowed');
    return send(request, handlerOptions);
  };
}
