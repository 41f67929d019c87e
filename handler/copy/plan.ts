/**
 * The copy plan: which source objects must be copied, and which are already at the destination.
 * Pure: works on listings, makes no request.
 *
 * When is a destination object "equal" to its source (so it is skipped)?
 * - Different size: never equal (changed, copied again).
 * - Same size and same ETag (quotes stripped): equal.
 * - Same size, different ETag: equal only when the destination object was written strictly after
 *   the source object (LastModified, as S3 lists it, to the second). ETags are not comparable
 *   across a copy in several common cases — a multipart copy gets a `…-N` ETag of its parts, a
 *   CopyObject of a multipart source gets a single-part ETag, and SSE-KMS (our KMS_KEY_ARN or the
 *   destination bucket's default encryption) gives ETags that are not the MD5 of the data — so an
 *   ETag rule alone would copy those objects again on every run. Any change at the source gives the
 *   source a LastModified at or after the previous copy, so a changed source is still copied again.
 *   "Strictly after" at one-second resolution may copy an object written in the same second as its
 *   copy once more; after that copy the rule holds and it is skipped. What this rule does not
 *   catch: another writer replacing the destination object, after the source's last write, with
 *   the same number of bytes — the destination account's own writes are left alone, like objects
 *   that exist only at the destination.
 */

import { destinationKeyProblem } from '../../rules/keyLength.ts';

/** One object as ListObjectsV2 reports it. */
export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  /** As listed, with or without the surrounding quotes. */
  readonly etag: string;
  readonly lastModified?: Date;
  /** ListObjectsV2's StorageClass (S3 omits it for STANDARD in some listings). */
  readonly storageClass?: string;
}

/**
 * What to do with one source object: copy it (`missing`, `changed`), skip it (`equal`), or leave it
 * out (`tooLong`: its destination key would be over S3's 1,024 bytes, so S3 would refuse the copy
 * on every run; rules/keyLength.ts).
 */
export type Decision = 'missing' | 'equal' | 'changed' | 'tooLong';

/**
 * Storage classes whose objects may be archived: S3 Glacier Flexible Retrieval (GLACIER) and S3
 * Glacier Deep Archive. Such an object cannot be copied unless it is restored (CopyObject answers
 * InvalidObjectState or ObjectNotInActiveTierError), and a restored object still lists with its
 * class, so the listed class only says to ask HeadObject (see `sourceArchiveState`).
 * Intelligent-Tiering objects in an archive tier list as INTELLIGENT_TIERING: only the copy's
 * error tells them apart. GLACIER_IR (Instant Retrieval) copies like STANDARD.
 */
export const ARCHIVE_STORAGE_CLASSES: ReadonlySet<string> = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/** True when the listed storage class may hold archived objects ({@link ARCHIVE_STORAGE_CLASSES}). */
export function mayBeArchived(source: ObjectInfo): boolean {
  // Stryker disable next-line ConditionalExpression: equivalent, the set holds no undefined
  return source.storageClass !== undefined && ARCHIVE_STORAGE_CLASSES.has(source.storageClass);
}

/** An ETag without its surrounding quotes (S3 lists `"abc…"`), lower-cased. */
export function normalizeEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '').toLowerCase();
}

/** Compares a source object with its destination counterpart (undefined when absent). */
export function decide(source: ObjectInfo, destination: ObjectInfo | undefined): Decision {
  if (!destination) return 'missing';
  if (source.size !== destination.size) return 'changed';
  if (normalizeEtag(source.etag) === normalizeEtag(destination.etag)) return 'equal';
  const src = source.lastModified?.getTime();
  const dst = destination.lastModified?.getTime();
  // Without both times the copy cannot be shown to be newer. (Equivalent mutants: without this
  // line NaN > NaN is false and the answer is 'changed' as well; the line says it on purpose.)
  // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, see above
  if (src === undefined || dst === undefined) return 'changed';
  return Math.floor(dst / 1000) > Math.floor(src / 1000) ? 'equal' : 'changed';
}

/**
 * Orders keys the way S3 lists them: by the bytes of their UTF-8 encoding. JavaScript's `<`
 * compares UTF-16 code units, which disagrees for characters above U+FFFF against U+E000–U+FFFF.
 * The two orders agree wherever the first unit that differs is not half of a surrogate pair, so
 * only then are the keys encoded (the walk compares every key: encoding each pair made garbage
 * for every object listed).
 */
