import { expect } from 'chai';
import { buildEvent, DEFAULT_BUDGET_MS, parseInvokeArgs } from '../../../../../deploy/commands/invoke/args.ts';
import { ConfigError, UsageError } from '../../../../../rules/errors.ts';

function fails(argv: string[], pattern: RegExp): void {
  expect(() => parseInvokeArgs(argv), argv.join(' ')).to.throw(UsageError, pattern);
}

describe('deploy/commands/invoke/args', () => {
  it('reads --dates as a list of days', () => {
    const r = parseInvokeArgs(['--local', '--dates', '2024-01-01, 2024-01-02']);
    expect(r).to.deep.equal({ local: true, dryRun: false, async: false, stack: undefined, source: { kind: 'inline', event: { dates: ['2024-01-01', '2024-01-02'] } } });
    expect(buildEvent(r)).to.deep.equal({ dates: ['2024-01-01', '2024-01-02'] });
  });

  it('reads a range, --flag=value form, and --dry-run', () => {
    const r = parseInvokeArgs(['--from=2024-01-01', '--to', '2024-01-31', '--dry-run', '--local']);
    expect(buildEvent(r)).to.deep.equal({ from: '2024-01-01', to: '2024-01-31', dryRun: true });
  });

  it('reads --event FILE and adds dryRun to the file content', () => {
    const r = parseInvokeArgs(['--local', '--event', 'testInput.json', '--dry-run']);
    expect(r.source).to.deep.equal({ kind: 'file', path: 'testInput.json' });
    expect(buildEvent(r, { dates: ['2024-01-01'] })).to.deep.equal({ dates: ['2024-01-01'], dryRun: true });
    expect(() => buildEvent(r, ['2024-01-01'])).to.throw(ConfigError, /--dry-run needs an event that is a JSON object/);
    expect(buildEvent(parseInvokeArgs(['--event', 'x.json']), 'anything')).to.equal('anything');
  });

  it('leaves --local off unless given', () => {
    expect(parseInvokeArgs(['--dates', '2024-01-01']).local).to.equal(false);
  });

  it('reads --async and --stack for the deployed function', () => {
    const r = parseInvokeArgs(['--from', '2024-01-01', '--to', '2024-12-31', '--async', '--stack', 'replicate-to-x']);
    expect(r).to.deep.include({ local: false, async: true, stack: 'replicate-to-x' });
    expect(parseInvokeArgs(['--dates', '2024-01-01', '--stack=s'])).to.deep.include({ async: false, stack: 's' });
  });

  it('refuses --async or --stack with --local', () => {
    fails(['--local', '--async', '--dates', '2024-01-01'], /--async queues the event on the deployed function, --local runs it in this process: use one of them/);
    fails(['--local', '--stack', 's', '--dates', '2024-01-01'], /--stack s names a deployed function/);
    fails(['--stack', '--dates', '2024-01-01'], /--stack needs a value/);
  });

  it('rejects bad command lines, naming the flag', () => {
    fails(['--local'], /say which days: --event FILE, --dates LIST, or --from DAY --to DAY/);
    fails(['--local', '--dates'], /--dates needs a value/);
    fails(['--local', '--dates', '--dry-run'], /--dates needs a value/);
    fails(['--local', '--dates='], /--dates needs a value/);
    fails(['--local', '--dates', '2024-01-01,,2024-01-03'], /has an empty entry/);
    fails(['--local', '--from', '2024-01-01'], /--from needs --to/);
    fails(['--local', '--to', '2024-01-01'], /--to needs --from/);
    fails(['--local', '--dates', '2024-01-01', '--from', '2024-01-01', '--to', '2024-01-02'], /give one of --event, --dates, --from\/--to \(got --dates, --from, --to\)/);
    fails(['--local', '--dates', '2024-01-01', '--dates', '2024-01-02'], /--dates is given twice/);
    fails(['--local', '--date', '2024-01-01'], /unknown argument "--date"/);
    fails(['--local', '2024-01-01'], /unknown argument "2024-01-01"/);
  });

  it('reports every problem at once', () => {
    let caught: unknown;
    try {
      parseInvokeArgs(['--local', '--async', '--date', 'x', '--workers', '0', '--dates', '2024-01-01,,2024-01-02']);
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(UsageError);
    expect((caught as UsageError).problems).to.deep.equal([
      'unknown argument "--date": expected --event FILE, --dates LIST, --from DAY, --to DAY, --dry-run, --async, --stack NAME, --local, --workers N, --budget-ms MS, --queue-url URL',
      'unknown argument "x": expected --event FILE, --dates LIST, --from DAY, --to DAY, --dry-run, --async, --stack NAME, --local, --workers N, --budget-ms MS, --queue-url URL',
      '--async queues the event on the deployed function, --local runs it in this process: use one of them',
      '--dates "2024-01-01,,2024-01-02" has an empty entry: expected comma-separated days like 2024-01-01,2024-01-02',
      '--workers "0": expected a whole number from 1 to 64',
    ]);
  });
});

describe('deploy/commands/invoke/args: local fan-out flags', () => {
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
    fails(['--local', '--workers', '0', ...range], /--workers "0": expected a whole number from 1 to 64/);
    fails(['--local', '--workers', 'many', ...range], /--workers "many"/);
    fails(['--local', '--workers', '2', '--budget-ms', '-5', ...range], /--budget-ms needs a value|--budget-ms "-5"/);
    fails(['--local', '--workers', '2', '--budget-ms', '900001', ...range], /--budget-ms "900001": expected a whole number from 1 to 900000/);
    fails(['--local', '--budget-ms', '1000', ...range], /--budget-ms needs --workers N/);
    fails(['--local', '--queue-url', 'http://127.0.0.1:5000/123456789012/work', ...range], /--queue-url needs --workers N/);
    fails(['--workers', '2', ...range], /--workers runs the fan-out in this process: add --local/);
    fails(['--local', '--workers', '2', '--queue-url', 'my-queue', ...range], /--queue-url "my-queue": expected an SQS standard queue URL/);
  });
});
