import { expect } from 'chai';
import { ARCHIVED_HELP, keepFailures, MAX_FAILURE_ERROR_CHARS, MAX_LISTED_FAILURES, summarize, type Failure } from '../../../handler/summary.ts';
import { createLogger } from '../../../handler/logger.ts';

describe('handler/summary and logger', () => {
  it('adds up the days and caps the listed failures', () => {
    const failures = Array.from({ length: 150 }, (_, i) => ({ key: `k${i}`, error: 'AccessDenied' }));
    const s = summarize(false, [
      { date: '2024-01-01', prefix: '2024/01/01/', listed: 10, copied: 3, skipped: 5, failed: 2, archived: 0, bytesCopied: 30 },
      { date: '2024-01-02', prefix: '2024/01/02/', listed: 200, copied: 40, skipped: 12, failed: 148, archived: 120, bytesCopied: 400 },
    ], failures, Array.from({ length: 120 }, (_, i) => ({ key: `g${i}`, storageClass: 'GLACIER' })));
    expect(s).to.deep.include({ dryRun: false, copied: 43, skipped: 17, failed: 150, archived: 120, bytesCopied: 430 });
    expect(s.failures).to.have.length(MAX_LISTED_FAILURES);
    expect(s.archivedObjects).to.have.length(MAX_LISTED_FAILURES);
    expect(Object.keys(s)).to.deep.equal(['dryRun', 'dates', 'copied', 'skipped', 'failed', 'archived', 'bytesCopied', 'failures', 'archivedObjects']);
  });

  it('logs one JSON line and masks secrets wherever they appear', () => {
    const lines: string[] = [];
    const log = createLogger(['ext-"secret"', undefined], (l) => lines.push(l));
    log.log('ERROR', 'assume failed', { error: 'role rejected ExternalId ext-"secret"', nested: { id: 'ext-"secret"' } });
    expect(lines).to.have.length(1);
    expect(lines[0]).not.to.include('\n');
    expect(lines[0]).not.to.include('secret');
    const parsed = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(parsed).to.deep.include({ level: 'ERROR', message: 'assume failed', error: 'role rejected ExternalId ***', nested: { id: '***' } });
  });

  it("cuts a listed failure's error after MAX_FAILURE_ERROR_CHARS characters, saying how many more there were", () => {
    const head = 'CopyObject s3://src/k failed: '.padEnd(MAX_FAILURE_ERROR_CHARS, 'x');
    const list: Failure[] = [];
    keepFailures(list, [
      { key: 'long', error: `${head}${'y'.repeat(25)}` },
      { key: 'atLimit', error: head },
      { key: 'short', error: 'AccessDenied' },
    ]);
    expect(list).to.deep.equal([
      { key: 'long', error: `${head}… (25 more characters)` },
      { key: 'atLimit', error: head },
      { key: 'short', error: 'AccessDenied' },
    ]);
  });

  it('keeps the first MAX_LISTED_FAILURES failures over several calls and ignores the rest', () => {
    const failure = (i: number): Failure => ({ key: `k${i}`, error: 'AccessDenied' });
    const list: Failure[] = [];
    keepFailures(list, Array.from({ length: MAX_LISTED_FAILURES - 1 }, (_, i) => failure(i)));
    keepFailures(list, [failure(MAX_LISTED_FAILURES - 1), failure(MAX_LISTED_FAILURES)]);
    keepFailures(list, [failure(MAX_LISTED_FAILURES + 1)]);
    expect(list.map((f) => f.key)).to.deep.equal(Array.from({ length: MAX_LISTED_FAILURES }, (_, i) => `k${i}`));
  });

  it('lists no archived object when a run gives none', () => {
    expect(summarize(true, [], []).archivedObjects).to.deep.equal([]);
  });

  it('tells the operator how to restore an archived object for each archive class, and that the next run copies it', () => {
    expect(ARCHIVED_HELP).to.match(/^archived objects are not copied until restored: in the source account, restore each one/);
    expect(ARCHIVED_HELP).to.include("aws s3api restore-object --bucket <source> --key <key> --restore-request '{\"Days\": 7}'");
    expect(ARCHIVED_HELP).to.include("Intelligent-Tiering archive tiers: --restore-request '{}'");
    expect(ARCHIVED_HELP).to.match(/the first run after the restore has completed copies it/);
  });
});
