/**
 * PREFIX_FORMAT: the source prefix of one day, with the tokens `{YYYY}`, `{MM}` and `{DD}`
 * (zero-padded). Pure.
 */
import { dateParts, parseIsoDate, type IsoDate } from './dates.ts';

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

/** The destination key of a source key: DESTINATION_PREFIX prepended, the key otherwise kept. */
export function destinationKey(destinationPrefix: string, sourceKey: string): string {
  return destinationPrefix + sourceKey;
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
