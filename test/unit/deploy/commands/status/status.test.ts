import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudFormationClient, DescribeStackResourceCommand, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { parseStatusArgs } from '../../../../../deploy/commands/status/args.ts';
import { checkDays, deployedChecker, renderStatus, statusOfDay, useColor, type DayStatus } from '../../../../../deploy/commands/status/status.ts';
import { UsageError } from '../../../../../rules/errors.ts';
import { configProblems as problems } from '../../../../helpers/errors.ts';
import type { IsoDate } from '../../../../../rules/dates.ts';

/** A date literal as an IsoDate (a cast, not parseIsoDate: code run while the file loads would make its mutants static). */
const d = (s: string) => s as IsoDate;
const TODAY = d('2024-03-15');
const ok = (date: string): DayStatus => ({ date: d(date), inSync: true, missing: 0, differ: 0, archived: 0 });

describe('deploy/commands/status args', () => {
  it('defaults to the 14 days up to yesterday, oldest first', () => {
    const a = parseStatusArgs([], TODAY);
    expect(a.dates).to.have.length(14);
    expect([a.dates[0], a.dates.at(-1)]).to.deep.equal(['2024-03-01', '2024-03-14']);
    expect(a).to.include({ local: false, json: false, stack: undefined });
  });
  it('takes --days, --from/--to, --stack, --local and --json', () => {
    expect(parseStatusArgs(['--days', '3'], TODAY).dates).to.deep.equal(['2024-03-12', '2024-03-13', '2024-03-14']);
    expect(parseStatusArgs(['--from', '2024-02-28', '--to', '2024-03-01'], TODAY).dates).to.deep.equal(['2024-02-28', '2024-02-29', '2024-03-01']);
    expect(parseStatusArgs(['--stack', 'my-stack', '--json'], TODAY)).to.include({ stack: 'my-stack', json: true });
    expect(parseStatusArgs(['--local'], TODAY)).to.include({ local: true });
  });
  const bad: [string[], RegExp][] = [
    [['--days', '0'], /--days is "0": expected a whole number from 1 to 366/],
    [['--days', 'x'], /--days is "x"/],
    [['--days', '400'], /--days is "400"/],
    [['--days', '3', '--from', '2024-01-01', '--to', '2024-01-02'], /either --days or --from\/--to/],
    [['--from', '2024-02-30', '--to', '2024-03-01'], /--from is "2024-02-30": expected a calendar date/],
    [['--from', '2024-03-02', '--to', '2024-03-01'], /--from 2024-03-02 is after --to 2024-03-01/],
    [['--from', '2024-03-02'], /--from without --to/],
    [['--from', '2023-01-01', '--to', '2024-12-31'], /731 days requested: at most 366/],
    [['--local', '--stack', 'x'], /use one of them/],
    [['--stack', '1bad'], /--stack is "1bad"/],
    [['--dyas', '3'], /unknown argument "--dyas": expected --days N, --from YYYY-MM-DD, --to YYYY-MM-DD, --stack NAME, --local, --json/],
    [['extra'], /unknown argument "extra"/],
    [['--days'], /--days needs a value: --days N/],
    [['--json=yes'], /--json takes no value \(got "yes"\)/],
    [['--days', '2', '--days', '3'], /--days is given twice/],
  ];
  for (const [argv, message] of bad) {
    it(`refuses ${argv.join(' ')} (exit 2, as a command-line error: the usage follows)`, () => {
      expect(() => parseStatusArgs(argv, TODAY)).to.throw(UsageError, message).with.property('exitCode', 2);
    });
  }
  it('names every problem of a command line at once, syntax and meaning alike', () => {
    expect(problems(() => parseStatusArgs(['--dyas', '--days', 'x', '--stack', '1bad'], TODAY))).to.deep.equal([
      'unknown argument "--dyas": expected --days N, --from YYYY-MM-DD, --to YYYY-MM-DD, --stack NAME, --local, --json',
      '--stack is "1bad": expected a stack name (letters, digits and hyphens, starting with a letter)',
      '--days is "x": expected a whole number from 1 to 366',
    ]);
  });
});

