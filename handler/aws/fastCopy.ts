/**
 * A lean first attempt for the two requests a day's copy is made of: CopyObject and
 * UploadPartCopy. Profiles of the handler showed the SDK spending about 1.3 ms of CPU per
 * CopyObject (schema serialization, the middleware stack, endpoint rules, retry bookkeeping, XML
 * deserialization), four times what signing and sending the request cost. This middleware, first
 * on the client's stack, answers those two commands itself when the request is plain:
 *
 * - the endpoint comes from the SDK's own endpoint rules (`getEndpointFromInstructions`, once per
 *   bucket), so AWS_ENDPOINT_URL, FIPS, partitions and path-style buckets resolve exactly as the
 *   SDK resolves them;
 * - it is signed by the SDK's own SigV4 signer with the client's own credentials provider (the
 *   cached, self-renewing AssumeRole credentials) and sent through the client's own HTTP handler
 *   (the same sockets and agent settings);
 * - the key is encoded per path segment as the SDK encodes `{Key+}`.
 *
 * Anything else goes the SDK's way, so every behaviour the SDK gives stays: an input field this
 * module does not map, a bucket whose endpoint needs another auth scheme, and every failure — a
 * non-2xx answer, a 200 whose body is not a well-formed copy result (S3 may answer a copy with 200
 * and an error in the body; the SDK's path judges it), a network error. A
 * failed first attempt is handed to `fallback`, a client of the same configuration with one
 * attempt fewer, after the SDK's first-retry backoff, so an object still gets exactly the client's
 * `maxAttempts` in all and the SDK's own error (name, message, `$metadata`) when it fails. A
 * non-retryable failure (NoSuchKey, AccessDenied…) thus costs one request more than the SDK alone.
 * A redirect (the bucket is in another region) or a signature the server refused turns the lean
 * path off for that bucket, so those are paid once.
 */
import { CopyObjectCommand, UploadPartCopyCommand, type CopyObjectCommandInput, type S3Client, type UploadPartCopyCommandInput } from '@aws-sdk/client-s3';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest, HttpResponse } from '@smithy/types';

/** The client's HTTP handler, as the SDK's own transport calls it. */
interface RequestHandler {
  handle(request: HttpRequest): Promise<{ response: HttpResponse }>;
}

/** SHA-256 of the empty body, the `x-amz-content-sha256` of a copy request. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Input fields sent as headers, by the header S3 documents for each (CopyObject, UploadPartCopy). */
const COPY_OBJECT_HEADERS: Readonly<Record<string, string>> = {
  CopySource: 'x-amz-copy-source',
  CopySourceIfMatch: 'x-amz-copy-source-if-match',
  MetadataDirective: 'x-amz-metadata-directive',
  TaggingDirective: 'x-amz-tagging-directive',
  ServerSideEncryption: 'x-amz-server-side-encryption',
  SSEKMSKeyId: 'x-amz-server-side-encryption-aws-kms-key-id',
  BucketKeyEnabled: 'x-amz-server-side-encryption-bucket-key-enabled',
  StorageClass: 'x-amz-storage-class',
  ExpectedBucketOwner: 'x-amz-expected-bucket-owner',
  ExpectedSourceBucketOwner: 'x-amz-source-expected-bucket-owner',
};
const UPLOAD_PART_COPY_HEADERS: Readonly<Record<string, string>> = {
  CopySource: 'x-amz-copy-source',
  CopySourceIfMatch: 'x-amz-copy-source-if-match',
  CopySourceRange: 'x-amz-copy-source-range',
  ExpectedBucketOwner: 'x-amz-expected-bucket-owner',
  ExpectedSourceBucketOwner: 'x-amz-source-expected-bucket-owner',
};

/** What the lean path knows how to send: the command, its headers, its query and its result element. */
interface Shape {
  readonly command: typeof CopyObjectCommand | typeof UploadPartCopyCommand;
  readonly headers: Readonly<Record<string, string>>;
  readonly query: readonly string[];
  readonly result: 'CopyObjectResult' | 'CopyPartResult';
}
const SHAPES: Readonly<Record<string, Shape>> = {
  CopyObjectCommand: { command: CopyObjectCommand, headers: COPY_OBJECT_HEADERS, query: [], result: 'CopyObjectResult' },
  UploadPartCopyCommand: { command: UploadPartCopyCommand, headers: UPLOAD_PART_COPY_HEADERS, query: ['PartNumber', 'UploadId'], result: 'CopyPartResult' },
};
const QUERY_NAMES: Readonly<Record<string, string>> = { PartNumber: 'partNumber', UploadId: 'uploadId' };

