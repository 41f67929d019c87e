import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { moto } from '../../setup.ts';
import { DESTINATION_BUCKET, EXTERNAL_ID, handlerEnv, SOURCE_ACCOUNT, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';
import { countCommands, createWorld, putObjects, type World } from '../../../../dev/replicationWorld.ts';
import { createClients } from '../../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { runEvent } from '../../../../handler/copy/runCopy.ts';
import { createLogger } from '../../../../handler/logger.ts';
import type { ReplicationClients } from '../../../../handler/copy/replicateDay.ts';

const MiB = 1024 * 1024;
const DAY = '2024-01-01';
const PREFIX = '2024/01/01/';
const DEST_PREFIX = 'incoming/acme/';
const BULK = 2500;

/** Keys of every legal shape that must round-trip. */
const SHAPED_KEYS = [
  `${PREFIX}with space.txt`,
  `${PREFIX}plus+sign.txt`,
  `${PREFIX}percent%20literal%.txt`,
  `${PREFIX}query?hash#amp&eq=.txt`,
  `${PREFIX}unicode-é-日本語-😀.txt`,
  `${PREFIX}control\u0001char.txt`,
  `${PREFIX}deep/nested/dirs/file.txt`,
  `${PREFIX}folder/`,
  `${PREFIX}empty.bin`,
  // 1000 bytes at the source; 1014 with the destination prefix, under S3's 1024.
  `${PREFIX}${'L'.repeat(1000 - PREFIX.length - 4)}.txt`,
];
const BIG_KEY = `${PREFIX}big/multipart object.bin`;
const BIG_SIZE = 11 * MiB + 3; // 3 parts of 5 MiB: moto refuses parts under 5 MiB but the last

function body(key: string, version = 1): Buffer {
  if (key.endsWith('/') || key.endsWith('empty.bin')) return Buffer.alloc(0);
  return Buffer.from(`v${version} of ${key}\n`);
}

function bigBody(): Buffer {
  const b = Buffer.alloc(BIG_SIZE);
  for (let i = 0; i + 4 <= b.length; i += 4096) b.writeUInt32BE(i, i);
  return b;
}

async function readAll(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

async function listAll(s3: S3Client, bucket: string, prefix: string): Promise<Map<string, { size: number; etag: string }>> {
  const out = new Map<string, { size: number; etag: string }>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, EncodingType: 'url' }));
    for (const o of page.Contents ?? []) out.set(decodeURIComponent(o.Key!), { size: o.Size!, etag: o.ETag! });
    token = page.NextContinuationToken;
  } while (token);
  return out;
}

