/**
 * The one runner of every command (`npm run deploy|invoke|check|destroy|demo`, `npm run bench`,
 * `npm run build` and the scripts): reads the command line, prints the usage on `--help`, runs the
 * command, and turns how it ended into the exit code and one format of error lines:
 *
 *   0    done            1   a failure (AWS, the stack, the copies)
 *   2    bad input: the command line, the environment, an event (the user can fix it)
 *   130  interrupted (Ctrl-C or SIGTERM)
 *
 * An error prints as `<command> failed: <message>`, then its cause when the message does not
 * already hold it, the stack trace only with `DEBUG`, and the usage only after a command-line
 * error. This file and the mains are the only places that touch `process` and the console.
 */
import { describeError, S3PushError, UsageError } from '../../rules/errors.ts';
import { wantsHelp } from './commandLine.ts';

/** What a command is, for the runner. */
export interface CommandDefinition<A> {
  /** The name in `npm run <name>`; it leads every error line. */
  readonly name: string;
  /** Printed on `--help` / `-h` (exit 0) and after a command-line error. */
  readonly usage: string;
  /** Reads the command line; throws a {@link UsageError} listing every problem. Pure. */
  readonly parse: (argv: readonly string[]) => A;
  /** Runs the command; resolves to its exit code (default 0). Errors it throws are printed by the runner. */
  readonly run: (args: A) => Promise<number | void>;
  /**
   * Called once on Ctrl-C or SIGTERM, before the exit with 130: stop what must be stopped and
   * return the lines to print (e.g. where a stack stands). Default: nothing to stop, and the line
   * `<name>: interrupted`. A second signal exits at once.
   */
  readonly onInterrupt?: (signal: NodeJS.Signals) => Promise<readonly string[]>;
}

/** Where the runner writes; `console` in a real run. */
export interface CommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** The environment, for `DEBUG`. */
  readonly env: NodeJS.ProcessEnv;
}

/** The exit code of a thrown value: 2 for what the user can fix, 1 for any other failure. */
export function exitCodeOf(err: unknown): 1 | 2 {
  return err instanceof S3PushError ? err.exitCode : 1;
}

/**
 * The lines an error prints as, the same for every command: `<name> failed: <message>`, the cause
 * (once, and only when the message does not already say it), the stack with `DEBUG`.
 */
export function formatFailure(name: string, err: unknown, debug: boolean): string[] {
  const message = describeError(err);
  const lines = [`${name} failed: ${message}`];
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause !== undefined) {
    const described = describeError(cause);
    const bare = cause instanceof Error ? cause.message : described;
    if (!message.includes(described) && !message.includes(bare)) lines.push(`  cause: ${described}`);
  }
  if (debug && err instanceof Error && err.stack) lines.push(err.stack);
  return lines;
}

/**
 * Parses, runs and reports one command, without touching the process: resolves to the exit code.
 * (`runCommand` adds the signals, the warning filter and `process.exitCode`.)
 */
export async function executeCommand<A>(def: CommandDefinition<A>, argv: readonly string[], io: CommandIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.out(def.usage);
    return 0;
  }
  try {
    const args = def.parse(argv);
    return (await def.run(args)) ?? 0;
  } catch (err) {
    for (const line of formatFailure(def.name, err, Boolean(io.env.DEBUG))) io.err(line);
    if (err instanceof UsageError) io.err(`\n${def.usage}`);
    return exitCodeOf(err);
  }
}

/**
 * The AWS SDK's NodeVersionSupportWarning (an 8-line notice on every command under Node 20, about
 * SDK releases of 2027) is the one warning dropped; every other warning goes through as before.
 * The SDK emits it as a plain Warning whose text starts with its type name.
 */
export function isNodeVersionSupportWarning(warning: string | Error): boolean {
  const text = typeof warning === 'string' ? warning : `${warning.name}: ${warning.message}`;
  return /^(\w+: )?NodeVersionSupportWarning\b/.test(text);
}

let warningFilterInstalled = false;

function installWarningFilter(): void {
  if (warningFilterInstalled) return;
  warningFilterInstalled = true;
  const emit = process.emitWarning.bind(process) as (warning: string | Error, ...rest: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]): void => {
    if (isNodeVersionSupportWarning(warning)) return;
    emit(warning, ...rest);
  });
}

/**
 * Runs a command as the process: `process.argv`, the console, `process.exitCode`, and exit 130 on
 * Ctrl-C or SIGTERM (after {@link CommandDefinition.onInterrupt}). The only caller of
 * {@link executeCommand} outside tests.
 */
export async function runCommand<A>(def: CommandDefinition<A>): Promise<void> {
  installWarningFilter();
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    const stop = def.onInterrupt?.(signal) ?? Promise.resolve([`\n${signal === 'SIGINT' ? 'interrupted' : signal}: ${def.name} stopped`]);
    void stop
      .then((lines) => lines.forEach((line) => console.error(line)), (err: unknown) => console.error(`${def.name}: while stopping: ${describeError(err)}`))
      .finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    process.exitCode = await executeCommand(def, process.argv.slice(2), {
      out: (line) => console.log(line),
      err: (line) => console.error(line),
      env: process.env,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