/** One path segment as the SDK encodes a `{Key+}` label: RFC 3986 unreserved characters stay. */
export function encodeKeySegment(segment: string): string {
  if (/^[\w.~-]+$/.test(segment)) return segment;
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The request path of a key under an endpoint's base path (`/` for a virtual host, `/bucket` for path style). */
export function keyPath(basePath: string, key: string): string {
  return `${basePath.endsWith('/') ? basePath : `${basePath}/`}${key.split('/').map(encodeKeySegment).join('/')}`;
}

const XML_ENTITIES: Readonly<Record<string, string>> = { '&quot;': '"', '&amp;': '&', '&lt;': '<', '&gt;': '>', '&apos;': "'" };

// A copy result in the one form S3 writes it: an optional XML declaration, the root element (at
// most an xmlns attribute), then only child elements holding text, whitespace between them.
const RESULT_PROLOG = /^(?:<\?xml\s[^<>?]*\?>)?\s*<(CopyObjectResult|CopyPartResult)(?:\s+xmlns="[^"<>&]*")?\s*>/;
const RESULT_CHILD = /\s*<([A-Za-z][A-Za-z\d]*)>([^<&]*(?:&(?:quot|amp|lt|gt|apos);[^<&]*)*)<\/\1>/y;

/**
 * The children of a copy result document by name, or undefined when the body is anything else:
 * another root, an `<Error>` (S3 may answer a copy with 200 and an error in the body:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html), a comment, CDATA,
 * nested or repeated elements, text outside them, or a document cut short.
 */
export function readCopyResult(result: 'CopyObjectResult' | 'CopyPartResult', body: string): Readonly<Record<string, string>> | undefined {
  const prolog = RESULT_PROLOG.exec(body);
  if (prolog === null || prolog[1] !== result) return undefined;
  const children: Record<string, string> = {};
  RESULT_CHILD.lastIndex = prolog[0].length;
  let at = prolog[0].length;
  for (let m = RESULT_CHILD.exec(body); m !== null; m = RESULT_CHILD.exec(body)) {
    const [, name, text] = m;
    if (Object.hasOwn(children, name!)) return undefined;
    children[name!] = text!.replace(/&(quot|amp|lt|gt|apos);/g, (e) => XML_ENTITIES[e]!);
    at = RESULT_CHILD.lastIndex;
  }
  if (!new RegExp(`^\\s*</${result}>\\s*$`).test(body.slice(at))) return undefined;
  return children;
}

/**
 * The output of a successful copy, parsed from the body and headers: the result's ETag and
 * LastModified (what callers use) and the headers of the SDK's output that a copy answers with.
 * Undefined when the body is not a well-formed result with one non-empty ETag (see
 * {@link readCopyResult}): the SDK's path then sends the request again and judges the answer.
 */
export function parseCopyResult(result: Shape['result'], status: number, headers: Record<string, string | undefined>, body: string): Record<string, unknown> | undefined {
  const children = readCopyResult(result, body);
  const eTag = children?.ETag;
  if (eTag === undefined || eTag === '') return undefined;
  const lastModified = children!.LastModified;
  if (lastModified !== undefined && Number.isNaN(Date.parse(lastModified))) return undefined;
  const optional = (name: string, header: string): Record<string, string> => (headers[header] === undefined ? {} : { [name]: headers[header] });
  return {
    $metadata: { httpStatusCode: status, requestId: headers['x-amz-request-id'], extendedRequestId: headers['x-amz-id-2'], attempts: 1, totalRetryDelay: 0 },
    [result]: { ETag: eTag, ...(lastModified === undefined ? {} : { LastModified: new Date(lastModified) }) },
    ...optional('VersionId', 'x-amz-version-id'),
    ...optional('CopySourceVersionId', 'x-amz-copy-source-version-id'),
    ...optional('ServerSideEncryption', 'x-amz-server-side-encryption'),
    ...optional('SSEKMSKeyId', 'x-amz-server-side-encryption-aws-kms-key-id'),
  };
}

/** A value sent as it prints: a header or query value of the lean path. */
function isPlain(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** Whether the SDK's retry strategy would count this answer as throttling (a longer backoff base). */
function isThrottle(status: number | undefined, body: string): boolean {
  return status === 429 || (status === 503 && /<Code>SlowDown<\/Code>/.test(body));
}

/** Options of {@link installFastCopy}. */
export interface FastCopyOptions {
  /** Sleeps between a failed lean attempt and the fallback. Default: a real timer. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Random source for the backoff jitter. Default Math.random. */
  readonly random?: () => number;
}

interface Target {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: number | undefined;
  readonly host: string;
  readonly basePath: string;
  readonly signer: SignatureV4;
}

/**
 * Puts the lean path in front of `client`'s CopyObject and UploadPartCopy. `fallback` must be a
 * client of the same endpoint, region and credentials with `maxAttempts` one lower (see
 * `createClients`); it takes every request the lean path does not complete.
 */
export function installFastCopy(client: S3Client, fallback: S3Client, options: FastCopyOptions = {}): void {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const targets = new Map<string, Promise<Target | undefined>>();
  const slowBuckets = new Set<string>();
  const config = client.config;
  const requestHandler = config.requestHandler as RequestHandler;

  async function resolveTarget(shape: Shape, input: { Bucket?: string | undefined; Key?: string | undefined }): Promise<Target | undefined> {
    const endpoint = await getEndpointFromInstructions(input, shape.command, config);
    const schemes = (endpoint.properties?.authSchemes ?? []) as { name?: string; signingName?: string; signingRegion?: string }[];
    const scheme = schemes[0];
    // Only plain SigV4 endpoints: SigV4a (multi-region access points), S3 Express sessions and
    // endpoints that demand headers of their own stay with the SDK.
    if (scheme === undefined || scheme.name !== 'sigv4' || (endpoint.headers && Object.keys(endpoint.headers).length > 0)) return undefined;
    const url = endpoint.url;
    const region = scheme.signingRegion ?? (await config.region());
    return {
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      host: url.host,
      basePath: url.pathname,
      signer: new SignatureV4({ service: scheme.signingName ?? 's3', region, credentials: config.credentials, sha256: config.sha256, uriEscapePath: false, applyChecksum: false }),
    };
  }

  function targetFor(shape: Shape, input: { Bucket?: string | undefined; Key?: string | undefined }): Promise<Target | undefined> {
    const bucket = input.Bucket ?? '';
    const id = `${shape.result}|${bucket}`;
    let target = targets.get(id);
    if (target === undefined) {
      target = resolveTarget(shape, input).catch(() => undefined);
      targets.set(id, target);
    }
    return target;
  }

  /** The lean attempt: the output, or the status and body of a failure (status undefined: no answer). */
  async function attempt(shape: Shape, target: Target, input: Record<string, unknown>): Promise<{ output: Record<string, unknown> } | { status: number | undefined; body: string }> {
    const headers: Record<string, string> = { host: target.host, 'x-amz-content-sha256': EMPTY_SHA256 };
    for (const [field, header] of Object.entries(shape.headers)) {
      const value = input[field];
      if (isPlain(value)) headers[header] = String(value);
    }
    // `x-id` as the SDK sends it, so that a lean attempt and the SDK's retries of it are one request to S3's logs.
    const query: Record<string, string> = { 'x-id': shape.result === 'CopyObjectResult' ? 'CopyObject' : 'UploadPartCopy' };
    for (const field of shape.query) {
      const value = input[field];
      if (isPlain(value)) query[QUERY_NAMES[field]!] = String(value);
    }
    const request = {
      method: 'PUT',
      protocol: target.protocol,
      hostname: target.hostname,
      ...(target.port === undefined ? {} : { port: target.port }),
      path: keyPath(target.basePath, input.Key as string),
      query,
      headers,
    };
    let status: number | undefined;
    try {
      const signed = await target.signer.sign(request);
      signed.headers['content-length'] = '0';
      const { response } = await requestHandler.handle(signed);
      const code = response.statusCode;
      status = code;
      const chunks: Buffer[] = [];
      for await (const chunk of response.body as AsyncIterable<Buffer>) chunks.push(chunk);
      const body = Buffer.concat(chunks).toString('utf8');
      const output = code >= 200 && code < 300 ? parseCopyResult(shape.result, code, response.headers, body) : undefined;
      return output === undefined ? { status: code, body } : { output };
    } catch {
      return { status, body: '' };
    }
  }

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const shape = SHAPES[context.commandName ?? ''];
      const input = args.input as Record<string, unknown> & { Bucket?: string; Key?: string };
      if (shape === undefined || typeof input.Bucket !== 'string' || typeof input.Key !== 'string' || slowBuckets.has(input.Bucket)) return next(args);
      if (!Object.entries(input).every(([field, value]) => value === undefined || field === 'Bucket' || field === 'Key' || ((shape.headers[field] !== undefined || shape.query.includes(field)) && isPlain(value)))) return next(args);
      const target = await targetFor(shape, input);
      if (target === undefined) return next(args);
      const outcome = await attempt(shape, target, input);
      if ('output' in outcome) return { output: outcome.output as never, response: undefined };
      // A redirect (another region) or a refused signature: the SDK's path handles it; stop trying here.
      if (outcome.status === 301 || outcome.status === 307 || /<Code>(SignatureDoesNotMatch|AuthorizationHeaderMalformed|PermanentRedirect)<\/Code>/.test(outcome.body)) slowBuckets.add(input.Bucket);
      // The SDK's first retry waits a random share of 100 ms (500 ms when throttled) before sending again.
      await sleep(Math.floor(random() * (isThrottle(outcome.status, outcome.body) ? 500 : 100)));
      const output = shape.result === 'CopyObjectResult'
        ? await fallback.send(new CopyObjectCommand(input as unknown as CopyObjectCommandInput))
        : await fallback.send(new UploadPartCopyCommand(input as unknown as UploadPartCopyCommandInput));
      return { output: output as never, response: undefined };
    },
    { step: 'initialize', name: 's3PushFastCopy', priority: 'low', override: true },
  );
}
