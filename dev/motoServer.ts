/**
 * Starts and stops a local moto server (an HTTP emulator of S3, STS, IAM, CloudFormation, Lambda,
 * EventBridge, SQS…) on a free loopback port. Used by the integration tests, the demo and the
 * deploy benchmark; nothing in the product code knows about it — they reach it only through
 * `AWS_ENDPOINT_URL`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { locateTool, manualInstall, MOTO_SERVER, ToolUnavailableError } from './pythonTools.ts';
import { S3PushError } from '../rules/errors.ts';

/** The folder of dev/moto/sitecustomize.py, first on the moto server's PYTHONPATH. */
const MOTO_PATCHES = fileURLToPath(new URL('./moto/', import.meta.url));

export const MOTO_INSTALL_HINT = `install it with: ${manualInstall(MOTO_SERVER)}  (moto 5.2 or newer)`;

/** Thrown when moto cannot be started: missing, or not ready in time. */
export class MotoUnavailableError extends S3PushError {
  override name = 'MotoUnavailableError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, userFault: false });
  }
}

export interface MotoServer {
  /** `http://127.0.0.1:PORT` — 127.0.0.1, not localhost, so the SDK uses path-style S3 by itself. */
  readonly endpoint: string;
  readonly port: number;
  /** The server's process id. */
  readonly pid: number | undefined;
  /** Forget every resource in every account (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** Stop the server and wait for the process to exit. */
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /**
   * The executable. Default: `MOTO_SERVER` from the environment, else `moto_server` on PATH, else
   * the project's virtual environment, installed there on first use (see dev/pythonTools.ts).
   */
  command?: string;
  /** How long to wait for readiness. Default 30 s (it is usually ready in under 2 s). */
  readyTimeoutMs?: number;
  /**
   * Let the server outlive this process (`npm run demo -- --keep`): it runs in a process group of
   * its own (a Ctrl-C in the terminal does not reach it), writes its log to this file rather than
   * to a pipe of ours, and does not keep this process alive. Default: none (a child of this process).
   */
  keepLogFile?: string;
}

/** Finds a free TCP port on 127.0.0.1 by binding port 0. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('could not read the bound port'));
        return;
      }
      const { port } = addr;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `moto_server -H 127.0.0.1 -p PORT` and waits until `GET /moto-api/config` answers 2xx.
 * Throws {@link MotoUnavailableError} with the install command when moto is not installed and
 * cannot be installed into the project's virtual environment.
 */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  let command = options.command;
  if (command === undefined) {
    try {
      command = await locateTool(MOTO_SERVER);
    } catch (err) {
      if (err instanceof ToolUnavailableError) throw new MotoUnavailableError(err.message, { cause: err });
      throw err;
    }
  }
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const log = options.keepLogFile === undefined ? undefined : openSync(options.keepLogFile, 'a', 0o600);
  const child: ChildProcess = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', log ?? 'pipe'],
    detached: log !== undefined,
    // dev/moto/sitecustomize.py gives moto IAM's "?" wildcard (see there): without it, a bucket
    // policy rendered on the day pattern makes moto answer 500 to every object request. No
    // bytecode is written next to it, in the repository.
    env: { ...process.env, MOTO_ACCOUNT_ID: undefined, PYTHONPATH: [MOTO_PATCHES, process.env.PYTHONPATH].filter(Boolean).join(delimiter), PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (log !== undefined) {
    closeSync(log);
    child.unref();
  }
  let piped = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    piped = (piped + chunk.toString()).slice(-4000);
  });
  const stderrTail = (): string => (options.keepLogFile === undefined ? piped : readFileSync(options.keepLogFile, 'utf8').slice(-4000));
  const exited = new Promise<{ code: number | null; error?: NodeJS.ErrnoException }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('exit', (code) => resolve({ code }));
  });
  let early: { code: number | null; error?: NodeJS.ErrnoException } | undefined;
  void exited.then((r) => {
    early = r;
  });

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (early) {
      const enoent = early.error?.code === 'ENOENT';
      throw new MotoUnavailableError(
        enoent
          ? `moto is not installed ('${command}' was not found on PATH): ${MOTO_INSTALL_HINT}`
          : `moto_server exited before it was ready (code ${early.code}): ${stderrTail().trim()}`,
      );
    }
    try {
      const res = await fetch(`${endpoint}/moto-api/config`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new MotoUnavailableError(`moto_server on ${endpoint} was not ready after ${readyTimeoutMs} ms: ${stderrTail().trim()}`);
    }
    await sleep(100);
  }

  return {
    endpoint,
    port,
    pid: child.pid,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset answered ${res.status}`);
    },
    async stop() {
      if (early) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
