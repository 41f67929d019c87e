/**
 * A lean reading of ListObjectsV2 answers. Profiles of a rerun with nothing to copy
 * (`npx tsx scripts/measureFixedCost.ts --cpu-prof DIR`) showed half of the handler's CPU in reading listing pages: the SDK's
 * XML parser builds each text one character at a time (and the garbage collector pays for it),
 * then its schema deserializer walks the result. In a fresh process (a Lambda cold start, every
 * run of the bench) none of that code is optimized yet.
 *
 * This reads the body of a successful ListObjectsV2 answer with a few regular expressions into
 * exactly the output the SDK's deserializer gives (the tests compare the two on generated
 * documents), and hands every other answer to the SDK unchanged: a status other than 200, and any
 * document outside the plain form S3 writes — attributes other than the root's `xmlns`, CDATA,
 * comments, processing instructions after the declaration, entities other than the five XML ones,
 * text beside child elements, an element repeated where one is expected, an empty body. Only the
 * reading of the body changes: the request, its signing, retries, redirects and errors stay the
 * SDK's.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { _parseRfc3339DateTimeWithOffset as parseTimestamp } from '@smithy/core/serde';
import type { $ClientProtocol, $OperationSchema, HandlerExecutionContext, HttpResponse, MetadataBearer, SerdeFunctions } from '@smithy/types';

/** An element as read: its text, or its children by name (a repeated name holds them all). */
type Element = string | { readonly [name: string]: Element | Element[] };

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Thrown inside the reader when the document is not in the plain form; the SDK then reads it. */
class NotPlain extends Error {}

/** The text of a leaf element, entities decoded as the SDK decodes them. */
function decodeText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&<]*);?/g, (whole, name: string) => {
    const decoded = whole.endsWith(';') ? ENTITIES[name] : undefined;
    if (decoded === undefined) throw new NotPlain();
    return decoded;
  });
}

/** Whitespace between elements that the SDK drops: none, or whitespace with a line break. */
const isDroppedSpace = (text: string): boolean => text === '' || (text.includes('\n') && text.trim() === '');

// An opening tag without attributes (`<Name>` or `<Name/>`), a closing tag, or text up to the next
// `<`. Nothing else matches: a comment, CDATA or a processing instruction ends the lean reading.
const TAG = /<([A-Za-z_][\w.-]*)\s*(\/?)>|<\/([A-Za-z_][\w.-]*)\s*>|([^<]+)/y;

/**
 * Reads the children of an element from `TAG.lastIndex` up to its closing tag `</name>`.
 * Returns its text when it has no child element, else its children by name.
 */
function readElement(xml: string, name: string): Element {
  const children: Record<string, Element | Element[]> = {};
  let text: string | undefined;
  let hasChildren = false;
  for (;;) {
    const m = TAG.exec(xml);
    if (m === null) throw new NotPlain();
    const [, open, selfClosing, close, chars] = m;
    if (chars !== undefined) {
      if (text !== undefined) throw new NotPlain();
      text = chars;
    } else if (close !== undefined) {
      if (close !== name) throw new NotPlain();
      break;
    } else {
      // Text beside child elements (other than the whitespace the SDK drops) is not plain.
      if (text !== undefined && !isDroppedSpace(text)) throw new NotPlain();
      if (open === '__proto__') throw new NotPlain();
      text = undefined;
      hasChildren = true;
      const child = selfClosing ? '' : readElement(xml, open!);
      const seen = children[open!];
      children[open!] = seen === undefined ? child : Array.isArray(seen) ? [...seen, child] : [seen, child];
    }
  }
  if (!hasChildren) return text === undefined || isDroppedSpace(text) ? '' : decodeText(text);
  if (text !== undefined && !isDroppedSpace(text)) throw new NotPlain();
  return children;
}

/** A leaf that must be text; an element with children or a repeated one is not plain. */
function leaf(value: Element | Element[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new NotPlain();
  return value;
}

/** A structure: the SDK reads text where one is expected as an empty structure. */
function struct(value: Element | Element[] | undefined): Readonly<Record<string, Element | Element[]>> | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new NotPlain();
  return typeof value === 'string' ? {} : value;
}

const list = (value: Element | Element[] | undefined): Element[] | undefined => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);

/** The fields of a structure as the SDK types them: text, number, boolean or timestamp. */
type Kind = 'string' | 'number' | 'boolean' | 'timestamp';
const TYPED: Readonly<Record<Kind, (text: string) => unknown>> = {
  string: (text) => text,
  number: (text) => Number(text),
  boolean: (text) => text.toLowerCase() === 'true',
  timestamp: (text) => parseTimestamp(text),
};

