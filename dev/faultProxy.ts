/**
 * A fault-injecting HTTP proxy for tests: it sits between an AWS SDK client and the moto server and,
 * by configuration, answers a share of the requests with a fault instead of forwarding them.
 *
 * The faults are what S3 really does under load or on a bad network:
 * - `slowDown`: throttling — S3: 503 `SlowDown`; query-protocol services (STS, CloudFormation,
 *   IAM): 400 `Throttling` "Rate exceeded" (the SDK retries both),
 * - `internalError`: S3: 500 `InternalError`; query services: 500 `InternalFailure` (retried),
 * - `drop`: the connection is destroyed before the request reaches the server (ECONNRESET),
 * - `lostResponse`: the request reaches the server and is executed, then the connection is
 *   destroyed before the answer gets back — the client cannot tell whether it happened,
 * - `slow`: the request is forwarded after a delay,
 * - `hang`: the request is accepted and never answered (a connection that S3 or a middlebox
 *   stopped answering); only the client's own timeout ends it.
 *
 * Which request is faulted is decided deterministically from the seed and the request itself
 * (method, URL, copy source, and how many times that same request was seen before), not from the
 * arrival order: with concurrent clients the same seed faults the same requests on every run, and
 * a retry of a faulted request gets a fresh, independent draw.
 *
 * Point a client at it with `endpoint: proxy.endpoint`, or set `AWS_ENDPOINT_URL` to it for a
 * suite (and restore it after). Only requests signed for the services in `services` (default S3)
 * can be faulted; the rest (STS…) are always forwarded.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';

/** The faults the proxy can inject. */
export type FaultKind = 'slowDown' | 'internalError' | 'drop' | 'lostResponse' | 'slow' | 'hang';

export const FAULT_KINDS: readonly FaultKind[] = ['slowDown', 'internalError', 'drop', 'lostResponse', 'slow', 'hang'];

/** What the proxy knows about one request, given to the predicates. */
export interface ProxiedRequest {
  readonly method: string;
  /** The raw request target, `/bucket/key?query`. */
  readonly url: string;
  /** Signing service from the SigV4 credential scope (`s3`, `sts`…), or `''` when unsigned. */
  readonly service: string;
  /** Path-style bucket, or `''`. */
  readonly bucket: string;
  /** Decoded object key (path-style, after the bucket), or `''`. */
  readonly key: string;
  /** The query string without `?`, or `''`. */
  readonly query: string;
  /** Decoded `x-amz-copy-source` (`bucket/key`), or `''`. */
  readonly copySource: string;
  /** Object key of the copy source, or `''`. */
  readonly copySourceKey: string;
  /**
   * The API action of a query-protocol request (`Action=` in the form body, e.g. `AssumeRole`,
   * `CreateChangeSet`) or of a JSON one (`X-Amz-Target`); `''` for S3 (REST).
   */
  readonly action: string;
}

/** One request as the proxy handled it. */
export interface ProxyLogEntry extends ProxiedRequest {
  /** The fault injected, or undefined when forwarded untouched. */
  readonly fault: FaultKind | undefined;
  /** Number of times this same request (method, URL, copy source) was seen before this one. */
  readonly attempt: number;
}

/** A rule that always faults the matching requests, whatever the rate. */
export interface AlwaysFault {
  /** `attempt`: how many times this same request was seen before (0 the first time). */
  readonly when: (request: ProxiedRequest, attempt: number) => boolean;
  /** Default `internalError`. */
  readonly kind?: FaultKind;
}

export interface FaultProxyOptions {
  /** Where requests are forwarded, e.g. the moto endpoint `http://127.0.0.1:PORT`. */
  target: string;
  /** Seed of the pseudo-random draws. Default 1. */
  seed?: number;
  /** Share of eligible requests faulted, 0..1. Default 0 (forward everything). */
  rate?: number;
  /**
   * Relative weights of the fault kinds drawn for the faulted share. Default: equal weights of
   * `slowDown`, `internalError`, `drop` and `slow`.
   */
  weights?: Partial<Record<FaultKind, number>>;
  /** Delay of a `slow` fault in milliseconds. Default 200. */
  slowMs?: number;
  /** Signing services whose requests may be faulted. Default `['s3']`. */
  services?: readonly string[];
  /** Further restricts which requests may be faulted by the rate. Default: all eligible. */
  eligible?: (request: ProxiedRequest) => boolean;
  /** Requests that are always faulted (checked before the rate). */
  always?: readonly AlwaysFault[];
}

