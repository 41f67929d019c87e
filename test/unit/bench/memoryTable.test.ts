import { expect } from 'chai';
import { memoryRows, PRICES, recommendMemory, renderMemoryTable, USABLE_SECONDS_PER_INVOCATION, type QuotaRun } from '../../../bench/memoryTable.ts';
import type { DatasetSummary } from '../../../bench/report.ts';
import { loadTemplate } from '../../../deploy/cloudformation/template.ts';
import { DEFAULT_STOP_MARGIN_MS } from '../../../handler/index.ts';

// An envelope whose CPU bound is `limit` at `quota` CPUs: CPU per copy = quota × 1000 / limit.
const summary = (limit: number, measured: number, quota: number, latencyBound = 2000, boundBy: 'cpu' | 'latency' = 'cpu'): DatasetSummary => {
  const cpuMs = (quota * 1000) / limit;
  return summaryOf(limit, measured, cpuMs, latencyBound, boundBy);
};
const summaryOf = (limit: number, measured: number, cpuMs: number, latencyBound: number, boundBy: 'cpu' | 'latency'): DatasetSummary => ({
  dataset: 'small',
  label: '2,500 × 1 KiB',
  objects: 2500,
  reference: 's3-push',
  tools: [
    {
      tool: 's3-push',
      rounds: 1,
      coldRequests: {},
      warmRequests: {},
      failures: [],
      copiesPerSecond: { median: measured, min: measured, max: measured, n: 1 },
      cpuPerCopyMs: { median: cpuMs, min: cpuMs, max: cpuMs, n: 1 },
      envelope: { cpuBound: limit, latencyBound, limit: Math.min(limit, latencyBound), boundBy, latencyPerObjectMs: 30 },
    },
  ],
});

describe('bench/memoryTable', () => {
  const runs: QuotaRun[] = [
    { cpuQuota: 2, summary: summary(1200, 500, 2) },
    { cpuQuota: 0.58, summary: summary(600, 300, 0.58) },
    { cpuQuota: 1, summary: summary(1000, 450, 1) },
  ];

  it('gives one row per memory size (quota × 1,769 MB), smallest first, with the cost of a million copies', () => {
    const rows = memoryRows(runs, 100_000);
    expect(rows.map((r) => r.memoryMB)).to.deep.equal([1026, 1769, 3538]);
    expect(rows.map((r) => r.envelopePerSecond)).to.deep.equal([600, 1000, 1200]);
    // One JavaScript thread: 2 CPUs count as 1, so the 3,538 MB row's limit is half its envelope's.
    expect(rows.map((r) => r.limitPerSecond)).to.deep.equal([600, 1000, 600]);
    expect(rows.map((r) => r.measuredPerSecond)).to.deep.equal([300, 450, 500]);
    // 1e6 / 600 s at 1026 MB, plus 10 invocations (days of 100,000).
    expect(rows[0]!.lambdaCostPerMillion).to.be.closeTo((1e6 / 600) * (1026 / 1024) * 0.0000133334 + 10 * 0.2e-6, 1e-12);
    // One CopyObject per object and a page per 1,000 keys on each side: $5.01.
    expect(rows[0]!.s3CostPerMillion).to.be.closeTo(5.01, 1e-9);
    expect(PRICES.lambdaPerGbSecond).to.equal(0.0000133334);
    expect(PRICES.lambdaPerRequest * 1e6).to.be.closeTo(0.2, 1e-12);
    expect(PRICES.s3PerCopyOrList * 1000).to.be.closeTo(0.005, 1e-12);
    // Twice the memory for no more rate costs more per copy.
    expect(rows[2]!.lambdaCostPerMillion!).to.be.above(rows[1]!.lambdaCostPerMillion!);
    // The latency bound still caps a row.
    const capped = memoryRows([{ cpuQuota: 1, summary: summary(1000, 1, 1, 700) }]);
    expect(capped[0]).to.deep.include({ limitPerSecond: 700, boundBy: 'latency' });
  });

  it('recommends the smallest memory that copies the day in one invocation, else the fastest at the least memory', () => {
    const rec = recommendMemory(memoryRows(runs), [10_000, 100_000, 1_000_000, 5_000_000]);
    expect(USABLE_SECONDS_PER_INVOCATION).to.equal(840);
    // What the deployed function has: the template's timeout less the handler's stop margin.
    const timeout = Number(loadTemplate().template.Resources.PushFunction?.Properties?.Timeout);
    expect(USABLE_SECONDS_PER_INVOCATION, 'the template\'s Timeout − DEFAULT_STOP_MARGIN_MS').to.equal(timeout - DEFAULT_STOP_MARGIN_MS / 1000);
    expect(rec.map((r) => [r.objects, r.memoryMB, r.invocations])).to.deep.equal([
      [10_000, 1026, 1],
      [100_000, 1026, 1],
      // 1,000,000 / 1,000 = 1,000 s: 2 invocations at 1,769 MB; 3,538 MB is no faster for one JS thread.
      [1_000_000, 1769, 2],
      [5_000_000, 1769, 6],
    ]);
    expect(rec[0]!.seconds).to.be.closeTo(10_000 / 600, 1e-9);
    // When more memory is not faster by more than 5 %, the smaller one is recommended.
    const flat = recommendMemory(memoryRows([{ cpuQuota: 1, summary: summary(1000, 1, 1) }, { cpuQuota: 1.2, summary: summary(1010, 1, 1.2) }]), [2_000_000]);
    expect(flat.map((r) => r.memoryMB)).to.deep.equal([1769]);
    expect(recommendMemory([], [10])).to.deep.equal([]);
  });

  it('renders the rows and the recommendations', () => {
    const rows = memoryRows(runs);
    const text = renderMemoryTable(rows, recommendMemory(rows, [10_000]));
    expect(text.split('\n')[2]).to.equal('| 1026 | 0.58 | 0.97 | 300 | 600 | 600 | CPU | $0.022 | $5.01 |');
    expect(text).to.include('| 10,000 | 1026 MB | 17 s | 1 |');
  });
});
