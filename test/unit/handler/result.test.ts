import { expect } from 'chai';
import { lambdaResponse, type HandlerResult } from '../../../handler/result.ts';
import type { Summary } from '../../../handler/summary.ts';
import type { IsoDate } from '../../../rules/dates.ts';

const summary: Summary = { dryRun: false, dates: [], copied: 1, skipped: 2, failed: 0, archived: 0, bytesCopied: 3, failures: [], archivedObjects: [] };

describe('handler/result lambdaResponse', () => {
  it('returns what docs/contract.md documents for each kind, without the discriminant', () => {
    const cases: [HandlerResult, unknown][] = [
      [{ kind: 'summary', summary }, summary],
      [{ kind: 'check', report: { check: true, ok: true, links: [] } }, { check: true, ok: true, links: [] }],
      [{ kind: 'plan', plan: { planned: ['2024-01-01' as IsoDate], queue: 'q', dryRun: false } }, { planned: ['2024-01-01'], queue: 'q', dryRun: false }],
      [{ kind: 'batch', batch: { response: { batchItemFailures: [{ itemIdentifier: 'm1' }] }, summary, items: [] } }, { batchItemFailures: [{ itemIdentifier: 'm1' }] }],
    ];
    for (const [result, expected] of cases) {
      const response = lambdaResponse(result);
      expect(response, result.kind).to.deep.equal(expected);
      expect(JSON.stringify(response), result.kind).not.to.include('"kind"');
    }
  });
});