// The whole handler against moto with two accounts: the source bucket in 123456789012, the
// destination bucket in 210987654321, reached only through the assumed role. moto does not
// evaluate trust policies or ExternalId (see docs/emulators.md): those are proven by the IAM simulator tests.
describe('handler copy against moto (two accounts)', function () {
  this.timeout(120_000);
  let world: World;
  let clients: ReplicationClients;
  let srcCount: ReturnType<typeof countCommands>;
  let dstCount: ReturnType<typeof countCommands>;
  const lines: string[] = [];
  const config = parseHandlerConfig(handlerEnv({
    DESTINATION_PREFIX: DEST_PREFIX,
    MULTIPART_THRESHOLD_BYTES: String(6 * MiB),
    PART_SIZE_BYTES: String(5 * MiB),
  }));
  const run = (event: unknown) => runEvent(event, config, clients, { logger: createLogger([EXTERNAL_ID], (l) => lines.push(l)) });
  const bulkKeys = Array.from({ length: BULK }, (_, i) => `${PREFIX}part-${String(i).padStart(5, '0')}.json`);
  const dayKeys = [...bulkKeys, ...SHAPED_KEYS, BIG_KEY];

  before(async () => {
    await moto().reset();
    world = await createWorld();
    // The big object first: its copy gets a multipart ETag, and the rerun must still skip it.
    await world.sourceAdmin.send(new PutObjectCommand({
      Bucket: SOURCE_BUCKET, Key: BIG_KEY, Body: bigBody(), ContentType: 'application/x-parquet', CacheControl: 'no-cache',
      ContentDisposition: 'attachment; filename="big.bin"', Metadata: { origin: 'acme', 'schema-version': '7' }, Tagging: 'team=data&tier=gold',
    }));
    const inputs: PutObjectCommandInput[] = [
      ...bulkKeys.map((Key) => ({ Bucket: SOURCE_BUCKET, Key, Body: body(Key), ContentType: 'application/json' })),
      ...SHAPED_KEYS.map((Key) => ({ Bucket: SOURCE_BUCKET, Key, Body: body(Key), ContentType: 'text/plain; charset=utf-8', Metadata: { source: 'shape test' }, Tagging: 'kind=shape&note=a%20b' })),
      // Neighbouring days: must not be copied.
      ...['2024/01/02/next.json', '2023/12/31/previous.json', '2024/01/010/not-a-day.json'].map((Key) => ({ Bucket: SOURCE_BUCKET, Key, Body: body(Key) })),
    ];
    await putObjects(world.sourceAdmin, inputs);
    // A destination-only object that must be left alone.
    await world.destinationAdmin.send(new PutObjectCommand({ Bucket: DESTINATION_BUCKET, Key: `${DEST_PREFIX}${PREFIX}only-at-destination.txt`, Body: 'theirs' }));
    // S3 lists LastModified to the second; let the seeding second pass so that every copy is
    // strictly newer than its source (the rule that keeps multipart copies from being recopied).
    await sleep(1000 - (Date.now() % 1000) + 50);

    clients = createClients(config, { sessionName: 'handler-it' });
    srcCount = countCommands(clients.sourceS3);
    dstCount = countCommands(clients.destinationS3);
  });

  beforeEach(() => {
    lines.length = 0;
    srcCount.reset();
    dstCount.reset();
  });

  it('plans a dry run without copying', async () => {
    const s = await run({ dates: [DAY], dryRun: true });
    expect(s).to.deep.include({ dryRun: true, copied: dayKeys.length, skipped: 0, failed: 0 });
    expect([...dstCount.counts.keys()]).to.deep.equal(['ListObjectsV2']);
    expect((await listAll(world.destinationAdmin, DESTINATION_BUCKET, DEST_PREFIX)).size).to.equal(1);
  });

  it('copies the whole day, and only that day, into the other account', async () => {
    const s = await run({ dates: [DAY] });
    const expectedBytes = dayKeys.reduce((n, k) => n + (k === BIG_KEY ? BIG_SIZE : body(k).length), 0);
    expect(s).to.deep.equal({
      dryRun: false,
      dates: [{
        date: DAY, prefix: PREFIX, listed: dayKeys.length, copied: dayKeys.length, skipped: 0, failed: 0, archived: 0, bytesCopied: expectedBytes,
        // The partner's own object under the day: counted, kept (exact days are off).
        extra: 1, deleted: 0, extraKeys: [`${DEST_PREFIX}${PREFIX}only-at-destination.txt`], notDeleted: 'exactDaysOff',
      }],
      copied: dayKeys.length, skipped: 0, failed: 0, archived: 0, bytesCopied: expectedBytes, failures: [], archivedObjects: [], extra: 1, deleted: 0,
    });
    // Both listings paged (2,500+ keys at 1,000 a page); the same walk counted the extra.
    expect(srcCount.counts.get('ListObjectsV2')).to.equal(3);
    expect(dstCount.counts.get('CopyObject')).to.equal(dayKeys.length - 1);
    expect(dstCount.counts.get('UploadPartCopy')).to.equal(3);
    expect(srcCount.counts.get('CopyObject') ?? 0).to.equal(0);

    const dest = await listAll(world.destinationAdmin, DESTINATION_BUCKET, DEST_PREFIX);
    const source = await listAll(world.sourceAdmin, SOURCE_BUCKET, PREFIX);
    expect([...dest.keys()].sort()).to.deep.equal([...dayKeys.map((k) => DEST_PREFIX + k), `${DEST_PREFIX}${PREFIX}only-at-destination.txt`].sort());
    for (const [key, o] of source) {
      const d = dest.get(DEST_PREFIX + key)!;
      expect(d.size, key).to.equal(o.size);
      if (key !== BIG_KEY) expect(d.etag, key).to.equal(o.etag);
    }
    expect(await readAll(world.destinationAdmin, DESTINATION_BUCKET, `${DEST_PREFIX}${PREFIX}only-at-destination.txt`).then(String)).to.equal('theirs');
    expect(lines).to.have.length(1);
    expect(lines[0]).not.to.include(EXTERNAL_ID);
  });

  it('keeps the bytes of every shaped key and of the multipart copy', async () => {
    for (const key of [...SHAPED_KEYS, BIG_KEY, bulkKeys[0]!, bulkKeys[BULK - 1]!]) {
      const [a, b] = await Promise.all([readAll(world.sourceAdmin, SOURCE_BUCKET, key), readAll(world.destinationAdmin, DESTINATION_BUCKET, DEST_PREFIX + key)]);
      expect(createHash('sha256').update(b).digest('hex'), key).to.equal(createHash('sha256').update(a).digest('hex'));
    }
  });

  it('keeps content type and metadata, through CopyObject and through the multipart copy', async () => {
    // Tags are checked in the same-account suite below: moto keeps tags per account, so across
    // accounts it returns none for the source and copies none (real S3 does; see docs/emulators.md).
    const shaped = `${PREFIX}unicode-é-日本語-😀.txt`;
    const head = await world.destinationAdmin.send(new HeadObjectCommand({ Bucket: DESTINATION_BUCKET, Key: DEST_PREFIX + shaped }));
    expect(head.ContentType).to.equal('text/plain; charset=utf-8');
    expect(head.Metadata).to.deep.equal({ source: 'shape test' });

    const big = await world.destinationAdmin.send(new HeadObjectCommand({ Bucket: DESTINATION_BUCKET, Key: DEST_PREFIX + BIG_KEY }));
    expect(big).to.deep.include({ ContentType: 'application/x-parquet', CacheControl: 'no-cache', ContentDisposition: 'attachment; filename="big.bin"', ContentLength: BIG_SIZE });
    expect(big.Metadata).to.deep.equal({ origin: 'acme', 'schema-version': '7' });
    expect(big.ETag).to.match(/-3"$/);
  });

  it('reruns with nothing changed: listing only, no Head, no Copy', async () => {
    const s = await run({ from: DAY, to: DAY });
    expect(s).to.deep.include({ copied: 0, skipped: dayKeys.length, failed: 0, bytesCopied: 0 });
    expect(Object.fromEntries(srcCount.counts)).to.deep.equal({ ListObjectsV2: 3 });
    expect(Object.fromEntries(dstCount.counts)).to.deep.equal({ ListObjectsV2: 3 });
  });

  it('copies again an object changed at the source (same size or not), and nothing else', async () => {
    const sameSize = bulkKeys[7]!;
    const longer = SHAPED_KEYS[1]!;
    await world.sourceAdmin.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: sameSize, Body: body(sameSize, 2) }));
    await world.sourceAdmin.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: longer, Body: Buffer.concat([body(longer, 2), Buffer.from('more')]) }));
    const s = await run({ dates: [DAY] });
    expect(s).to.deep.include({ copied: 2, skipped: dayKeys.length - 2, failed: 0 });
    expect(dstCount.counts.get('CopyObject')).to.equal(2);
    expect(String(await readAll(world.destinationAdmin, DESTINATION_BUCKET, DEST_PREFIX + sameSize))).to.equal(String(body(sameSize, 2)));
    expect(String(await readAll(world.destinationAdmin, DESTINATION_BUCKET, DEST_PREFIX + longer))).to.equal(`${String(body(longer, 2))}more`);
  });

  it('copies an object missing at the destination whose destination neighbour has the same size and is newer', async () => {
    // part-00100 is gone at the destination; the next destination key, part-00101's copy, has the
    // same size and a later LastModified. Compared with that neighbour, it would count as equal.
    const missing = bulkKeys[100]!;
    const neighbour = bulkKeys[101]!;
    await world.destinationAdmin.send(new DeleteObjectCommand({ Bucket: DESTINATION_BUCKET, Key: DEST_PREFIX + missing }));
    const listed = await listAll(world.destinationAdmin, DESTINATION_BUCKET, DEST_PREFIX + PREFIX);
    expect(listed.has(DEST_PREFIX + missing)).to.equal(false);
    expect(listed.get(DEST_PREFIX + neighbour)?.size).to.equal(body(missing).length);
    const s = await run({ dates: [DAY] });
    expect(s).to.deep.include({ copied: 1, skipped: dayKeys.length - 1, failed: 0, bytesCopied: body(missing).length });
    expect(dstCount.counts.get('CopyObject')).to.equal(1);
    expect(String(await readAll(world.destinationAdmin, DESTINATION_BUCKET, DEST_PREFIX + missing))).to.equal(String(body(missing)));
  });

  it('copies nothing on a day with no objects', async () => {
    const s = await run({ dates: ['2024-01-03'] });
    expect(s.dates).to.deep.equal([{ date: '2024-01-03', prefix: '2024/01/03/', listed: 0, copied: 0, skipped: 0, failed: 0, archived: 0, bytesCopied: 0, extra: 0, deleted: 0 }]);
  });
});

