import { expect } from 'chai';
import fc from 'fast-check';
import {
  dayExclusion,
  denySizeProblem,
  excludePatternProblem,
  excludeProblems,
  exclusionMatcher,
  iamExclusionForms,
  iamWildcardRegExp,
  MAX_DENY_RESOURCE_CHARS,
  MAX_EXCLUDE_CHARS,
  MAX_EXCLUDE_PATTERNS,
  splitExcludePatterns,
} from '../../../rules/exclude.ts';

/**
 * The reference: the documented grammar written out segment by segment, without picomatch and
 * without a regular expression for `**`. `*` any run of characters within a segment, `?` one
 * character (a segment holds no `/`), `**` a whole segment: any number of segments, at the end of a
 * pattern at least one. A key is excluded when the pattern matches it or one of its folders.
 */
function segmentMatches(pattern: string, segment: string): boolean {
  // Stars and marks, character by character (dynamic programming over the two strings).
  let reach = new Set([0]);
  for (const c of pattern) {
    const next = new Set<number>();
    for (const at of reach) {
      if (c === '*') for (let j = at; j <= segment.length; j++) next.add(j);
      else if (at < segment.length && (c === '?' || segment[at] === c)) next.add(at + 1);
    }
    reach = next;
  }
  return reach.has(segment.length);
}

function referenceMatch(pattern: string, key: string): boolean {
  const p = pattern.split('/');
  const k = key.split('/');
  const from = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    if (p[i] === '**') {
      for (let t = i === p.length - 1 ? 1 : 0; j + t <= k.length; t++) if (from(i + 1, j + t)) return true;
      return false;
    }
    return j < k.length && segmentMatches(p[i]!, k[j]!) && from(i + 1, j + 1);
  };
  return from(0, 0);
}

function referenceExcluded(patterns: readonly string[], key: string): boolean {
  const folders = [key];
  for (let i = key.indexOf('/'); i >= 0; i = key.indexOf('/', i + 1)) folders.push(key.slice(0, i));
  return patterns.some((p) => folders.some((f) => referenceMatch(p, f)));
}

// Few characters, so that patterns and keys meet often; "." for dotfiles.
const NAME_CHARS = ['a', 'b', '.', 'c', '_'];
const name = fc.array(fc.constantFrom(...NAME_CHARS), { minLength: 1, maxLength: 4 }).map((cs) => cs.join(''))
  // The segments "." and "..", and a name ending in ".", meet picomatch's shell rules (tested apart).
  .filter((s) => !s.endsWith('.'));
