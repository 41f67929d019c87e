/**
 * The marker's bytes from its text, as a stream: plain UTF-8 while the whole text is at most
 * {@link MARKER_GZIP_ABOVE_BYTES}, otherwise one gzip stream of all of it (stored with
 * `Content-Encoding: gzip`). Pull-based: the text is asked for only as fast as the bytes are
 * taken, so nothing but the first {@link MARKER_GZIP_ABOVE_BYTES} of text and zlib's window is held.
 */
import { pipeline, Readable } from 'node:stream';
import { createGzip } from 'node:zlib';

/**
 * Markers whose JSON is larger than this (1 MiB, roughly 10,000 keys of 60 characters) are stored
 * gzip-compressed; a smaller one stays readable as it is.
 */
export const MARKER_GZIP_ABOVE_BYTES = 1024 * 1024;

/** A marker's bytes: whether they are gzip, and the chunks in order. */
export interface MarkerBody {
  readonly gzip: boolean;
  /** Read with `for await`. */
  readonly chunks: AsyncIterable<Buffer> | Iterable<Buffer>;
}

/** Encodes `text` (see the module comment); `gzipAbove` defaults to {@link MARKER_GZIP_ABOVE_BYTES}. */
export async function encodeMarkerBody(text: AsyncIterable<string>, gzipAbove = MARKER_GZIP_ABOVE_BYTES): Promise<MarkerBody> {
  const it = text[Symbol.asyncIterator]();
  const head: string[] = [];
  let bytes = 0;
  while (bytes <= gzipAbove) {
    const r = await it.next();
    if (r.done) {
      const whole = Buffer.from(head.join(''));
      return { gzip: false, chunks: [whole] };
    }
    head.push(r.value);
    bytes += Buffer.byteLength(r.value);
  }
  async function* all(): AsyncGenerator<string> {
    yield* head.splice(0);
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  const gzip = createGzip();
  // pipeline passes an error of the text (a failed listing) on to the gzip stream, whose reader throws it.
  pipeline(Readable.from(all(), { objectMode: false }), gzip, () => undefined);
  return { gzip: true, chunks: gzip };
}
