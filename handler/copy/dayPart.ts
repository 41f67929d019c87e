/**
 * The rules of one part of a day, whoever runs it: the inline run of a copy event (a whole day, or
 * as much of it as the time budget allows) and the fan-out's work batch (a day, or the rest of one
 * after `startAfter`). What a day that could not be listed counts, when the day-complete marker
 * is written, what the continuation that hands the rest of a day on carries, and how archived
 * objects are reported are decided here, once.
 */
import { describeError } from '../../rules/errors.ts';
import { renderPrefix } from '../../rules/prefix.ts';
import type { IsoDate } from '../../rules/dates.ts';
import type { HandlerConfig } from '../config.ts';
import type { WorkItem } from '../fanOut/workItems.ts';
import type { Logger } from '../logger.ts';
import { ARCHIVED_HELP, type DaySummary, type Failure, type Summary } from '../summary.ts';
import { ARCHIVED_LOG_MESSAGE, THROTTLED_LOG_MESSAGE } from '../../rules/names.ts';
import { logIgnoredMarkerName, markCompleteDay, type MarkerOptions } from '../marker/dayMarker.ts';
import { replicateDay, type DayResult, type ReplicationClients } from './replicateDay.ts';
import { logTooLong, tooLongLeftOut } from './tooLong.ts';
import { settleDayExtras, type DeletePassState } from './exactDay.ts';

/** What one part of a day did. */
export interface DayPartOutcome {
  /** The day's summary, with its marker's outcome when the marker was due. */
  readonly day: DaySummary;
  /** This part's failures: the listing's, or the objects' and the marker's. */
  readonly failures: readonly Failure[];
  /** What the copy engine answered; undefined when the day could not be listed (or the role not assumed). */
  readonly result: DayResult | undefined;
  /**
   * True when the part is finished: its walk reached the end of the day and, when the marker was
   * due, the marker's own walk finished too. False hands the rest on (or runs out of time) like
   * any unfinished part; a marker walk stopped by the budget leaves `result.complete` true.
   */
  readonly complete: boolean;
  /** Why the day could not be listed, when it could not. */
  readonly error?: string;
  /**
   * With EXACT_DAYS, the day's delete pass the time budget cut (the part is not complete): where
   * it goes on. The continuation ({@link continuationOf}) carries it.
   */
  readonly deletePass?: DeletePassState;
}

/** Options of {@link runDayPart}: the marker's hooks pass through to {@link markCompleteDay}. */
export interface DayPartOptions extends Pick<MarkerOptions, 'shouldStop' | 'isExcluded' | 'leftOut'> {
  readonly logger: Logger;
}

/**
 * Copies one part of a day (`part.startAfter` onwards, the whole day without it). A day that cannot
 * be listed (or whose role cannot be assumed) counts as one failure, keyed by its prefix, and the
 * run goes on to its other days. The day-complete marker (DAY_MARKER) is written only when the
 * listing ran to its end, this is no dry run, and no object failed or was left out as archived in
 * this part or any earlier part of the day: the marker says every object of the day is at the
 * destination, but for those it names in `leftOut` (objects whose destination key would be too long
 * for S3, which no run can copy). Its walk asks `shouldStop` too; when it runs out of time the part is not complete,
 * and the rest of the day (which walks nothing new) writes it.
 *
 * The part whose walk reached the day's end knows the day's extras (the walk counts them, earlier
 * parts' counts travel in the work item) and records them; with EXACT_DAYS it deletes them, before
 * the marker, when no part of the day failed a copy (./exactDay.ts). A delete pass the budget cuts
 * leaves the part not complete: its continuation (`deleting`) copies nothing and goes on with the
 * pass where it stopped.
 */
