import { expect } from 'chai';
import { localLog } from '../../../../../deploy/commands/invoke/localLog.ts';
import { EventValidationError } from '../../../../../handler/errors.ts';

const line = (level: string, message: string) => JSON.stringify({ level, message, timestamp: 't' });

describe('deploy/commands/invoke/localLog', () => {
  it('drops the handler\'s ERROR line of the error it throws: the runner prints that error once', () => {
    const out: string[] = [];
    const log = localLog((l) => out.push(l));
    log.sink(line('ERROR', 'bad event: "dates"[0] is "2023-02-29": not a calendar date'));
    log.settle(new EventValidationError('bad event: "dates"[0] is "2023-02-29": not a calendar date'));
    expect(out).to.deep.equal([]);
  });

  it('writes every other line, in order: INFO lines, an ERROR followed by more, an ERROR of another error, ERRORs on success', () => {
    const out: string[] = [];
    const log = localLog((l) => out.push(l));
    log.sink(line('INFO', 'a'));
    log.sink(line('ERROR', 'one copy failed'));
    log.sink(line('ERROR', 's3-push summary'));
    log.settle(new Error('1 object(s) failed to copy'));
    expect(out).to.deep.equal([line('INFO', 'a'), line('ERROR', 'one copy failed'), line('ERROR', 's3-push summary')]);
    const ok: string[] = [];
    const quiet = localLog((l) => ok.push(l));
    quiet.sink(line('ERROR', 'x'));
    quiet.sink('not json');
    quiet.sink(line('ERROR', 'y'));
    quiet.settle();
    expect(ok).to.deep.equal([line('ERROR', 'x'), 'not json', line('ERROR', 'y')]);
  });

  it('drops the summary line of a run that failed with its summary: the command prints it on stdout, the runner the error', () => {
    const out: string[] = [];
    const log = localLog((l) => out.push(l));
    log.sink(line('INFO', 'listing'));
    log.sink(line('ERROR', 's3-push summary'));
    const err = Object.assign(new Error('1 day(s) could not be listed (2024-01-01)'), { summary: { failed: 1 } });
    log.settle(err);
    expect(out).to.deep.equal([line('INFO', 'listing')]);
  });
});
