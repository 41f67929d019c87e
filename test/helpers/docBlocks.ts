/**
 * Reads the shell blocks of a Markdown page the way the docs test runs them (docs/testing.md,
 * "The docs test"): each fenced `sh`/`bash`/`shell` block with its visible marker, if any, and its
 * commands as words; `<!-- docs-test: file NAME -->` before a fenced block makes that block a file
 * the page's commands may read. Pure.
 */

/** The languages whose blocks are run. */
export const SHELL_LANGUAGES: ReadonlySet<string> = new Set(['sh', 'bash', 'shell']);

/** A block that cannot run here says why in its first line, visibly. */
export const MARKERS = { needsAws: 'needs AWS', notRun: 'not run by the docs test' } as const;

export interface Marker {
  readonly kind: keyof typeof MARKERS;
  readonly reason: string;
}

/** One logical line of a block (continuations joined), split into words. */
export interface BlockLine {
  /** 1-based line of the page where it starts. */
  readonly line: number;
  readonly text: string;
  /** `NAME=value` words before the command (`A=1 npm run x`) or of an `export`. */
  readonly assignments: readonly (readonly [string, string])[];
  /** The command's words, after its leading assignments; empty for an `export` or a blank line. */
  readonly words: readonly string[];
  /** True for `export A=B …`. */
  readonly isExport: boolean;
  /** Why the line cannot be read as words: unsupported shell syntax. */
  readonly problem?: string;
}

export interface ShellBlock {
  readonly kind: 'shell';
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly language: string;
  readonly marker?: Marker;
  /** A marker line that names no reason. */
  readonly markerProblem?: string;
  readonly lines: readonly BlockLine[];
}

export interface FileBlock {
  readonly kind: 'file';
  readonly line: number;
  /** The file name the directive gives. */
  readonly name: string;
  readonly content: string;
}

export type DocItem = ShellBlock | FileBlock;

const FENCE = /^( {0,3}|\s*)(`{3,}|~{3,})\s*([^\s`]*)/;
const FILE_DIRECTIVE = /^\s*<!--\s*docs-test:\s*file\s+(\S+)\s*-->\s*$/;
const MARKER_LINE = /^#\s*(needs AWS|not run by the docs test)\s*:?\s*(.*)$/;

/** The items of a page, in order. */
export function docItems(markdown: string): DocItem[] {
  const lines = markdown.split('\n');
  const items: DocItem[] = [];
  let lastText = '';
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) {
      if (lines[i]!.trim() !== '') lastText = lines[i]!;
      continue;
    }
    const indent = lines[i]!.length - lines[i]!.trimStart().length;
    const fence = open[2]!;
    const language = open[3]!.toLowerCase();
    const body: { line: number; text: string }[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j]!;
      const t = l.trimStart();
      if (t.startsWith(fence[0]!.repeat(fence.length)) && t.replace(/[`~]/g, '').trim() === '') break;
      body.push({ line: j + 1, text: l.slice(Math.min(indent, l.length - t.length)) });
    }
    const directive = FILE_DIRECTIVE.exec(lastText);
    if (directive) items.push({ kind: 'file', line: i + 1, name: directive[1]!, content: `${body.map((b) => b.text).join('\n')}\n` });
    else if (SHELL_LANGUAGES.has(language)) items.push(shellBlock(i + 1, language, body));
    lastText = '';
    i = j;
  }
  return items;
}

function shellBlock(line: number, language: string, body: readonly { line: number; text: string }[]): ShellBlock {
  const logical: { line: number; text: string }[] = [];
  let pending: { line: number; text: string } | undefined;
  for (const b of body) {
    const text = pending ? `${pending.text} ${b.text.trim()}` : b.text;
    const start = pending ? pending.line : b.line;
    if (/\\$/.test(text) && !/\\\\$/.test(text)) pending = { line: start, text: text.slice(0, -1) };
    else {
      pending = undefined;
      logical.push({ line: start, text });
    }
  }
  if (pending) logical.push(pending);

  let marker: Marker | undefined;
  let markerProblem: string | undefined;
  const first = logical.find((l) => l.text.trim() !== '');
  const m = first ? MARKER_LINE.exec(first.text.trim()) : null;
  if (m) {
    const kind = m[1] === MARKERS.needsAws ? 'needsAws' : 'notRun';
    const reason = m[2]!.trim();
    if (reason === '') markerProblem = `line ${first!.line}: "# ${m[1]}" names no reason: write "# ${m[1]}: <why>"`;
    else marker = { kind, reason };
  }
  return { kind: 'shell', line, language, ...(marker ? { marker } : {}), ...(markerProblem ? { markerProblem } : {}), lines: logical.map((l) => readLine(l.line, l.text)) };
}

/**
 * Splits a shell line into words as `sh` would for the simple commands the docs show: quotes,
 * backslashes, comments, leading `NAME=value` words, `export`. Anything that needs a shell to mean
 * what it says (variables, substitutions, pipes, redirections, `;`, `&&`) is reported as a problem.
 */
export function readLine(line: number, text: string): BlockLine {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let problem: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) {
        problem = 'an unclosed single quote';
        break;
      }
      word += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < text.length && '"\\$`'.includes(text[j + 1]!)) j++;
        else if (text[j] === '$' || text[j] === '`') problem ??= `"${text[j]}" inside double quotes (a shell expansion)`;
        word += text[j];
      }
      if (j >= text.length) {
        problem = 'an unclosed double quote';
        break;
      }
      inWord = true;
      i = j;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === '#' && !inWord) {
      break;
    } else if ('$`|&;<>()'.includes(c)) {
      problem ??= `"${c}" (shell syntax the docs test does not run)`;
      word += c;
      inWord = true;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);

  const isExport = words[0] === 'export';
  const rest = isExport ? words.slice(1) : words;
  const assignments: [string, string][] = [];
  let k = 0;
  for (; k < rest.length; k++) {
    const a = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(rest[k]!);
    if (!a) break;
    assignments.push([a[1]!, a[2]!]);
  }
  if (isExport && k < rest.length) problem ??= `"export ${rest[k]}" sets no value`;
  return { line, text: text.trim(), assignments, words: isExport ? [] : rest.slice(k), isExport, ...(problem ? { problem } : {}) };
}

/** An `npm run` command: the script and the words after it, `--` included as written. */
export interface NpmRun {
  readonly script: string;
  readonly args: readonly string[];
}

/** The `npm run <script> …` of a line's words, or undefined when the line is something else. */
export function npmRunOf(words: readonly string[]): NpmRun | undefined {
  if (words[0] !== 'npm' || (words[1] !== 'run' && words[1] !== 'run-script') || words[2] === undefined) return undefined;
  return { script: words[2], args: words.slice(3) };
}

/** The flags a script receives from `npm run <script> -- a b`: the words after the first `--`. */
export function scriptArgv(run: NpmRun): string[] {
  const at = run.args.indexOf('--');
  return at < 0 ? [] : run.args.slice(at + 1);
}

/** `npm` lines the docs show that the test does not run: installing, and the suite itself. */
export function isNpmNotRun(words: readonly string[]): boolean {
  return words[0] === 'npm' && ['ci', 'install', 'i', 'test', 't'].includes(words[1] ?? '');
}
