import { expect } from 'chai';
import { mockReplicationClients } from '../../../helpers/awsMocks.ts';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand,
  ListObjectsV2Command, PutObjectCommand, UploadPartCommand, type ListObjectsV2CommandInput, type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { dayMarkerKey, isDayMarkerSourceKey, updateDayMarker, type MarkerSettings } from '../../../../handler/marker/dayMarker.ts';
import { replicateDay } from '../../../../handler/copy/replicateDay.ts';
import { daySettings } from '../../../helpers/fixtures.ts';
import { DAY_MARKER_NAME, manifestDigest, MARKER_METADATA_DIGEST, MARKER_METADATA_VERSION, type DayMarkerDocument } from '../../../../handler/marker/manifest.ts';
import type { ObjectInfo } from '../../../../handler/copy/plan.ts';
import type { IsoDate } from '../../../../rules/dates.ts';
import { fakeList } from '../../../helpers/fakeListing.ts';
import { awsError } from '../../../helpers/errors.ts';
import { DESTINATION_ACCOUNT, SOURCE_ACCOUNT } from '../../../helpers/fixtures.ts';

const DAY = '2024-03-01' as IsoDate;
const settings: MarkerSettings = {
  sourceBucket: 'src', sourceAccountId: SOURCE_ACCOUNT, destinationBucket: 'dst', destinationAccountId: DESTINATION_ACCOUNT,
  destinationPrefix: 'in/', destinationPrefixFormat: undefined, prefixFormat: '{YYYY}/{MM}/{DD}/', kmsKeyArn: undefined,
};
const MARKER = `in/2024/03/01/${DAY_MARKER_NAME}`;
const NOW = () => new Date('2024-03-02T06:00:00Z');
const notFound = () => awsError('NotFound', 404, 'Not Found');

const obj = (key: string, etag = 'e', size = 10): ObjectInfo => ({ key, size, etag, lastModified: new Date('2024-03-01T12:00:00Z') });
/** The day at the source, and the same at the destination (the copies), under in/. */
/** Names that compress like real part files (a hash in each), `n` of them. */
const partNames = (n: number): string[] => Array.from({ length: n }, (_, i) => `part-${String(i).padStart(5, '0')}-${createHash('sha256').update(String(i)).digest('hex')}.parquet`);
const day = (names: string[]) => ({ source: names.map((n) => obj(`2024/03/01/${n}`)), destination: names.map((n) => obj(`in/2024/03/01/${n}`)) });

function parse(body: Buffer, gzip: boolean): DayMarkerDocument {
  return JSON.parse((gzip ? gunzipSync(body) : body).toString('utf8')) as DayMarkerDocument;
}

