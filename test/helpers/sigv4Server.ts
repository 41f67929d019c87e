/**
 * A local HTTP server that checks every request's AWS Signature Version 4 with its own
 * implementation of the algorithm AWS documents ("Create a signed AWS API request",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html; for S3 the canonical
 * URI is the path as sent, encoded once: "Signature Calculations for the Authorization Header",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html), and answers as
 * the test scripts it. It shares no code with the SDK's signer, so a request it accepts is signed
 * the way S3 checks it.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server saw it. */
export interface SeenRequest {
  readonly method: string;
  /** Path and query exactly as sent. */
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Record<string, string>;
  /** Whether its SigV4 signature is valid for the server's secret key. */
  readonly signatureValid: boolean;
}

/** What the test answers: status, headers and body. `'drop'` closes the connection unanswered. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'drop';

export interface SigV4Server {
  readonly endpoint: string;
  readonly requests: SeenRequest[];
  /** Sets how the next requests are answered. */
  answerWith(answer: (req: SeenRequest, index: number) => Answer): void;
  close(): Promise<void>;
}

/** RFC 3986 encoding of a query key or value, as SigV4 canonicalizes it. */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');

/** True when `headers.authorization` is a valid SigV4 signature of the request for `secretAccessKey`. */
export function verifySigV4(method: string, url: string, headers: Record<string, string>, secretAccessKey: string): boolean {
  const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(headers.authorization ?? '');
  if (!auth) return false;
  const [, , date, region, service, signedHeaderList, signature] = auth as unknown as string[];
  const amzDate = headers['x-amz-date'];
  const payloadHash = headers['x-amz-content-sha256'];
  if (amzDate === undefined || payloadHash === undefined || !amzDate.startsWith(date!)) return false;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const params = rawQuery === '' ? [] : rawQuery.split('&').map((p) => {
    const [k, v = ''] = p.split('=');
    return [uriEncode(decodeURIComponent(k!)), uriEncode(decodeURIComponent(v))] as const;
  });
  params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const signed = signedHeaderList!.split(';');
  const canonicalHeaders = signed.map((h) => `${h}:${(headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [method, path, params.map(([k, v]) => `${k}=${v}`).join('&'), canonicalHeaders, signedHeaderList, payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date!), region!), service!), 'aws4_request');
  return hmac(key, stringToSign).toString('hex') === signature;
}

/** Starts the server on a free loopback port. */
export async function startSigV4Server(secretAccessKey: string): Promise<SigV4Server> {
  const requests: SeenRequest[] = [];
  let answer: (req: SeenRequest, index: number) => Answer = () => ({ status: 200, body: '' });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const url = req.url ?? '/';
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
      const q = url.indexOf('?');
      const seen: SeenRequest = {
        method: req.method ?? '',
        url,
        path: q < 0 ? url : url.slice(0, q),
        query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
        headers,
        signatureValid: verifySigV4(req.method ?? '', url, headers, secretAccessKey),
      };
      requests.push(seen);
      const a = answer(seen, requests.length - 1);
      if (a === 'drop') {
        req.socket.destroy();
        return;
      }
      res.writeHead(a.status, { 'content-type': 'application/xml', ...(a.headers ?? {}) });
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    answerWith(fn) {
      answer = fn;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * A server for the tests of one `describe`: started before them, closed after them; after each
 * test its request log is cleared and the clients given to `track` are destroyed. Call it inside
 * the `describe` callback.
 */
export function useSigV4Server(secretAccessKey: string): { readonly server: SigV4Server; track<C extends { destroy(): void }>(client: C): C } {
  let server: SigV4Server | undefined;
  let clients: { destroy(): void }[] = [];
  before(async () => {
    server = await startSigV4Server(secretAccessKey);
  });
  after(async () => {
    await server?.close();
  });
  afterEach(() => {
    for (const c of clients) c.destroy();
    clients = [];
    if (server) server.requests.length = 0;
  });
  return {
    get server() {
      if (server === undefined) throw new Error('useSigV4Server: the server starts in a before hook; read it inside a test');
      return server;
    },
    track(client) {
      clients.push(client);
      return client;
    },
  };
}
