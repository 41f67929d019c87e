import { expect } from 'chai';
import { formatSpread, pairedRatio, rotate, spread } from '../../../bench/stats.ts';

describe('bench/stats', () => {
  it('spread: median of an odd and an even sample, with min and max', () => {
    expect(spread([3, 1, 2])).to.deep.equal({ median: 2, min: 1, max: 3, n: 3 });
    expect(spread([4, 1, 3, 2])).to.deep.equal({ median: 2.5, min: 1, max: 4, n: 4 });
    expect(spread([7])).to.deep.equal({ median: 7, min: 7, max: 7, n: 1 });
  });

  it('spread: ignores non-finite values and refuses an empty sample', () => {
    expect(spread([1, NaN, 3, Infinity])).to.deep.equal({ median: 2, min: 1, max: 3, n: 2 });
    expect(() => spread([])).to.throw(/no finite values/);
  });

  it('pairedRatio: ratios per round, skipping missing pairs and zero denominators', () => {
    expect(pairedRatio([2, 4, 9], [1, 4, 3])).to.deep.equal({ median: 2, min: 1, max: 3, n: 3 });
    expect(pairedRatio([2, undefined, 6], [1, 5, 0])).to.deep.equal({ median: 2, min: 2, max: 2, n: 1 });
    expect(pairedRatio([1], [undefined])).to.equal(undefined);
  });

  it('formatSpread: median with its range, or one value', () => {
    expect(formatSpread({ median: 1.234, min: 1.1, max: 1.4, n: 3 })).to.equal('1.23 (1.10–1.40)');
    expect(formatSpread({ median: 2, min: 2, max: 2, n: 1 })).to.equal('2.00');
    expect(formatSpread(undefined)).to.equal('—');
    expect(formatSpread({ median: 12.5, min: 10, max: 15, n: 2 }, 0)).to.equal('13 (10–15)');
  });

  it('rotate: each round starts with the next tool', () => {
    expect(rotate(['a', 'b', 'c'], 0)).to.deep.equal(['a', 'b', 'c']);
    expect(rotate(['a', 'b', 'c'], 1)).to.deep.equal(['b', 'c', 'a']);
    expect(rotate(['a', 'b', 'c'], 5)).to.deep.equal(['c', 'a', 'b']);
    expect(rotate([], 2)).to.deep.equal([]);
  });
});
