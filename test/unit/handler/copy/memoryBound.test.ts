import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../../../deploy/repoRoot.ts';
import { DEFAULT_MAX_PENDING_KEYS } from '../../../../handler/copy/replicateDay.ts';
import { DEFAULT_COPY_CONCURRENCY } from '../../../../handler/config.ts';
import { MAX_LISTED_FAILURES } from '../../../../handler/summary.ts';

const run = promisify(execFile);

/**
 * A day far larger than a small heap, run in a child process whose old space is 64 MiB: an engine
 * that kept every key behind a slow copy (300,000 1-KB keys held ~320 MiB) or every failure
 * (150,000 threw RangeError from `push(...failures)`) dies there with "heap out of memory". Only
 * the outcome is asserted, never a time. A day-complete marker that held the day's keys (300,000
 * held ~330 MiB of JSON) dies there too.
 */
async function day(mode: 'window' | 'failures' | 'marker', keys: number): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', 'scripts/measureDayMemory.ts', '--mode', mode, '--keys', String(keys)], {
    cwd: REPO_ROOT,
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

describe('handler: memory of one day is bounded (issue 15, in a 64 MiB heap)', function () {
  this.timeout(300_000);

  it('copies a day of 300,000 1-KB keys whose first copy hangs, holding at most the window behind it', async () => {
    const r = await day('window', 300_000);
    expect(r).to.deep.include({ listed: 300_000, copied: 300_000, failed: 0, complete: true });
    // While the first copy hung the walk took no more than the window (plus the slots of a full pool).
    expect(r.copiesStartedWhileFirstHung).to.be.a('number').and.at.most(DEFAULT_MAX_PENDING_KEYS + DEFAULT_COPY_CONCURRENCY);
  });

  it('works an SQS item of 150,000 failing objects, counting them all and listing the first few', async () => {
    const r = await day('failures', 150_000);
    expect(r).to.deep.include({ failed: 150_000, failuresListed: MAX_LISTED_FAILURES, batchItemFailures: 1 });
    // One log line CloudWatch keeps whole (256 KB per event).
    expect(r.logLineBytes).to.be.a('number').and.below(256 * 1024);
  });

  it('writes the day-complete marker of a day of 300,000 1-KB keys, streamed, without holding the day', async () => {
    const r = await day('marker', 300_000);
    expect(r).to.deep.include({ listed: 300_000, skipped: 300_000, marker: 'written' });
    expect(r.markerBytes).to.be.a('number').and.above(0);
  });
});
