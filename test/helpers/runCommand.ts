/**
 * Runs a command the way `npm run <command>` does — `node --import tsx <main.ts> …args` — in a
 * child process, and collects what it printed and how it ended. The one spawn-and-collect block of
 * the test suites.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../deploy/repoRoot.ts';

/** How a command ended and what it printed. */
export interface CommandRun {
  /** The exit code, or null when a signal ended it. */
  readonly code: number | null;
  /** The signal that ended it, or null. */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunCommandOptions {
  /**
   * Variables on top of the base environment; a variable set to undefined is left out (so
   * `{ NODE_NO_WARNINGS: undefined }` lets Node's warnings through).
   */
  readonly env?: Record<string, string | undefined>;
  /**
   * `inherit` (default): this process's environment (in the integration suites: moto's endpoint,
   * region and test keys). `minimal`: only PATH, HOME and TMPDIR (the run's temp folder, see
   * tempDirCheck.ts), so no credential or region leaks in.
   * `NODE_NO_WARNINGS=1` is added to either unless `env` overrides it.
   */
  readonly baseEnv?: 'inherit' | 'minimal';
  /** Working directory. Default: the repository root. tsx is loaded by its URL, so any directory works. */
  readonly cwd?: string;
  /** Written to the command's stdin, which is then closed (so stdin is never a terminal). Default: nothing. */
  readonly input?: string;
  /** Kill the command (SIGKILL) after this many milliseconds. Default: no limit (mocha's timeout applies). */
  readonly timeoutMs?: number;
  /** Called with the child once it is spawned, e.g. to send it SIGINT. */
  readonly onSpawn?: (child: ChildProcess) => void;
}

/** The six operator commands, by the name `npm run` knows them. */
export type CommandName = 'deploy' | 'invoke' | 'check' | 'destroy' | 'demo' | 'status';

const COMMANDS: readonly string[] = ['deploy', 'invoke', 'check', 'destroy', 'demo', 'status'] satisfies CommandName[];

// By URL: `--import tsx` would resolve from the working directory, which may be a scratch folder.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** The main file of a command name, or a path (absolute, or relative to the repository root) as it is. */
export function commandMain(command: string): string {
  if (COMMANDS.includes(command)) return join(REPO_ROOT, 'deploy/commands', command, 'main.ts');
  return isAbsolute(command) ? command : join(REPO_ROOT, command);
}

/**
 * Runs `command` (a {@link CommandName} or a script path such as `bench/benchMain.ts`) with `args`
 * and resolves when it has exited and its output is closed. Never rejects for a non-zero exit.
 */
export function runCommand(command: string, args: readonly string[] = [], options: RunCommandOptions = {}): Promise<CommandRun> {
  const base = options.baseEnv === 'minimal' ? { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR } : process.env;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...base, NODE_NO_WARNINGS: '1', ...options.env })) {
    if (value !== undefined) env[name] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX_LOADER, commandMain(command), ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
    options.onSpawn?.(child);
  });
}