export async function runDayPart(clients: ReplicationClients, config: HandlerConfig, part: WorkItem, options: DayPartOptions): Promise<DayPartOutcome> {
  const { logger, shouldStop, ...hooks } = options;
  if (part.deleting) return restOfDeletePass(clients, config, part, options);
  let result: DayResult;
  try {
    result = await replicateDay(clients, config, {
      date: part.date,
      dryRun: part.dryRun === true,
      ...(part.startAfter === undefined ? {} : { startAfter: part.startAfter }),
      ...(shouldStop ? { shouldStop } : {}),
      earlierProblems: (part.failedBefore ?? 0) + (part.archivedBefore ?? 0),
    });
  } catch (err) {
    const prefix = renderPrefix(config.prefixFormat, part.date);
    const error = describeError(err);
    return {
      day: { date: part.date, prefix, listed: 0, copied: 0, skipped: 0, failed: 1, archived: 0, bytesCopied: 0 },
      failures: [{ key: prefix, error }],
      result: undefined,
      complete: false,
      error,
    };
  }
  const failures = [...result.failures];
  let day = result.summary;
  let complete = result.complete;
  logIgnoredMarkerName(logger, day);
  logThrottled(logger, part.date, result);
  logTooLong(logger, day);
  const archivedSoFar = (part.archivedBefore ?? 0) + day.archived;
  // The walk reached the day's end: its extras are known, and with EXACT_DAYS deleted when no part
  // failed a copy. A day waiting for upstream's ready key is not the day yet: neither, and no marker.
  let deletePass: DeletePassState | undefined;
  if (result.complete && !day.waiting) {
    const extras = await settleDayExtras(clients, config, day, {
      dryRun: part.dryRun === true,
      failedSoFar: (part.failedBefore ?? 0) + day.failed,
      extra: (part.extraBefore ?? 0) + result.extra,
      extraKeys: result.extraKeys,
      // A continuation's startAfter is a key the day's source listed.
      sourceListed: part.startAfter !== undefined || day.listed > 0,
      ...(shouldStop ? { shouldStop } : {}),
      ...(hooks.isExcluded ? { isExcluded: hooks.isExcluded } : {}),
    });
    day = extras.summary;
    failures.push(...extras.failures);
    deletePass = extras.pass;
    if (extras.stopped) complete = false;
  }
  if (config.dayMarker && complete && !part.dryRun && day.failed === 0 && !part.failedBefore && archivedSoFar === 0 && !day.waiting) {
    const marked = await markDay(clients, config, day, options);
    day = marked.summary;
    if (marked.failure) failures.push(marked.failure);
    if (marked.stopped) complete = false;
  }
  // Handed on after a delete pass (cut, or the marker's walk after it was): the rest goes on from where the pass got.
  return { day, failures, result, complete, ...(deletePass && !complete ? { deletePass } : {}) };
}

/** Writes the day's marker (DAY_MARKER) once the day is complete. */
function markDay(clients: ReplicationClients, config: HandlerConfig, day: DaySummary, options: DayPartOptions): ReturnType<typeof markCompleteDay> {
  const { logger: _, shouldStop, ...hooks } = options;
  // Objects too long for the destination never keep a day from its marker: it names them in leftOut.
  const tooLong = tooLongLeftOut(config, day.date as IsoDate);
  const { leftOut } = hooks;
  return markCompleteDay(clients, config, day, {
    ...hooks,
    leftOut: leftOut === undefined ? tooLong : (source) => tooLong(source) ?? leftOut(source),
    ...(shouldStop ? { shouldStop } : {}),
  });
}

/**
 * A continuation of a day's delete pass: its copies are done (the part that ended the day's walk
 * handed it on), so nothing is listed for copying; the pass goes on after `deleteAfter`, then the
 * marker is written as by any part that ends the day.
 */
async function restOfDeletePass(clients: ReplicationClients, config: HandlerConfig, part: WorkItem, options: DayPartOptions): Promise<DayPartOutcome> {
  const { shouldStop, ...hooks } = options;
  const prefix = renderPrefix(config.prefixFormat, part.date);
  const idle: DayResult = {
    summary: { date: part.date, prefix, listed: 0, copied: 0, skipped: 0, failed: 0, archived: 0, bytesCopied: 0 },
    failures: [],
    archived: [],
    interrupted: [],
    lastKey: part.startAfter,
    complete: true,
    extra: 0,
    extraKeys: [],
    concurrency: { start: 0, cap: 0, limit: 0, peak: 0, low: 0, windows: 0, growths: 0, undone: 0, backoffs: 0 },
  };
  const extras = await settleDayExtras(clients, config, idle.summary, {
    dryRun: false,
    failedSoFar: 0,
    extra: part.extraBefore ?? 0,
    extraKeys: [],
    sourceListed: true,
    resume: { after: part.deleteAfter, extra: part.extraBefore ?? 0, deleted: part.deletedBefore ?? 0 },
    ...(shouldStop ? { shouldStop } : {}),
    ...(hooks.isExcluded ? { isExcluded: hooks.isExcluded } : {}),
  });
  let day = extras.summary;
  const failures = [...extras.failures];
  let complete = !extras.stopped;
  if (config.dayMarker && complete && day.failed === 0 && !part.failedBefore && !part.archivedBefore) {
    const marked = await markDay(clients, config, day, options);
    day = marked.summary;
    if (marked.failure) failures.push(marked.failure);
    if (marked.stopped) complete = false;
  }
  return { day, failures, result: idle, complete, ...(extras.pass && !complete ? { deletePass: extras.pass } : {}) };
}

