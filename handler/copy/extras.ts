/**
 * Exact days: which destination objects of a day are extras (the source day does not have them),
 * and whether this run may delete them. Pure: works on listings and counts, makes no request.
 *
 * A delete is the one thing s3-push does that cannot be undone (on a bucket without versioning),
 * so the rule is written once, here, and mutation-tested:
 * - only with EXACT_DAYS, never in a dry run (a dry run reports what it would delete);
 * - only once every copy of the day succeeded, in every part of it (a failed copy may mean the
 *   source listing is not what the producer meant, or the role lost a permission);
 * - never when the source day lists no object (upstream failed, or PREFIX_FORMAT is wrong: an
 *   empty source would otherwise empty the partner's day);
 * - never more than EXACT_DAYS_MAX_DELETES in a day (like rclone's --max-delete): a day whose
 *   source lists 1 object and the destination 100,000 is far more likely a broken upstream than
 *   a rewrite, so nothing of it is deleted and the day fails, naming the count and the ceiling;
 * - only keys under the day's own destination prefix, never the day marker, never an excluded key.
 */
import { compareKeys, type ObjectInfo } from './plan.ts';

/** S3's limit of keys in one DeleteObjects request. https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html */
export const MAX_KEYS_PER_DELETE = 1000;

/** Extras listed by key in a day's summary; `extra` counts them all. */
export const MAX_LISTED_EXTRAS = 10;

/** Why the extras of a day were not deleted. */
export type NotDeletedReason = 'exactDaysOff' | 'dryRun' | 'copyFailed' | 'emptySourceDay' | 'tooMany';

/** Default of EXACT_DAYS_MAX_DELETES: above the part files of a day that batch writers rewrite, far below a prefix gone wrong. */
export const DEFAULT_MAX_DELETES_PER_DAY = 10_000;
/** The highest EXACT_DAYS_MAX_DELETES accepted (one billion: no ceiling in practice). */
export const MAX_MAX_DELETES_PER_DAY = 1_000_000_000;

/** The words of each reason, for the summary and the log. */
export const NOT_DELETED_HELP: Readonly<Record<NotDeletedReason, string>> = {
  exactDaysOff: 'EXACT_DAYS is off: destination-only objects are counted, never deleted',
  dryRun: 'a dry run deletes nothing: `deleted` counts what a run would delete',
  copyFailed: 'a copy of the day failed (in this part or an earlier one): nothing is deleted until a run copies the whole day',
  emptySourceDay: 'the source day lists no object (upstream failed, or PREFIX_FORMAT does not match): an empty source never empties the destination day',
  tooMany: 'the day has more extras than EXACT_DAYS_MAX_DELETES allows: nothing of it is deleted and the day fails. Check the source day first; if it is right, raise S3_REPLICATE_EXACT_DAYS_MAX_DELETES and redeploy, or delete the extras by hand',
};

/** What a run knows about a day when its copy walk reached the day's end. */
export interface DeleteContext {
  /** EXACT_DAYS. */
  readonly exactDays: boolean;
  readonly dryRun: boolean;
  /** Copies of the day that failed, in this part and every earlier one (work items carry them). */
  readonly failedSoFar: number;
  /** EXACT_DAYS_MAX_DELETES: the most extras one day may lose. */
  readonly maxDeletes: number;
}

/**
 * Whether the extras of a day may be deleted, given the run's context, the number of objects of
 * the source day (at least 1 is enough) and the day's extras: `undefined` when they may, else why
 * not. A dry run answers as the run would, but that it may delete (`dryRun`): so it shows a day
 * the ceiling would hold.
 */
export function notDeletedReason(context: DeleteContext, sourceObjects: number, extra: number): NotDeletedReason | undefined {
  if (!context.exactDays) return 'exactDaysOff';
  if (context.failedSoFar > 0) return 'copyFailed';
  if (sourceObjects === 0) return 'emptySourceDay';
  if (extra > context.maxDeletes) return 'tooMany';
  if (context.dryRun) return 'dryRun';
  return undefined;
}

