/**
 * How long s3-push waits for AWS: the connection, the answer to each request, and silence on an
 * open connection. Without them a TCP connection that S3 (or a middlebox) stops answering holds its
 * request, and the invocation, until Lambda kills it at 15 minutes with no summary and no
 * continuation. A timed-out request fails with the SDK's `TimeoutError`, which the SDK retries like
 * any other transient error. Pure.
 *
 * The figures:
 * - Connecting (TCP and TLS to a regional endpoint) takes milliseconds inside a region; 3 s leaves
 *   room for a slow DNS answer and a lost SYN (the first TCP retransmission comes after 1 s). A
 *   judgement.
 * - A small request (a listing page, HeadObject, a marker, AssumeRole, an SQS batch): AWS advises
 *   retrying small S3 requests, whose median latency is tens of milliseconds, after 2 seconds
 *   ("Timeouts and Retries for Latency-Sensitive Applications", Best Practices Design Patterns:
 *   Optimizing Amazon S3 Performance). 10 s is five times that: a Lambda function at a fraction of
 *   a vCPU with dozens of requests in flight reads its answers late, and a retry there costs more
 *   than it saves.
 * - A copy is as long as its bytes: S3 answers a CopyObject or UploadPartCopy when the copy is done
 *   (its 200 may even come first and carry an error at the end). AWS documents no server-side copy
 *   rate; 10 MiB/s is a floor well below what an in-region copy reaches (a judgement), so a 256 MiB
 *   CopyObject (the default multipart threshold) waits 10 s + 25.6 s, and a 5 GiB one 522 s.
 */

const MiB = 1024 * 1024;

/** Time to open a connection (TCP and TLS). */
export const CONNECTION_TIMEOUT_MS = 3_000;
/** Time to the answer of a request that moves no object data. */
export const SMALL_REQUEST_TIMEOUT_MS = 10_000;
/** The slowest server-side copy rate waited for, in bytes per millisecond (10 MiB/s). */
export const COPY_FLOOR_BYTES_PER_MS = (10 * MiB) / 1000;
/** Lambda's longest invocation: no request is worth waiting for beyond it. */
export const MAX_REQUEST_TIMEOUT_MS = 900_000;

/** Time to the answer of a copy (CopyObject, UploadPartCopy) of `bytes`. */
export function copyTimeoutMs(bytes: number): number {
  return Math.min(MAX_REQUEST_TIMEOUT_MS, SMALL_REQUEST_TIMEOUT_MS + Math.ceil(Math.max(0, bytes) / COPY_FLOOR_BYTES_PER_MS));
}

/** The timeouts of one set of clients. */
export interface TimeoutPlan {
  readonly connectionTimeoutMs: number;
  /** Time to the response of a request that copies no data. */
  readonly requestTimeoutMs: number;
  /** Time to the response of a CopyObject (at most `largestSingleCopyBytes`). */
  readonly copyObjectTimeoutMs: number;
  /** Time to the response of an UploadPartCopy of `bytes` (its range says how many). */
  readonly partCopyTimeoutMs: (bytes: number) => number;
  /** Silence on an open connection after the response began (the body of a copy may come last). */
  readonly socketTimeoutMs: number;
}

/**
 * The plan for clients that copy objects up to `largestSingleCopyBytes` in one request and parts up
 * to `largestPartBytes`. `overrideMs` (the handler's REQUEST_TIMEOUT_MS) replaces every request and
 * socket timeout, for tests that must see a hang end quickly, or an operator who knows better.
 */
export function timeoutPlan(largestSingleCopyBytes: number, largestPartBytes: number, overrideMs?: number): TimeoutPlan {
  if (overrideMs !== undefined) {
    return {
      connectionTimeoutMs: Math.min(CONNECTION_TIMEOUT_MS, overrideMs),
      requestTimeoutMs: overrideMs,
      copyObjectTimeoutMs: overrideMs,
      partCopyTimeoutMs: () => overrideMs,
      socketTimeoutMs: overrideMs,
    };
  }
  const copyObjectTimeoutMs = copyTimeoutMs(largestSingleCopyBytes);
  return {
    connectionTimeoutMs: CONNECTION_TIMEOUT_MS,
    requestTimeoutMs: SMALL_REQUEST_TIMEOUT_MS,
    copyObjectTimeoutMs,
    partCopyTimeoutMs: (bytes) => copyTimeoutMs(bytes),
    socketTimeoutMs: Math.max(copyObjectTimeoutMs, copyTimeoutMs(largestPartBytes)),
  };
}

/** The plan of the operator commands: no copies (the artifact upload is a few hundred KiB). */
export const COMMAND_TIMEOUTS: TimeoutPlan = timeoutPlan(0, 0);

/** The bytes an `x-amz-copy-source-range: bytes=a-b` header names, or undefined. */
export function rangeBytes(header: string | undefined): number | undefined {
  const m = header === undefined ? null : /^bytes=(\d+)-(\d+)$/.exec(header.trim());
  return m ? Number(m[2]) - Number(m[1]) + 1 : undefined;
}

/** The time to wait for the response of one request, from its headers alone. */
export function requestTimeoutFor(plan: TimeoutPlan, headers: Readonly<Record<string, string | undefined>>): number {
  const lower = (name: string) => headers[name] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  if (lower('x-amz-copy-source') === undefined) return plan.requestTimeoutMs;
  const range = rangeBytes(lower('x-amz-copy-source-range'));
  return range === undefined ? plan.copyObjectTimeoutMs : plan.partCopyTimeoutMs(range);
}
