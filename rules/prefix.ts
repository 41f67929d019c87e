/**
 * PREFIX_FORMAT: the source prefix of one day, with the tokens `{YYYY}`, `{MM}` and `{DD}`
 * (zero-padded). Pure.
 */
import { dateParts, parseIsoDate, type IsoDate } from './dates.ts';

/**
 * The longest S3 key, in bytes of UTF-8: "The object key name is a sequence of Unicode characters
 * whose UTF-8 encoding is at most 1,024 bytes long."
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
 */
export const MAX_KEY_BYTES = 1024;

/** The default PREFIX_FORMAT. */
export const DEFAULT_PREFIX_FORMAT = '{YYYY}/{MM}/{DD}/';

/**
 * The characters a key prefix may hold when it lands in an IAM policy (the source's fixed lead,
 * DESTINATION_PREFIX): no `*` or `?` (IAM wildcards), no quotes. The template's AllowedPattern of
 * SourceKeyPrefix and DestinationPrefix.
 */
export const KEY_PREFIX_PATTERN = '^[A-Za-z0-9/_.=-]*$';

const TOKEN = /\{([^{}]*)\}/g;
const KNOWN_TOKENS = new Set(['YYYY', 'MM', 'DD']);

/**
 * Problems with a prefix format, empty when it is valid: every `{…}` must be a known token, braces
 * must pair, and the day must be identifiable (`{YYYY}`, `{MM}` and `{DD}` all present) — otherwise
 * two days would share one prefix and each run would copy the other's objects.
 */
export function prefixFormatProblems(format: string): string[] {
  const problems: string[] = [];
  const unknown = [...format.matchAll(TOKEN)].map((m) => m[1] ?? '').filter((t) => !KNOWN_TOKENS.has(t));
  if (unknown.length > 0) problems.push(`unknown token(s) ${unknown.map((t) => `{${t}}`).join(', ')} (known: {YYYY} {MM} {DD})`);
  const rest = format.replace(TOKEN, '');
  if (rest.includes('{') || rest.includes('}')) problems.push('unbalanced "{" or "}"');
  const missing = [...KNOWN_TOKENS].filter((t) => !format.includes(`{${t}}`));
  if (missing.length > 0) problems.push(`missing ${missing.map((t) => `{${t}}`).join(', ')}: each day needs its own prefix`);
  if (format.startsWith('/')) problems.push('must not start with "/" (S3 keys have no leading slash)');
  return problems;
}

/**
 * The fixed text of a prefix format before its first `{` token (may be empty): all the function's
 * role may list and read, so it narrows the IAM policies.
 */
export function staticLead(format: string): string {
  const i = format.indexOf('{');
  return i < 0 ? format : format.slice(0, i);
}

/** IAM's single-character wildcard standing for each digit of a token: `{YYYY}` → `????`, `{MM}` and `{DD}` → `??`. */
const TOKEN_WILDCARDS: Readonly<Record<string, string>> = { YYYY: '????', MM: '??', DD: '??' };

/**
 * The prefix format as an IAM pattern: each token becomes as many single-character wildcards (`?`)
 * as it has digits, so `exports/{YYYY}/{MM}/{DD}/` → `exports/????/??/??/`. Followed by `*` it
 * matches every key under any day's prefix and nothing shorter: in a Resource ARN and in a
 * StringLike condition alike, `?` matches exactly one character and `*` any run of characters
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
 * The fixed text holds no `*` or `?` ({@link KEY_PREFIX_PATTERN}), so it matches only itself.
 */
export function dayPattern(format: string): string {
  return format.replace(TOKEN, (whole, token: string) => TOKEN_WILDCARDS[token] ?? whole);
}

/** The years whose days the source bucket policy opens to the destination role ({@link dayPatterns}). */
export const POLICY_YEARS = { first: 2000, last: 2099 } as const;