/** True when the part handled at least one key: its rest can be handed on without looping. */
export function advanced(part: Pick<WorkItem, 'startAfter'>, result: Pick<DayResult, 'lastKey'>): boolean {
  return result.lastKey !== undefined && result.lastKey !== part.startAfter;
}

/**
 * The work item of the rest of a day after `startAfter`. The failures and archived objects of
 * this part and of every earlier part travel with it, so that the day's last part fails with them
 * (into the dead-letter queue) and writes no marker; so do the extras counted so far, so that the
 * day's last part knows them all. A dry run stays one, the rest of a scheduled day stays
 * scheduled, and the rest of a lookback day stays one. With `deletePass` (the budget cut the day's delete pass) the rest is that pass.
 */
export function continuationOf(
  part: WorkItem,
  startAfter: string,
  inPart: { readonly failed: number; readonly firstFailedKey: string | undefined; readonly archived: number; readonly extra?: number },
  deletePass?: DeletePassState,
): WorkItem {
  const failedSoFar = (part.failedBefore ?? 0) + inPart.failed;
  const firstFailedKey = part.firstFailedKey ?? inPart.firstFailedKey;
  const archivedSoFar = (part.archivedBefore ?? 0) + inPart.archived;
  const extraSoFar = deletePass ? deletePass.extra : (part.extraBefore ?? 0) + (inPart.extra ?? 0);
  return {
    date: part.date,
    startAfter,
    ...(part.dryRun ? { dryRun: true as const } : {}),
    ...(failedSoFar > 0 ? { failedBefore: failedSoFar, ...(firstFailedKey === undefined ? {} : { firstFailedKey }) } : {}),
    ...(archivedSoFar > 0 ? { archivedBefore: archivedSoFar } : {}),
    ...(extraSoFar > 0 ? { extraBefore: extraSoFar } : {}),
    ...(deletePass ? {
      deleting: true as const,
      ...(deletePass.after === undefined ? {} : { deleteAfter: deletePass.after }),
      ...(deletePass.deleted > 0 ? { deletedBefore: deletePass.deleted } : {}),
    } : {}),
    ...(part.scheduled ? { scheduled: true as const } : {}),
    ...(part.lookback ? { lookback: true as const } : {}),
  };
}

/**
 * Logs a day part whose copies S3 throttled, when it did: one WARN line
 * (`"message": "s3-push throttled by S3"`) with the back-offs and the copies in flight at the
 * start, at most, at least and at the end. The copies went on (the SDK retried them); the line
 * says why the day was slower, and that the destination prefix is busy.
 */
export function logThrottled(logger: Logger, date: IsoDate, result: Pick<DayResult, 'concurrency'>): void {
  const c = result.concurrency;
  if (c.backoffs === 0) return;
  logger.log('WARN', THROTTLED_LOG_MESSAGE, { date, backoffs: c.backoffs, copiesInFlight: { cap: c.cap, start: c.start, peak: c.peak, low: c.low, end: c.limit } });
}

/**
 * Logs the archived objects of a run, when there are any, with how to restore them: one WARN line
 * (`"message": "s3-push archived objects"`). They are neither copied nor failures.
 */
export function logArchived(logger: Logger, summary: Pick<Summary, 'archived' | 'archivedObjects'>): void {
  if (summary.archived === 0) return;
  logger.log('WARN', ARCHIVED_LOG_MESSAGE, { archived: summary.archived, archivedObjects: summary.archivedObjects, howToRestore: ARCHIVED_HELP });
}
