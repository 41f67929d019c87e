/**
 * Exclusions (`S3_REPLICATE_EXCLUDE`, the handler's `EXCLUDE`): glob patterns of keys that are not
 * objects of a day — `_temporary/**`, `*.crc`, `.spark-staging*` — matched against the part of a
 * key after its day prefix (the same on the source and the destination). Pure.
 *
 * The grammar, one home: docs/configuration.md, "Exclusions". `*` matches within one path segment,
 * `?` one character other than `/`, `**` (a whole segment) any number of segments; everything else
 * is literal. A key is excluded when a pattern matches it or one of its folders (the key up to a
 * `/`), so `.spark-staging*` excludes the folder `.spark-staging-1/` and all under it, as a data
 * engineer means it.
 */
import picomatch from 'picomatch';

/** At most this many characters of patterns: Lambda's whole environment is 4 KB, and each one renders into the bucket policy. */
export const MAX_EXCLUDE_CHARS = 1024;
/** At most this many patterns. */
export const MAX_EXCLUDE_PATTERNS = 32;

/** What a pattern may be, for messages. */
export const EXCLUDE_EXPECTED =
  'comma-separated glob patterns relative to the day prefix, like _temporary/**,*.crc,.spark-staging* ' +
  '(letters, digits, _ . = - + @ ~ $ %, "/" between segments, "*" within a segment, "**" as a whole segment, "?" one character)';

/**
 * The characters a pattern may hold: the literal ones, plain in picomatch, in IAM ARNs and in JSON
 * (no quote, backslash, brace, bracket, comma), and `/`, `*`, `?`.
 */
const ALLOWED = new Set('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.=+@~$%-/*?');

/**
 * picomatch's options for the documented grammar: `dot` so that `*` matches names that start with
 * a dot (Spark's `.part-0.crc`); every other feature off, so that a character the grammar calls
 * literal is literal (the validation admits none of them anyway).
 */
const PICOMATCH_OPTIONS: picomatch.PicomatchOptions = Object.freeze({
  dot: true,
  // The validation refuses every character these features read ({ [ ! ( ), so no valid pattern
  // tells them on or off: they are off in case a pattern ever reaches picomatch unchecked.
  // Stryker disable next-line BooleanLiteral: equivalent for every valid pattern (above)
  noextglob: true,
  // Stryker disable next-line BooleanLiteral: equivalent for every valid pattern (above)
  nobrace: true,
  // Stryker disable next-line BooleanLiteral: equivalent for every valid pattern (above)
  nobracket: true,
  // Stryker disable next-line BooleanLiteral: equivalent for every valid pattern (above)
  nonegate: true,
  // Stryker disable next-line BooleanLiteral: equivalent for every valid pattern (above)
  noquantifiers: true,
  strictSlashes: true,
});

/** Splits `S3_REPLICATE_EXCLUDE` / `EXCLUDE` at commas (spaces around each pattern dropped); unset or empty: none. */
export function splitExcludePatterns(text: string | undefined): string[] {
  if (text === undefined || text.trim() === '') return [];
  return text.split(',').map((p) => p.trim());
}

/** What is wrong with one pattern, or undefined. */
export function excludePatternProblem(pattern: string): string | undefined {
  if (pattern === '') return 'an empty pattern (two commas in a row, or one at an end)';
  for (const c of pattern) {
    if (!ALLOWED.has(c)) return `the character ${JSON.stringify(c)} is not allowed`;
  }
  if (pattern.startsWith('/')) return 'starts with "/": patterns are relative to the day prefix';
  if (pattern.endsWith('/')) return `ends with "/": write ${JSON.stringify(pattern.slice(0, -1))} to exclude that folder and all in it`;
  const segments = pattern.split('/');
  if (segments.includes('')) return 'has an empty path segment ("//")';
  // picomatch would drop a leading "./", and ".." would leave the day.
  if (segments.some((s) => s === '.' || s === '..')) return 'has a path segment "." or ".."';
  if (segments.some((s) => s.includes('**') && s !== '**')) return '"**" must be a whole path segment (like a/**/b); "*" matches within one';
  if (segments.every((s) => /^\*+$/.test(s))) return 'would exclude every object of the day';
  return undefined;
}

/**
 * Every problem of an exclusion list, each naming the pattern (exit 2 at deploy and in the
 * handler): too long, too many, or a bad pattern. `name` is the variable's.
 */
export function excludeProblems(name: string, text: string | undefined): string[] {
  if (text === undefined) return [];
  if (text.length > MAX_EXCLUDE_CHARS) return [`${name} has ${text.length} characters: expected at most ${MAX_EXCLUDE_CHARS} (Lambda's environment is 4 KB in all)`];
  const patterns = splitExcludePatterns(text);
  const problems: string[] = [];
  if (patterns.length > MAX_EXCLUDE_PATTERNS) problems.push(`${name} has ${patterns.length} patterns: expected at most ${MAX_EXCLUDE_PATTERNS}`);
  for (const p of patterns) {
    const problem = excludePatternProblem(p);
    if (problem) problems.push(`${name} has the pattern ${JSON.stringify(p)}: ${problem}; expected ${EXCLUDE_EXPECTED}`);
  }
  return problems;
}

