/**
 * The tools compared, each as the command line an operator would run, tuned fairly:
 * - s3-push: the deployed handler code (the bundle), run once as Lambda would, with the source
 *   user's keys; it assumes the destination role through radosgw's STS itself.
 * - `aws s3 sync` / `aws s3 cp --recursive` (awscli v1): max_concurrent_requests 32 (default 10)
 *   and multipart_threshold 256MB, the handler's default, so both make one CopyObject per object
 *   (awscli's default 8MB would turn each 8 MiB object into a 3-request multipart copy).
 * - rclone copy: server-side copy inside one remote, `--transfers 32 --checkers 32`; and rclone
 *   tuned as measured fastest on Ceph (docs/emulators.md): plus `--size-only --s3-no-check-bucket --s3-no-head --fast-list`
 *   and ListObjectsV2.
 * - a naive SDK loop: list, then CopyObject each key with p-limit(16).
 * The peers run with the role's session credentials (what an operator would use), obtained by
 * the bench beforehand, so they pay no AssumeRole; s3-push's one AssumeRole is counted.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { BenchBuild } from './build.ts';
import type { StaticCredentials } from './cephServer.ts';
import { DEFAULT_COPY_CONCURRENCY } from '../handler/config.ts';
import { DEFAULT_START_CONCURRENCY } from '../handler/copy/adaptiveConcurrency.ts';

/** One copy of one day, as every tool is asked to do it. */
export interface CopyJob {
  /** The endpoint the tool talks to: the counting proxy. */
  readonly endpoint: string;
  readonly sourceBucket: string;
  /** Prefix of the day, e.g. `2024/01/01/`. */
  readonly prefix: string;
  /** The same day as `YYYY-MM-DD` (the handler's event). */
  readonly date: string;
  readonly destinationBucket: string;
  readonly roleArn: string;
  /** The identity the Lambda runs as (s3-push assumes the role from it). */
  readonly lambdaCredentials: StaticCredentials;
  /** A session of the role, for the peers. */
  readonly roleCredentials: StaticCredentials;
  /** A scratch folder for config files and HOME. */
  readonly workDir: string;
  /** Where s3-push's handler process writes a V8 CPU profile of its run (`--cpu-prof`); none when undefined. */
  readonly cpuProfile?: string | undefined;
}

export interface ToolCommand {
  readonly argv: string[];
  readonly env: Record<string, string>;
}

export interface Tool {
  /** Short id used in the results (`s3-push`, `aws-sync`…). */
  readonly id: string;
  /** What docs/benchmarks.md shows. */
  readonly label: string;
  /** How it was tuned, in a few words. */
  readonly tuning: string;
  /** Objects it copies at once, as tuned here: what its latency bound scales with. */
  readonly copiesInFlight: number;
  /** Why it cannot run here (not installed…), or undefined when it can. */
  readonly missing: string | undefined;
  command(job: CopyJob): ToolCommand;
}

const REGION = 'us-east-1';

function baseEnv(job: CopyJob): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: job.workDir,
    LANG: 'C.UTF-8',
    TMPDIR: job.workDir,
  };
}

function credentialEnv(c: StaticCredentials): Record<string, string> {
  const env: Record<string, string> = { AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey };
  if (c.sessionToken) env.AWS_SESSION_TOKEN = c.sessionToken;
  return env;
}

/**
 * s3-push: the bundled handler at its defaults (copies in flight adapting from 16 up to
 * COPY_CONCURRENCY), or with `concurrency` copies in flight held fixed (COPY_CONCURRENCY and
 * COPY_CONCURRENCY_START both set to it): the points of the curve.
 */