// moto keeps object tags per account: a cross-account GetObjectTagging answers an empty set and
// CopyObject's TaggingDirective COPY copies none. Here the destination role lives in the source
// account, so the tag path of both copy kinds runs for real.
describe('handler copy against moto (tags, one account)', function () {
  this.timeout(60_000);
  const roleArn = `arn:aws:iam::${SOURCE_ACCOUNT}:role/s3-push-same-account`;
  const buckets = { source: 'acme-tags-source', destination: 'acme-tags-destination' };
  const config = parseHandlerConfig(handlerEnv({
    SOURCE_BUCKET: buckets.source,
    DESTINATION_BUCKET: buckets.destination,
    DESTINATION_ROLE_ARN: roleArn,
    MULTIPART_THRESHOLD_BYTES: String(6 * MiB),
    PART_SIZE_BYTES: String(5 * MiB),
  }));
  let world: World;

  before(async () => {
    await moto().reset();
    world = await createWorld(buckets, roleArn);
    await putObjects(world.sourceAdmin, [
      { Bucket: buckets.source, Key: `${PREFIX}tagged é+.txt`, Body: 'small', Tagging: 'kind=shape&note=a%20b' },
      { Bucket: buckets.source, Key: BIG_KEY, Body: bigBody(), Tagging: 'team=data&tier=gold' },
    ]);
  });

  it('keeps the tags on CopyObject and on the multipart copy', async () => {
    const s = await runEvent({ dates: [DAY] }, config, createClients(config), { logger: createLogger([], () => undefined) });
    expect(s).to.deep.include({ copied: 2, failed: 0 });
    const small = await world.destinationAdmin.send(new GetObjectTaggingCommand({ Bucket: buckets.destination, Key: `${PREFIX}tagged é+.txt` }));
    expect(small.TagSet).to.have.deep.members([{ Key: 'kind', Value: 'shape' }, { Key: 'note', Value: 'a b' }]);
    const big = await world.destinationAdmin.send(new GetObjectTaggingCommand({ Bucket: buckets.destination, Key: BIG_KEY }));
    expect(big.TagSet).to.have.deep.members([{ Key: 'team', Value: 'data' }, { Key: 'tier', Value: 'gold' }]);
  });
});
