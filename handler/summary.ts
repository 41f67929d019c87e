/** The run summary (docs/contract.md), built from the per-day results. Pure. */

/** What was copied. In a dry run `copied`/`bytesCopied` count what would be copied. */
export interface CopyCounts {
  readonly copied: number;
  /** Already at the destination and equal. */
  readonly skipped: number;
  readonly failed: number;
  /**
   * Archived (GLACIER, DEEP_ARCHIVE, or an Intelligent-Tiering archive tier): not copied, not
   * retried, not a failure. Restore them to copy them (see {@link ARCHIVED_HELP}).
   */
  readonly archived: number;
  readonly bytesCopied: number;
  /** Dry runs only: objects that would be copied because the destination has no such key. */
  readonly missing?: number;
  /** Dry runs only: objects that would be copied again because the destination's differs (size, or ETag and age). */
  readonly differ?: number;
  /**
   * With DAY_MARKER, once the day is complete: the day-complete marker `written`, left `unchanged`,
   * not written because a source object is not at the destination (`incomplete`, see
   * `markerMissing`), or not written because the time budget ran out in its walk (`stopped`: the
   * day is handed on). Absent when the day is not complete.
   */
  readonly marker?: 'written' | 'unchanged' | 'incomplete' | 'stopped';
}

/** One day's counts. */
export interface DaySummary extends CopyCounts {
  readonly date: string;
  /** The source prefix listed. */
  readonly prefix: string;
  /** Source objects listed under the prefix (all of them, or up to where a stopped run ended). */
  readonly listed: number;
  /** With `marker: 'incomplete'`: the first source key the marker's walk did not find equal at the destination. */
  readonly markerMissing?: string;
  /**
   * With EXCLUDE: source objects of the day that an exclusion pattern matched (not copied, not in
   * `listed`, not in the marker). Absent without EXCLUDE.
   */
  readonly excluded?: number;
  /**
   * With SOURCE_READY_KEY: true while the source day has no ready key (nothing copied, no marker,
   * not a failure; the scheduled run and the ready key's own event retry it).
   */
  readonly waiting?: true;
  /**
   * With SOURCE_READY_KEY, in the run that ended the day: the ready key `copied` (last), already
   * `equal` at the destination, `held` back (an object of the day failed or is archived: it is
   * copied once the day is whole), or `gone` from the source during the copy (the day waits again).
   */
  readonly ready?: 'copied' | 'equal' | 'held' | 'gone';
  /**
   * A day a scheduled run reconciled after its own (LOOKBACK_DAYS): what it copied (`copied`)
   * arrived after the day was copied before, and is counted in the summary's `lateCopied`.
   */
  readonly lookback?: true;
  /** Source objects not copied and not counted in `listed`, by reason: `markerName`, a key named like the day's marker. Absent when none. */
  readonly ignored?: { readonly markerName: number };
  /**
   * Source objects left out because their destination key would be over S3's 1,024 bytes of UTF-8
   * (rules/keyLength.ts): never sent, not retried, not failures; the day completes without them
   * and its marker lists them in `leftOut`. Counted in `listed`. Absent when none.
   */
  readonly tooLong?: number;
  /** With `tooLong`: the first {@link MAX_LISTED_TOO_LONG} of them. */
  readonly tooLongKeys?: readonly TooLongObject[];
  /**
   * Destination-only objects under the day's destination prefix (the day marker and excluded keys
   * aside): objects the source day does not have, e.g. part files of an earlier run of a day
   * rewritten upstream. Counted in every mode by the walk that compares the day, over all its
   * parts, and given once the walk reached the day's end; absent before.
   */
  readonly extra?: number;
  /**
   * Extras deleted (EXACT_DAYS) by this invocation (a day whose delete pass several invocations
   * share reports each one's); in a dry run, the extras a run would delete. Present with `extra`.
   */
  readonly deleted?: number;
  /** The first 10 extras' destination keys. */
  readonly extraKeys?: readonly string[];
  /**
   * Why extras were not deleted, when there were some: `exactDaysOff`, `dryRun`, `copyFailed` (a
   * copy of the day failed), `emptySourceDay` (the source day lists no object), `tooMany` (more
   * than EXACT_DAYS_MAX_DELETES: a failure of the day, but in a dry run).
   */
  readonly notDeleted?: 'exactDaysOff' | 'dryRun' | 'copyFailed' | 'emptySourceDay' | 'tooMany';
  /** Extras not deleted because their source object was back when looked up just before the delete. */
  readonly backAtSource?: number;
  /** True with EXACT_DAYS: a day with extras is not in sync. */
  readonly exactDays?: true;
}

/** A source object left out because its destination key would be too long for S3. */
export interface TooLongObject {
  /** The source key. */
  readonly key: string;
  /** The length its destination key would have, in bytes of UTF-8. */
  readonly destinationBytes: number;
}

/**
 * At most this many keys too long for the destination are listed per day (`tooLong` counts them
 * all): a key is up to 1 KB, and one says what is wrong with the rest.
 */
export const MAX_LISTED_TOO_LONG = 10;

