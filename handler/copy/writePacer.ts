/**
 * Keeps a day's copies under S3's write rate for one prefix. Pure but for the clock and the timer,
 * both injectable.
 *
 * S3 supports "at least 3,500 PUT/COPY/POST/DELETE requests per second per partitioned prefix"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html) and answers
 * a faster burst with 503 SlowDown until it has scaled. A day's copies all write under one
 * destination prefix, so with enough copies in flight and a low latency one invocation could pass
 * that rate; the pacer holds the start of each copy so that no more than the limit start within any
 * second. The SDK still retries a SlowDown with backoff (handler/aws/clients.ts).
 */

/** S3's documented write rate per partitioned prefix. */
export const S3_WRITES_PER_SECOND_PER_PREFIX = 3500;

/** Options of {@link writePacer}. */
export interface WritePacerOptions {
  /** Writes started within any one second, at most. Default {@link S3_WRITES_PER_SECOND_PER_PREFIX}. */
  readonly perSecond?: number;
  /** Milliseconds of a monotonic clock. Default `performance.now`. */
  readonly now?: () => number;
  /** Waits `ms`. Default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Returns `beforeWrite()`: call it before each write; it returns undefined when the write may start
 * now (the common case costs no promise) or a promise to await first. A sliding window of one
 * second: the start times of the last `perSecond` writes, in a ring.
 */
export function writePacer(options: WritePacerOptions = {}): () => Promise<void> | undefined {
  const perSecond = Math.max(1, Math.floor(options.perSecond ?? S3_WRITES_PER_SECOND_PER_PREFIX));
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const starts = new Float64Array(perSecond).fill(Number.NEGATIVE_INFINITY);
  let next = 0;
  // Writes that are waiting take their slot in the ring at once, in order, each a second after the
  // start it displaces; so concurrent callers never share a slot.
  return () => {
    const t = now();
    const due = starts[next]! + 1000;
    const at = due > t ? due : t;
    starts[next] = at;
    next = (next + 1) % perSecond;
    return at > t ? sleep(at - t) : undefined;
  };
}
