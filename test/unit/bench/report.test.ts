import { expect } from 'chai';
import { AWS_LATENCY_MODEL } from '../../../bench/latencyModel.ts';
import {
  copiesIn,
  envelopeLead,
  formatRequests,
  renderDatasetTable,
  renderEnvelopeHeader,
  renderEnvelopeTable,
  renderWireTable,
  summarizeDataset,
  type RunRecord,
} from '../../../bench/report.ts';

const run = (tool: string, round: number, phase: 'cold' | 'warm', wall: number, cpu: number, ops: Record<string, number>, ok = true): RunRecord => ({
  dataset: 'small',
  round,
  tool,
  phase,
  wallSeconds: wall,
  cpuSeconds: cpu,
  serverCpuSeconds: wall,
  proxyCpuSeconds: 0.1,
  maxRssMiB: 50,
  requests: { byOperation: ops, errorsByOperation: {}, total: Object.values(ops).reduce((a, b) => a + b, 0) },
  ok,
  ...(ok ? {} : { problem: 'exit 1: boom' }),
});

const DS = { id: 'small', label: '100 × 1 KiB', count: 100 };

describe('bench/report', () => {
  const runs: RunRecord[] = [
    run('s3-push', 0, 'cold', 2, 1, { AssumeRole: 1, ListObjectsV2: 2, CopyObject: 100 }),
    run('s3-push', 0, 'warm', 0.5, 0.4, { AssumeRole: 1, ListObjectsV2: 2 }),
    run('s3-push', 1, 'cold', 4, 1, { AssumeRole: 1, ListObjectsV2: 2, CopyObject: 100 }),
    run('s3-push', 1, 'warm', 0.5, 0.4, { AssumeRole: 1, ListObjectsV2: 2 }),
    run('peer', 0, 'cold', 4, 4, { ListObjectsV2: 1, CopyObject: 100, HeadObject: 100 }),
    run('peer', 0, 'warm', 1, 1, { ListObjectsV2: 1, HeadObject: 100 }),
    run('peer', 1, 'cold', 4, 2, { ListObjectsV2: 1, CopyObject: 100, HeadObject: 100 }),
    run('peer', 1, 'warm', 2, 1, { ListObjectsV2: 1, HeadObject: 100 }),
    run('peer', 2, 'cold', 1, 1, { CopyObject: 3 }, false),
    run('other-dataset', 0, 'cold', 1, 1, {}),
  ];

  it('pairs ratios by round and takes medians, leaving failed runs out but listing them', () => {
    const s = summarizeDataset(runs, DS, ['s3-push', 'peer']);
    const [mine, peer] = s.tools;
    expect(mine!.coldWall).to.deep.equal({ median: 3, min: 2, max: 4, n: 2 });
    expect(mine!.ratioColdWall).to.equal(undefined);
    // round 0: 2/4, round 1: 4/4
    expect(peer!.ratioColdWall).to.deep.equal({ median: 0.75, min: 0.5, max: 1, n: 2 });
    // round 0: 1/4, round 1: 1/2
    expect(peer!.ratioColdCpu).to.deep.equal({ median: 0.375, min: 0.25, max: 0.5, n: 2 });
    expect(peer!.ratioWarmWall).to.deep.equal({ median: 0.375, min: 0.25, max: 0.5, n: 2 });
    expect(peer!.rounds).to.equal(2);
    expect(peer!.failures).to.deep.equal(['round 2 cold: exit 1: boom']);
  });

  it('gives each tool its envelope from its own cold figures, and s3-push\'s limit against the best peer\'s', () => {
    const settings = { cpuQuota: 0.58, quotaEnforced: true, model: AWS_LATENCY_MODEL, copiesInFlight: { 's3-push': 16, peer: 32 } };
    const s = summarizeDataset(runs, DS, ['s3-push', 'peer'], 's3-push', settings);
    const [mine, peer] = s.tools;
    // s3-push: 10 ms of CPU per copy -> 58/s; latency (100 × 30 + 2 × 60 + 30) / 100 = 31.5 ms -> 16 / 0.0315 = 508/s.
    expect(mine!.envelope!.cpuBound).to.be.closeTo(58, 1e-9);
    expect(mine!.envelope!.latencyPerObjectMs).to.be.closeTo(31.5, 1e-9);
    expect(mine!.envelope!.limit).to.be.closeTo(58, 1e-9);
    expect(mine!.envelope!.boundBy).to.equal('cpu');
    expect(mine!.copiesInFlight).to.equal(16);
    // measured: the median of 100 / 2 s and 100 / 4 s, 37.5/s, of a limit of 58.
    expect(mine!.shareOfLimit).to.be.closeTo(37.5 / 58, 1e-9);
    // peer: CPU 30 ms per copy (median of 40 and 20) -> 19.3/s; its HeadObject counts: 50.6 ms per object.
    expect(peer!.envelope!.latencyPerObjectMs).to.be.closeTo(50.6, 1e-9);
    expect(peer!.envelope!.cpuBound).to.be.closeTo(0.58 * 1000 / 30, 1e-9);
    const lead = envelopeLead(s)!;
    expect(lead.best).to.deep.equal({ tool: 'peer', limit: peer!.envelope!.limit });
    expect(lead.ratio).to.be.closeTo(58 / (0.58 * 1000 / 30), 1e-9);
    const table = renderEnvelopeTable(s, [{ id: 's3-push', label: 's3-push' }, { id: 'peer', label: 'a peer' }]);
    expect(table.split('\n')[2]).to.equal('| s3-push | 16 | 10.00 | 31.5 | 58 | 508 | 58 | CPU | 38 (25–50) | 65 % |');
    expect(table.split('\n')[3]).to.match(/^\| a peer \| 32 \| 30\.00 \(20\.00–40\.00\) \| 50\.6 \| 19 \| 632 \| 19 \| CPU \|/);
    // Without a latency model there is no envelope.
    expect(summarizeDataset(runs, DS, ['s3-push']).tools[0]!.envelope).to.equal(undefined);
    expect(envelopeLead(summarizeDataset(runs, DS, ['s3-push']))).to.equal(undefined);
    expect(renderEnvelopeHeader({ cpuQuota: 0.58, cpuGroup: 'cgroup v1', latency: AWS_LATENCY_MODEL, latencySeed: 24 })).to.match(
      /^\*\*Envelope\*\*: each tool, with every process it starts, held to 0\.58 CPU by a cgroup v1 \(a Lambda of 1026 MB\); S3 latency model "aws" added by the proxy to every response: CopyObject 30 · .* ms, ±30 % uniform jitter, seed 24\.$/,
    );
    expect(renderEnvelopeHeader({})).to.equal("**Envelope**: no CPU quota (the tools share the machine's CPUs with the server); no added latency (radosgw answers in about a millisecond).");
  });

  it('counts requests by operation and per copied object', () => {
    const s = summarizeDataset(runs, DS, ['s3-push', 'peer']);
    expect(s.tools[0]!.coldRequests).to.deep.equal({ AssumeRole: 1, CopyObject: 100, ListObjectsV2: 2 });
    expect(s.tools[0]!.warmRequests).to.deep.equal({ AssumeRole: 1, ListObjectsV2: 2 });
    expect(s.tools[0]!.requestsPerObject).to.equal(1.03);
    expect(s.tools[1]!.requestsPerObject).to.equal(2.01);
  });

  it('gives client and server CPU per copied object, and peak memory, for every tool', () => {
    const s = summarizeDataset(runs, DS, ['s3-push', 'peer']);
    const [mine, peer] = s.tools;
    expect(mine!.cpuPerCopyMs).to.deep.equal({ median: 10, min: 10, max: 10, n: 2 });
    expect(mine!.serverCpuPerCopyMs).to.deep.equal({ median: 30, min: 20, max: 40, n: 2 });
    // peer: 4 s and 2 s of its own CPU over 100 copies each
    expect(peer!.cpuPerCopyMs).to.deep.equal({ median: 30, min: 20, max: 40, n: 2 });
    expect(peer!.maxRssMiB).to.deep.equal({ median: 50, min: 50, max: 50, n: 2 });
  });

  it('takes the ceiling from the best cold copy rate of any tool', () => {
    const s = summarizeDataset(runs, DS, ['s3-push', 'peer']);
    expect(s.ceiling).to.deep.equal({ copiesPerSecond: 50, tool: 's3-push', round: 0 });
    expect(copiesIn({ byOperation: { CopyObject: 3, CompleteMultipartUpload: 2, UploadPartCopy: 8 }, errorsByOperation: {}, total: 13 })).to.equal(5);
  });

  it('renders one row per tool, missing tools included', () => {
    const s = summarizeDataset(runs, DS, ['s3-push', 'peer']);
    const table = renderDatasetTable(s, [
      { id: 's3-push', label: 's3-push' },
      { id: 'peer', label: 'a peer' },
      { id: 'absent', label: 'rclone', missing: 'rclone not found on PATH' },
    ]);
    const rows = table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| tool') && !l.startsWith('| ---'));
    expect(rows).to.have.length(3);
    // client CPU 1 s / 100 copies = 10 ms; server CPU (2 s and 4 s in the fixture) / 100 copies = 20–40 ms.
    expect(rows[0]).to.equal('| s3-push | 3.00 (2.00–4.00) | 1 | 1.00 | 1 | 10.00 | 30.00 (20.00–40.00) | 50 | 0.50 | 1 | CopyObject 100 · ListObjectsV2 2 · AssumeRole 1 | ListObjectsV2 2 · AssumeRole 1 | 1.030 |');
    expect(rows[1]).to.match(/^\| a peer \(1 failed run\) \| 4\.00 \| 0\.75 \(0\.50–1\.00\) \|/);
    expect(rows[2]).to.equal('| rclone | missing: rclone not found on PATH | | | | | | | | | | | |');
  });

  it('shows the first CopyObject of each tool: head bytes, header names in order, connections per cold run', () => {
    const sampled = (tool: string, round: number, connections: number, headers: string[]): RunRecord => {
      const r = run(tool, round, 'cold', 1, 1, { CopyObject: 100 });
      return { ...r, requests: { ...r.requests, connections, copySample: { requestLine: 'PUT /b/k HTTP/1.1', headers, headerBytes: 42 + round } } };
    };
    const table = renderWireTable(
      [sampled('s3-push', 0, 1, ['Host: h', 'X-Amz-Copy-Source: s/k']), sampled('s3-push', 1, 3, ['Host: h']), sampled('peer', 0, 16, ['user-agent: x']), run('quiet', 0, 'cold', 1, 1, { CopyObject: 1 })],
      [{ id: 's3-push', label: 's3-push' }, { id: 'peer', label: 'a peer' }, { id: 'quiet', label: 'no sample' }],
      'small',
    ).split('\n');
    expect(table.slice(2)).to.deep.equal([
      '| s3-push | 42 | host, x-amz-copy-source | 2 (1–3) |',
      '| a peer | 42 | user-agent | 16 |',
    ]);
  });

  it('formatRequests: largest first, zero counts dropped', () => {
    expect(formatRequests({ HeadObject: 2500, CopyObject: 2500, ListObjects: 3, PutObject: 0 })).to.equal('CopyObject 2,500 · HeadObject 2,500 · ListObjects 3');
    expect(formatRequests({})).to.equal('0');
  });
});