/**
 * What each token may start with in a day's prefix, as IAM can say it: IAM's only wildcards are
 * `?` (one character) and `*` (any run), so a digit can be pinned only by writing it, and each
 * choice is one more pattern. The year's century ({@link POLICY_YEARS}), the first digit of the
 * month (0 or 1) and of the day (0 to 3).
 */
const TOKEN_VARIANTS: Readonly<Record<string, readonly string[]>> = { YYYY: ['20??'], MM: ['0?', '1?'], DD: ['0?', '1?', '2?', '3?'] };

/**
 * The prefix format as the IAM patterns of the source bucket policy: the fixed text as it is, each
 * token as one of {@link TOKEN_VARIANTS}, every combination (8 for a format with each token once,
 * sorted). Followed by `*`, together they match every key under the prefix of any day of
 * {@link POLICY_YEARS} and nothing shorter; narrower than {@link dayPattern}, whose `?` in every
 * digit's place admits letters there too (`home/jo/hn/…` under `{YYYY}/{MM}/{DD}/`). A token that
 * comes again is written as {@link dayPattern} writes it: it adds no digit a first one did not pin,
 * and each variant would double the patterns.
 */
export function dayPatterns(format: string): string[] {
  let patterns = [''];
  const seen = new Set<string>();
  let at = 0;
  for (const m of format.matchAll(TOKEN)) {
    const fixed = format.slice(at, m.index);
    at = m.index + m[0].length;
    const token = m[1]!;
    const variants = seen.has(token) ? [TOKEN_WILDCARDS[token]!] : TOKEN_VARIANTS[token] ?? [m[0]];
    seen.add(token);
    patterns = patterns.flatMap((p) => variants.map((v) => p + fixed + v));
  }
  return patterns.map((p) => p + format.slice(at)).sort();
}

/** Renders the prefix of one day, e.g. `{YYYY}/{MM}/{DD}/` → `2024/02/29/`. */
export function renderPrefix(format: string, date: IsoDate): string {
  const { year, month, day } = dateParts(date);
  const values: Record<string, string> = {
    YYYY: String(year).padStart(4, '0'),
    MM: String(month).padStart(2, '0'),
    DD: String(day).padStart(2, '0'),
  };
  return format.replace(TOKEN, (whole, token: string) => values[token] ?? whole);
}

/**
 * Where a day's objects land at the destination: the settings every destination key is derived
 * from (the handler config and the deploy config both have them, so either is passed as it is).
 * A source key `<source day prefix><rest>` lands at `<destination day prefix><rest>`, where the
 * destination day prefix is DESTINATION_PREFIX followed by the day rendered in
 * DESTINATION_PREFIX_FORMAT, or in PREFIX_FORMAT when no destination format is set (then the
 * destination key is DESTINATION_PREFIX + the source key). Configuration refuses both a
 * DESTINATION_PREFIX and a DESTINATION_PREFIX_FORMAT (the fixed text belongs in the format).
 */
export interface KeyLayout {
  /** PREFIX_FORMAT: the source prefix of one day. */
  readonly prefixFormat: string;
  /** DESTINATION_PREFIX: fixed text before every destination key; empty with a destination format. */
  readonly destinationPrefix: string;
  /** DESTINATION_PREFIX_FORMAT: the destination prefix of one day; undefined keeps the source's. */
  readonly destinationPrefixFormat?: string | undefined;
}

/** The format of a destination day prefix after DESTINATION_PREFIX. */
const destinationFormat = (layout: KeyLayout): string => layout.destinationPrefixFormat ?? layout.prefixFormat;

/** The destination prefix of one day, e.g. `acme/dt={YYYY}-{MM}-{DD}/` → `acme/dt=2024-07-01/`. */
export function destinationDayPrefix(layout: KeyLayout, date: IsoDate): string {
  return layout.destinationPrefix + renderPrefix(destinationFormat(layout), date);
}

