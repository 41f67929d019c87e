/**
 * `npm run bench`: s3-push side by side with the tools operators would use instead, on one local
 * Ceph radosgw (bench/ceph.sh), every request counted by a proxy. See docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { REPO_ROOT } from '../deploy/repoRoot.ts';
import { runCommand } from '../deploy/cli/runCommand.ts';
import { S3PushError } from '../rules/errors.ts';
import { buildBenchTools, type BenchBuild } from './build.ts';
import { reniceProcess, startCeph, type CephServer, type StaticCredentials } from './cephServer.ts';
import { createCpuGroup, type CpuGroup } from './cpuQuota.ts';
import { envelopeOf } from './latencyModel.ts';
import { startCountingProxy, type CountingProxy } from './countingProxy.ts';
import { createBucket, dataset, deleteBucket, describePrefix, seedDataset, type Dataset } from './dataset.ts';
import { ensurePackages } from './debian.ts';
import { runMeasured, TIME_BINARY } from './measure.ts';
import { MB_PER_VCPU } from './memoryTable.ts';
import { BENCH_USAGE, parseBenchArgs, type BenchOptions } from './options.ts';
import { copiesIn, formatRequests, renderResults, summarizeDataset, type BundleFigures, type DatasetSummary, type EnvelopeSettings, type Phase, type RunRecord } from './report.ts';
import { writeBenchmarksPage } from './page.ts';
import { rotate, spread } from './stats.ts';
import { awsCliTool, naiveSdkTool, rcloneTool, resolveExecutable, s3PushTool, s3SyncClientTool, versionOf, type CopyJob, type Tool } from './tools.ts';
import { measureDeploy, type DeployBenchResult } from './deployBench.ts';

const SOURCE_BUCKET = 's3push-bench-source';
const REGION = 'us-east-1';

const log = (line: string): void => console.error(`bench: ${line}`);

interface Context {
  readonly ceph: CephServer;
  readonly proxy: CountingProxy;
  readonly sourceS3: S3Client;
  readonly destinationS3: S3Client;
  readonly sts: STSClient;
  readonly workRoot: string;
  /** The CPU cgroup every tool runs in (--cpu-quota), or undefined. */
  readonly cpuGroup: CpuGroup | undefined;
  /** The folder of s3-push's CPU profiles (--cpu-prof), or undefined. */
  readonly cpuProfDir: string | undefined;
}

/** Stops Ceph once (also on Ctrl-C); set while it runs. */
let stopCeph: (() => void) | undefined;

async function main(options: BenchOptions): Promise<void> {
  if (options.render) {
    log(`page: ${writeBenchmarksPage()} (from bench/results/)`);
    return;
  }
  const started = performance.now();
  // Before anything else: without a cgroup to hold the tools the run would measure something else.
  const cpuGroup = options.cpuQuota === undefined ? undefined : createCpuGroup(options.cpuQuota);
  // Ctrl-C exits without reaching the finally below: remove the group on exit too (remove is idempotent).
  if (cpuGroup !== undefined) process.once('exit', () => cpuGroup.remove());
  try {
    if (cpuGroup !== undefined) log(`each tool runs in ${cpuGroup.path} (${cpuGroup.kind}), held to ${cpuGroup.quota} CPU`);
    await benchIn(options, started, cpuGroup);
  } finally {
    cpuGroup?.remove();
  }
}

