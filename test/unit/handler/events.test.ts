import { expect } from 'chai';
import { parseEvent, MAX_DAYS_PER_EVENT, MAX_DAYS_PER_FAN_OUT, type CopyEvent } from '../../../handler/events.ts';
import { EventValidationError } from '../../../handler/errors.ts';
import { scheduledEvent } from '../../helpers/fixtures.ts';

function rejects(event: unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    parseEvent(event, 1);
  } catch (err) {
    caught = err;
  }
  expect(caught, JSON.stringify(event)).to.be.instanceOf(EventValidationError);
  expect((caught as EventValidationError).userFault).to.equal(true);
  expect((caught as Error).message).to.match(pattern);
}

describe('handler/events', () => {
  it('copies the day LAG_DAYS before a scheduled event, in UTC', () => {
    expect(parseEvent(scheduledEvent('2024-03-01T06:00:00Z'), 1)).to.deep.equal({ kind: 'copy', trigger: 'schedule', dates: ['2024-02-29'], dryRun: false });
    expect(parseEvent(scheduledEvent('2024-03-01T06:00:00Z'), 3)).to.deep.include({ dates: ['2024-02-27'] });
    expect(parseEvent({ ...scheduledEvent('2024-01-01T00:10:00Z'), dryRun: true }, 0)).to.deep.include({ dates: ['2024-01-01'], dryRun: true });
  });

  it('takes a list of dates, dropping repeats, keeping order', () => {
    expect(parseEvent({ dates: ['2024-01-02', '2024-01-01', '2024-01-02'] }, 1)).to.deep.equal({ kind: 'copy', trigger: 'dates', dates: ['2024-01-02', '2024-01-01'], dryRun: false });
  });

  it('takes an inclusive range, over a leap day', () => {
    expect(parseEvent({ from: '2024-02-28', to: '2024-03-01', dryRun: true }, 1)).to.deep.equal({ kind: 'copy', trigger: 'range', dates: ['2024-02-28', '2024-02-29', '2024-03-01'], dryRun: true });
    expect(parseEvent({ from: '2024-01-01', to: '2024-01-01' }, 1)).to.deep.include({ dates: ['2024-01-01'] });
  });

  it('recognises the preflight check', () => {
    expect(parseEvent({ check: true }, 1)).to.deep.equal({ kind: 'check' });
  });

  it('allows a full leap year in one event and no more', () => {
    expect((parseEvent({ from: '2024-01-01', to: '2024-12-31' }, 1) as CopyEvent).dates).to.have.length(MAX_DAYS_PER_EVENT);
    rejects({ from: '2023-01-01', to: '2024-01-02' }, /367 days requested; at most 366 days per event: .*\(set WORK_QUEUE_URL; up to 3660 days\)/);
  });

  it('says how the caller fans out a longer backfill (npm run invoke -- --local: --workers N)', () => {
    let message = '';
    try {
      parseEvent({ from: '2023-01-01', to: '2024-01-02' }, 1, { fanOutHint: 'run it with --workers N, the local fan-out' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.include('(run it with --workers N, the local fan-out; up to 3660 days)').and.not.include('WORK_QUEUE_URL');
  });

  const badEvents: [string, unknown, RegExp][] = [
    ['not an object', 'hello', /got "hello"/],
    ['null', null, /got null/],
    ['an array', ['2024-01-01'], /got \["2024-01-01"\]/],
    ['empty object', {}, /no "dates", "from"\/"to"/],
    ['dates not a list', { dates: '2024-01-01' }, /"dates" is "2024-01-01": expected a non-empty list/],
    ['empty dates', { dates: [] }, /"dates" is \[\]: expected a non-empty list/],
    ['Feb 29 of a common year', { dates: ['2024-01-01', '2023-02-29'] }, /"dates"\[1\] is "2023-02-29": not a calendar date/],
    ['month 13', { dates: ['2024-13-01'] }, /"dates"\[0\] is "2024-13-01"/],
    ['April 31', { dates: ['2024-04-31'] }, /"2024-04-31": not a calendar date/],
    ['a timestamp', { dates: ['2024-01-01T00:00:00Z'] }, /"2024-01-01T00:00:00Z"/],
    ['a number', { dates: [20240101] }, /"dates"\[0\] is 20240101/],
    ['from after to', { from: '2024-02-01', to: '2024-01-31' }, /"from" 2024-02-01 is after "to" 2024-01-31/],
    ['from alone', { from: '2024-01-01' }, /"from" without "to"/],
    ['to alone', { to: '2024-01-01' }, /"to" without "from"/],
    ['bad from', { from: '2023-02-29', to: '2023-03-01' }, /"from" is "2023-02-29"/],
    ['bad to', { from: '2023-02-01', to: '2023-02-30' }, /"to" is "2023-02-30"/],
    ['dates and range', { dates: ['2024-01-01'], from: '2024-01-01', to: '2024-01-02' }, /either "dates" or "from"\/"to", not both/],
    ['dryRun not boolean', { dates: ['2024-01-01'], dryRun: 'yes' }, /"dryRun" is "yes": expected true or false/],
    ['misspelt dryRun', { dates: ['2024-01-01'], dryrun: true }, /unknown field\(s\) "dryrun"/],
    ['check false', { check: false }, /"check" is false: expected true/],
    ['check with dates', { check: true, dates: ['2024-01-01'] }, /unknown field\(s\) "dates"/],
    ['scheduled without time', { 'detail-type': 'Scheduled Event' }, /scheduled event "time" is undefined/],
    ['scheduled with "check" (issue 15)', { ...scheduledEvent('2024-01-02T06:00:00Z'), check: true }, /unknown field\(s\) "check"; allowed here: "version", "id", "detail-type"/],
    ['scheduled with "dates" and "fanOut" (issue 15)', { ...scheduledEvent('2024-01-02T06:00:00Z'), dates: ['2020-01-01'], fanOut: true }, /unknown field\(s\) "dates", "fanOut"/],
    ['scheduled bad time', scheduledEvent('yesterday'), /scheduled event "time" is "yesterday"/],
    ['scheduled impossible time', scheduledEvent('2024-02-30T06:00:00Z'), /"2024-02-30T06:00:00Z"/],
  ];
  for (const [name, event, pattern] of badEvents) {
    it(`rejects ${name}`, () => rejects(event, pattern));
  }

  /** `n` consecutive days from 2020-01-01, as a "dates" list. */
  const consecutive = (n: number): string[] => Array.from({ length: n }, (_, i) => new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10));

  it('allows 366 distinct days in a "dates" list and refuses 367, repeats counted once', () => {
    expect((parseEvent({ dates: consecutive(366) }, 1) as CopyEvent).dates).to.have.length(366);
    expect((parseEvent({ dates: [...consecutive(366), '2020-01-01'] }, 1) as CopyEvent).dates).to.have.length(366);
    rejects({ dates: consecutive(367) }, /367 days requested; at most 366 days per event/);
  });

  it('points an inline event that is too long at the work queue, and a fanned-out one at splitting', () => {
    rejects({ dates: consecutive(367) }, /fan it out through the work queue \(set WORK_QUEUE_URL; up to 3660 days\)/);
    expect((parseEvent({ dates: consecutive(367) }, 1, { maxDays: MAX_DAYS_PER_FAN_OUT }) as CopyEvent).dates).to.have.length(367);
    const tooLong = () => parseEvent({ from: '2000-01-01', to: '2010-01-08' }, 1, { maxDays: MAX_DAYS_PER_FAN_OUT });
    expect(tooLong).to.throw(EventValidationError, /3661 days requested; at most 3660 days per event: split the backfill into several events$/);
  });

  it('takes "fanOut": false as not asking for fan-out, and "fanOut": true with a range or a list', () => {
    const plain = parseEvent({ dates: ['2024-01-01'], fanOut: false }, 1);
    expect(plain).to.deep.include({ kind: 'copy', dates: ['2024-01-01'] });
    expect(plain).to.not.have.property('fanOut');
    expect(parseEvent({ from: '2024-01-01', to: '2024-01-02', fanOut: false }, 1)).to.not.have.property('fanOut');
    expect(parseEvent({ from: '2024-01-01', to: '2024-01-02', fanOut: true }, 1)).to.deep.include({ trigger: 'range', fanOut: true });
    expect(parseEvent({ dates: ['2024-01-01'], fanOut: true }, 1)).to.deep.include({ trigger: 'dates', fanOut: true });
  });

  it('refuses a "fanOut" that is not true or false', () => {
    rejects({ dates: ['2024-01-01'], fanOut: 'yes' }, /"fanOut" is "yes": expected true or false/);
    rejects({ from: '2024-01-01', to: '2024-01-02', fanOut: 1 }, /"fanOut" is 1: expected true or false/);
  });

  it('refuses a scheduled event whose time has no "T" between date and time, even one Date would parse', () => {
    rejects(scheduledEvent('2024-01-02 06:00:00Z'), /scheduled event "time" is "2024-01-02 06:00:00Z": expected an ISO 8601 timestamp/);
    rejects(scheduledEvent('2024-01-02'), /scheduled event "time" is "2024-01-02"/);
    rejects(scheduledEvent('x2024-01-02T06:00:00Z'), /"x2024-01-02T06:00:00Z"/);
    rejects({ ...scheduledEvent('2024-01-02T06:00:00Z'), time: 1704175200000 }, /scheduled event "time" is 1704175200000/);
    rejects(scheduledEvent('2024-01-02T99:00:00Z'), /"2024-01-02T99:00:00Z"/);
  });

  it('names the fields a kind of event allows when it meets an unknown one', () => {
    rejects({ dates: ['2024-01-01'], extra: 1 }, /unknown field\(s\) "extra"; allowed here: "dates", "dryRun", "fanOut"$/);
    rejects({ from: '2024-01-01', to: '2024-01-01', a: 1, b: 2 }, /unknown field\(s\) "a", "b"; allowed here: "from", "to", "dryRun", "fanOut"$/);
    rejects({ check: true, dryRun: true }, /unknown field\(s\) "dryRun"; allowed here: "check", "date"$/);
    expect(parseEvent({ check: true, date: '2024-02-29' }, 1)).to.deep.equal({ kind: 'check', date: '2024-02-29' });
    expect(parseEvent({ check: true }, 1)).to.deep.equal({ kind: 'check' });
  });

  it('shortens a long bad value to 80 characters in the message', () => {
    const long = 'x'.repeat(200);
    let message = '';
    try {
      parseEvent({ dates: [long] }, 1);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.include(`is "${'x'.repeat(76)}...: not a calendar date`);
    expect(message).to.not.include('x'.repeat(77));
    rejects({ dates: ['x'.repeat(78)] }, new RegExp(`is "${'x'.repeat(78)}": not a calendar date`));
  });

  it('says what the accepted events look like when none is recognised', () => {
    rejects({ hello: 1 }, /no "dates", "from"\/"to", "check" or scheduled "time" in \{"hello":1\}; expected \{"dates": \["2024-01-01", …\]\}/);
    rejects(42, /^bad event: got 42; expected/);
  });
});
