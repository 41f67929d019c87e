/**
 * Finds the two Python tools the tests, the demo and the template check need — moto's
 * `moto_server` and `cfn-lint` — and, on a fresh machine, installs them into a project-local
 * virtual environment, so that `npm ci && npm test` (or `npm run demo`) is all a newcomer runs.
 *
 * The order: an explicit command (`MOTO_SERVER`, `CFN_LINT`), then the tool on PATH (CI and any
 * machine with its own install keep using it), then the project's virtual environment
 * (`.venv/`, or `S3_PUSH_VENV`), and only then a new install there with Python 3's venv and pip,
 * announced by a progress line. When that is impossible (no Python 3, no venv module, pip cannot
 * reach PyPI) it fails with the exact command to run by hand.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A command-line tool shipped as a Python package. */
export interface PythonTool {
  /** The executable, as on PATH. */
  readonly command: string;
  /** The pip requirement that installs it. */
  readonly requirement: string;
  /** The environment variable naming an executable to use instead (a path or a command). */
  readonly envVar: string;
}

export const MOTO_SERVER: PythonTool = { command: 'moto_server', requirement: 'moto[server]', envVar: 'MOTO_SERVER' };
export const CFN_LINT: PythonTool = { command: 'cfn-lint', requirement: 'cfn-lint', envVar: 'CFN_LINT' };

/** The command that installs a tool by hand (puts it on PATH). */
export function manualInstall(tool: PythonTool): string {
  return `pip install "${tool.requirement}"`;
}

/** Thrown when a tool is not installed and cannot be installed here. */
export class ToolUnavailableError extends Error {
  override name = 'ToolUnavailableError';
}

export interface LocateToolOptions {
  /** The environment: PATH, the tool's variable, S3_PUSH_VENV. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Receives the progress lines of an install. Default: written to stderr. */
  readonly progress?: (line: string) => void;
}

/** The project's virtual environment: `S3_PUSH_VENV`, else `.venv/` at the repository root. */
export function venvDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.S3_PUSH_VENV || join(REPO_ROOT, '.venv');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The full path of `command` on `PATH`, or undefined. */
export function onPath(command: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Runs a command to its end; resolves with its exit code and the tail of what it printed. */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (err) => resolve({ code: null, output: err.message }));
    child.once('close', (code) => resolve({ code, output }));
  });
}

function lastLine(output: string): string {
  return output.trim().split('\n').filter((l) => l.trim() !== '').at(-1)?.trim() ?? '';
}

/**
 * The executable to run for `tool`, installing it into the project's virtual environment when it
 * is nowhere else and Python 3 is there. Throws {@link ToolUnavailableError} with the manual
 * command when it cannot be found or installed.
 */
export async function locateTool(tool: PythonTool, options: LocateToolOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const progress = options.progress ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const explicit = env[tool.envVar];
  if (explicit) return explicit;
  const installed = onPath(tool.command, env.PATH);
  if (installed) return installed;
  const venv = venvDir(env);
  const inVenv = join(venv, 'bin', tool.command);
  if (isExecutable(inVenv)) return inVenv;

  const byHand = `install it by hand with: ${manualInstall(tool)}  (or set ${tool.envVar} to its path)`;
  const python = onPath('python3', env.PATH);
  if (!python) throw new ToolUnavailableError(`${tool.command} is not on PATH and Python 3 (python3) is not there to install it into ${venv}: ${byHand}`);

  const started = Date.now();
  progress(`${tool.command} is not on PATH: installing ${tool.requirement} into ${venv} (${python} -m venv, then pip; once, about a minute)…`);
  const venvPython = join(venv, 'bin', 'python');
  if (!isExecutable(venvPython)) {
    const made = await run(python, ['-m', 'venv', venv], env);
    if (made.code !== 0 || !isExecutable(venvPython)) {
      throw new ToolUnavailableError(`could not create the virtual environment ${venv} (${python} -m venv exited ${made.code ?? 'without starting'}: ${lastLine(made.output)}): ${byHand}`);
    }
  }
  const pip = await run(venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', tool.requirement], env);
  if (pip.code !== 0 || !isExecutable(inVenv)) {
    const why = pip.code !== 0 ? `pip exited ${pip.code ?? 'without starting'}: ${lastLine(pip.output)}` : `pip installed no ${tool.command}`;
    throw new ToolUnavailableError(`could not install ${tool.requirement} into ${venv} (${why}): ${byHand}`);
  }
  progress(`installed ${tool.requirement} into ${venv} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return inVenv;
}
