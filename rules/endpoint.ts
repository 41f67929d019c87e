/**
 * The endpoint rule: `AWS_ENDPOINT_URL` (and the SDK's per-service `AWS_ENDPOINT_URL_<SERVICE>`)
 * may be plain http only on a loopback address. Over plain http every request travels in clear
 * text — the session token of the credentials, and AssumeRole's external id — so a non-loopback
 * http endpoint is refused unless {@link ALLOW_PLAIN_HTTP_VARIABLE} says it is meant. Pure.
 */

/** Set to `1` to accept a plain-http endpoint that is not loopback (a lab emulator on another host). */
export const ALLOW_PLAIN_HTTP_VARIABLE = 'S3_PUSH_ALLOW_PLAIN_HTTP_ENDPOINT';

/** True for localhost, 127.0.0.0/8 and ::1: traffic that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * One message per endpoint variable of `env` that is plain http to a host that is not loopback
 * (empty when none is, or when {@link ALLOW_PLAIN_HTTP_VARIABLE} is `1`). Each names the variable,
 * its value and what is expected. Malformed URLs are left to the caller's own check.
 */
export function plainHttpEndpointProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  if (env[ALLOW_PLAIN_HTTP_VARIABLE] === '1') return [];
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (name !== 'AWS_ENDPOINT_URL' && !name.startsWith('AWS_ENDPOINT_URL_')) continue;
    // Stryker disable next-line ConditionalExpression: equivalent, new URL() throws on an unset value as on an empty one, and the catch below skips both
    if (value === undefined) continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' || isLoopbackHost(url.hostname)) continue;
    problems.push(
      `${name} is ${JSON.stringify(value)}: plain http to a host that is not loopback would send the credentials' session token and the external id in clear text; ` +
        `expected an https:// endpoint or a loopback one (http://127.0.0.1:PORT), or set ${ALLOW_PLAIN_HTTP_VARIABLE}=1 if it is meant`,
    );
  }
  return problems.sort();
}