const key = fc.array(name, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
const patternSegment = fc.oneof(
  { weight: 1, arbitrary: fc.constant('**') },
  { weight: 4, arbitrary: fc.array(fc.constantFrom(...NAME_CHARS, '*', '?'), { minLength: 1, maxLength: 4 }).map((cs) => cs.join('').replace(/\*+/g, '*')) },
);
const pattern = fc.array(patternSegment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/')).filter((p) => excludePatternProblem(p) === undefined);

describe('rules/exclude', () => {
  describe('the patterns of a Spark or Hive day', () => {
    // Built in a hook, not while the file loads: code run at load makes its mutants static (slow).
    let excluded: (relativeKey: string) => boolean;
    before(() => {
      excluded = exclusionMatcher(splitExcludePatterns('_temporary/**, *.crc, .spark-staging*'));
    });
    it('excludes the committer\'s temporary tree, checksums and staging folders', () => {
      for (const k of ['_temporary/0/_temporary/attempt_1/part-00000.parquet', '_temporary/0', '.part-00000-1a2b.snappy.parquet.crc', '_SUCCESS.crc', '.spark-staging-7f3e/part-00000', '.spark-staging-7f3e']) {
        expect(excluded(k), k).to.equal(true);
      }
    });
    it('keeps the data and the ready marker, and a checksum in a subfolder ("*" stays within a segment)', () => {
      for (const k of ['part-00000-1a2b.snappy.parquet', '_SUCCESS', 'region=eu/part-00001.parquet', 'region=eu/part-00001.parquet.crc', '_temporary', 'x_temporary/a', 'spark-staging']) {
        expect(excluded(k), k).to.equal(false);
      }
    });
    it('"**" crosses segments, also none of them in the middle', () => {
      const m = exclusionMatcher(['**/*.crc', 'a/**/b']);
      for (const k of ['x.crc', 'p/q/x.crc', 'a/b', 'a/x/y/b', 'a/b/c']) expect(m(k), k).to.equal(true);
      for (const k of ['x.crcz', 'a/bb', 'b']) expect(m(k), k).to.equal(false);
    });
    it('"?" is one character, not "/"', () => {
      const m = exclusionMatcher(['part-?.tmp']);
      expect(m('part-1.tmp')).to.equal(true);
      expect(m('part-12.tmp')).to.equal(false);
      expect(m('part-/.tmp')).to.equal(false);
    });
    it('no pattern excludes nothing; a key outside the day prefix is not the day\'s', () => {
      expect(exclusionMatcher([])('_temporary/x')).to.equal(false);
      const day = dayExclusion(['_temporary/**']);
      expect(day('2024/07/01/', '2024/07/01/_temporary/x')).to.equal(true);
      expect(day('2024/07/01/', '2024/07/02/_temporary/x')).to.equal(false);
      expect(dayExclusion([])('2024/07/01/', '2024/07/01/_temporary/x')).to.equal(false);
    });
  });

  describe('validation', () => {
    it('splits at commas, drops spaces around each pattern; unset or blank is none', () => {
      expect(splitExcludePatterns(' _temporary/** ,*.crc')).to.deep.equal(['_temporary/**', '*.crc']);
      expect(splitExcludePatterns(undefined)).to.deep.equal([]);
      expect(splitExcludePatterns('  ')).to.deep.equal([]);
      expect(excludeProblems('EXCLUDE', undefined)).to.deep.equal([]);
      expect(excludeProblems('EXCLUDE', '_temporary/**,*.crc,.spark-staging*,_$folder$,**/*.tmp,a?b/c=d/**')).to.deep.equal([]);
    });
    it('names each bad pattern and what was expected', () => {
      const cases: [string, RegExp][] = [
        ['a,,b', /pattern "": an empty pattern/],
        ['*.{crc}', /pattern "\*\.\{crc\}": the character "\{" is not allowed/],
        ['./x', /path segment "\." or "\.\."/],
        ['a/../b', /path segment "\." or "\.\."/],
        ['[ab].crc', /the character "\[" is not allowed/],
        ['a b', /the character " " is not allowed/],
        ['"x', /the character "\\"" is not allowed/],
        ['a\\*', /the character "\\\\" is not allowed/],
        ['!x', /the character "!" is not allowed/],
        ['é.crc', /the character "é" is not allowed/],
        ['/_temporary/**', /starts with "\/"/],
        ['_temporary/', /ends with "\/": write "_temporary"/],
        ['a//b', /empty path segment/],
        ['a**b', /"\*\*" must be a whole path segment/],
        ['a/x**', /"\*\*" must be a whole path segment/],
        ['**', /every object of the day/],
        ['*/**', /every object of the day/],
      ];
      for (const [text, message] of cases) {
        const problems = excludeProblems('S3_REPLICATE_EXCLUDE', text);
        expect(problems, text).to.have.length(1);
        expect(problems[0], text).to.match(message).and.match(/^S3_REPLICATE_EXCLUDE has the pattern/).and.include('expected comma-separated glob patterns');
      }
      expect(excludeProblems('X', 'a,b{,c}')).to.have.length(2);
      // The whole message once: what was expected, every part of it.
      expect(excludeProblems('EXCLUDE', 'a b')).to.deep.equal([
        'EXCLUDE has the pattern "a b": the character " " is not allowed; expected comma-separated glob patterns relative to the day prefix, like _temporary/**,*.crc,.spark-staging* ' +
          '(letters, digits, _ . = - + @ ~ $ %, "/" between segments, "*" within a segment, "**" as a whole segment, "?" one character)',
      ]);
      // Every character the grammar allows, and one astral character (two UTF-16 units) that it does not.
      expect(excludePatternProblem('AZaz09_.=+@~$%-/x*?')).to.equal(undefined);
      expect(excludePatternProblem('a\u{1D41A}')).to.equal('the character "\u{1D41A}" is not allowed');
    });
    it('bounds the list: characters first, then patterns', () => {
      expect(excludeProblems('EXCLUDE', 'a'.repeat(MAX_EXCLUDE_CHARS))).to.deep.equal([]);
      expect(excludeProblems('EXCLUDE', 'a'.repeat(MAX_EXCLUDE_CHARS + 1))).to.deep.equal([`EXCLUDE has ${MAX_EXCLUDE_CHARS + 1} characters: expected at most ${MAX_EXCLUDE_CHARS} (Lambda's environment is 4 KB in all)`]);
      const many = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`).join(',');
      expect(excludeProblems('EXCLUDE', many(MAX_EXCLUDE_PATTERNS))).to.deep.equal([]);
      expect(excludeProblems('EXCLUDE', many(MAX_EXCLUDE_PATTERNS + 1))).to.deep.equal([`EXCLUDE has ${MAX_EXCLUDE_PATTERNS + 1} patterns: expected at most ${MAX_EXCLUDE_PATTERNS}`]);
    });
  });

  describe('against the reference (property)', function () {
    // Thousands of runs each: seconds on a quiet machine, more on a loaded one.
    this.timeout(120_000);
    it('the matcher (picomatch) excludes exactly what the documented grammar says', () => {
      fc.assert(fc.property(fc.array(pattern, { minLength: 1, maxLength: 3 }), key, (patterns, k) => {
        expect(exclusionMatcher(patterns)(k), `${JSON.stringify(patterns)} ${k}`).to.equal(referenceExcluded(patterns, k));
      }), { numRuns: 3000 });
    });
    it('the IAM forms match exactly what the pattern excludes, when there are forms', () => {
      fc.assert(fc.property(pattern, key, (p, k) => {
        const forms = iamExclusionForms(p);
        fc.pre(forms !== undefined);
        const denied = (forms ?? []).some((f) => iamWildcardRegExp(f).test(k));
        expect(denied, `${p} ${JSON.stringify(forms)} ${k}`).to.equal(referenceExcluded([p], k));
      }), { numRuns: 3000 });
    });
    it('never denies a key the matcher keeps, odd segments ("", ".", "..") included', () => {
      const odd = fc.array(fc.oneof(name, fc.constantFrom('', '.', '..')), { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
      fc.assert(fc.property(pattern, odd, (p, k) => {
        const forms = iamExclusionForms(p) ?? [];
        if (forms.some((f) => iamWildcardRegExp(f).test(k))) expect(exclusionMatcher([p])(k), `${p} ${k}`).to.equal(true);
      }), { numRuns: 3000 });
    });
  });

  describe('IAM forms', () => {
    it('says the expressible patterns in IAM\'s wildcards', () => {
      expect(iamExclusionForms('_temporary/**')).to.deep.equal(['_temporary/*']);
      expect(iamExclusionForms('.spark-staging*')).to.deep.equal(['.spark-staging*']);
      expect(iamExclusionForms('**/*.crc')).to.deep.equal(['*.crc', '*.crc/*']);
      expect(iamExclusionForms('_SUCCESS.crc')).to.deep.equal(['_SUCCESS.crc', '_SUCCESS.crc/*']);
      expect(iamExclusionForms('**/_temporary/**')).to.deep.equal(['_temporary/*', '*/_temporary/*']);
      expect(iamExclusionForms('tmp/*')).to.deep.equal(['tmp/?*']);
    });
    it('says none for what IAM would over-match: "*" inside a segment, "?"', () => {
      for (const p of ['*.crc', 'a/*.crc', '*_$folder$', 'part-?.tmp', 'a*b', '**/a*b', '*/x', '**/*.c?', '**/*a*']) expect(iamExclusionForms(p), p).to.equal(undefined);
      // IAM's "?" matches "/": "**/*.c?" as "*.c?" would deny the folder marker "x.c/", which the pattern keeps.
      expect(exclusionMatcher(['**/*.c?'])('x.c/')).to.equal(false);
    });
    it('refuses a Deny over 8,192 characters of resources (each counted with its quotes and comma)', () => {
      expect(denySizeProblem('EXCLUDE', ['x'.repeat(MAX_DENY_RESOURCE_CHARS - 3)])).to.equal(undefined);
      expect(denySizeProblem('EXCLUDE', ['x'.repeat(MAX_DENY_RESOURCE_CHARS - 2)])).to.match(/^EXCLUDE: the bucket policy's Deny of its patterns would take 8193 characters, at most 8192/);
      expect(denySizeProblem('EXCLUDE', Array.from({ length: 2 }, () => 'x'.repeat(4093)))).to.equal(undefined);
      expect(denySizeProblem('EXCLUDE', Array.from({ length: 2 }, () => 'x'.repeat(4094)))).to.match(/8194 characters/);
    });
    it('gives up past eight forms rather than bloat the bucket policy', () => {
      expect(iamExclusionForms('a/**/b/**/c')).to.have.length(8);
      expect(iamExclusionForms('a/**/b/**/c/**/d')).to.equal(undefined);
    });
    it('IAM\'s wildcards cross "/" and match any character', () => {
      expect(iamWildcardRegExp('a*').test('a/b/c')).to.equal(true);
      expect(iamWildcardRegExp('a?c').test('a/c')).to.equal(true);
      expect(iamWildcardRegExp('a.c').test('abc')).to.equal(false);
      expect(iamWildcardRegExp('$x+').test('$x+')).to.equal(true);
    });
  });

  it('a key with a "." or ".." segment: no wildcard of picomatch matches it, but the Deny\'s cover excludes it', () => {
    const m = exclusionMatcher(['_temporary/**']);
    expect(m('_temporary/./x')).to.equal(true);
    expect(m('_temporary/../x')).to.equal(true);
    expect(exclusionMatcher(['**/*.crc'])('a/../.crc')).to.equal(true);
    expect(exclusionMatcher(['a/**/b'])('a/./b/c')).to.equal(true);
    // Without a Deny form ("*" inside a segment) picomatch's shell rule stands.
    expect(exclusionMatcher(['a/*.crc'])('a/./b.crc')).to.equal(false);
    // A star right after a dot may not match nothing at a segment's end: picomatch's rule, in some of its forms.
    expect(exclusionMatcher(['*.*'])('a.')).to.equal(false);
  });
});