export function s3PushTool(build: BenchBuild, concurrency?: number): Tool {
  return {
    id: concurrency === undefined ? 's3-push' : `s3-push-c${concurrency}`,
    label: concurrency === undefined ? 's3-push' : `s3-push COPY_CONCURRENCY=${concurrency}`,
    tuning: concurrency === undefined ? `defaults (copies in flight adapting from ${DEFAULT_START_CONCURRENCY} up to COPY_CONCURRENCY ${DEFAULT_COPY_CONCURRENCY}, one CopyObject up to 256 MiB)` : `COPY_CONCURRENCY=${concurrency}, held fixed`,
    copiesInFlight: concurrency ?? DEFAULT_COPY_CONCURRENCY,
    missing: undefined,
    command(job) {
      const event = JSON.stringify({ dates: [job.date] });
      return {
        argv: [process.execPath, ...cpuProfileFlags(job.cpuProfile), build.runHandler, event, `${job.workDir}/summary.json`],
        env: {
          ...baseEnv(job),
          ...credentialEnv(job.lambdaCredentials),
          AWS_REGION: REGION,
          AWS_ENDPOINT_URL: job.endpoint,
          SOURCE_BUCKET: job.sourceBucket,
          DESTINATION_BUCKET: job.destinationBucket,
          DESTINATION_ROLE_ARN: job.roleArn,
          // Both radosgw users live in one tenant, the role's "account" (bench/ceph.sh).
          SOURCE_ACCOUNT_ID: job.roleArn.split(':')[4] ?? '',
          ...(concurrency === undefined ? {} : { COPY_CONCURRENCY: String(concurrency), COPY_CONCURRENCY_START: String(concurrency) }),
        },
      };
    },
  };
}

/** Node's flags that write a CPU profile of the process to `path` on exit (none without a path). */
export function cpuProfileFlags(path: string | undefined): string[] {
  return path === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${dirname(path)}`, `--cpu-prof-name=${basename(path)}`];
}

/**
 * A peer that is one of the bench's bundled node scripts (`<script> <source bucket> <prefix>
 * <destination bucket> <concurrency>`), run with the role's credentials at concurrency 16.
 */
function nodeScriptTool(id: string, label: string, tuning: string, script: string): Tool {
  return {
    id,
    label,
    tuning,
    copiesInFlight: 16,
    missing: undefined,
    command(job) {
      return {
        argv: [process.execPath, script, job.sourceBucket, job.prefix, job.destinationBucket, '16'],
        env: { ...baseEnv(job), ...credentialEnv(job.roleCredentials), AWS_REGION: REGION, AWS_ENDPOINT_URL: job.endpoint },
      };
    },
  };
}

/** The naive SDK loop at concurrency 16. */
export function naiveSdkTool(build: BenchBuild): Tool {
  return nodeScriptTool('naive-sdk', 'naive SDK loop', 'ListObjectsV2 then CopyObject each key, p-limit(16)', build.naiveSdkCopy);
}

/** s3-sync-client (npm) bucket to bucket, at the naive loop's concurrency of 16. */
export function s3SyncClientTool(build: BenchBuild): Tool {
  return nodeScriptTool('s3-sync-client', 's3-sync-client', 'sync bucket to bucket, maxConcurrentTransfers 16 (default 10)', build.s3SyncClientCopy);
}

const AWS_CONFIG = `[default]
region = ${REGION}
s3 =
  max_concurrent_requests = 32
  max_queue_size = 10000
  multipart_threshold = 256MB
  multipart_chunksize = 64MB
`;

/** `aws s3 sync` or `aws s3 cp --recursive`. */
export function awsCliTool(kind: 'sync' | 'cp'): Tool {
  const aws = resolveExecutable('aws');
  return {
    id: kind === 'sync' ? 'aws-sync' : 'aws-cp',
    label: kind === 'sync' ? 'aws s3 sync' : 'aws s3 cp --recursive',
    tuning: 'max_concurrent_requests 32, multipart_threshold 256MB',
    copiesInFlight: 32,
    missing: aws === undefined ? 'awscli not found on PATH (pip install awscli)' : undefined,
    command(job) {
      const config = `${job.workDir}/aws-config`;
      writeFileSync(config, AWS_CONFIG);
      const src = `s3://${job.sourceBucket}/${job.prefix}`;
      const dst = `s3://${job.destinationBucket}/${job.prefix}`;
      const args = kind === 'sync' ? ['s3', 'sync', src, dst] : ['s3', 'cp', src, dst, '--recursive'];
      return {
        argv: [aws ?? 'aws', ...args, '--endpoint-url', job.endpoint, '--only-show-errors', '--no-progress'],
        env: {
          ...baseEnv(job),
          ...credentialEnv(job.roleCredentials),
          AWS_CONFIG_FILE: config,
          AWS_SHARED_CREDENTIALS_FILE: `${job.workDir}/no-credentials`,
          AWS_DEFAULT_REGION: REGION,
        },
      };
    },
  };
}

