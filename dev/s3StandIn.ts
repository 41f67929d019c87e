/**
 * A local stand-in for S3 and STS, just enough for the handler's listing path: ListObjectsV2
 * pages of synthetic keys (1,000 a page, URL-encoded, as S3 answers `EncodingType=url`) and
 * AssumeRole. It serves no copy. It lets the measuring scripts and the container test run the
 * bundled handler, its SDK, XML parsing and HTTP, without moto's own cost (about 1 ms a request).
 *
 * Every bucket holds the same day, `2024/01/01/`, of `keys[bucket]` objects (none when absent)
 * with the same size, ETag and LastModified, so a destination that holds as many keys as the
 * source is in sync (the warm rerun) and an empty one needs every object copied.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The day every bucket of the stand-in holds, as a key prefix. */
export const STAND_IN_DAY = '2024/01/01/';
/** The day as the handler's event names it. */
export const STAND_IN_DATE = '2024-01-01';

/** The `i`-th key of the day. */
export const standInKey = (i: number): string => `${STAND_IN_DAY}part-${String(i).padStart(8, '0')}.json`;

/** One request the stand-in answered. */
export interface StandInRequest {
  readonly method: string;
  /** `AssumeRole`, `ListObjectsV2` or `other` (answered 404). */
  readonly operation: 'AssumeRole' | 'ListObjectsV2' | 'other';
  readonly bucket: string;
  /** The TCP connection it came on, numbered from 1 in the order they opened. */
  readonly connection: number;
}

export interface S3StandIn {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL. */
  readonly endpoint: string;
  /** Objects of the day per bucket; change it between runs. */
  readonly keys: Record<string, number>;
  /** Every request so far, in order. */
  readonly requests: StandInRequest[];
  close(): Promise<void>;
}

const ASSUME_ROLE = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIASTANDIN</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA:s3-push</AssumedRoleId><Arn>arn:aws:sts::210987654321:assumed-role/s3-push-writer/s3-push</Arn></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`;

function listPage(url: URL, count: number): string {
  const prefix = url.searchParams.get('prefix') ?? '';
  const token = url.searchParams.get('continuation-token');
  const inDay = prefix === STAND_IN_DAY ? count : 0;
  const start = token === null ? 0 : Number(token);
  const end = Math.min(inDay, start + 1000);
  const contents: string[] = [];
  for (let i = start; i < end; i++) {
    contents.push(`<Contents><Key>${encodeURIComponent(standInKey(i))}</Key><LastModified>2024-01-02T00:00:00.000Z</LastModified><ETag>&quot;0123456789abcdef0123456789abcdef&quot;</ETag><Size>1024</Size><StorageClass>STANDARD</StorageClass></Contents>`);
  }
  const more = end < inDay;
  return `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><Prefix>${prefix}</Prefix><KeyCount>${end - start}</KeyCount><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType><IsTruncated>${more}</IsTruncated>${contents.join('')}${more ? `<NextContinuationToken>${end}</NextContinuationToken>` : ''}</ListBucketResult>`;
}

/** Starts the stand-in on 127.0.0.1 (a free port); `keys` gives each bucket's objects of the day. */
export async function startS3StandIn(keys: Record<string, number> = {}): Promise<S3StandIn> {
  const requests: StandInRequest[] = [];
  let connections = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const bucket = url.pathname.split('/')[1] ?? '';
      const operation = req.method === 'POST' ? 'AssumeRole' : url.searchParams.get('list-type') === '2' ? 'ListObjectsV2' : 'other';
      requests.push({ method: req.method ?? '', operation, bucket, connection: (req.socket as { standInId?: number }).standInId ?? 0 });
      const body = operation === 'AssumeRole' ? ASSUME_ROLE : operation === 'ListObjectsV2' ? listPage(url, keys[bucket] ?? 0) : undefined;
      res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/xml' });
      res.end(body ?? '<Error><Code>NotImplemented</Code><Message>stand-in</Message></Error>');
    });
  });
  server.on('connection', (socket) => {
    (socket as { standInId?: number }).standInId = ++connections;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    keys,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The environment of the handler against the stand-in: source bucket `source`, destination `destination`. */
export function standInHandlerEnv(endpoint: string, home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'AKIASTANDIN',
    AWS_SECRET_ACCESS_KEY: 'secret',
    SOURCE_BUCKET: 'source',
    DESTINATION_BUCKET: 'destination',
    DESTINATION_ROLE_ARN: 'arn:aws:iam::210987654321:role/s3-push-writer',
    SOURCE_ACCOUNT_ID: '123456789012',
  };
}