/** Counters since the start (or the last {@link FaultProxy.resetCounts}). */
export interface ProxyCounts {
  /** Every request received. */
  seen: number;
  /** Requests that reached the target (including `slow` and `lostResponse` ones). */
  forwarded: number;
  /** Faults injected, by kind. */
  faulted: Record<FaultKind, number>;
  /** Sum of `faulted`. */
  faultedTotal: number;
}

/**
 * One moment of the proxy's timeline: a request arrived, or its answer was sent in full (a
 * dropped or hung request has no `answered`). `index` is the request's position in the log.
 */
export interface ProxyTimelineEvent {
  readonly event: 'request' | 'answered';
  readonly index: number;
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT` of the proxy. */
  readonly endpoint: string;
  /** A copy of the counters. */
  counts(): ProxyCounts;
  /** Every request handled, in arrival order. */
  log(): readonly ProxyLogEntry[];
  /**
   * Arrivals and answers in the order they happened: what was in flight when a request was sent
   * (the order of requests at the wire, which the client's own timestamps cannot show).
   */
  timeline(): readonly ProxyTimelineEvent[];
  /** Zero the counters, forget the log and the per-request attempt numbers. */
  resetCounts(): void;
  /** Change the fault configuration for the following requests (the target stays). */
  configure(options: Partial<Omit<FaultProxyOptions, 'target'>>): void;
  /** Stop listening and close every open connection. */
  close(): Promise<void>;
}

const DEFAULT_WEIGHTS: Readonly<Record<FaultKind, number>> = { slowDown: 1, internalError: 1, drop: 1, slow: 1, lostResponse: 0, hang: 0 };

/** mulberry32: a small, good-enough 32-bit PRNG; deterministic from its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a 32-bit hash of a string, to seed one draw per request. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Reads what the proxy needs from a request line and its headers. */
export function describeRequest(method: string, url: string, headers: IncomingMessage['headers'], body: Buffer = Buffer.alloc(0)): ProxiedRequest {
  const auth = headers.authorization ?? '';
  // SigV4: "Credential=AKID/20240101/us-east-1/s3/aws4_request"
  const service = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth)?.[1] ?? '';
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  const query = q >= 0 ? url.slice(q + 1) : '';
  const slash = path.indexOf('/', 1);
  const bucket = safeDecode(slash >= 0 ? path.slice(1, slash) : path.slice(1));
  const key = slash >= 0 ? path.slice(slash + 1).split('/').map(safeDecode).join('/') : '';
  const rawCopy = headers['x-amz-copy-source'];
  const copySource = typeof rawCopy === 'string' ? safeDecode(rawCopy.replace(/^\//, '').split('?')[0] ?? '') : '';
  const copySlash = copySource.indexOf('/');
  const copySourceKey = copySlash >= 0 ? copySource.slice(copySlash + 1) : '';
  const target = headers['x-amz-target'];
  const contentType = headers['content-type'] ?? '';
  const action =
    typeof target === 'string'
      ? (target.split('.').pop() ?? '')
      : contentType.startsWith('application/x-www-form-urlencoded')
        ? (new URLSearchParams(body.toString('utf8')).get('Action') ?? '')
        : '';
  if (service !== 's3') return { method, url, service, bucket: '', key: '', query, copySource: '', copySourceKey: '', action };
  return { method, url, service, bucket, key, query, copySource, copySourceKey, action };
}

/** A predicate matching requests on an object key, as the target key or as the copy source key. */
export function touchesKey(key: string): (request: ProxiedRequest) => boolean {
  return (r) => r.key === key || r.copySourceKey === key;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The error of a query-protocol service (STS, CloudFormation, IAM) as they send it. */
function queryErrorXml(code: string, message: string, requestId: string): string {
  const type = code === 'Throttling' ? 'Sender' : 'Receiver';
  return `<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>${esc(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

function s3ErrorXml(code: string, message: string, resource: string, requestId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${esc(message)}</Message><Resource>${esc(resource)}</Resource>` +
    `<RequestId>${requestId}</RequestId><HostId>fault-proxy</HostId></Error>`
  );
}

/** Starts the proxy on a free loopback port. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  let config: Omit<FaultProxyOptions, 'target'> = { ...options };
  let counts = emptyCounts();
  let entries: ProxyLogEntry[] = [];
  let timeline: ProxyTimelineEvent[] = [];
  // Answers of requests from before a resetCounts() are not this period's.
  let period = 0;
  let attempts = new Map<string, number>();
  let requestCounter = 0;
  // Pending `slow` answers, cleared on close so that no timer outlives the proxy.
  const timers = new Set<NodeJS.Timeout>();

  function decide(info: ProxiedRequest, identity: string, attempt: number): FaultKind | undefined {
    for (const rule of config.always ?? []) {
      if (rule.when(info, attempt)) return rule.kind ?? 'internalError';
    }
    const services = config.services ?? ['s3'];
    if (!services.includes(info.service)) return undefined;
    if (config.eligible && !config.eligible(info)) return undefined;
    const rate = config.rate ?? 0;
    if (rate <= 0) return undefined;
    const draw = mulberry32(fnv1a(`${config.seed ?? 1}|${identity}|${attempt}`));
    if (draw() >= rate) return undefined;
    const weights = { ...DEFAULT_WEIGHTS, ...config.weights };
    const total = FAULT_KINDS.reduce((sum, k) => sum + Math.max(0, weights[k]), 0);
    if (total <= 0) return undefined;
    let pick = draw() * total;
    for (const kind of FAULT_KINDS) {
      pick -= Math.max(0, weights[kind]);
      if (pick < 0) return kind;
    }
    return FAULT_KINDS.findLast((k) => weights[k] > 0);
  }

  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer, dropAnswer: boolean): void {
    const upstream = httpRequest(
      {
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: forwardedHeaders(req.headers, body.length),
      },
      (answer) => {
        if (dropAnswer) {
          answer.resume();
          answer.on('end', () => res.socket?.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`fault proxy: upstream error ${err.message}`);
      } else {
        res.socket?.destroy();
      }
    });
    upstream.end(body);
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.socket?.destroy());
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const method = req.method ?? 'GET';
      const url = req.url ?? '/';
      const info = describeRequest(method, url, req.headers, body);
      // Query-protocol calls all POST to "/": their body tells them apart.
      const identity = `${method} ${url}|${info.copySource}|${createHash('sha1').update(body).digest('hex')}`;
      const attempt = attempts.get(identity) ?? 0;
      attempts.set(identity, attempt + 1);
      const fault = decide(info, identity, attempt);
      counts.seen++;
      const index = entries.length;
      const ofPeriod = period;
      entries.push({ ...info, fault, attempt });
      timeline.push({ event: 'request', index });
      res.on('finish', () => {
        if (period === ofPeriod) timeline.push({ event: 'answered', index });
      });
      if (fault) {
        counts.faulted[fault]++;
        counts.faultedTotal++;
      }
      const requestId = `FAULTPROXY${(++requestCounter).toString(16).padStart(8, '0')}`;
      switch (fault) {
        case 'slowDown':
        case 'internalError': {
          const s3 = info.service === 's3';
          const [status, code, message] =
            fault === 'slowDown'
              ? s3
                ? [503, 'SlowDown', 'Please reduce your request rate.']
                : [400, 'Throttling', 'Rate exceeded']
              : s3
                ? [500, 'InternalError', 'We encountered an internal error. Please try again.']
                : [500, 'InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.'];
          const xml = method === 'HEAD' ? '' : s3 ? s3ErrorXml(code, message, url, requestId) : queryErrorXml(code, message, requestId);
          res.writeHead(status, {
            'content-type': 'application/xml',
            'content-length': Buffer.byteLength(xml),
            'x-amz-request-id': requestId,
          });
          res.end(xml);
          return;
        }
        case 'drop':
          // Destroying the socket without an answer is what a reset connection looks like.
          req.socket.destroy();
          return;
        case 'lostResponse':
          counts.forwarded++;
          forward(req, res, body, true);
          return;
        case 'hang':
          // Never answered: the socket stays open until the client gives up or close() ends it.
          return;
        case 'slow':
          counts.forwarded++;
          {
            const timer = setTimeout(() => {
              timers.delete(timer);
              forward(req, res, body, false);
            }, config.slowMs ?? 200);
            timers.add(timer);
          }
          return;
        case undefined:
          counts.forwarded++;
          forward(req, res, body, false);
          return;
      }
    });
  });
  // Keep-alive sockets would otherwise hold close() open.
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts, faulted: { ...counts.faulted } }),
    log: () => [...entries],
    timeline: () => [...timeline],
    resetCounts() {
      counts = emptyCounts();
      entries = [];
      timeline = [];
      period++;
      attempts = new Map();
    },
    configure(next) {
      config = { ...config, ...next };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

// The body is buffered, so it is sent with a length; the 100-continue handshake was done here.
function forwardedHeaders(headers: IncomingMessage['headers'], length: number): IncomingMessage['headers'] {
  const out: IncomingMessage['headers'] = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === 'transfer-encoding' || name === 'expect' || name === 'content-length') continue;
    out[name] = value;
  }
  out['content-length'] = String(length);
  return out;
}

function emptyCounts(): ProxyCounts {
  return {
    seen: 0,
    forwarded: 0,
    faulted: { slowDown: 0, internalError: 0, drop: 0, lostResponse: 0, slow: 0, hang: 0 },
    faultedTotal: 0,
  };
}