describe('deploy/commands/status report', () => {
  const statuses: DayStatus[] = [
    ok('2024-03-01'), ok('2024-03-02'), ok('2024-03-03'),
    { date: d('2024-03-04'), inSync: false, missing: 3, differ: 0, archived: 0 },
    ok('2024-03-05'),
    { date: d('2024-03-06'), inSync: false, missing: 0, differ: 1, archived: 0 },
    ok('2024-03-07'), ok('2024-03-08'), ok('2024-03-09'), ok('2024-03-10'),
    { date: d('2024-03-11'), inSync: false, missing: 0, differ: 0, archived: 2 },
    { date: d('2024-03-12'), inSync: false, missing: 0, differ: 0, archived: 0, error: 'listing s3://src/2024/03/12/ failed: AccessDenied' },
    ok('2024-03-13'), ok('2024-03-14'),
  ];

  it('prints a calendar (weeks as rows, Monday first), the legend and the days not in sync, in plain symbols without colour', () => {
    expect(renderStatus(statuses, { color: false }).join('\n')).to.equal([
      'week of      Mo Tu We Th Fr Sa Su',
      '2024-02-26               .  .  .',
      '2024-03-04   M  .  D  .  .  .  .',
      '2024-03-11   A  E  .  .',
      '',
      '. in sync   M missing   D differ   A archived   E could not be checked',
      '',
      'not in sync:',
      '  2024-03-04  3 missing',
      '  2024-03-06  1 differ',
      '  2024-03-11  2 archived',
      '  2024-03-12  error: listing s3://src/2024/03/12/ failed: AccessDenied',
      '',
      '14 day(s) from 2024-03-01 to 2024-03-14: 10 in sync, 4 not',
    ].join('\n'));
  });

  it('colours the cells on a terminal only, and never under NO_COLOR', () => {
    expect(renderStatus(statuses, { color: true }).join('\n')).to.include('\u001b[33mM\u001b[0m').and.include('\u001b[31mE\u001b[0m');
    expect(useColor(true, {})).to.equal(true);
    expect(useColor(false, {})).to.equal(false);
    expect(useColor(true, { NO_COLOR: '1' })).to.equal(false);
    expect(useColor(true, { TERM: 'dumb' })).to.equal(false);
  });

  it('reads a dry-run day: missing and differ, archived when reported, an error when the day failed', () => {
    const day = { date: '2024-03-01', prefix: 'p/', listed: 5, copied: 3, skipped: 2, failed: 0, archived: 0, bytesCopied: 9, missing: 2, differ: 1 };
    expect(statusOfDay(day)).to.deep.equal({ date: '2024-03-01', inSync: false, missing: 2, differ: 1, archived: 0 });
    expect(statusOfDay({ ...day, copied: 0, missing: 0, differ: 0 })).to.include({ inSync: true });
    expect(statusOfDay({ ...day, copied: 0, missing: 0, differ: 0, archived: 4 })).to.include({ inSync: false, archived: 4 });
    expect(statusOfDay({ ...day, failed: 1 }, 'p/: AccessDenied')).to.include({ inSync: false, error: 'p/: AccessDenied' });
  });

  it('a day with objects too long for the destination is not in sync (no run copies them): L, counted, and named in the legend only then', () => {
    const day = { date: '2024-03-01', prefix: 'p/', listed: 5, copied: 0, skipped: 3, failed: 0, archived: 0, bytesCopied: 0, missing: 0, differ: 0, tooLong: 2 };
    const long = statusOfDay(day);
    expect(long).to.deep.equal({ date: '2024-03-01', inSync: false, missing: 0, differ: 0, archived: 0, tooLong: 2 });
    const fine = statusOfDay({ ...day, date: '2024-03-02', tooLong: 0 });
    expect(fine).to.deep.equal({ date: '2024-03-02', inSync: true, missing: 0, differ: 0, archived: 0 });
    const text = renderStatus([long, fine], { color: false });
    expect(text).to.include('2024-02-26               L  .');
    expect(text).to.include('. in sync   M missing   D differ   A archived   L too long for the destination   E could not be checked');
    expect(text).to.include('  2024-03-01  2 too long for the destination');
    expect(renderStatus([fine], { color: false }).join('\n')).not.to.include('too long');
  });

  it('reads extras: shown in every mode, out of sync only with exact days, absent when none', () => {
    const day = { date: '2024-03-01', prefix: 'p/', listed: 7, copied: 0, skipped: 7, failed: 0, archived: 0, bytesCopied: 0, missing: 0, differ: 0, extra: 10, deleted: 0 };
    expect(statusOfDay(day)).to.deep.equal({ date: '2024-03-01', inSync: true, missing: 0, differ: 0, archived: 0, extra: 10 });
    expect(statusOfDay({ ...day, exactDays: true, deleted: 10, notDeleted: 'dryRun' })).to.deep.equal({ date: '2024-03-01', inSync: false, missing: 0, differ: 0, archived: 0, extra: 10 });
    expect(statusOfDay({ ...day, exactDays: true, extra: 0 })).to.deep.equal({ date: '2024-03-01', inSync: true, missing: 0, differ: 0, archived: 0 });
    expect(statusOfDay({ ...day, failed: 1, exactDays: true }, 'p/: AccessDenied')).to.include({ inSync: false, extra: 10, error: 'p/: AccessDenied' });
  });

  it('marks a day with extras X, lists it as not in sync with exact days, as kept without; X in the legend only then', () => {
    const exact: DayStatus = { date: d('2024-03-05'), inSync: false, missing: 0, differ: 0, archived: 0, extra: 10 };
    const kept: DayStatus = { date: d('2024-03-06'), inSync: true, missing: 0, differ: 0, archived: 0, extra: 3 };
    const out = renderStatus([ok('2024-03-04'), exact, kept], { color: false });
    expect(out[1]).to.equal('2024-03-04   .  X  X');
    expect(out).to.include('. in sync   M missing   D differ   A archived   X extra (destination-only objects)   E could not be checked');
    expect(out).to.include.members(['not in sync:', '  2024-03-05  10 extra', '  2024-03-06  3 extra']);
    expect(out.indexOf('  2024-03-06  3 extra')).to.be.greaterThan(out.findIndex((l) => l.startsWith('in sync, with destination-only objects kept')));
    expect(out.at(-1)).to.equal('3 day(s) from 2024-03-04 to 2024-03-06: 2 in sync, 1 not');
    expect(renderStatus([ok('2024-03-04')], { color: false }).join('\n')).not.to.match(/extra|destination-only/);
  });

  it('checks the days a few at once and keeps their order, reporting progress', async () => {
    const dates = parseStatusArgs(['--days', '9'], TODAY).dates;
    let running = 0;
    let most = 0;
    const progress: number[] = [];
    const out = await checkDays(dates, async (date) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return ok(date);
    }, { concurrency: 3, onProgress: (done) => progress.push(done) });
    expect(out.map((s) => s.date)).to.deep.equal(dates);
    expect(most).to.equal(3);
    expect(progress).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('deploy/commands/status through the deployed function (mocked Lambda)', () => {
  const cfn = new CloudFormationClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const lambda = new LambdaClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const cfnMock = mockClient(cfn);
  const lambdaMock = mockClient(lambda);
  beforeEach(() => {
    cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 's', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'FunctionName', OutputValue: 'fn' }] }] });
    cfnMock.on(DescribeStackResourceCommand).resolves({ StackResourceDetail: { LogicalResourceId: 'PushFunction', PhysicalResourceId: 'fn', ResourceType: 'AWS::Lambda::Function', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() } });
    cfnMock.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [{ LogicalResourceId: 'PushFunction', PhysicalResourceId: 'fn', ResourceType: 'AWS::Lambda::Function', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() }] });
  });
  afterEach(() => {
    cfnMock.reset();
    lambdaMock.reset();
  });

  it('invokes a one-day dry run per day and reads its summary; a failed invocation is that day\'s error', async () => {
    lambdaMock.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) => {
      const event = JSON.parse(Buffer.from(input.Payload).toString('utf8')) as { dates: string[]; dryRun: boolean };
      const date = event.dates[0]!;
      if (date === '2024-03-02') return { StatusCode: 200, FunctionError: 'Unhandled', Payload: Buffer.from(JSON.stringify({ errorType: 'ReplicationFailedError', errorMessage: '1 object(s) failed to copy' })) };
      const summary = { dryRun: true, dates: [{ date, prefix: 'p/', listed: 2, copied: 1, skipped: 1, failed: 0, bytesCopied: 5, missing: 1, differ: 0 }], copied: 1, skipped: 1, failed: 0, bytesCopied: 5, failures: [] };
      return { StatusCode: 200, Payload: Buffer.from(JSON.stringify(summary)) };
    });
    const logs: string[] = [];
    const check = await deployedChecker({ stackName: 's', region: 'us-east-1' }, { cfn, lambda }, (l) => logs.push(l));
    const out = await checkDays([d('2024-03-01'), d('2024-03-02')], check);
    expect(out).to.deep.equal([
      { date: '2024-03-01', inSync: false, missing: 1, differ: 0, archived: 0 },
      { date: '2024-03-02', inSync: false, missing: 0, differ: 0, archived: 0, error: 'ReplicationFailedError: 1 object(s) failed to copy' },
    ]);
    const events = lambdaMock.commandCalls(InvokeCommand).map((c) => JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString('utf8')) as unknown);
    expect(events).to.have.deep.members([{ dates: ['2024-03-01'], dryRun: true }, { dates: ['2024-03-02'], dryRun: true }]);
    expect(lambdaMock.commandCalls(InvokeCommand).every((c) => c.args[0].input.InvocationType === 'RequestResponse')).to.equal(true);
  });
});
