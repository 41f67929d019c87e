import { expect } from 'chai';
import fc from 'fast-check';
import { CopyObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { handleEvent } from '../../../handler/index.ts';
import { parseHandlerConfig, type HandlerConfig } from '../../../handler/config.ts';
import { createLogger } from '../../../handler/logger.ts';
import { MAX_LOG_LINE_BYTES } from '../../../rules/quote.ts';
import { EXTERNAL_ID, handlerEnv, sqsRecord } from '../../helpers/fixtures.ts';
import { fakeList } from '../../helpers/fakeListing.ts';
import { mockReplicationClients } from '../../helpers/awsMocks.ts';

// A rejected event was logged with every unknown field name in full: a 200 KB name made a 204 KB
// line, 5,000 unknown fields 238 KB, an SQS batch of ten items with 250 KB names one 2.5 MB line,
// where CloudWatch Logs keeps at most 256 KB of one event. Every message that quotes input is cut
// now (rules/quote.ts), and every line the function writes is capped at MAX_LOG_LINE_BYTES.

/** Characters that JSON escapes (and so grow a line), and multi-byte ones. */
const hostileChar = fc.constantFrom('a', 'Z', '"', '\\', '\u0001', '\n', 'é', '€', '😀', '{', '}', '<', '&');
/** A field name of up to `max` characters, mostly long. */
const name = (max: number) => fc.tuple(hostileChar, fc.integer({ min: 1, max })).map(([c, n]) => `${c.repeat(n)}`);

/** Hostile events of each kind the handler takes. */
const hostileEvent = fc.oneof(
  // One huge unknown field name beside valid dates.
  name(300_000).map((n) => ({ dates: ['2024-01-01'], [n]: 1 })),
  // Thousands of unknown fields.
  fc.integer({ min: 1000, max: 6000 }).map((count): Record<string, unknown> => Object.fromEntries<unknown>([['dates', ['2024-01-01']], ...Array.from({ length: count }, (_, i): [string, unknown] => [`field-${i}-${'n'.repeat(40)}`, i])])),
  // A scheduled event with a huge unknown field.
  name(300_000).map((n) => ({ 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2024-01-02T06:00:00Z', [n]: true })),
  // An SQS batch of ten work items, each with a 250 KB unknown field name (and a huge date).
  fc.tuple(hostileChar, fc.boolean()).map(([c, hugeDate]) => ({
    Records: Array.from({ length: 10 }, (_, i) => sqsRecord(`m${i}`, JSON.stringify({ date: hugeDate ? c.repeat(250_000) : '2024-01-01', [`${c.repeat(250_000)}${i}`]: 1 }))),
  })),
  // An SQS batch of ten bodies that are not JSON at all.
  hostileChar.map((c) => ({ Records: Array.from({ length: 10 }, (_, i) => sqsRecord(`m${i}`, c.repeat(250_000))) })),
  // An object event whose detail holds a huge field and a huge key.
  name(300_000).map((n) => ({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: n }, object: { key: n, size: 'x' } } })),
);

describe('security: every log line of the function stays under CloudWatch\'s limit, whatever the event (fast-check, issue 22)', function () {
  this.timeout(120_000);
  const { clients, src, dst } = mockReplicationClients();
  let config: HandlerConfig;
  beforeEach(() => {
    config = parseHandlerConfig(handlerEnv());
    src.on(ListObjectsV2Command).callsFake(fakeList([]));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    dst.on(CopyObjectCommand).resolves({});
  });

  it(`holds MAX_LOG_LINE_BYTES (${MAX_LOG_LINE_BYTES} bytes) on every line, and cuts every error message that quotes the event`, async () => {
    let largest = 0;
    await fc.assert(
      fc.asyncProperty(hostileEvent, async (event) => {
        const lines: string[] = [];
        const logger = createLogger([EXTERNAL_ID], (l) => lines.push(l));
        const queue = { url: 'https://sqs.us-east-1.amazonaws.com/123456789012/work', send: () => Promise.resolve() };
        const err = await handleEvent(event, config, clients, { logger, workQueue: queue }).then(() => undefined, (e: unknown) => e);
        expect(lines.length, 'the rejection is logged').to.be.greaterThan(0);
        for (const line of lines) {
          largest = Math.max(largest, Buffer.byteLength(line));
          expect(Buffer.byteLength(line)).to.be.at.most(MAX_LOG_LINE_BYTES);
          expect((JSON.parse(line) as { level?: unknown }).level).to.be.oneOf(['INFO', 'WARN', 'ERROR']);
        }
        // The message of what is thrown (Lambda logs it too) quotes the input cut.
        if (err instanceof Error) expect(Buffer.byteLength(err.message), err.message.slice(0, 200)).to.be.at.most(16 * 1024);
      }),
      { numRuns: 40, seed: 22 },
    );
    expect(largest, 'the largest line seen').to.be.greaterThan(0);
  });
});
