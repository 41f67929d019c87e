/**
 * Sockets within Lambda's file descriptors (issue 11, item 8). AWS's rule: a Lambda function has
 * 1,024 file descriptors, every socket being one
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html, "File descriptors").
 * COPY_CONCURRENCY accepts up to 256 and a multipart copy runs up to 8 parts at once: sized as
 * before (COPY_CONCURRENCY × 8) the pool reached 2,048 sockets.
 */
import { expect } from 'chai';
import type { S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_COPY_CONCURRENCY, DEFAULT_PART_CONCURRENCY, LAMBDA_FILE_DESCRIPTORS, SOCKET_BUDGET, connectionPlan } from '../../../../handler/copy/connections.ts';
import { createClients } from '../../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { handlerEnv } from '../../../helpers/fixtures.ts';

/** The maxSockets of a client's HTTPS agent, as the SDK's NodeHttpHandler built it. */
async function maxSockets(s3: S3Client): Promise<number> {
  const handler = s3.config.requestHandler as unknown as { configProvider: Promise<{ httpsAgent: { maxSockets: number } }> };
  return (await handler.configProvider).httpsAgent.maxSockets;
}

describe('handler/connections (sockets within 1,024 file descriptors)', () => {
  const extremes = [1, 2, 16, 62, 63, 64, 100, 128, 255, 256];

  it('never lets the S3 pools pass half of the 1,024 file descriptors, at any COPY_CONCURRENCY', () => {
    expect(SOCKET_BUDGET).to.equal(LAMBDA_FILE_DESCRIPTORS / 2);
    for (let c = 1; c <= 256; c++) {
      const p = connectionPlan(c);
      expect(p.destinationSockets + p.sourceSockets, `COPY_CONCURRENCY ${c}`).to.be.at.most(SOCKET_BUDGET);
    }
  });

  it('fits every request in flight into the pool (copies × parts + the two listings), so none waits for a socket', () => {
    for (const c of extremes) {
      const p = connectionPlan(c);
      expect(c * p.partConcurrency + 2, `COPY_CONCURRENCY ${c}`).to.be.at.most(p.destinationSockets);
      expect(p.partConcurrency).to.be.within(1, DEFAULT_PART_CONCURRENCY);
    }
  });

  it('defaults COPY_CONCURRENCY to the most copies in flight that keep 8 parts each within the pool: 62', () => {
    expect(DEFAULT_COPY_CONCURRENCY).to.equal(62);
    expect(connectionPlan(DEFAULT_COPY_CONCURRENCY).partConcurrency).to.equal(DEFAULT_PART_CONCURRENCY);
    expect(connectionPlan(DEFAULT_COPY_CONCURRENCY + 1).partConcurrency).to.be.below(DEFAULT_PART_CONCURRENCY);
    expect(parseHandlerConfig(handlerEnv()).copyConcurrency).to.equal(DEFAULT_COPY_CONCURRENCY);
  });

  it('keeps 8 parts per copy at the default concurrency and 1 at the largest', () => {
    expect(connectionPlan(16).partConcurrency).to.equal(8);
    expect(connectionPlan(62).partConcurrency).to.equal(8);
    expect(connectionPlan(64).partConcurrency).to.equal(7);
    expect(connectionPlan(256).partConcurrency).to.equal(1);
    expect(connectionPlan(4, 2).partConcurrency).to.equal(2);
  });

  it('at the extremes, COPY_CONCURRENCY 1 and 256 with any part concurrency asked for (1 to 10,000 parts), keeps every request in flight within the pools and the pools within 512', () => {
    for (const c of [1, 256]) {
      for (const asked of [1, 2, 8, 9, 62, 500, 502, 503, 10_000]) {
        const p = connectionPlan(c, asked);
        const where = `COPY_CONCURRENCY ${c}, ${asked} parts asked`;
        expect(p.destinationSockets + p.sourceSockets, where).to.be.at.most(SOCKET_BUDGET);
        expect(c * p.partConcurrency + 2, where).to.be.at.most(p.destinationSockets);
        expect(p.partConcurrency, where).to.be.within(1, asked);
      }
    }
    // COPY_CONCURRENCY 1 may take every socket of the pool but the listings' two for its parts.
    expect(connectionPlan(1, 10_000).partConcurrency).to.equal(502);
    expect(connectionPlan(256, 10_000).partConcurrency).to.equal(1);
  });

  it("builds the handler's S3 clients with those pools (the SDK's https.Agent maxSockets), at COPY_CONCURRENCY 1 and 256", async () => {
    for (const c of [1, 256]) {
      const clients = createClients(parseHandlerConfig(handlerEnv({ COPY_CONCURRENCY: String(c) })));
      const destination = await maxSockets(clients.destinationS3);
      const source = await maxSockets(clients.sourceS3);
      expect(destination + source, `COPY_CONCURRENCY ${c}`).to.be.at.most(SOCKET_BUDGET);
      expect(destination).to.equal(connectionPlan(c).destinationSockets);
      expect(source).to.equal(connectionPlan(c).sourceSockets);
      // The throttling answers of the writes are counted for the copies in flight to back off on.
      expect(clients.throttles).to.deep.equal({ count: 0 });
    }
  });
});
