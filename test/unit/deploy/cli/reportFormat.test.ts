import { expect } from 'chai';
import type { CheckReport } from '../../../../handler/check/check.ts';
import { findCheckReport, formatBytes, formatCheckReport, formatSummary, isCheckReport, isSummary } from '../../../../deploy/cli/reportFormat.ts';

const broken: CheckReport = {
  check: true,
  ok: false,
  links: [
    { link: 1, name: 'assume-role', title: 'assume the destination role R', status: 'ok', detail: 'assumed R' },
    { link: 2, name: 'list-source', title: 'list s3://src/ with the role', status: 'broken', detail: 'AccessDenied: Access Denied', fix: 'add the ReadAccess statement of sourceBucketPolicy.json.tmp' },
    { link: 3, name: 'read-source', title: 'read one source object with the role', status: 'not-tried', detail: 'needs an object listed by link 2' },
    { link: 4, name: 'write-destination', title: 'list, write and delete s3://dst/p with the role', status: 'ok', detail: 'listed, wrote and deleted s3://dst/p' },
  ],
};

describe('deploy/cli/reportFormat', () => {
  it('prints each link with its mark, and the fix under the broken one only', () => {
    expect(formatCheckReport(broken)).to.deep.equal([
      '✔ 1. assume the destination role R',
      '     assumed R',
      '✘ 2. list s3://src/ with the role',
      '     AccessDenied: Access Denied',
      '     fix: add the ReadAccess statement of sourceBucketPolicy.json.tmp',
      '· 3. read one source object with the role',
      '     not tried: needs an object listed by link 2',
      '✔ 4. list, write and delete s3://dst/p with the role',
      '     listed, wrote and deleted s3://dst/p',
      'preflight: 1 link(s) broken, 1 not tried: fix the first broken link and run the check again',
    ]);
  });

  it('says how many links are ok when none is broken', () => {
    const ok: CheckReport = { check: true, ok: true, links: broken.links.map((l) => ({ ...l, status: 'ok' as const })) };
    expect(formatCheckReport(ok).at(-1)).to.equal('preflight: 4 of 4 links ok');
  });

  it('finds the report line in a Lambda log tail (runtime prefix, other lines around it), and not a cut one', () => {
    const line = JSON.stringify({ level: 'ERROR', message: 's3-push preflight', ...broken, timestamp: 't' });
    const tail = `START RequestId: 1\n2024-01-01T00:00:00.000Z\t1\tINFO\t${line}\n2024-01-01T00:00:00.001Z\t1\tERROR\tInvoke Error {"errorType":"PreflightFailedError"}\nEND RequestId: 1\n`;
    expect(findCheckReport(tail)).to.deep.equal(broken);
    expect(findCheckReport(`xx\t${line.slice(40)}`)).to.equal(undefined);
    expect(findCheckReport('')).to.equal(undefined);
  });

  it('recognises a report and a summary, and nothing else', () => {
    expect(isCheckReport(broken)).to.equal(true);
    expect(isCheckReport({ check: true, ok: true, links: [{ link: 1 }] })).to.equal(false);
    expect(isCheckReport('error running docker')).to.equal(false);
    expect(isSummary({ dryRun: false, dates: [], copied: 0, skipped: 0, failed: 0, bytesCopied: 0, failures: [] })).to.equal(true);
    expect(isSummary(broken)).to.equal(false);
  });

  it('prints a summary per day with a total, and the first failures', () => {
    const lines = formatSummary({
      dryRun: false,
      dates: [{ date: '2024-01-01', prefix: '2024/01/01/', listed: 3, copied: 2, skipped: 0, failed: 1, archived: 0, bytesCopied: 2048 }],
      copied: 2, skipped: 0, failed: 1, archived: 0, bytesCopied: 2048,
      failures: [{ key: '2024/01/01/x', error: 'AccessDenied' }], archivedObjects: [],
    });
    expect(lines).to.deep.equal([
      '  2024-01-01  2024/01/01/  listed     3  copied     2  skipped     0  failed   1  2.0 KiB',
      '  total: 2 copied (2.0 KiB), 0 skipped, 1 failed',
      '  failed: 2024/01/01/x: AccessDenied',
    ]);
  });

  it('says a dry run copied nothing', () => {
    const lines = formatSummary({ dryRun: true, dates: [], copied: 5, skipped: 0, failed: 0, archived: 0, bytesCopied: 10, failures: [], archivedObjects: [] });
    expect(lines.at(-1)).to.equal('  total: 5 to copy (10 B), 0 skipped, 0 failed — dry run: nothing was copied');
  });

  it('counts and lists archived objects, with how to restore them (issue 11, item 6)', () => {
    const lines = formatSummary({
      dryRun: true,
      dates: [{ date: '2024-01-01', prefix: '2024/01/01/', listed: 3, copied: 1, skipped: 0, failed: 0, archived: 2, bytesCopied: 10 }],
      copied: 1, skipped: 0, failed: 0, archived: 2, bytesCopied: 10, failures: [],
      archivedObjects: [{ key: '2024/01/01/a', storageClass: 'GLACIER' }, { key: '2024/01/01/b', storageClass: 'INTELLIGENT_TIERING (ARCHIVE_ACCESS)' }],
    });
    expect(lines[0]).to.match(/failed {3}0 {2}10 B {2}archived 2$/);
    expect(lines[1]).to.equal('  total: 1 to copy (10 B), 0 skipped, 0 failed, 2 archived (not copied) — dry run: nothing was copied');
    expect(lines.slice(2, 4)).to.deep.equal(['  archived: 2024/01/01/a (GLACIER)', '  archived: 2024/01/01/b (INTELLIGENT_TIERING (ARCHIVE_ACCESS))']);
    expect(lines[4]).to.match(/restore-object/);
  });

  it('formats bytes in binary units', () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1536), formatBytes(5 * 1024 ** 3)]).to.deep.equal(['0 B', '1023 B', '1.5 KiB', '5.0 GiB']);
  });
});
