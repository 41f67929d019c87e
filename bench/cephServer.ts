/**
 * Drives bench/ceph.sh from the benchmark: start, the pids of the cluster (to read its CPU time),
 * garbage collection between rounds, and a synchronous stop that is safe in exit handlers.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { REPO_ROOT } from '../deploy/repoRoot.ts';

const SCRIPT = `${REPO_ROOT}bench/ceph.sh`;

export interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface CephServer {
  /** radosgw, `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  /** The "source account" user: the identity the Lambda runs as. */
  readonly source: StaticCredentials;
  /** The "destination account" user: owns the destination buckets. */
  readonly destination: StaticCredentials;
  /** The role the handler assumes (radosgw STS), trusted by the source user. */
  readonly roleArn: string;
  readonly conf: string;
  readonly dir: string;
  /** CPU seconds (user + system) used so far by the mon, the osd and radosgw together. */
  cpuSeconds(): number;
  /** The pids of the mon, the osd and radosgw. */
  pids(): number[];
  /** Runs radosgw's garbage collection now, so deleted copies free the OSD's memory. */
  collectGarbage(): void;
  /** Stops every process by its pid file and removes the folder. Synchronous: safe on exit. */
  stop(): void;
}

/** Starts the cluster (installing the Debian packages when missing); its progress goes to stderr. */
export async function startCeph(dir = `${REPO_ROOT}.ceph`): Promise<CephServer> {
  const env = { ...process.env, CEPH_DIR: dir };
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, 'start'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`bench/ceph.sh start failed (exit ${code}); see the lines above`))));
  });
  const vars = parseEnvLines(out);
  const need = (k: string): string => {
    const v = vars[k];
    if (v === undefined || v === '') throw new Error(`bench/ceph.sh start did not print ${k}`);
    return v;
  };
  const ticks = clockTicks();
  return {
    endpoint: need('CEPH_ENDPOINT'),
    source: { accessKeyId: need('CEPH_SOURCE_ACCESS_KEY'), secretAccessKey: need('CEPH_SOURCE_SECRET_KEY') },
    destination: { accessKeyId: need('CEPH_DEST_ACCESS_KEY'), secretAccessKey: need('CEPH_DEST_SECRET_KEY') },
    roleArn: need('CEPH_ROLE_ARN'),
    conf: need('CEPH_CONF'),
    dir,
    pids: () => pidsIn(`${dir}/run`),
    cpuSeconds() {
      let total = 0;
      for (const pid of pidsIn(`${dir}/run`)) total += processCpuTicks(pid);
      return total / ticks;
    },
    collectGarbage() {
      execFileSync('radosgw-admin', ['-c', need('CEPH_CONF'), 'gc', 'process', '--include-all'], { stdio: 'ignore' });
    },
    stop() {
      execFileSync('bash', [SCRIPT, 'stop'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    },
  };
}

/** `KEY=VALUE` lines into an object; other lines ignored. */
export function parseEnvLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

function pidsIn(runDir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(runDir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.pid'))
    .map((n) => Number(readFileSync(`${runDir}/${n}`, 'utf8').trim()))
    .filter((p) => Number.isInteger(p) && p > 0);
}

/**
 * Sets the niceness of every thread of a process (setpriority on Linux acts on one thread, and
 * the daemons' threads already exist). Returns false when it was not allowed.
 */
export function reniceProcess(pid: number, nice: number): boolean {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return false;
  }
  let ok = true;
  for (const tid of tids) {
    try {
      setPriority(Number(tid), nice);
    } catch {
      ok = false;
    }
  }
  return ok;
}

/** utime + stime of a live process, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
export function processCpuTicks(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // The command name (field 2) may hold spaces; count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function clockTicks(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}
