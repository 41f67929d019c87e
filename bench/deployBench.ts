/**
 * Deploy benchmark: `npm run deploy` against moto, once to create the stack, then `rounds` no-op
 * reruns, each timed under /usr/bin/time with its AWS API calls counted by operation by the
 * counting proxy in front of moto (retries included: the proxy sees every HTTP request).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { REPO_ROOT } from '../deploy/repoRoot.ts';
import { startMoto } from '../dev/motoServer.ts';
import { deployEnv, MOTO_CREDENTIALS } from '../dev/accounts.ts';
import { startCountingProxy } from './countingProxy.ts';
import { runMeasured } from './measure.ts';
import { spread, type Spread } from './stats.ts';

export type DeployBenchResult =
  | { readonly skipped: string }
  | {
      readonly command: string;
      readonly firstDeploy: { readonly wallSeconds: number; readonly calls: Record<string, number> };
      readonly wallSeconds: Spread;
      readonly cpuSeconds: Spread;
      /** Median calls by `service:Operation` of a no-op rerun. */
      readonly calls: Record<string, number>;
      readonly totalCalls: number;
      /** Calls a no-op rerun must not make, found in any rerun (should be empty). */
      readonly unexpected: string[];
      /** The last lines the no-op rerun printed. */
      readonly output: string[];
    };

// The deploy environment for moto's two accounts, with moto's keys (deploy runs as a child process).
const ENV = deployEnv(MOTO_CREDENTIALS);

/** Operations that would mean a rerun changed something. */
const CHANGES = /:(PutObject|CreateBucket|ExecuteChangeSet|UpdateStack|CreateStack|DeleteStack|PutBucketPolicy|UpdateFunctionCode)$/;

/** Measures the no-op rerun `rounds` times; skipped when the deploy command is not there. */
export async function measureDeploy(rounds: number, log: (line: string) => void = () => undefined): Promise<DeployBenchResult> {
  const main = `${REPO_ROOT}deploy/commands/deploy/main.ts`;
  if (!existsSync(main)) return { skipped: 'not measured: deploy/commands/deploy/main.ts is not in this checkout' };
  const tsx = `${REPO_ROOT}node_modules/.bin/tsx`;
  const moto = await startMoto();
  const proxy = await startCountingProxy({ target: moto.endpoint, naming: 'aws' });
  const work = mkdtempSync(`${tmpdir()}/s3-push-bench-deploy-`);
  try {
    const s3 = new S3Client({ endpoint: moto.endpoint, region: ENV.AWS_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    await s3.send(new CreateBucketCommand({ Bucket: ENV.S3_ROOT_BUCKET }));
    const env = { PATH: process.env.PATH ?? '', HOME: work, LANG: 'C.UTF-8', ...ENV, AWS_ENDPOINT_URL: proxy.endpoint };
    const argv = [tsx, main, '--out', work];
    const run = async (what: string) => {
      proxy.take();
      const m = await runMeasured(argv, env);
      const calls = proxy.take();
      if (m.exitCode !== 0) throw new Error(`npm run deploy (${what}) exited ${m.exitCode}: ${m.stderrTail.trim().split('\n').slice(-4).join(' / ')}`);
      log(`deploy ${what}: ${m.wallSeconds.toFixed(2)} s wall, ${m.cpuSeconds.toFixed(2)} s CPU, ${calls.total} API calls`);
      return { m, calls };
    };
    const first = await run('first (creates the stack)');
    const reruns: Awaited<ReturnType<typeof run>>[] = [];
    for (let i = 0; i < rounds; i++) reruns.push(await run(`no-op rerun ${i + 1}`));
    const ops = [...new Set(reruns.flatMap((r) => Object.keys(r.calls.byOperation)))].sort();
    const calls = Object.fromEntries(ops.map((op) => [op, spread(reruns.map((r) => r.calls.byOperation[op] ?? 0)).median]));
    return {
      command: 'npm run deploy (tsx deploy/commands/deploy/main.ts) against moto, AWS_ENDPOINT_URL through the counting proxy',
      firstDeploy: { wallSeconds: first.m.wallSeconds, calls: first.calls.byOperation },
      wallSeconds: spread(reruns.map((r) => r.m.wallSeconds)),
      cpuSeconds: spread(reruns.map((r) => r.m.cpuSeconds)),
      calls,
      totalCalls: Object.values(calls).reduce((a, b) => a + b, 0),
      unexpected: ops.filter((op) => CHANGES.test(op)),
      output: reruns.at(-1)?.m.stdout.trim().split('\n').slice(-8) ?? [],
    };
  } finally {
    await proxy.close();
    await moto.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
