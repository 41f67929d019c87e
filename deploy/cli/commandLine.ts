/**
 * The syntax of every command line (commands, bench, scripts): `node:util` `parseArgs` reads the
 * flags, and every syntax problem is collected into one list (an unknown flag, a flag without its
 * value, a value given to a switch, a flag given twice, a stray argument), so that a command reports
 * them all at once with its own checks of meaning. Pure.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../../rules/errors.ts';

/** One flag of a command line. */
export interface FlagSpec {
  /** `boolean`: a switch (`--plan`); `string`: takes a value (`--out DIR` or `--out=DIR`). */
  readonly type: 'boolean' | 'string';
  /** A one-letter alias (`y` for `-y`). Default: none. */
  readonly short?: string;
  /** How the usage names the value (`DIR`, `N`), used in messages. Default `VALUE`. */
  readonly value?: string;
  /**
   * What the flag does and its default, in one paragraph: the usage (`--help`) and, for a
   * command, its page in docs/commands/ are both written from it. Required of every flag of a
   * {@link CommandSpec}.
   */
  readonly help?: string;
}

/** A flag whose help is given: what a {@link CommandSpec} holds. */
export type DocumentedFlag = FlagSpec & { readonly help: string };

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/**
 * Everything a command's usage and its page say, in one place: the flags are the ones
 * {@link parseCommandLine} reads, so a flag is defined, parsed and described once.
 */
export interface CommandSpec<S extends Readonly<Record<string, DocumentedFlag>> = Readonly<Record<string, DocumentedFlag>>> {
  /** The command's name, as in `npm run <name>`; it leads every error line. */
  readonly name: string;
  /** How it is run, for the synopsis. Default `npm run <name>`. */
  readonly invocation?: string;
  /** What the command does, one paragraph. */
  readonly summary: string;
  /** The flags, in the order the usage lists them. */
  readonly flags: S;
  /** What follows the flags: the exit codes and anything else to say, one paragraph each. */
  readonly notes: readonly string[];
}

/** The width the usage is wrapped to. */
export const USAGE_WIDTH = 100;

/** How a flag is listed: `-y, --yes` or `--out DIR`. */
export function flagLabel(name: string, spec: FlagSpec): string {
  return `${spec.short ? `-${spec.short}, ` : ''}${flagSyntax(name, spec)}`;
}

/** `text` broken at spaces into lines of at most `width` characters (a longer word stays whole). */
export function wrapText(text: string, width: number): string[] {
  return wrapWords(text.split(/\s+/).filter(Boolean), width);
}

