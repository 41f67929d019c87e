/**
 * The endpoint rule. The SDK's HTTP handler sends TLS only to an `https:` URL and plain http to
 * every other scheme (`http:`, but also `ws:`, `wss:`, `ftp:`…), so every request there travels in
 * clear text — the session token of the credentials, AssumeRole's external id. An endpoint is
 * accepted when it is `https:`, or `http:` to this machine: a loopback address, or a name
 * (`localhost`, `*.localhost`) that resolves to loopback addresses only (the caller looks it up:
 * this module is pure). Anything else is refused unless {@link ALLOW_PLAIN_HTTP_VARIABLE} is `1`,
 * which admits plain http to another host; a scheme the SDK does not speak is never accepted.
 */

/** Set to `1` to accept a plain-http endpoint that is not loopback (a lab emulator on another host). */
export const ALLOW_PLAIN_HTTP_VARIABLE = 'S3_PUSH_ALLOW_PLAIN_HTTP_ENDPOINT';

/** Longest endpoint value quoted in a message; the rest is counted. */
export const QUOTED_ENDPOINT_CHARS = 200;

/** What the rule says of one endpoint. `lookup`: accepted only if `hostname` resolves to loopback addresses only. */
export type EndpointVerdict =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'refused'; readonly why: string; readonly allowable: boolean }
  | { readonly kind: 'lookup'; readonly hostname: string };

/** True for an IP address of this machine's loopback: 127.0.0.0/8, ::1, and 127.x mapped into IPv6. */
export function isLoopbackAddress(address: string): boolean {
  const host = address.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4 !== null) return v4.slice(1).every((octet) => Number(octet) <= 255) && v4[1] === '127';
  return host === '::1' || host === '0:0:0:0:0:0:0:1';
}

/** True for `localhost` and the names under it (RFC 6761): loopback only if they resolve so here. */
export function isLocalhostName(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return host === 'localhost' || host.endsWith('.localhost');
}

/** True when every address a name resolved to is loopback (and it resolved to at least one). */
export function resolvesToLoopback(addresses: readonly string[]): boolean {
  return addresses.length > 0 && addresses.every(isLoopbackAddress);
}

/** The rule for one endpoint URL; `allowPlainHttp` is {@link ALLOW_PLAIN_HTTP_VARIABLE}`=1`. */
export function judgeEndpoint(value: string, allowPlainHttp: boolean): EndpointVerdict {
  let url: URL | undefined;
  try {
    // `localhost:5000` parses as a URL of scheme `localhost:`; an endpoint names its scheme with `//`.
    if (/^[a-z][a-z\d+.-]*:\/\//i.test(value)) url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined) return { kind: 'refused', why: 'not a URL (scheme://host[:port])', allowable: false };
  if (url.protocol === 'https:') return { kind: 'accepted' };
  if (url.protocol !== 'http:') {
    return { kind: 'refused', why: `the SDK sends a ${url.protocol.replace(/:$/, '')}:// endpoint as plain http`, allowable: false };
  }
  if (allowPlainHttp || isLoopbackAddress(url.hostname)) return { kind: 'accepted' };
  if (isLocalhostName(url.hostname)) return { kind: 'lookup', hostname: url.hostname };
  return { kind: 'refused', why: 'plain http to a host that is not loopback', allowable: true };
}

/** `value` as quoted in a message: JSON, cut at {@link QUOTED_ENDPOINT_CHARS} with the rest counted. */
export function quoteEndpoint(value: string): string {
  if (value.length <= QUOTED_ENDPOINT_CHARS) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, QUOTED_ENDPOINT_CHARS))}… (${value.length - QUOTED_ENDPOINT_CHARS} more characters)`;
}

/**
 * The one message of a refused endpoint: where it came from (`origin`: a variable, a config file's
 * section), its value, why, and the way out ({@link ALLOW_PLAIN_HTTP_VARIABLE} only when
 * `allowable`: it admits plain http://, never another scheme).
 */
export function endpointProblem(origin: string, value: string, why: string, allowable: boolean): string {
  const expected = 'expected an https:// endpoint or a loopback one (http://127.0.0.1:PORT)';
  if (why.startsWith('not a URL')) return `${origin} is ${quoteEndpoint(value)}: ${why}; ${expected}`;
  return `${origin} is ${quoteEndpoint(value)}: ${why}: requests there would carry the credentials' session token and the external id in clear text; ` +
    `${expected}${allowable ? `, or set ${ALLOW_PLAIN_HTTP_VARIABLE}=1 if plain http is meant` : ` (${ALLOW_PLAIN_HTTP_VARIABLE}=1 admits plain http:// only)`}`;
}

/** The message of a `localhost` name that did not resolve to loopback addresses only. */
export function lookupProblem(origin: string, value: string, hostname: string, addresses: readonly string[]): string {
  const found = addresses.length === 0 ? 'does not resolve here' : `resolves to ${addresses.slice(0, 4).join(', ')}${addresses.length > 4 ? ` and ${addresses.length - 4} more` : ''}`;
  return endpointProblem(origin, value, `plain http to ${hostname}, which ${found}, not to loopback addresses only`, true);
}

/** True for the environment variables the SDK reads an endpoint from: AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>. */
export function isEndpointVariable(name: string): boolean {
  return name === 'AWS_ENDPOINT_URL' || name.startsWith('AWS_ENDPOINT_URL_');
}

/**
 * One message per endpoint variable of `env` that the rule refuses, sorted. A `localhost` name
 * is left to the check of the clients' resolved endpoints, which looks it up.
 */
export function plainHttpEndpointProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  const allow = env[ALLOW_PLAIN_HTTP_VARIABLE] === '1';
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!isEndpointVariable(name) || value === undefined || value === '') continue;
    const verdict = judgeEndpoint(value, allow);
    if (verdict.kind === 'refused') problems.push(endpointProblem(name, value, verdict.why, verdict.allowable));
  }
  return problems.sort();
}