async function benchIn(options: BenchOptions, started: number, cpuGroup: CpuGroup | undefined): Promise<void> {
  const missingPackages = ensurePackages(['time', 'rclone'], options.install, log);
  if (missingPackages.includes('time')) throw new Error(`${TIME_BINARY} is missing (apt-get install time): it measures each tool's CPU`);

  log('bundling the handler and the naive loop');
  const cpuProfDir = options.cpuProfDir === undefined ? undefined : resolve(options.cpuProfDir);
  const build = await buildBenchTools(undefined, { sourceMaps: cpuProfDir !== undefined });
  if (cpuProfDir !== undefined) {
    mkdirSync(cpuProfDir, { recursive: true });
    log(`s3-push's runs write their CPU profiles into ${cpuProfDir}; the bundle's source maps are beside it in ${build.dir} (npx tsx scripts/cpuProfileAreas.ts)`);
  }
  const allTools: Tool[] = [s3PushTool(build), awsCliTool('sync'), awsCliTool('cp'), rcloneTool(false), rcloneTool(true), naiveSdkTool(build), s3SyncClientTool(build)];
  const tools = options.only === undefined ? allTools : allTools.filter((t) => options.only!.includes(t.id));
  for (const t of tools) if (t.missing !== undefined) log(`${t.label}: missing (${t.missing})`);
  const runnable = tools.filter((t) => t.missing === undefined);
  if (runnable.length === 0) throw new S3PushError(`no tool to measure: ${tools.map((t) => `${t.label} is missing (${t.missing})`).join('; ')}`, { userFault: false });

  log('starting Ceph radosgw (bench/ceph.sh)');
  const ceph = await startCeph();
  let stopped = false;
  stopCeph = (): void => {
    if (stopped) return;
    stopped = true;
    try {
      ceph.stop();
    } catch (err) {
      console.error(`bench: stopping Ceph failed: ${(err as Error).message}; run bench/ceph.sh stop`);
    }
  };
  process.once('exit', stopCeph);

  if (options.nice !== 0) {
    // The bench's own threads (the proxy) and, through inheritance, every tool it spawns.
    const mine = reniceProcess(process.pid, options.nice);
    const theirs = ceph.pids().every((pid) => reniceProcess(pid, options.nice));
    if (!mine || !theirs) log(`could not set niceness ${options.nice} everywhere (root is needed for a negative one)`);
    else log(`niceness ${options.nice} for the bench, the Ceph daemons and the tools`);
  }

  let proxy: CountingProxy | undefined;
  const workRoot = mkdtempSync(`${REPO_ROOT}.bench/work-`);
  try {
    proxy = await startCountingProxy({ target: ceph.endpoint, ...(options.latency === undefined ? {} : { latency: { model: options.latency, seed: options.latencySeed } }) });
    const direct = (credentials: StaticCredentials): S3Client => new S3Client({ endpoint: ceph.endpoint, region: REGION, forcePathStyle: true, credentials });
    const ctx: Context = {
      ceph,
      proxy,
      sourceS3: direct(ceph.source),
      destinationS3: direct(ceph.destination),
      sts: new STSClient({ endpoint: ceph.endpoint, region: REGION, credentials: ceph.source }),
      workRoot,
      cpuGroup,
      cpuProfDir,
    };

    const datasets = [dataset('small', '2024-01-01', options.smallCount, 1024), dataset('large', '2024-01-02', options.largeCount, 8 * 1024 * 1024)].filter((d) => d.count > 0);
    log(`seeding ${datasets.map((d) => d.label).join(' and ')}`);
    await createBucket(ctx.sourceS3, SOURCE_BUCKET);
    for (const ds of datasets) await seedDataset(ctx.sourceS3, SOURCE_BUCKET, ds);

    const runs: RunRecord[] = [];
    for (const ds of datasets) {
      for (let round = 0; round < options.rounds; round++) {
        const roleCredentials = await roleSession(ctx);
        for (const tool of rotate(runnable, round)) {
          runs.push(...(await coldAndWarm(ctx, build, tool, ds, round, roleCredentials, true)));
          if (ds.objectBytes >= 1024 * 1024) ceph.collectGarbage();
        }
      }
    }

    const curveRuns: RunRecord[] = [];
    const small = datasets.find((d) => d.id === 'small');
    if (small !== undefined && options.curve.length > 0) {
      for (let round = 0; round < options.curveRounds; round++) {
        const roleCredentials = await roleSession(ctx);
        for (const c of round % 2 === 0 ? options.curve : [...options.curve].reverse()) {
          const tool = s3PushTool(build, c);
          curveRuns.push(...(await coldAndWarm(ctx, build, tool, { ...small, id: 'curve' }, round, roleCredentials, false)));
        }
      }
    }

    const bundle = measureBundle(build);
    let deploy: DeployBenchResult;
    if (options.deploy) {
      log('deploy: a no-op rerun of npm run deploy against moto');
      deploy = await measureDeploy(options.rounds, log);
    } else {
      deploy = { skipped: options.quick ? 'not run with --quick' : 'not run (--no-deploy)' };
    }

    const envelopeSettings: EnvelopeSettings | undefined =
      options.latency === undefined
        ? undefined
        : {
            cpuQuota: options.cpuQuota ?? cpus().length,
            quotaEnforced: options.cpuQuota !== undefined,
            model: options.latency,
            copiesInFlight: Object.fromEntries(runnable.map((t) => [t.id, t.copiesInFlight])),
          };
    const summaries: DatasetSummary[] = datasets.map((ds) => summarizeDataset(runs, { id: ds.id, label: ds.label, count: ds.count }, runnable.map((t) => t.id), 's3-push', envelopeSettings));
    const curve = options.curve.map((c) => {
      const mine = curveRuns.filter((r) => r.tool === `s3-push-c${c}` && r.ok);
      const cpuPerCopyMs = mine.length ? spread(mine.map((r) => (r.cpuSeconds * 1000) / Math.max(1, copiesIn(r.requests)))) : undefined;
      const envelope =
        envelopeSettings === undefined || cpuPerCopyMs === undefined || small === undefined
          ? undefined
          : envelopeOf({ cpuQuota: envelopeSettings.cpuQuota, cpuPerCopyMs: cpuPerCopyMs.median, requests: mine[0]!.requests.byOperation, objects: small.count, copiesInFlight: c, model: envelopeSettings.model });
      return {
        cpuPerCopyMs,
        envelope,
        throttledSeconds: cpuGroup !== undefined && mine.length ? spread(mine.map((r) => r.throttledSeconds ?? 0)) : undefined,
        concurrency: c,
        wallSeconds: mine.length ? spread(mine.map((r) => r.wallSeconds)) : undefined,
        copiesPerSecond: mine.length && small ? spread(mine.map((r) => small.count / r.wallSeconds)) : undefined,
        cpuSeconds: mine.length ? spread(mine.map((r) => r.cpuSeconds)) : undefined,
        serverCpuSeconds: mine.length ? spread(mine.map((r) => r.serverCpuSeconds)) : undefined,
        requests: mine[0]?.requests.byOperation,
        failures: curveRuns.filter((r) => r.tool === `s3-push-c${c}` && !r.ok).map((r) => r.problem),
      };
    });
    // The server's ceiling: the best CopyObject rate any client reached on the small objects.
    let ceiling: { copiesPerSecond: number; tool: string } | undefined;
    for (const r of [...runs, ...curveRuns]) {
      if (!r.ok || r.phase !== 'cold' || r.dataset === 'large') continue;
      const rate = copiesIn(r.requests) / r.wallSeconds;
      if (ceiling === undefined || rate > ceiling.copiesPerSecond) ceiling = { copiesPerSecond: rate, tool: r.tool };
    }

    const results = {
      generatedAt: new Date().toISOString(),
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      totalSeconds: 0,
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
      server: {
        kind: 'Ceph radosgw, single node, memstore OSD, beast on 127.0.0.1 with tcp_nodelay (bench/ceph.sh)',
        version: versionOf('ceph'),
        note: 'every tool talks to radosgw through the counting proxy (bench/countingProxy.ts), in the bench process',
      },
      versions: { awscli: versionOf(resolveExecutable('aws')), rclone: versionOf(resolveExecutable('rclone')) },
      options,
      envelope: {
        cpuQuota: options.cpuQuota,
        cpuGroup: cpuGroup?.kind,
        lambdaMemoryMB: options.cpuQuota === undefined ? undefined : Math.round(options.cpuQuota * MB_PER_VCPU),
        latency: options.latency,
        latencySeed: options.latency === undefined ? undefined : options.latencySeed,
      },
      tools: tools.map((t) => ({ id: t.id, label: t.label, tuning: t.tuning, ...(t.missing === undefined ? {} : { missing: t.missing }) })),
      datasets: summaries,
      ceiling,
      loadAverage: runs.length > 0 ? spread([...runs, ...curveRuns].map((r) => r.loadAverage ?? NaN).filter(Number.isFinite)) : undefined,
      s3pushVsCeiling: Object.fromEntries(
        summaries.map((s) => [s.dataset, s.tools.find((t) => t.tool === 's3-push')?.copiesPerSecond?.median]),
      ),
      curve,
      bundle,
      deploy,
      runs: [...runs, ...curveRuns],
    };
    results.totalSeconds = Math.round((performance.now() - started) / 1000);
    const out = resolve(REPO_ROOT, options.out);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    console.log(renderResults(results));
    log(`results: ${out} (${results.totalSeconds} s)`);
    if (options.save) log(`page: ${writeBenchmarksPage()}`);
  } finally {
    await proxy?.close();
    rmSync(workRoot, { recursive: true, force: true });
    log('stopping Ceph');
    stopCeph();
  }
}

