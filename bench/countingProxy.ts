/**
 * A plain HTTP proxy in front of the benchmark's S3 server that forwards every request untouched
 * and counts them by operation. Each tool points its endpoint at the proxy; the bench takes the
 * counts after each tool run. Loopback only.
 *
 * It forwards the Host header as the client sent it, so SigV4 signatures (which cover Host) still
 * verify on the server. It drops `Expect: 100-continue` (no signer covers it) and answers it itself.
 *
 * With a latency model (bench/latencyModel.ts) it holds each response until the model's latency for
 * its operation has passed since the request arrived: a local server answers in about a millisecond,
 * S3 in tens, and that difference decides how many copies in flight a tool needs. A request the
 * server takes longer than the model to answer is not delayed further.
 */
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { latencySampler, type LatencyModel } from './latencyModel.ts';
import { classifyAwsRequest, classifyS3Request, needsFormBody, type RequestShape } from './s3Operation.ts';

/** Requests counted since the last {@link CountingProxy.take}. */
export interface RequestCounts {
  /** Requests by operation name. */
  readonly byOperation: Record<string, number>;
  /** Answers with status 400 or more, by operation name (e.g. rclone's HeadObject 404s). */
  readonly errorsByOperation: Record<string, number>;
  readonly total: number;
  /** New client connections the proxy accepted (connection reuse shows as few). */
  readonly connections?: number;
  /**
   * The first CopyObject of the period as the client sent it: request line and headers in order,
   * the Authorization value cut to its signed header list (no key id, no signature).
   */
  readonly copySample?: { readonly requestLine: string; readonly headers: readonly string[]; readonly headerBytes: number };
}

export interface CountingProxy {
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  /** Returns the counts since the last call and starts counting afresh (and the latency's jitter sequence from its seed). */
  take(): RequestCounts;
  close(): Promise<void>;
}

export interface CountingProxyOptions {
  /** The server forwarded to, e.g. `http://127.0.0.1:7480`. */
  target: string;
  /** Port to listen on. Default 0 (a free one). */
  port?: number;
  /**
   * `s3` (default): S3 operation names (`CopyObject`, and STS's `AssumeRole`). `aws`:
   * `service:Operation` for any service (`cloudformation:DescribeStacks`, `s3:PutObject`).
   */
  naming?: 's3' | 'aws';
  /** Delay each response by the model's latency for its operation, jitter drawn from `seed`. Default: none. */
  latency?: { readonly model: LatencyModel; readonly seed: number };
}

/** Starts the proxy on 127.0.0.1. */
export async function startCountingProxy(options: CountingProxyOptions): Promise<CountingProxy> {
  const target = new URL(options.target);
  if (target.protocol !== 'http:') throw new Error(`countingProxy: target must be http://, got ${options.target}`);
  const classify: (r: RequestShape) => string = options.naming === 'aws' ? classifyAwsRequest : classifyS3Request;
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256 });
  let byOperation = new Map<string, number>();
  let errors = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string): void => {
    m.set(k, (m.get(k) ?? 0) + 1);
  };

  // Restarted by take(): every measured run draws the same sequence of jitter.
  const newSampler = (): ((op: string) => number) | undefined => (options.latency === undefined ? undefined : latencySampler(options.latency.model, options.latency.seed));
  let delayOf = newSampler();

  const forward = (req: IncomingMessage, res: ServerResponse, op: string, body: Buffer | undefined): void => {
    const arrived = performance.now();
    const delayMs = delayOf?.(op) ?? 0;
    const headers = { ...req.headers };
    delete headers.expect;
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers,
        agent,
      },
      (up) => {
        const status = up.statusCode ?? 502;
        if (status >= 400) bump(errors, op);
        const answer = (): void => {
          res.writeHead(status, up.statusMessage, up.rawHeaders);
          up.pipe(res);
        };
        const wait = arrived + delayMs - performance.now();
        if (wait >= 1) setTimeout(answer, wait);
        else answer();
      },
    );
    upstream.on('error', (err) => {
      bump(errors, op);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`countingProxy: ${err.message}`);
    });
    if (body !== undefined) upstream.end(body);
    else req.pipe(upstream);
  };

  let connections = 0;
  let copySample: RequestCounts['copySample'];
  const sample = (req: IncomingMessage): void => {
    const headers: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const [name, value] = [req.rawHeaders[i]!, req.rawHeaders[i + 1]!];
      headers.push(`${name}: ${name.toLowerCase() === 'authorization' ? value.replace(/Credential=[^,]*/, 'Credential=…').replace(/Signature=\w+/, 'Signature=…') : value}`);
    }
    const requestLine = `${req.method ?? ''} ${req.url ?? ''} HTTP/${req.httpVersion}`;
    copySample = { requestLine, headers, headerBytes: [requestLine, ...headers].reduce((n, l) => n + Buffer.byteLength(l) + 2, 2) };
  };

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    if (needsFormBody(method, url, req.headers)) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const op = classify({ method, url, headers: req.headers, formBody: body.toString('utf8') });
        bump(byOperation, op);
        forward(req, res, op, body);
      });
      return;
    }
    const op = classify({ method, url, headers: req.headers });
    bump(byOperation, op);
    if (op === 'CopyObject' && copySample === undefined) sample(req);
    forward(req, res, op, undefined);
  });
  server.on('connection', () => {
    connections++;
  });
  // Clients keep connections open between runs; do not let Node close them under a slow tool.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.requestTimeout = 0;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('countingProxy: could not read the bound port');

  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    take() {
      const counts: RequestCounts = {
        byOperation: Object.fromEntries([...byOperation].sort(([a], [b]) => a.localeCompare(b))),
        errorsByOperation: Object.fromEntries([...errors].sort(([a], [b]) => a.localeCompare(b))),
        total: [...byOperation.values()].reduce((a, b) => a + b, 0),
        connections,
        ...(copySample === undefined ? {} : { copySample }),
      };
      byOperation = new Map();
      errors = new Map();
      connections = 0;
      copySample = undefined;
      delayOf = newSampler();
      return counts;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