/** One object that could not be copied. */
export interface Failure {
  /** The source key. */
  readonly key: string;
  readonly error: string;
}

/** One archived object, left out of the copy. */
export interface ArchivedObject {
  /** The source key. */
  readonly key: string;
  /**
   * As HeadObject or the copy's error said: GLACIER, DEEP_ARCHIVE, INTELLIGENT_TIERING (ARCHIVE_ACCESS)
   * or (DEEP_ARCHIVE_ACCESS), with `, restore in progress` while a restore runs.
   */
  readonly storageClass: string;
}

/**
 * What to do about archived objects, logged with them. CopyObject and UploadPartCopy answer
 * InvalidObjectState (CopyObject may answer ObjectNotInActiveTierError) for an object in S3 Glacier Flexible Retrieval, S3 Glacier Deep Archive or
 * an Intelligent-Tiering archive access tier until it is restored
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/restoring-objects.html).
 */
export const ARCHIVED_HELP =
  'archived objects are not copied until restored: in the source account, restore each one ' +
  "(GLACIER, DEEP_ARCHIVE: aws s3api restore-object --bucket <source> --key <key> --restore-request '{\"Days\": 7}', " +
  "with Days past the next run; Intelligent-Tiering archive tiers: --restore-request '{}'); " +
  'the first run after the restore has completed copies it (a restored object keeps its storage class; s3-push reads its restore status)';

/** What an invocation did; returned and logged as one JSON line. */
export interface Summary extends CopyCounts {
  readonly dryRun: boolean;
  readonly dates: readonly DaySummary[];
  /** The first {@link MAX_LISTED_FAILURES} failures; `failed` has the full count. */
  readonly failures: readonly Failure[];
  /**
   * Scheduled runs only: the objects this run had to copy (= `copied`). With push on write the
   * events copy each object as it lands, so the daily run is reconciliation and this should be 0;
   * anything else is what the events missed.
   */
  readonly reconciled?: number;
  /** The first {@link MAX_LISTED_FAILURES} archived objects; `archived` has the full count. */
  readonly archivedObjects: readonly ArchivedObject[];
  /** Source objects of all the days left out as too long for the destination (each day's `tooLong`). Absent when none. */
  readonly tooLong?: number;
  /**
   * Scheduled runs with LOOKBACK_DAYS, and work batches of lookback items (the rest of such a day
   * handed on): objects copied into the days before the run's own, which arrived after those days
   * were copied (late files, or a waiting day now ready).
   */
  readonly lateCopied?: number;
  /** With EXCLUDE: the days' `excluded`, added up. */
  readonly excluded?: number;
  /** The days' `extra` and `deleted` added up; absent when no day has them. */
  readonly extra?: number;
  readonly deleted?: number;
}

/**
 * At most this many failures are listed: a day where every object fails (say, a missing
 * permission) would otherwise produce a log line over CloudWatch's 256 KB event limit and a
 * response over Lambda's 6 MB limit. One failure usually explains the rest.
 */
export const MAX_LISTED_FAILURES = 100;

/**
 * A listed failure's error is cut to this many characters. An error names both keys (up to 1,024
 * bytes each): 100 uncut failures of 1-KB keys made a 315 KB log line, over CloudWatch's 256 KB.
 */
export const MAX_FAILURE_ERROR_CHARS = 600;

/**
 * Appends failures to a list until it holds {@link MAX_LISTED_FAILURES}: never more, and never by
 * spreading an array into a call (`push(...list)` throws RangeError past ~125,000 elements).
 */
export function keepFailures(list: Failure[], more: Iterable<Failure>): void {
  for (const f of more) {
    if (list.length >= MAX_LISTED_FAILURES) return;
    list.push(f.error.length > MAX_FAILURE_ERROR_CHARS ? { key: f.key, error: `${f.error.slice(0, MAX_FAILURE_ERROR_CHARS)}… (${f.error.length - MAX_FAILURE_ERROR_CHARS} more characters)` } : f);
  }
}

/** Adds up the days. */
export function summarize(dryRun: boolean, days: readonly DaySummary[], failures: readonly Failure[], archivedObjects: readonly ArchivedObject[] = []): Summary {
  const sum = (f: (d: DaySummary) => number): number => days.reduce((n, d) => n + f(d), 0);
  const tooLong = sum((d) => d.tooLong ?? 0);
  return {
    dryRun,
    dates: days,
    copied: sum((d) => d.copied),
    skipped: sum((d) => d.skipped),
    failed: sum((d) => d.failed),
    archived: sum((d) => d.archived),
    bytesCopied: sum((d) => d.bytesCopied),
    failures: failures.slice(0, MAX_LISTED_FAILURES),
    archivedObjects: archivedObjects.slice(0, MAX_LISTED_FAILURES),
    ...(tooLong > 0 ? { tooLong } : {}),
    ...(days.some((d) => d.excluded !== undefined) ? { excluded: sum((d) => d.excluded ?? 0) } : {}),
    ...(days.some((d) => d.extra !== undefined) ? { extra: sum((d) => d.extra ?? 0), deleted: sum((d) => d.deleted ?? 0) } : {}),
  };
}