describe('handler/marker/dayMarker', function () {
  // Walks of a few thousand keys, gzip and hashing: seconds on a loaded machine, never a timed assertion.
  this.timeout(60_000);
  const { clients, src, dst } = mockReplicationClients();
  const lists = (source: ObjectInfo[], destination: ObjectInfo[], pageSize = 1000): void => {
    src.on(ListObjectsV2Command).callsFake(fakeList(source, pageSize));
    dst.on(ListObjectsV2Command).callsFake(fakeList(destination, pageSize));
    // No marker yet, unless a test says otherwise.
    dst.on(HeadObjectCommand).rejects(notFound());
  };
  const put = (): PutObjectCommandInput => dst.commandCalls(PutObjectCommand)[0]!.args[0].input;

  it('names the marker after the day prefix; only that key of a day is the marker', () => {
    expect(dayMarkerKey(settings, DAY)).to.equal(MARKER);
    expect(isDayMarkerSourceKey('{YYYY}/{MM}/{DD}/', `2024/03/01/${DAY_MARKER_NAME}`)).to.equal(true);
    expect(isDayMarkerSourceKey('events/{YYYY}/{MM}/{DD}/', `events/2024/03/01/${DAY_MARKER_NAME}`)).to.equal(true);
    expect(isDayMarkerSourceKey('{YYYY}/{MM}/{DD}/', `2024/03/01/sub/${DAY_MARKER_NAME}`)).to.equal(false);
    expect(isDayMarkerSourceKey('{YYYY}/{MM}/{DD}/', `2024/03/01/x${DAY_MARKER_NAME}`)).to.equal(false);
    expect(isDayMarkerSourceKey('{YYYY}/{MM}/{DD}/', `2024/02/30/${DAY_MARKER_NAME}`)).to.equal(false);
    expect(isDayMarkerSourceKey('{YYYY}/{MM}/{DD}/', '2024/03/01/a.json')).to.equal(false);
  });

  it("lists the source's objects as keys and the destination-only ones as extra, never the marker", async () => {
    const d = day(['a', 'b']);
    lists([...d.source, obj(`2024/03/01/${DAY_MARKER_NAME}`, 'fake')], [...d.destination, obj('in/2024/03/01/old-part', 'o', 5), obj(MARKER, 'm')]);
    dst.on(HeadObjectCommand).rejects(notFound());
    dst.on(PutObjectCommand).resolves({});
    const r = await updateDayMarker(clients, settings, DAY, { now: NOW, run: { listed: 2, copied: 2, skipped: 0 } });
    expect(r).to.deep.include({ key: MARKER, outcome: 'written', objects: 2, bytes: 20, extra: 1 });
    const doc = parse(put().Body as Buffer, false);
    expect(doc.keys.map((k) => k.key)).to.deep.equal(['in/2024/03/01/a', 'in/2024/03/01/b']);
    expect(doc.extra).to.deep.equal({ count: 1, first: [{ key: 'in/2024/03/01/old-part', size: 5, etag: 'o' }] });
    expect(doc).to.include({ objects: 2, bytes: 20, completedAt: '2024-03-02T06:00:00.000Z' });
    expect(put()).to.deep.include({ Key: MARKER, ContentType: 'application/json', ExpectedBucketOwner: DESTINATION_ACCOUNT });
    expect(put().Metadata).to.deep.equal({ [MARKER_METADATA_VERSION]: '2', [MARKER_METADATA_DIGEST]: doc.sha256 });
    expect(manifestDigest(doc)).to.equal(doc.sha256);
  });

  it('leaves a stored marker with the same digest as it is, with one HeadObject and no read of its body', async () => {
    const d = day(['a']);
    lists(d.source, [...d.destination, obj(MARKER)]);
    dst.on(HeadObjectCommand).rejects(notFound());
    dst.on(PutObjectCommand).resolves({});
    await updateDayMarker(clients, settings, DAY, { now: NOW });
    const metadata = put().Metadata!;
    dst.reset();
    dst.on(ListObjectsV2Command).callsFake(fakeList([...d.destination, obj(MARKER)]));
    // A partner's gzip bomb at the key: never read.
    dst.on(HeadObjectCommand).resolves({ Metadata: metadata, ContentLength: 1_500_000, ContentEncoding: 'gzip' });
    dst.on(GetObjectCommand).rejects(new Error('the marker body must not be read'));
    const r = await updateDayMarker(clients, settings, DAY, { now: () => new Date('2030-01-01T00:00:00Z'), run: { listed: 1, copied: 0, skipped: 1 } });
    expect(r.outcome).to.equal('unchanged');
    expect(dst.commandCalls(HeadObjectCommand)).to.have.length(1);
    expect(dst.commandCalls(HeadObjectCommand)[0]!.args[0].input).to.deep.equal({ Bucket: 'dst', ExpectedBucketOwner: DESTINATION_ACCOUNT, Key: MARKER });
    expect(dst.commandCalls(GetObjectCommand)).to.have.length(0);
    expect(dst.commandCalls(PutObjectCommand)).to.have.length(0);
  });

  it('replaces a stored object that is not s3-push\'s: no metadata (a first-format marker, a forgery), another digest, another version', async () => {
    const d = day(['a']);
    const stored: Record<string, string>[] = [{}, { [MARKER_METADATA_VERSION]: '2', [MARKER_METADATA_DIGEST]: 'f'.repeat(64) }, { [MARKER_METADATA_VERSION]: '1' }];
    for (const metadata of stored) {
      dst.reset();
      lists(d.source, d.destination);
      dst.on(HeadObjectCommand).resolves({ Metadata: metadata });
      dst.on(PutObjectCommand).resolves({});
      expect((await updateDayMarker(clients, settings, DAY, { now: NOW })).outcome, JSON.stringify(metadata)).to.equal('written');
      expect(parse(put().Body as Buffer, false).keys).to.deep.equal([{ key: 'in/2024/03/01/a', size: 10, etag: 'e' }]);
    }
  });

  it('writes nothing when a source object of the day is not at the destination (a day skipped by a forged startAfter)', async () => {
    const d = day(['a', 'b', 'c']);
    lists(d.source, [d.destination[0]!]);
    const r = await updateDayMarker(clients, settings, DAY, { now: NOW });
    expect(r).to.deep.include({ outcome: 'incomplete', notAtDestination: '2024/03/01/b' });
    expect(dst.commandCalls(PutObjectCommand)).to.have.length(0);
  });

  it('with onlyIfMarked, walks nothing for a day without a marker, and rewrites the marker of a day that has one', async () => {
    const d = day(['a', 'late']);
    lists(d.source, d.destination);
    expect((await updateDayMarker(clients, settings, DAY, { onlyIfMarked: true })).outcome).to.equal('absent');
    expect(src.commandCalls(ListObjectsV2Command)).to.have.length(0);
    dst.on(HeadObjectCommand).resolves({ Metadata: { [MARKER_METADATA_VERSION]: '2', [MARKER_METADATA_DIGEST]: 'f'.repeat(64) } });
    dst.on(PutObjectCommand).resolves({});
    expect((await updateDayMarker(clients, settings, DAY, { onlyIfMarked: true })).outcome).to.equal('written');
    expect(dst.commandCalls(HeadObjectCommand)).to.have.length(2);
  });

  it('writes nothing when a source object differs at the destination', async () => {
    lists([obj('2024/03/01/a', 'new', 11)], [obj('in/2024/03/01/a', 'old', 10)]);
    expect((await updateDayMarker(clients, settings, DAY)).outcome).to.equal('incomplete');
  });

  it('leaves excluded keys out on both sides, and lists left-out objects with their reason', async () => {
    const d = day(['a', 'x.crc']);
    lists([...d.source, obj('2024/03/01/long')], [...d.destination, obj('in/2024/03/01/y.crc')]);
    dst.on(HeadObjectCommand).rejects(notFound());
    dst.on(PutObjectCommand).resolves({});
    const r = await updateDayMarker(clients, settings, DAY, {
      isExcluded: (k) => k.endsWith('.crc'),
      leftOut: (o) => (o.key.endsWith('long') ? 'tooLong' : undefined),
    });
    expect(r).to.deep.include({ outcome: 'written', objects: 1, extra: 0, leftOut: 1 });
    const doc = parse(put().Body as Buffer, false);
    expect(doc.keys.map((k) => k.key)).to.deep.equal(['in/2024/03/01/a']);
    expect(doc.leftOut).to.deep.equal({ count: 1, first: [{ key: 'in/2024/03/01/long', reason: 'tooLong' }] });
  });

  it('asks the time budget on every page of the destination: 300 pages of partner objects stop it', async () => {
    const d = day(['a']);
    const partner = Array.from({ length: 3000 }, (_, i) => obj(`in/2024/03/01/zz-partner-${String(i).padStart(5, '0')}`));
    lists(d.source, [...d.destination, ...partner], 10);
    let asked = 0;
    const r = await updateDayMarker(clients, settings, DAY, { shouldStop: () => ++asked > 50 });
    expect(r.outcome).to.equal('stopped');
    expect(dst.commandCalls(ListObjectsV2Command).length).to.be.below(10);
    expect(dst.commandCalls(PutObjectCommand)).to.have.length(0);
  });

  it('streams a manifest larger than one part through a multipart upload, gzip, the digest in the metadata', async () => {
    const names = partNames(1000);
    const d = day(names);
    lists(d.source, d.destination);
    dst.on(HeadObjectCommand).rejects(notFound());
    dst.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    dst.on(UploadPartCommand).callsFake((input: { PartNumber: number }) => ({ ETag: `"p${input.PartNumber}"` }));
    dst.on(CompleteMultipartUploadCommand).resolves({});
    const r = await updateDayMarker(clients, settings, DAY, { partBytes: 20_000, gzipAboveBytes: 50_000, now: NOW });
    expect(r).to.deep.include({ outcome: 'written', objects: 1000 });
    const create = dst.commandCalls(CreateMultipartUploadCommand)[0]!.args[0].input;
    expect(create).to.deep.include({ Key: MARKER, ContentEncoding: 'gzip', ContentType: 'application/json', ExpectedBucketOwner: DESTINATION_ACCOUNT });
    const parts = dst.commandCalls(UploadPartCommand).map((c) => c.args[0].input);
    expect(parts.length).to.be.above(1);
    expect(parts.map((p) => p.PartNumber)).to.deep.equal(parts.map((_, i) => i + 1));
    for (const p of parts.slice(0, -1)) expect((p.Body as Buffer).length).to.be.at.least(20_000);
    for (const p of parts) expect(p).to.include({ ExpectedBucketOwner: DESTINATION_ACCOUNT, UploadId: 'u1' });
    const doc = parse(Buffer.concat(parts.map((p) => p.Body as Buffer)), true);
    expect(doc.keys).to.have.length(1000);
    expect(create.Metadata![MARKER_METADATA_DIGEST]).to.equal(doc.sha256);
    expect(manifestDigest(doc)).to.equal(doc.sha256);
    expect(dst.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input).to.deep.include({
      ExpectedBucketOwner: DESTINATION_ACCOUNT, MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.PartNumber, ETag: `"p${p.PartNumber}"` })) },
    });
    // Nothing held but one part: no PutObject of the whole.
    expect(dst.commandCalls(PutObjectCommand)).to.have.length(0);
  });

  it('aborts the upload when the day changed between the two walks', async () => {
    const names = partNames(1000);
    const d = day(names);
    let sourceListings = 0;
    src.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => {
      if (input.ContinuationToken === undefined && input.StartAfter === undefined) sourceListings++;
      // The second walk sees another ETag at the source for the last object: not equal any more.
      const objects = sourceListings > 1 ? [...d.source.slice(0, -1), { ...d.source.at(-1)!, etag: 'changed', size: 99 }] : d.source;
      return fakeList(objects)(input);
    });
    dst.on(ListObjectsV2Command).callsFake(fakeList(d.destination));
    dst.on(HeadObjectCommand).rejects(notFound());
    dst.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    dst.on(UploadPartCommand).resolves({ ETag: '"p"' });
    dst.on(AbortMultipartUploadCommand).resolves({});
    const r = await updateDayMarker(clients, settings, DAY, { partBytes: 20_000, gzipAboveBytes: 50_000 });
    expect(r.outcome).to.equal('incomplete');
    expect(dst.commandCalls(AbortMultipartUploadCommand)[0]!.args[0].input).to.deep.equal({ Bucket: 'dst', ExpectedBucketOwner: DESTINATION_ACCOUNT, Key: MARKER, UploadId: 'u1' });
    expect(dst.commandCalls(CompleteMultipartUploadCommand)).to.have.length(0);
  });

  it('aborts the upload and names the marker when a part fails', async () => {
    const d = day(partNames(1000));
    lists(d.source, d.destination);
    dst.on(HeadObjectCommand).rejects(notFound());
    dst.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    dst.on(UploadPartCommand).rejects(awsError('AccessDenied', 403, 'Access Denied'));
    dst.on(AbortMultipartUploadCommand).resolves({});
    const err = await updateDayMarker(clients, settings, DAY, { partBytes: 20_000, gzipAboveBytes: 50_000 }).catch((e: unknown) => e);
    expect((err as Error).message).to.match(/uploading part 1 of s3:\/\/dst\/in\/2024\/03\/01\/_S3PUSH_COMPLETE\.json failed: .*AccessDenied/);
    expect(dst.commandCalls(AbortMultipartUploadCommand)).to.have.length(1);
  });

  it('fails naming the marker when its metadata cannot be read (not a missing one)', async () => {
    const d = day(['a']);
    lists(d.source, d.destination);
    dst.on(HeadObjectCommand).rejects(awsError('Forbidden', 403, 'Forbidden'));
    const err = await updateDayMarker(clients, settings, DAY).catch((e: unknown) => e);
    expect((err as Error).message).to.match(/reading the metadata of s3:\/\/dst\/in\/2024\/03\/01\/_S3PUSH_COMPLETE\.json failed: .*Forbidden/);
    expect(dst.commandCalls(PutObjectCommand)).to.have.length(0);
  });

  it('stores the same bytes as lib-storage\'s Upload would, in parts of at least the part size', async () => {
    const d = day(partNames(1000));
    lists(d.source, d.destination);
    dst.on(HeadObjectCommand).rejects(notFound());
    dst.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    dst.on(UploadPartCommand).resolves({ ETag: '"p"' });
    dst.on(CompleteMultipartUploadCommand).resolves({});
    dst.on(PutObjectCommand).resolves({});
    await updateDayMarker(clients, settings, DAY, { partBytes: 5 * 1024 * 1024, gzipAboveBytes: 50_000, now: NOW });
    // Small enough for one part: one PutObject, as Upload does for a body under its part size.
    expect(dst.commandCalls(CreateMultipartUploadCommand)).to.have.length(0);
    const ours = put().Body as Buffer;
    dst.resetHistory();
    await new Upload({ client: clients.destinationS3, params: { Bucket: 'dst', Key: MARKER, Body: ours }, partSize: 5 * 1024 * 1024, queueSize: 1 }).done();
    expect(dst.commandCalls(PutObjectCommand)).to.have.length(1);
    expect(Buffer.from(put().Body as Uint8Array).equals(ours)).to.equal(true);
  });

  it("never copies a source object named like the day's marker: the walk counts it as ignored.markerName", async () => {
    // Same size and ETag as the stored marker: today it is not even compared, it is copied over it.
    lists([obj(`2024/03/01/${DAY_MARKER_NAME}`, 'same'), obj('2024/03/01/a')], [obj(`2024/03/01/${DAY_MARKER_NAME}`, 'same')]);
    dst.on(CopyObjectCommand).resolves({ CopyObjectResult: { ETag: '"e"' } });
    const r = await replicateDay(clients, daySettings({ destinationBucket: 'dst', sourceBucket: 'src' }), { date: DAY });
    expect(r.summary).to.deep.include({ listed: 1, copied: 1, ignored: { markerName: 1 } });
    expect(dst.commandCalls(CopyObjectCommand).map((c) => c.args[0].input.Key)).to.deep.equal(['2024/03/01/a']);
  });
});
