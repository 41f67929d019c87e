/**
 * Runs one tool as a child process under /usr/bin/time and returns its wall time, the CPU it used
 * (user + system, children included: awscli and rclone start helpers) and its peak memory.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

export const TIME_BINARY = '/usr/bin/time';

export interface Measured {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly maxRssMiB: number;
  readonly exitCode: number;
  /** The last 2,000 characters of stderr, for failures. */
  readonly stderrTail: string;
  readonly stdout: string;
}

/**
 * Spawns `argv` with exactly `env` (nothing inherited: no stray AWS_* or ~/.aws leaks into a tool).
 * Wall time is taken here around the whole process, start-up included, for every tool alike.
 */
export async function runMeasured(argv: readonly string[], env: Record<string, string>): Promise<Measured> {
  const dir = mkdtempSync(`${tmpdir()}/s3-push-bench-time-`);
  const timeFile = `${dir}/time`;
  try {
    const started = performance.now();
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(TIME_BINARY, ['-f', '%U %S %M', '-o', timeFile, '--', ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-20_000)));
      child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2_000)));
      child.once('error', reject);
      child.once('close', (c) => resolve({ code: c ?? 1, stdout: out, stderr: err }));
    });
    const wallSeconds = (performance.now() - started) / 1000;
    const line = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
    const [user, sys, rssKiB] = line.split(' ').map(Number);
    return {
      wallSeconds,
      cpuSeconds: (user ?? NaN) + (sys ?? NaN),
      maxRssMiB: (rssKiB ?? NaN) / 1024,
      exitCode: code,
      stderrTail: stderr,
      stdout,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