/**
 * The keys of one day on both sides. Within a day the two prefixes are fixed and the `<rest>` of a
 * key is the same at both ends, so the mapping is a swap of prefixes, and two keys of the day
 * compare in the same order on both sides (a common prefix does not change the order of what
 * follows): the source and destination listings of a day can be walked together.
 */
export interface DayKeys {
  readonly date: IsoDate;
  /** The day's prefix in the source bucket. */
  readonly sourcePrefix: string;
  /** The day's prefix in the destination bucket. */
  readonly destinationPrefix: string;
  /** `<sourcePrefix><rest>` → `<destinationPrefix><rest>`; a key outside the day's prefix throws RangeError. */
  readonly toDestination: (sourceKey: string) => string;
  /** `<destinationPrefix><rest>` → `<sourcePrefix><rest>`; undefined for a key outside the day's destination prefix. */
  readonly toSource: (destinationKey: string) => string | undefined;
}

/** The two prefixes of `date` and the swap between them ({@link DayKeys}). */
export function dayKeys(layout: KeyLayout, date: IsoDate): DayKeys {
  const sourcePrefix = renderPrefix(layout.prefixFormat, date);
  const destinationPrefix = destinationDayPrefix(layout, date);
  return {
    date,
    sourcePrefix,
    destinationPrefix,
    toDestination: (sourceKey: string): string => {
      if (!sourceKey.startsWith(sourcePrefix)) throw new RangeError(`${JSON.stringify(sourceKey)} is not under the source prefix ${JSON.stringify(sourcePrefix)} of ${date}`);
      return destinationPrefix + sourceKey.slice(sourcePrefix.length);
    },
    toSource: (destinationKey: string): string | undefined => {
      return destinationKey.startsWith(destinationPrefix) ? sourcePrefix + destinationKey.slice(destinationPrefix.length) : undefined;
    },
  };
}

/**
 * The destination key of a source key: its day found under PREFIX_FORMAT ({@link dayOfKey}), its
 * rest kept under that day's destination prefix. Only a key of a day is ever copied: a key under
 * no day throws RangeError. Within a walk of one day, {@link dayKeys} does the same without a
 * regular expression per key.
 */
export function destinationKey(layout: KeyLayout, sourceKey: string): string {
  const day = dayOfKey(layout.prefixFormat, sourceKey);
  if (day.kind !== 'day') throw new RangeError(`${JSON.stringify(sourceKey)} is under no day of ${JSON.stringify(layout.prefixFormat)}: it has no destination key`);
  return destinationDayPrefix(layout, day.date) + sourceKey.slice(day.prefix.length);
}

/**
 * The source key a destination key was copied from (the inverse of {@link destinationKey}): its day
 * found in the destination layout. Undefined for a key under no destination day.
 */
export function sourceKeyOf(layout: KeyLayout, destinationKey: string): string | undefined {
  if (!destinationKey.startsWith(layout.destinationPrefix)) return undefined;
  const day = dayOfKey(destinationFormat(layout), destinationKey.slice(layout.destinationPrefix.length));
  if (day.kind !== 'day') return undefined;
  return renderPrefix(layout.prefixFormat, day.date) + destinationKey.slice(layout.destinationPrefix.length + day.prefix.length);
}

/**
 * True for a key where the copies land: under DESTINATION_PREFIX, and with a destination format
 * under one of its days. (With one bucket for both ends, events of such keys are the copies' own.)
 */
export function isDestinationKey(layout: KeyLayout, key: string): boolean {
  if (layout.destinationPrefixFormat === undefined) return key.startsWith(layout.destinationPrefix);
  return sourceKeyOf(layout, key) !== undefined;
}

/**
 * Every destination day prefix as one IAM pattern ({@link dayPattern} of the destination format
 * after DESTINATION_PREFIX); followed by `*` it matches every destination key of any day.
 */
export function destinationDayPattern(layout: KeyLayout): string {
  return layout.destinationPrefix + dayPattern(destinationFormat(layout));
}

