import { expect } from 'chai';
import { readGoals, renderGoals } from '../../../bench/goals.ts';
import type { DatasetSummary, ToolSummary } from '../../../bench/report.ts';

const s = (median: number) => ({ median, min: median, max: median, n: 1 });
const tool = (id: string, fields: Partial<ToolSummary>): ToolSummary => ({ tool: id, rounds: 1, coldRequests: {}, warmRequests: {}, failures: [], ...fields });
const dataset = (id: string, tools: ToolSummary[]): DatasetSummary => ({ dataset: id, label: id, objects: 100, reference: 's3-push', tools });
const envelope = (limit: number) => ({ cpuBound: limit, latencyBound: limit * 2, limit, boundBy: 'cpu' as const, latencyPerObjectMs: 30 });

describe('bench/goals', () => {
  const lambda = {
    datasets: [
      dataset('small', [
        tool('s3-push', { coldWall: s(8), warmWall: s(1), cpuPerCopyMs: s(0.9), envelope: envelope(900) }),
        tool('s3-push-c16', { coldWall: s(1), envelope: envelope(5000) }),
        tool('rclone-tuned', { coldWall: s(10), warmWall: s(0.8), ratioColdWall: s(0.8), ratioWarmWall: s(1.25), cpuPerCopyMs: s(0.6), envelope: envelope(600) }),
        tool('aws-sync', { coldWall: s(20), ratioColdWall: s(0.4), envelope: envelope(300) }),
      ]),
      dataset('large', [tool('s3-push', { coldWall: s(2) }), tool('rclone-tuned', { coldWall: s(2.5), ratioColdWall: s(0.8) })]),
    ],
  };
  const cpuBound = {
    datasets: [
      dataset('small', [
        tool('s3-push', { coldWall: s(12), cpuPerCopyMs: s(1.1) }),
        tool('rclone-tuned', { coldWall: s(10), ratioColdWall: s(1.2), ratioWarmWall: s(0.9), cpuPerCopyMs: s(1.0) }),
      ]),
    ],
  };

  it('reads each goal against the fastest peer (curve variants of s3-push left out) or rclone tuned, in both profiles', () => {
    const goals = readGoals(lambda, cpuBound);
    expect(goals.map((g) => g.goal)).to.have.length(5);
    const [cold, large, warm, cpu, limit] = goals;
    expect(cold!.lambda).to.deep.equal({ value: s(0.8), against: 'rclone-tuned', met: true });
    expect(cold!.cpuBound).to.deep.equal({ value: s(1.2), against: 'rclone-tuned', met: false });
    expect(large!.lambda).to.deep.include({ against: 'rclone-tuned', met: true });
    // No large day in the CPU-bound results: nothing to read.
    expect(large!.cpuBound).to.deep.equal({ value: undefined, against: undefined, met: undefined });
    expect(warm!.lambda).to.deep.equal({ value: s(1.25), against: 'rclone-tuned', met: false });
    expect(warm!.cpuBound!.met).to.equal(true);
    expect(cpu!.lambda!.value!.median).to.be.closeTo(1.5, 1e-9);
    expect(cpu!.lambda!.met).to.equal(false);
    expect(cpu!.cpuBound!.value!.median).to.be.closeTo(1.1, 1e-9);
    expect(cpu!.cpuBound!.met).to.equal(true);
    // 900 / 600: met at 1.5.
    expect(limit!.lambda).to.deep.equal({ value: s(1.5), against: 'rclone-tuned', met: true });
    expect(limit!.cpuBound).to.equal(undefined);
  });

  it('renders one row per goal with both profiles, and says what was not measured', () => {
    const text = renderGoals(readGoals(lambda, undefined), { 'rclone-tuned': 'rclone copy (tuned)' });
    const rows = text.split('\n');
    expect(rows[0]).to.equal('| goal | target | Lambda envelope (`--lambda`) | CPU-bound (no flags) |');
    expect(rows[2]).to.equal("| cold small day: wall time ÷ the fastest peer's | ≤ 0.9 | 0.80 (rclone copy (tuned)) met | not measured |");
    expect(rows[6]).to.equal("| modelled limit in the envelope, small day ÷ the best peer's | ≥ 1.5 | 1.50 (rclone copy (tuned)) met | n/a |");
  });
});