/** Where a day's keys live, for {@link isDeletable}. */
export interface DayScope {
  /** The day's own prefix at the destination. */
  readonly destinationDayPrefix: string;
  /** The day marker's key at the destination. */
  readonly markerKey: string;
  /** The source key of a destination key of the day, or undefined when it has none. */
  readonly sourceKeyOf: (destinationKey: string) => string | undefined;
  /** True for a source key that is not an object of the day (exclusions). Default: none. */
  readonly isExcluded?: (sourceKey: string) => boolean;
}

/**
 * True for a destination key that is an extra of the day when the source does not have it: under
 * the day's own destination prefix (strictly: the prefix alone is no object of the day), not the
 * marker, mapping back to a source key of the day that is not excluded.
 */
export function isDeletable(destinationKey: string, scope: DayScope): boolean {
  if (!destinationKey.startsWith(scope.destinationDayPrefix) || destinationKey.length === scope.destinationDayPrefix.length) return false;
  if (destinationKey === scope.markerKey) return false;
  const sourceKey = scope.sourceKeyOf(destinationKey);
  if (sourceKey === undefined) return false;
  return !(scope.isExcluded?.(sourceKey) ?? false);
}

/** Options of {@link destinationOnly}. */
export interface DestinationOnlyOptions {
  /** Asked before each destination object the walk considers; true ends the walk (`state.stopped`). Default: never. */
  readonly shouldStop?: () => boolean;
  /** Called with each source object of the day (not the ones `skipSource` leaves out). */
  readonly onSource?: (source: ObjectInfo) => void;
  /** True for a source object that is no object of the day (the marker's name, an excluded key). Default: none. */
  readonly skipSource?: (source: ObjectInfo) => boolean;
}

/** How a {@link destinationOnly} walk ended. */
export interface WalkEnd {
  stopped: boolean;
  /**
   * The last destination key the walk is done with: matched, or yielded and taken by the caller
   * (who asked for the next). Undefined until the first. A walk resumed after it misses nothing.
   */
  lastKey?: string | undefined;
}

/**
 * Walks a day's source and destination listings together, in S3 order, holding neither, and
 * yields each destination object whose key is no source object's destination key. The first
 * source object is read before any destination object is yielded, so `onSource` has counted it
 * (an empty source day is known) before the first extra. The source is listed only as far as the
 * destination goes: past the destination's last key there is nothing to decide. `end` says how
 * it ended and how far it got (`lastKey`).
 */
export async function* destinationOnly(
  source: AsyncIterable<ObjectInfo>,
  destination: AsyncIterable<ObjectInfo>,
  toDestination: (sourceKey: string) => string,
  end: WalkEnd,
  options: DestinationOnlyOptions = {},
): AsyncGenerator<ObjectInfo> {
  // Stryker disable next-line ArrowFunction: equivalent, () => undefined is as falsy as () => false
  const shouldStop = options.shouldStop ?? (() => false);
  // Stryker disable next-line ArrowFunction: equivalent, () => undefined is as falsy as () => false
  const skip = options.skipSource ?? (() => false);
  const srcIter = source[Symbol.asyncIterator]();
  const destIter = destination[Symbol.asyncIterator]();
  const nextSource = async (): Promise<string | undefined> => {
    for (;;) {
      const r = await srcIter.next();
      if (r.done) return undefined;
      if (skip(r.value)) continue;
      options.onSource?.(r.value);
      return toDestination(r.value.key);
    }
  };
  end.stopped = false;
  end.lastKey = undefined;
  try {
    let wanted = await nextSource();
    for (let d = await destIter.next(); !d.done; d = await destIter.next()) {
      if (shouldStop()) {
        end.stopped = true;
        return;
      }
      while (wanted !== undefined && compareKeys(wanted, d.value.key) < 0) {
        // Source objects missing at the destination (a dry run's) may fill many pages: ask on each.
        if (shouldStop()) {
          end.stopped = true;
          return;
        }
        wanted = await nextSource();
      }
      if (wanted !== d.value.key) yield d.value;
      end.lastKey = d.value.key;
    }
  } finally {
    // An async generator always has return(): the optional call only allows other iterables.
    // Stryker disable next-line OptionalChaining: equivalent for the listings, which are async generators
    await Promise.all([srcIter.return?.(undefined), destIter.return?.(undefined)]);
  }
}