/** rclone copy, server-side inside one S3 remote; `tuned` adds the flags that skip its checks. */
export function rcloneTool(tuned: boolean): Tool {
  const rclone = resolveExecutable('rclone');
  const tunedFlags = ['--size-only', '--s3-no-check-bucket', '--s3-no-head', '--fast-list', '--s3-list-version', '2'];
  return {
    id: tuned ? 'rclone-tuned' : 'rclone',
    label: tuned ? 'rclone copy (tuned)' : 'rclone copy',
    tuning: tuned ? `--transfers 32 --checkers 32 ${tunedFlags.join(' ')}` : '--transfers 32 --checkers 32',
    // Each transfer sends its HeadObject and then its CopyObject: 32 objects in flight.
    copiesInFlight: 32,
    missing: rclone === undefined ? 'rclone not found on PATH (apt-get install rclone)' : undefined,
    command(job) {
      const config = `${job.workDir}/rclone.conf`;
      writeFileSync(config, '');
      const c = job.roleCredentials;
      return {
        argv: [
          rclone ?? 'rclone',
          'copy',
          `bench:${job.sourceBucket}/${job.prefix}`,
          `bench:${job.destinationBucket}/${job.prefix}`,
          '--transfers', '32',
          '--checkers', '32',
          '-q',
          ...(tuned ? tunedFlags : []),
        ],
        env: {
          ...baseEnv(job),
          RCLONE_CONFIG: config,
          RCLONE_CONFIG_BENCH_TYPE: 's3',
          RCLONE_CONFIG_BENCH_PROVIDER: 'Ceph',
          RCLONE_CONFIG_BENCH_ENDPOINT: job.endpoint,
          RCLONE_CONFIG_BENCH_REGION: REGION,
          RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: c.accessKeyId,
          RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: c.secretAccessKey,
          ...(c.sessionToken ? { RCLONE_CONFIG_BENCH_SESSION_TOKEN: c.sessionToken } : {}),
        },
      };
    },
  };
}

/**
 * The executable's real path, or undefined when absent. A pyenv shim is resolved to the real
 * script, so awscli is not charged for pyenv's own start-up (a bash script that runs pyenv).
 */
export function resolveExecutable(name: string): string | undefined {
  let found: string;
  try {
    found = execFileSync('bash', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
  if (found === '') return undefined;
  if (found.includes('/.pyenv/shims/')) {
    try {
      const real = execFileSync('pyenv', ['which', name], { encoding: 'utf8' }).trim();
      if (real !== '' && existsSync(real)) return real;
    } catch {
      // fall back to the shim
    }
  }
  return found;
}

/** `name --version`'s first line, or undefined. */
export function versionOf(executable: string | undefined, args: string[] = ['--version']): string | undefined {
  if (executable === undefined) return undefined;
  try {
    const out = execFileSync(executable, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.split('\n')[0]?.trim();
  } catch (err) {
    const e = err as { stderr?: string };
    return e.stderr?.split('\n')[0]?.trim();
  }
}