/**
 * Problems with a DESTINATION_PREFIX_FORMAT, empty when it is valid: those of a prefix format, and
 * each token exactly once (a repeated token adds nothing a reader of the partner's bucket needs,
 * and one day must map to one destination prefix and back).
 */
export function destinationPrefixFormatProblems(format: string): string[] {
  const problems = prefixFormatProblems(format);
  const repeated = [...KNOWN_TOKENS].filter((t) => format.split(`{${t}}`).length > 2);
  if (repeated.length > 0) problems.push(`${repeated.map((t) => `{${t}}`).join(', ')} more than once: each token goes in exactly once`);
  return problems;
}

/** Where a key stands against PREFIX_FORMAT (see {@link dayOfKey}). */
export type KeyDay =
  /** Under the prefix of `date`: `prefix` is that day's rendered prefix, which the key starts with. */
  | { readonly kind: 'day'; readonly date: IsoDate; readonly prefix: string }
  /** The key has the format's shape (the fixed text, digits where the tokens are) but no calendar date there, e.g. `2024/02/30/`. */
  | { readonly kind: 'noCalendarDate' }
  /** The key does not start with the format's fixed text and digits. */
  | { readonly kind: 'outsidePattern' };

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * The day whose prefix a key lies under: the key must begin with the format rendered for a real
 * calendar date (the fixed text exactly, 4 and 2 digits where the tokens are, a repeated token with
 * the same digits). The inverse of {@link renderPrefix}: `dayOfKey(f, renderPrefix(f, d) + rest)`
 * is `d` for every valid format, date and rest.
 */
export function dayOfKey(format: string, key: string): KeyDay {
  const seen = new Set<string>();
  let pattern = '^';
  let last = 0;
  for (const m of format.matchAll(TOKEN)) {
    const token = m[1] ?? '';
    pattern += escapeRegExp(format.slice(last, m.index));
    // A token seen before must repeat its digits (a backreference), e.g. {YYYY}/{YYYY}{MM}{DD}/.
    pattern += seen.has(token) ? `\\k<${token}>` : `(?<${token}>\\d{${token === 'YYYY' ? 4 : 2}})`;
    seen.add(token);
    last = m.index + m[0].length;
  }
  pattern += escapeRegExp(format.slice(last));
  const match = new RegExp(pattern).exec(key);
  if (!match) {
    // Same fixed text and digits, but repeated tokens that disagree: a shape with no one date.
    const loose = new RegExp(`^${escapeRegExp(format).replace(/\\\{(YYYY|MM|DD)\\\}/g, (_, t: string) => `\\d{${t === 'YYYY' ? 4 : 2}}`)}`);
    return loose.test(key) ? { kind: 'noCalendarDate' } : { kind: 'outsidePattern' };
  }
  const g = match.groups ?? {};
  const date = parseIsoDate(`${g.YYYY ?? ''}-${g.MM ?? ''}-${g.DD ?? ''}`);
  if (date === undefined) return { kind: 'noCalendarDate' };
  return { kind: 'day', date, prefix: match[0] };
}

/**
 * The forms in which an object event may carry a key that starts with `lead`, for the EventBridge
 * rule's prefix filter: as written, URL-encoded as S3 encodes notification keys (`=` as `%3D`, `/`
 * kept), and with `/` encoded too (`%2F`), as some senders do. AWS does not document whether
 * EventBridge's `detail.object.key` is encoded; the rule matches every form, the handler decodes.
 * The lead holds only letters, digits and `/ _ . = -` (deploy checks it), so only `=` and `/` differ.
 * A form equal to an earlier one is '' (nothing to add to the filter).
 */
export function eventKeyPrefixForms(lead: string): { asWritten: string; encoded: string; slashEncoded: string } {
  const encoded = lead.replace(/=/g, '%3D');
  const slashEncoded = encoded.replace(/\//g, '%2F');
  return { asWritten: lead, encoded: encoded === lead ? '' : encoded, slashEncoded: slashEncoded === encoded ? '' : slashEncoded };
}
