/**
 * Upstream's ready marker (`S3_REPLICATE_SOURCE_READY_KEY`, the handler's `SOURCE_READY_KEY`): a key
 * relative to the day prefix, such as Spark's `_SUCCESS`, that upstream writes once the day is
 * whole. A day is copied only once it exists, and it is copied last. Pure.
 */
import { exclusionMatcher } from './exclude.ts';

/** What the ready key may be, for messages. */
export const READY_KEY_EXPECTED = 'a key relative to the day prefix, like _SUCCESS (letters, digits, _ . = - + @ ~ $ % and "/" between segments)';

const CHARS = /^[A-Za-z0-9_.=+@~$%/-]+$/;

/**
 * What is wrong with a ready key, or undefined: bad characters, an empty or `.`/`..` segment, too
 * long for a key, the day marker's own name, or a key the exclusions leave out of the day (it would
 * never be copied, and the day never ready at the destination).
 */
export function readyKeyProblem(key: string, exclude: readonly string[], markerName: string): string | undefined {
  if (!CHARS.test(key)) return `expected ${READY_KEY_EXPECTED}`;
  if (key.split('/').some((s) => s === '' || s === '.' || s === '..')) return `has an empty, "." or ".." path segment: expected ${READY_KEY_EXPECTED}`;
  if (Buffer.byteLength(key) > 512) return `is ${Buffer.byteLength(key)} bytes: expected at most 512 (a key has at most 1,024 with its day prefix)`;
  if (key === markerName) return `is the name of s3-push's own day marker: expected upstream's ready key`;
  if (exclusionMatcher(exclude)(key)) return 'is excluded by the exclusion patterns: it would never be copied';
  return undefined;
}

/** Default LOOKBACK_DAYS: a scheduled run also reconciles the 3 days before its own (a late file of a Friday is caught by Monday's run). */
export const DEFAULT_LOOKBACK_DAYS = 3;
/** The most LOOKBACK_DAYS: a month. Each in-sync day costs its listings in the scheduled run's time budget. */
export const MAX_LOOKBACK_DAYS = 31;