export function compareKeys(a: string, b: string): number {
  // Stryker disable next-line ConditionalExpression: equivalent, equal keys reach a.length - b.length = 0 below
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  let i = 0;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, past the shorter key charCodeAt is NaN and stops the loop at length
  while (i < length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  // One key is the start of the other: the shorter one first, in bytes as in units.
  if (i === length) return a.length - b.length;
  const x = a.charCodeAt(i);
  const y = b.charCodeAt(i);
  // Stryker disable next-line ConditionalExpression: equivalent, UTF-8 bytes order keys without surrogates as their units do (this only saves encoding)
  if ((x & 0xf800) === 0xd800 || (y & 0xf800) === 0xd800) return Buffer.compare(Buffer.from(a), Buffer.from(b)); // UTF-8
  return x - y;
}

/** One source object with its destination counterpart, if the destination has it. */
export interface JoinedObject {
  readonly source: ObjectInfo;
  readonly destination: ObjectInfo | undefined;
  readonly decision: Decision;
}

/** Options of {@link joinListings}. */
export interface JoinOptions {
  /**
   * Asked before each destination-only object the walk passes over; true ends the walk there (the
   * source object it was looking for is not yielded). Default: never.
   */
  readonly shouldStop?: () => boolean;
  /**
   * Called with each destination-only object (no source object of the day maps to its key), in
   * key order, as the walk passes over it: before the source object it yields next, or after the
   * source's last one. Given, the walk goes on to the destination listing's end after the source's
   * last object (asking `shouldStop` before each), so that every destination-only object of the
   * day is reported; in a day in sync that end is already listed, so it costs no request. Default:
   * none, and the walk ends with the source.
   */
  readonly onDestinationOnly?: (object: ObjectInfo) => void;
}

/**
 * Walks the two listings together, in S3 order, without holding either in memory: for each source
 * object yields its destination counterpart, the object at `toDestination(source key)`. Both
 * listings are of one day, whose keys differ only in their day prefix (rules/prefix.ts `dayKeys`),
 * so they are in the same order. Destination-only objects are passed over (and reported to
 * `onDestinationOnly`: the day's extras are counted by this walk, at no request of their own),
 * asking `shouldStop` before each: a destination with millions of its own objects before the
 * source's next key would otherwise keep the walk listing past the time budget.
 */
export async function* joinListings(
  source: AsyncIterable<ObjectInfo>,
  destination: AsyncIterable<ObjectInfo>,
  toDestination: (sourceKey: string) => string,
  options: JoinOptions = {},
): AsyncGenerator<JoinedObject> {
  // Stryker disable next-line ArrowFunction: equivalent, () => undefined is as falsy as () => false
  const shouldStop = options.shouldStop ?? (() => false);
  const { onDestinationOnly } = options;
  const destIter = destination[Symbol.asyncIterator]();
  // The destination object at the head of its listing; undefined once the listing is done.
  let dest: ObjectInfo | undefined;
  const nextDest = async (): Promise<void> => {
    const r = await destIter.next();
    dest = r.done ? undefined : r.value;
  };
  const srcIter = source[Symbol.asyncIterator]();
  try {
    // Both first pages at once: the destination's waits for AssumeRole, the source's need not.
    let next = (await Promise.all([srcIter.next(), nextDest()]))[0];
    let lastMatch: ObjectInfo | undefined;
    for (; !next.done; next = await srcIter.next()) {
      const src = next.value;
      const wanted = toDestination(src.key);
      while (dest && compareKeys(dest.key, wanted) < 0) {
        // The previous source object's counterpart is not destination-only: pass it without asking.
        if (dest !== lastMatch) {
          if (shouldStop()) return;
          onDestinationOnly?.(dest);
        }
        await nextDest();
      }
      const match = dest && dest.key === wanted ? dest : undefined;
      lastMatch = match;
      // A key S3 cannot hold is never at the destination: decided here, never sent.
      yield { source: src, destination: match, decision: destinationKeyProblem(wanted) === undefined ? decide(src, match) : 'tooLong' };
    }
    if (onDestinationOnly === undefined) return;
    // Past the source's last key every destination object is destination-only (but the last match).
    for (; dest; await nextDest()) {
      if (dest === lastMatch) continue;
      if (shouldStop()) return;
      onDestinationOnly(dest);
    }
  } finally {
    await Promise.all([srcIter.return?.(), destIter.return?.()]);
  }
}
