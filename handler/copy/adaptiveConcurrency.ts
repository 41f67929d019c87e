/**
 * How many copies a day keeps in flight, adjusted while it runs. Pure but for the clock and the two
 * probes (the event loop's busy share, the count of throttling answers), all injectable.
 *
 * A day's rate is `min(CPU ÷ CPU per copy, copies in flight ÷ S3's latency)`, and neither term is
 * known ahead: the function's CPU depends on its memory (and on a noisy neighbour of the host),
 * S3's latency on the object, the region and the hour. So the limit starts low and moves:
 * - it grows after each window in which the event loop had idle time (busy below
 *   {@link CPU_SATURATED}): more copies in flight can only help while the CPU waits. It doubles
 *   until a growth first fails to pay or S3 first throttles (as TCP's slow start does), then
 *   grows by a tenth;
 * - a growth that did not raise the copies finished per second by {@link GAIN} is undone, and the
 *   limit holds for {@link HOLD_WINDOWS} windows before it tries again (S3's or the CPU's limit was
 *   reached; conditions change over a long day, so it probes again later). The window right after a
 *   change is not judged: the copies in flight are still moving to the new limit during it;
 * - any throttling answer (503 SlowDown, 503 Service Unavailable, 429), counted for every attempt
 *   by the destination client (handler/aws/throttleSignal.ts), halves it at once, at most once per
 *   round of copies; it then grows back by a tenth at a time (additive increase, multiplicative
 *   decrease, as TCP does): S3 asks a client to reduce its request rate on SlowDown and scales a
 *   prefix to a higher rate gradually, answering 503 meanwhile
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html).
 *
 * It never passes `cap` (COPY_CONCURRENCY), which sizes the clients' socket pools within Lambda's
 * file descriptors (./connections.ts), and never goes below 1. S3's 3,500 writes per second per
 * prefix are held by the write pacer (./writePacer.ts) whatever the limit.
 */
import { performance } from 'node:perf_hooks';

/** COPY_CONCURRENCY_START's default: copies in flight when a day starts (at most COPY_CONCURRENCY). */
export const DEFAULT_START_CONCURRENCY = 16;
/** Event-loop utilization from which the CPU counts as saturated: more copies in flight cannot help. */
export const CPU_SATURATED = 0.9;
/** A growth must raise the copies finished per second by this factor to be kept. */
export const GAIN = 1.05;
/** Windows the limit holds after a growth that gained nothing or after a back-off. */
export const HOLD_WINDOWS = 10;
/** Shortest window; a window also spans two copies per slot (one while settling after a change). */
export const DEFAULT_WINDOW_MS = 200;

/** Options of {@link adaptiveConcurrency}. */
export interface AdaptiveConcurrencyOptions {
  /** The most copies in flight: COPY_CONCURRENCY. */
  readonly cap: number;
  /** Copies in flight at first. Default `min(cap, {@link DEFAULT_START_CONCURRENCY})`. */
  readonly start?: number | undefined;
  /** Milliseconds of a monotonic clock. Default `performance.now`. */
  readonly now?: () => number;
  /**
   * The share (0–1) of the time since its previous call that the CPU was busy. Default: the event
   * loop's utilization (`performance.eventLoopUtilization`), which nears 1 both when JavaScript
   * saturates a CPU and when a CPU quota (a small Lambda) holds the process back.
   */
  readonly busy?: () => number;
  /** Throttling answers seen so far (a count that only grows). Default: none ever. */
  readonly throttles?: () => number;
  /** Shortest window in ms. Default {@link DEFAULT_WINDOW_MS}. */
  readonly windowMs?: number;
}

/** What a run reports of the limit's course. */
export interface ConcurrencyStats {
  readonly start: number;
  readonly cap: number;
  /** The limit now (at the end of a day: where it settled). */
  readonly limit: number;
  /** The highest and lowest limit it reached. */
  readonly peak: number;
  readonly low: number;
  /** Windows measured, growths tried, growths undone, back-offs on throttling. */
  readonly windows: number;
  readonly growths: number;
  readonly undone: number;
  readonly backoffs: number;
}

