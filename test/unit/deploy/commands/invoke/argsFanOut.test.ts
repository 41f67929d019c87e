import { expect } from 'chai';
import { DEFAULT_BUDGET_MS, InvokeArgsError, parseInvokeArgs } from '../../../../../deploy/commands/invoke/args.ts';

function rejects(argv: string[], pattern: RegExp): void {
  expect(() => parseInvokeArgs(argv)).to.throw(InvokeArgsError, pattern);
}

describe('deploy/invokeArgs: local fan-out flags', () => {
  const range = ['--from', '2024-01-01', '--to', '2024-01-31'];

  it('reads --workers, --budget-ms and --queue-url', () => {
    expect(parseInvokeArgs(['--local', '--workers', '4', '--budget-ms=2000', '--queue-url', 'http://127.0.0.1:5000/123456789012/work', ...range]).fanOut)
      .to.deep.equal({ workers: 4, budgetMs: 2000, queueUrl: 'http://127.0.0.1:5000/123456789012/work' });
  });

  it('defaults the budget to Lambda\'s 15 minutes and the queue to the environment\'s', () => {
    expect(parseInvokeArgs(['--local', '--workers', '1', ...range]).fanOut).to.deep.equal({ workers: 1, budgetMs: DEFAULT_BUDGET_MS, queueUrl: undefined });
    expect(DEFAULT_BUDGET_MS).to.equal(900_000);
  });

  it('leaves a run without --workers as it was', () => {
    expect(parseInvokeArgs(['--local', ...range])).not.to.have.property('fanOut');
  });

  it('rejects bad values and flags that need --workers or --local, naming them', () => {
    rejects(['--local', '--workers', '0', ...range], /--workers "0": expected a whole number from 1 to 64/);
    rejects(['--local', '--workers', 'many', ...range], /--workers "many"/);
    rejects(['--local', '--workers', '2', '--budget-ms', '-5', ...range], /--budget-ms needs a value|--budget-ms "-5"/);
    rejects(['--local', '--workers', '2', '--budget-ms', '900001', ...range], /--budget-ms "900001": expected a whole number from 1 to 900000/);
    rejects(['--local', '--budget-ms', '1000', ...range], /--budget-ms needs --workers N/);
    rejects(['--local', '--queue-url', 'http://127.0.0.1:5000/123456789012/work', ...range], /--queue-url needs --workers N/);
    rejects(['--workers', '2', ...range], /--workers runs the fan-out in this process: add --local/);
    rejects(['--local', '--workers', '2', '--queue-url', 'my-queue', ...range], /--queue-url "my-queue": expected an SQS standard queue URL/);
  });
});
