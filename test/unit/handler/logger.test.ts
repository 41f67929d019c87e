import { expect } from 'chai';
import { eventForLog } from '../../../handler/logger.ts';

describe('handler/logger eventForLog', () => {
  it('keeps an event within the limit whole', () => {
    expect(eventForLog({ dates: ['2024-01-01'] }, 64)).to.deep.equal({ event: { dates: ['2024-01-01'] } });
  });

  it('cuts a larger one on a character boundary and counts what it left out', () => {
    // '€' is 3 bytes: a cut at 9 bytes of '"€€€…' ends inside the third character, which is dropped.
    const event = '€'.repeat(100);
    const logged = eventForLog(event, 9);
    expect(logged.eventExcerpt).to.equal('"€€');
    expect(logged.eventBytes).to.equal(302);
    expect(logged.eventBytesCut).to.equal(302 - 7);
    expect(logged.eventExcerpt).not.to.include('\uFFFD');
  });
});