function fields(from: Readonly<Record<string, Element | Element[]>>, kinds: Readonly<Record<string, Kind>>, into: Record<string, unknown>): Record<string, unknown> {
  for (const [name, kind] of Object.entries(kinds)) {
    const text = leaf(from[name]);
    if (text !== undefined) into[name] = TYPED[kind](text);
  }
  return into;
}

// ListObjectsV2Output, _Object, Owner and RestoreStatus as S3's API model (the SDK's schema) has them.
const RESULT_FIELDS: Readonly<Record<string, Kind>> = {
  IsTruncated: 'boolean', Name: 'string', Prefix: 'string', Delimiter: 'string', MaxKeys: 'number', EncodingType: 'string',
  KeyCount: 'number', ContinuationToken: 'string', NextContinuationToken: 'string', StartAfter: 'string',
};
const OBJECT_FIELDS: Readonly<Record<string, Kind>> = { Key: 'string', LastModified: 'timestamp', ETag: 'string', ChecksumType: 'string', Size: 'number', StorageClass: 'string' };
const OWNER_FIELDS: Readonly<Record<string, Kind>> = { DisplayName: 'string', ID: 'string' };
const RESTORE_FIELDS: Readonly<Record<string, Kind>> = { IsRestoreInProgress: 'boolean', RestoreExpiryDate: 'timestamp' };

function readObject(element: Element): Record<string, unknown> {
  const from = struct(element)!;
  const out = fields(from, OBJECT_FIELDS, {});
  const algorithms = list(from.ChecksumAlgorithm);
  if (algorithms) out.ChecksumAlgorithm = algorithms.map((a) => leaf(a));
  const owner = struct(from.Owner);
  if (owner) out.Owner = fields(owner, OWNER_FIELDS, {});
  const restore = struct(from.RestoreStatus);
  if (restore) out.RestoreStatus = fields(restore, RESTORE_FIELDS, {});
  return out;
}

// The document up to the root's children: an optional XML declaration, then `<ListBucketResult>`
// with at most an `xmlns` attribute.
const PROLOG = /^(?:<\?xml\s[^<>?]*\?>)?\s*<ListBucketResult(?:\s+xmlns="[^"<>&]*")?\s*>/;

/**
 * The body members of a ListObjectsV2 answer, as the SDK's deserializer reads them, or undefined
 * when the document is not in the plain form (the SDK reads it then).
 */
export function readListObjectsV2(xml: string): Record<string, unknown> | undefined {
  const prolog = PROLOG.exec(xml);
  // The SDK reads CR LF and CR as LF; such a document is left to it.
  if (prolog === null || xml.includes('\r')) return undefined;
  try {
    TAG.lastIndex = prolog[0].length;
    const root = struct(readElement(xml, 'ListBucketResult'))!;
    if (xml.slice(TAG.lastIndex).trim() !== '') return undefined;
    const out = fields(root, RESULT_FIELDS, {});
    const contents = list(root.Contents);
    if (contents) out.Contents = contents.map(readObject);
    const prefixes = list(root.CommonPrefixes);
    if (prefixes) out.CommonPrefixes = prefixes.map((p) => fields(struct(p)!, { Prefix: 'string' }, {}));
    return out;
  } catch (err) {
    if (err instanceof NotPlain) return undefined;
    throw err;
  }
}

type Protocol = $ClientProtocol<unknown, HttpResponse> & { deserializeMetadata?(response: HttpResponse): Record<string, unknown> };

/**
 * Reads `client`'s successful ListObjectsV2 answers with {@link readListObjectsV2}; every other
 * answer, and every other command, goes to the SDK's own protocol as before.
 */
export function installLeanListing(client: S3Client): void {
  const protocol = client.config.protocol as Protocol;
  const sdkDeserialize = protocol.deserializeResponse.bind(protocol);
  protocol.deserializeResponse = async <Output extends MetadataBearer>(operation: $OperationSchema, context: HandlerExecutionContext & SerdeFunctions, response: HttpResponse): Promise<Output> => {
    if (operation.name !== 'ListObjectsV2' || response.statusCode !== 200 || !protocol.deserializeMetadata) return sdkDeserialize<Output>(operation, context, response);
    const bytes: Uint8Array = response.body instanceof Uint8Array ? response.body : await context.streamCollector(response.body);
    const body = readListObjectsV2(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    if (body === undefined) {
      // Not in the plain form: the SDK reads the same bytes.
      response.body = bytes;
      return sdkDeserialize<Output>(operation, context, response);
    }
    const charged = Object.entries(response.headers).find(([name]) => name.toLowerCase() === 'x-amz-request-charged')?.[1];
    return { ...body, ...(charged === undefined ? {} : { RequestCharged: charged }), $metadata: protocol.deserializeMetadata(response) } as unknown as Output;
  };
}
