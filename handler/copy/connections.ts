/**
 * How many sockets the handler may open, and how many parts of one multipart copy run at once.
 * Pure arithmetic.
 *
 * Lambda gives a function 1,024 file descriptors in all
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html), and every open
 * socket is one. The runtime, Node.js itself, the log pipe and DNS use some; the rest must never be
 * exceeded whatever COPY_CONCURRENCY says (up to 256), or a run fails with EMFILE. So the S3
 * clients' socket pools are capped at {@link SOCKET_BUDGET} together, and the part concurrency of a
 * multipart copy shrinks as COPY_CONCURRENCY grows so that the requests in flight fit the pool
 * (a request beyond the pool waits for a socket instead of opening one).
 */

/** Lambda's file descriptor limit. */
export const LAMBDA_FILE_DESCRIPTORS = 1024;
/** The sockets the S3 clients may hold together: half of Lambda's file descriptors. */
export const SOCKET_BUDGET = LAMBDA_FILE_DESCRIPTORS / 2;
/** Sockets of the source client: it only lists (one page, and the next one prefetched). */
export const SOURCE_SOCKETS = 8;
/** Parts of one multipart copy in flight when nothing else limits it. */
export const DEFAULT_PART_CONCURRENCY = 8;

/**
 * Default COPY_CONCURRENCY: the most objects in flight at which each one still gets its full
 * {@link DEFAULT_PART_CONCURRENCY} parts within the destination's share of the socket budget,
 * (512 - 8 - 2) / 8 = 62. On AWS a day's rate is bounded by copies in flight ÷ S3's latency
 * (tens of milliseconds per small copy) as well as by the function's CPU: at 62 in flight and
 * 30 ms the latency bound (about 2,000 copies/s) is above what a 1,024 MB function's 0.58 vCPU
 * can sign and send, so the CPU it pays for is the limit, where 16 in flight left it waiting on
 * S3 (about 530 copies/s). S3's 3,500 writes per second per prefix are kept by the pacer
 * (handler/copy/writePacer.ts), not by this figure.
 */
export const DEFAULT_COPY_CONCURRENCY = Math.floor((SOCKET_BUDGET - SOURCE_SOCKETS - 2) / DEFAULT_PART_CONCURRENCY);

/** The connection plan of a run. */
export interface ConnectionPlan {
  /** maxSockets of the destination client (copies, part copies, destination listing). */
  readonly destinationSockets: number;
  /** maxSockets of the source client. */
  readonly sourceSockets: number;
  /** Parts of one multipart copy in flight at once. */
  readonly partConcurrency: number;
}

/**
 * The plan for `copyConcurrency` objects at once: the destination pool takes what the budget
 * leaves after the source pool; each object in flight gets an equal share of it for its parts
 * (at least 1, at most `requestedPartConcurrency`, default {@link DEFAULT_PART_CONCURRENCY}).
 */
export function connectionPlan(copyConcurrency: number, requestedPartConcurrency = DEFAULT_PART_CONCURRENCY): ConnectionPlan {
  const destinationSockets = SOCKET_BUDGET - SOURCE_SOCKETS;
  // Two sockets stay free for the destination listing (a page and the next one prefetched).
  const perObject = Math.floor((destinationSockets - 2) / Math.max(1, copyConcurrency));
  const partConcurrency = Math.max(1, Math.min(requestedPartConcurrency, perObject));
  return { destinationSockets, sourceSockets: SOURCE_SOCKETS, partConcurrency };
}