/** `words` joined by spaces into lines of at most `width` characters; a word is never split. */
function wrapWords(words: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * The first lines of the usage: `usage: npm run <name> [-- [--flag VALUE] …]` (or the command's own
 * invocation, without npm's `--`), every flag once, wrapped between flags.
 */
export function synopsisOf(spec: CommandSpec): string[] {
  const head = `usage: ${spec.invocation ?? `npm run ${spec.name}`}`;
  const items = Object.entries(spec.flags).map(([name, flag]) => `[${flagSyntax(name, flag)}]`);
  if (items.length === 0) return [head];
  const words = spec.invocation === undefined ? ['[--', ...items.slice(0, -1), `${items.at(-1)}]`] : items;
  // Under the command when it is short, else a small indent: a long invocation leaves no room.
  const indent = ' '.repeat(head.length < 40 ? head.length + 1 : 4);
  const lines: string[] = [];
  let line = head;
  for (const word of words) {
    if (line.length + 1 + word.length > USAGE_WIDTH) {
      lines.push(line);
      line = `${indent}${word}`;
    } else line = `${line} ${word}`;
  }
  return [...lines, line];
}

/**
 * The text `--help` prints: the synopsis (every flag once, optional), the summary, one entry per
 * flag with its help, and the notes, wrapped to {@link USAGE_WIDTH}. Pure.
 */
export function usageOf(spec: CommandSpec): string {
  const flags = Object.entries(spec.flags);
  const column = Math.min(28, Math.max(0, ...flags.map(([name, flag]) => flagLabel(name, flag).length)) + 4);
  const entries = flags.flatMap(([name, flag]) => {
    const label = `  ${flagLabel(name, flag)}`;
    const text = wrapText(flag.help, USAGE_WIDTH - column);
    const first = label.length + 2 <= column ? [`${label.padEnd(column)}${text.shift() ?? ''}`] : [label];
    return [...first, ...text.map((line) => `${' '.repeat(column)}${line}`)];
  });
  return [
    ...synopsisOf(spec),
    ...wrapText(spec.summary, USAGE_WIDTH - 2).map((line) => `  ${line}`),
    ...(entries.length > 0 ? ['', ...entries] : []),
    ...spec.notes.flatMap((note) => ['', ...wrapText(note, USAGE_WIDTH)]),
  ].join('\n');
}

/** The flags read: a switch is true or false, a value flag its text or undefined when not given. */
export type FlagValues<S extends FlagSpecs> = {
  readonly [K in keyof S]: S[K]['type'] extends 'boolean' ? boolean : string | undefined;
};

export interface ParsedCommandLine<S extends FlagSpecs> {
  readonly values: FlagValues<S>;
  /** Arguments that are not flags (only when allowed; otherwise each is a problem). */
  readonly positionals: readonly string[];
  /** Every syntax problem, one line each, naming the argument. Empty when the line is well formed. */
  readonly problems: string[];
}

/** True when the command line asks for the usage (`--help` or `-h` before any `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** A value flag's argument that is really the next flag (`--out --plan`); a negative number (`--nice -10`) is a value. */
function looksLikeFlag(arg: string | undefined): boolean {
  return arg !== undefined && arg.startsWith('-') && arg !== '-' && !/^-\d+(\.\d+)?$/.test(arg);
}

/** How a flag is written in a message: `--out DIR` for a value flag, `--plan` for a switch. */
export function flagSyntax(name: string, spec: FlagSpec): string {
  return spec.type === 'string' ? `--${name} ${spec.value ?? 'VALUE'}` : `--${name}`;
}

/**
 * Reads `argv` against `specs`. Never throws: the caller adds its own checks of meaning to
 * `problems` and throws one {@link UsageError} for all of them (see {@link throwIfProblems}).
 */
export function parseCommandLine<S extends FlagSpecs>(argv: readonly string[], specs: S, options: { positionals?: boolean } = {}): ParsedCommandLine<S> {
  const problems: string[] = [];
  const expected = Object.entries(specs).map(([name, spec]) => flagSyntax(name, spec)).join(', ');
  // parseArgs (not strict) takes the argument after a value flag as its value whatever it is; a
  // value flag followed by another flag gets an empty value instead, reported below, so that the
  // next flag is read as a flag.
  const end = argv.indexOf('--');
  const args = argv.map((arg, i) => {
    const spec = arg.startsWith('--') && !arg.includes('=') && (end < 0 || i < end) && Object.hasOwn(specs, arg.slice(2)) ? specs[arg.slice(2)] : undefined;
    return spec?.type === 'string' && (i === argv.length - 1 || looksLikeFlag(argv[i + 1])) ? `${arg}=` : arg;
  });
  const { tokens } = parseArgs({
    args,
    options: Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, { type: spec.type, ...(spec.short ? { short: spec.short } : {}) }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string | boolean | undefined> = {};
  for (const [name, spec] of Object.entries(specs)) values[name] = spec.type === 'boolean' ? false : undefined;
  const seen = new Set<string>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      if (options.positionals) positionals.push(token.value);
      else problems.push(`unknown argument ${JSON.stringify(token.value)}: expected ${expected}`);
      continue;
    }
    const spec = Object.hasOwn(specs, token.name) ? specs[token.name] : undefined;
    const flag = token.rawName.startsWith('--') ? token.rawName : `--${token.name}`;
    if (spec === undefined) {
      problems.push(`unknown argument ${JSON.stringify(token.rawName)}: expected ${expected}`);
    } else if (seen.has(token.name)) {
      problems.push(`${flag} is given twice`);
    } else if (spec.type === 'boolean') {
      seen.add(token.name);
      if (token.value !== undefined) problems.push(`${flag} takes no value (got ${JSON.stringify(token.value)})`);
      else values[token.name] = true;
    } else {
      seen.add(token.name);
      if (token.value === undefined || token.value === '') problems.push(`${flag} needs a value: ${flagSyntax(token.name, spec)}`);
      else values[token.name] = token.value;
    }
  }
  return { values: values as FlagValues<S>, positionals, problems };
}

/** Throws one {@link UsageError} listing every problem, if there is any. */
export function throwIfProblems(problems: readonly string[]): void {
  if (problems.length > 0) throw new UsageError(problems);
}

/**
 * A whole number flag within `[min, max]`: the number, or undefined (and a problem naming the
 * flag and the range) when it is not one. Undefined without a problem when the flag is absent.
 */
export function wholeNumberFlag(flag: string, value: string | undefined, min: number, max: number, problems: string[]): number | undefined {
  if (value === undefined) return undefined;
  const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    problems.push(`${flag} ${JSON.stringify(value)}: expected a whole number from ${min} to ${max}`);
    return undefined;
  }
  return n;
}

/**
 * A comma-separated list of whole numbers, each within `[min, max]`, or undefined (and a problem)
 * when it is not one. Undefined without a problem when the flag is absent.
 */
export function numberListFlag(flag: string, value: string | undefined, min: number, max: number, problems: string[]): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',');
  const numbers = parts.map((p) => (/^\d+$/.test(p.trim()) ? Number(p.trim()) : NaN));
  if (numbers.some((n) => !Number.isSafeInteger(n) || n < min || n > max)) {
    problems.push(`${flag} ${JSON.stringify(value)}: expected whole numbers from ${min} to ${max} separated by commas`);
    return undefined;
  }
  return numbers;
}