/** The limit a day's walk asks before it starts a copy. */
export interface ConcurrencyLimit {
  /** Copies that may be in flight now (1 to cap). */
  readonly limit: number;
  /** Call when a copy finishes, whatever its outcome. */
  finished(): void;
  stats(): ConcurrencyStats;
}

/** The event loop's utilization since the previous call. */
function eventLoopBusy(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, last);
    last = now;
    return delta.utilization;
  };
}

/** A limit that adapts as {@link AdaptiveConcurrencyOptions} describes. */
export function adaptiveConcurrency(options: AdaptiveConcurrencyOptions): ConcurrencyLimit {
  const cap = Math.max(1, Math.floor(options.cap));
  const start = Math.min(cap, Math.max(1, Math.floor(options.start ?? DEFAULT_START_CONCURRENCY)));
  const now = options.now ?? (() => performance.now());
  const busy = options.busy ?? eventLoopBusy();
  const throttles = options.throttles ?? (() => 0);
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;

  let limit = start;
  let peak = start;
  let low = start;
  let windows = 0;
  let growths = 0;
  let undone = 0;
  let backoffs = 0;

  let windowStart = now();
  let finishedInWindow = 0;
  let seenThrottles = throttles();
  // Doubling until a growth first fails to pay or S3 first throttles; a tenth at a time after.
  let slowStart = true;
  // The window after a change is not judged: the copies in flight are still moving to the new limit.
  let settling = false;
  // Copies still to finish before another throttling answer may halve the limit again.
  let absorb = 0;
  let hold = 0;
  // The growth under trial: the limit and rate before it.
  let trial: { limit: number; rate: number } | undefined;

  const set = (n: number): void => {
    limit = Math.min(cap, Math.max(1, n));
    peak = Math.max(peak, limit);
    low = Math.min(low, limit);
  };
  const newWindow = (t: number): void => {
    windowStart = t;
    finishedInWindow = 0;
  };

  return {
    get limit() {
      return limit;
    },
    finished() {
      finishedInWindow++;
      const t = now();
      const thrown = throttles();
      if (absorb > 0) absorb--;
      if (thrown > seenThrottles) {
        seenThrottles = thrown;
        // Once per round: the copies that were in flight when S3 pushed back may answer throttled
        // too, and halving once for each of them would drop the limit to 1.
        if (absorb === 0) {
          absorb = limit;
          slowStart = false;
          backoffs++;
          set(Math.floor(limit / 2));
          trial = undefined;
          settling = true;
          newWindow(t);
          return;
        }
      }
      // A judged window spans two rounds of the copies in flight: one round of copies whose
      // latencies jitter is too noisy to tell a 5 % gain. A settling window needs only one.
      if (t - windowStart < windowMs || finishedInWindow < limit * (settling ? 1 : 2)) return;
      const rate = (finishedInWindow * 1000) / (t - windowStart);
      const busyShare = busy();
      windows++;
      newWindow(t);
      if (settling) {
        settling = false;
        return;
      }
      if (trial !== undefined) {
        const tried = trial;
        trial = undefined;
        if (rate < tried.rate * GAIN) {
          undone++;
          slowStart = false;
          set(tried.limit);
          hold = HOLD_WINDOWS;
          settling = true;
          return;
        }
      }
      if (hold > 0) {
        hold--;
        return;
      }
      if (busyShare >= CPU_SATURATED || limit >= cap) return;
      trial = { limit, rate };
      growths++;
      set(slowStart ? limit * 2 : limit + Math.max(1, Math.ceil(limit / 10)));
      settling = true;
    },
    stats() {
      return { start, cap, limit, peak, low, windows, growths, undone, backoffs };
    },
  };
}
