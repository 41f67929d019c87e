import { expect } from 'chai';
import { CONNECTION_TIMEOUT_MS, COMMAND_TIMEOUTS, copyTimeoutMs, MAX_REQUEST_TIMEOUT_MS, rangeBytes, requestTimeoutFor, SMALL_REQUEST_TIMEOUT_MS, timeoutPlan } from '../../../rules/timeouts.ts';

const MiB = 1024 * 1024;

describe('rules/timeouts: how long s3-push waits for AWS', () => {
  it('waits for a copy as long as its bytes need at 10 MiB/s, on top of the small-request time', () => {
    expect(copyTimeoutMs(0)).to.equal(SMALL_REQUEST_TIMEOUT_MS);
    expect(copyTimeoutMs(256 * MiB)).to.equal(10_000 + 25_600);
    expect(copyTimeoutMs(64 * MiB)).to.equal(10_000 + 6_400);
    expect(copyTimeoutMs(5 * 1024 * MiB)).to.equal(10_000 + 512_000);
    expect(copyTimeoutMs(1e15)).to.equal(MAX_REQUEST_TIMEOUT_MS);
  });

  it('reads the size of a part copy from its range', () => {
    expect(rangeBytes('bytes=0-5242879')).to.equal(5 * MiB);
    expect(rangeBytes(' bytes=10-10 ')).to.equal(1);
    expect(rangeBytes('bytes=5-')).to.equal(undefined);
    expect(rangeBytes(undefined)).to.equal(undefined);
  });

  describe('the time to the answer of each request, from its headers', () => {
    const plan = timeoutPlan(256 * MiB, 64 * MiB);
    it('a request without a copy source: the small-request time', () => {
      expect(requestTimeoutFor(plan, { host: 'b.s3.amazonaws.com' })).to.equal(SMALL_REQUEST_TIMEOUT_MS);
    });
    it('a CopyObject: as long as the largest single copy (the multipart threshold)', () => {
      expect(requestTimeoutFor(plan, { 'x-amz-copy-source': 'src/k' })).to.equal(35_600);
      expect(requestTimeoutFor(plan, { 'X-Amz-Copy-Source': 'src/k' })).to.equal(35_600);
    });
    it('an UploadPartCopy: as long as its own range', () => {
      expect(requestTimeoutFor(plan, { 'x-amz-copy-source': 'src/k', 'x-amz-copy-source-range': `bytes=0-${256 * MiB - 1}` })).to.equal(35_600);
      expect(requestTimeoutFor(plan, { 'x-amz-copy-source': 'src/k', 'x-amz-copy-source-range': `bytes=0-${5 * MiB - 1}` })).to.equal(10_500);
    });
    it('keeps a connection silent at most as long as the longest copy may take', () => {
      expect(plan.socketTimeoutMs).to.equal(35_600);
      expect(timeoutPlan(16 * MiB, 1024 * MiB).socketTimeoutMs).to.equal(copyTimeoutMs(1024 * MiB));
      expect(plan.connectionTimeoutMs).to.equal(CONNECTION_TIMEOUT_MS);
    });
  });

  it('REQUEST_TIMEOUT_MS replaces every request and socket timeout, and caps the connection timeout', () => {
    const plan = timeoutPlan(256 * MiB, 64 * MiB, 250);
    expect([plan.requestTimeoutMs, plan.copyObjectTimeoutMs, plan.partCopyTimeoutMs(64 * MiB), plan.socketTimeoutMs, plan.connectionTimeoutMs]).to.deep.equal([250, 250, 250, 250, 250]);
    expect(timeoutPlan(256 * MiB, 64 * MiB, 60_000).connectionTimeoutMs).to.equal(CONNECTION_TIMEOUT_MS);
  });

  it('gives the commands the small-request times', () => {
    expect(requestTimeoutFor(COMMAND_TIMEOUTS, {})).to.equal(SMALL_REQUEST_TIMEOUT_MS);
    expect(COMMAND_TIMEOUTS.socketTimeoutMs).to.equal(SMALL_REQUEST_TIMEOUT_MS);
  });
});