/** An IAM wildcard string (`*` any run, `?` one character, both across `/`) as a regular expression. */
export function iamWildcardRegExp(pattern: string): RegExp {
  const body = [...pattern].map((c) => (c === '*' ? '[^]*' : c === '?' ? '[^]' : c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`);
}

/** At most this many IAM forms per pattern: each doubles with every `**` that is not the last segment. */
export const MAX_IAM_FORMS = 8;

/**
 * The IAM wildcard strings (to follow a day's prefix in a Resource) that together match exactly
 * the keys a pattern excludes, or undefined when IAM cannot say it without matching more. IAM's `*`
 * matches across `/` and its `?` matches `/`, so a `?`, or a `*` inside a segment, cannot be said:
 * `*.crc` as IAM would also match `sub/x.crc`, which the pattern leaves in the day. What can: literal
 * segments, `**` segments (two forms each: without the segment, and `*` then a slash), a last segment ending in `*`
 * (`.spark-staging*`: with the folder rule the pattern excludes every key that starts so), and
 * `**` then a last segment starting with `*` (`**` + `/*.crc`: every key ending in `.crc`). Keys with a
 * `.`, `..` or empty segment aside (see {@link exclusionMatcher}).
 */
export function iamExclusionForms(pattern: string): string[] | undefined {
  const segments = pattern.split('/');
  let forms = [''];
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    const next = segments[i + 1] ?? '';
    if (segment === '**') {
      if (last) forms = forms.map((f) => `${f}*`);
      else if (i + 1 === segments.length - 1 && /^\*[^*?]+$/.test(next)) {
        // `**/*L`: the key ends in L, wherever (L holds no `/`); then every key under such a folder.
        forms = forms.map((f) => `${f}${next}`);
        break;
      } else forms = forms.flatMap((f) => [f, `${f}*/`]);
    } else if (!/[*?]/.test(segment)) forms = forms.map((f) => f + segment + (last ? '' : '/'));
    else if (last && /^[^*?]*\*$/.test(segment)) {
      // `L*`: a lone `*` never matches an empty segment, so the folder marker `L/` is not excluded: `?*`.
      forms = forms.map((f) => f + (segment === '*' ? '?*' : segment));
    } else return undefined;
  }
  // The folder rule: everything under a key the pattern matches.
  const all = forms.flatMap((f) => (f.endsWith('*') ? [f] : [f, `${f}/*`]));
  return all.length > MAX_IAM_FORMS ? undefined : all;
}

/**
 * At most this many characters of Deny resources (`"…",` each) in the source bucket policy: S3
 * takes 20 KB of policy in all (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-iam-policies.html),
 * and the grants and other teams' statements need the rest.
 */
export const MAX_DENY_RESOURCE_CHARS = 8192;

/**
 * The Deny's resources of a list of patterns: `objectPattern` (`arn:…:s3:::bucket/` + the day
 * pattern) followed by each distinct IAM form of a pattern that has them ({@link iamExclusionForms}).
 */
export function excludedResources(patterns: readonly string[], objectPattern: string): string[] {
  return [...new Set(patterns.flatMap((p) => iamExclusionForms(p) ?? []))].map((f) => objectPattern + f);
}

/** The characters {@link excludedResources} take in the policy, or a problem past {@link MAX_DENY_RESOURCE_CHARS}. */
export function denySizeProblem(name: string, resources: readonly string[]): string | undefined {
  const chars = resources.reduce((n, r) => n + r.length + 3, 0);
  return chars > MAX_DENY_RESOURCE_CHARS
    ? `${name}: the bucket policy's Deny of its patterns would take ${chars} characters, at most ${MAX_DENY_RESOURCE_CHARS} of S3's 20 KB; use fewer patterns, or fewer "**" segments before the last`
    : undefined;
}

/**
 * The exclusion test of a list of valid patterns: given the part of a key after its day prefix,
 * true when a pattern matches it or one of its folders. Matching is picomatch's with
 * {@link PICOMATCH_OPTIONS}; picomatch follows the shell for path segments `.` and `..` (no
 * wildcard matches them), which IAM does not know: a key the bucket policy's Deny covers
 * ({@link iamExclusionForms}) is also excluded, so that the Deny never refuses a key s3-push would
 * copy. On keys without such segments the Deny covers exactly what picomatch excludes (the
 * property tests), so the second test changes nothing there.
 */
export function exclusionMatcher(patterns: readonly string[]): (relativeKey: string) => boolean {
  const isMatch = picomatch([...patterns], PICOMATCH_OPTIONS);
  const denied = patterns.map(iamExclusionForms).filter((forms) => forms !== undefined).flat().map(iamWildcardRegExp);
  return (relativeKey) => {
    // The key's folders, shortest first, then the key itself.
    const segments = relativeKey.split('/');
    return segments.some((_, n) => isMatch(segments.slice(0, n + 1).join('/'))) || denied.some((r) => r.test(relativeKey));
  };
}

/**
 * The exclusion test of one day's keys: `key` under `dayPrefix` (a source day prefix, or the
 * destination day prefix it maps to) is excluded when its rest is. A key not under the prefix is not.
 */
export function dayExclusion(patterns: readonly string[]): (dayPrefix: string, key: string) => boolean {
  const known = compiled.get(patterns);
  // Stryker disable next-line ConditionalExpression: the cache only saves compiling the same test again
  if (known) return known;
  const matches = exclusionMatcher(patterns);
  const test = (dayPrefix: string, key: string): boolean => key.startsWith(dayPrefix) && matches(key.slice(dayPrefix.length));
  compiled.set(patterns, test);
  return test;
}

/** Compiled once per list (the config's, frozen): push on write classifies every event with it. */
const compiled = new WeakMap<readonly string[], (dayPrefix: string, key: string) => boolean>();