/** Session credentials of the role, straight from radosgw (not counted): what the peers use. */
async function roleSession(ctx: Context): Promise<StaticCredentials> {
  const out = await ctx.sts.send(new AssumeRoleCommand({ RoleArn: ctx.ceph.roleArn, RoleSessionName: 'bench-peers', DurationSeconds: 3600 }));
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('AssumeRole returned no credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/** One tool on one day: a cold copy into a fresh bucket, then (when `warm`) the same run again. */
async function coldAndWarm(ctx: Context, build: BenchBuild, tool: Tool, ds: Dataset, round: number, roleCredentials: StaticCredentials, warm: boolean): Promise<RunRecord[]> {
  const destinationBucket = `bench-${ds.id}-${tool.id}-r${round}`.slice(0, 63);
  await createBucket(ctx.destinationS3, destinationBucket);
  const records: RunRecord[] = [];
  try {
    for (const phase of (warm ? ['cold', 'warm'] : ['cold']) as Phase[]) {
      const workDir = mkdtempSync(`${ctx.workRoot}/${tool.id}-`);
      const job: CopyJob = {
        endpoint: ctx.proxy.endpoint,
        sourceBucket: SOURCE_BUCKET,
        prefix: ds.prefix,
        date: ds.date,
        destinationBucket,
        roleArn: ctx.ceph.roleArn,
        lambdaCredentials: ctx.ceph.source,
        roleCredentials,
        workDir,
        cpuProfile: ctx.cpuProfDir === undefined ? undefined : `${ctx.cpuProfDir}/${ds.id}-r${round + 1}-${phase}-${tool.id}.cpuprofile`,
      };
      const cmd = tool.command(job);
      ctx.proxy.take();
      const server0 = ctx.ceph.cpuSeconds();
      const proxy0 = process.cpuUsage();
      const throttled0 = ctx.cpuGroup?.throttledSeconds();
      const m = await runMeasured(ctx.cpuGroup === undefined ? cmd.argv : ctx.cpuGroup.wrap(cmd.argv), cmd.env);
      const throttledSeconds = throttled0 === undefined ? undefined : ctx.cpuGroup!.throttledSeconds() - throttled0;
      const proxyUsage = process.cpuUsage(proxy0);
      const serverCpuSeconds = ctx.ceph.cpuSeconds() - server0;
      const proxyCpuSeconds = (proxyUsage.user + proxyUsage.system) / 1e6;
      const requests = ctx.proxy.take();
      const found = await describePrefix(ctx.destinationS3, destinationBucket, ds.prefix);
      let problem: string | undefined;
      if (m.exitCode !== 0) problem = `exit ${m.exitCode}: ${m.stderrTail.trim().split('\n').slice(-3).join(' / ')}`;
      else if (found.count !== ds.count || found.bytes !== ds.count * ds.objectBytes) {
        problem = `destination holds ${found.count} objects / ${found.bytes} bytes, expected ${ds.count} / ${ds.count * ds.objectBytes}`;
      }
      const record: RunRecord = {
        dataset: ds.id,
        round,
        tool: tool.id,
        phase,
        wallSeconds: m.wallSeconds,
        cpuSeconds: m.cpuSeconds,
        serverCpuSeconds,
        proxyCpuSeconds,
        maxRssMiB: m.maxRssMiB,
        loadAverage: loadavg()[0]!,
        ...(throttledSeconds === undefined || !Number.isFinite(throttledSeconds) ? {} : { throttledSeconds }),
        requests,
        ok: problem === undefined,
        ...(problem === undefined ? {} : { problem }),
      };
      records.push(record);
      log(
        `${ds.id} r${round + 1} ${phase} ${tool.id.padEnd(14)} ${m.wallSeconds.toFixed(2)} s wall, ${m.cpuSeconds.toFixed(2)} s CPU, server ${serverCpuSeconds.toFixed(2)} s, proxy ${proxyCpuSeconds.toFixed(2)} s, ` +
          `${throttledSeconds === undefined ? '' : `throttled ${throttledSeconds.toFixed(2)} s, `}load ${loadavg()[0]!.toFixed(1)}, ${formatRequests(requests.byOperation)}${problem ? `  FAILED: ${problem}` : ''}`,
      );
      rmSync(workDir, { recursive: true, force: true });
    }
  } finally {
    await deleteBucket(ctx.destinationS3, destinationBucket);
  }
  return records;
}

function measureBundle(build: BenchBuild): BundleFigures {
  const samples: number[] = [];
  const script = `const t = performance.now(); await import(${JSON.stringify(build.handlerModule)}); console.log(performance.now() - t);`;
  for (let i = 0; i < 7; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    samples.push(Number(out.trim()));
  }
  return { zipBytes: build.bundle.zip.length, jsBytes: build.bundle.jsBytes, startJsBytes: build.bundle.startJsBytes, sha256: build.bundle.sha256, importMs: spread(samples) };
}

await runCommand({
  name: 'bench',
  usage: BENCH_USAGE,
  parse: parseBenchArgs,
  run: main,
  onInterrupt: (signal) => {
    if (stopCeph) log(`${signal}: stopping Ceph`);
    stopCeph?.();
    return Promise.resolve([]);
  },
});
