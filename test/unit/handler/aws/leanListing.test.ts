import { expect } from 'chai';
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { ListObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { HttpResponse } from '@smithy/core/protocols';
import { installLeanListing, readListObjectsV2 } from '../../../../handler/aws/leanListing.ts';

// The lean reading must give exactly what the SDK's own deserializer gives. Both clients below get
// the same HTTP answer from a fake transport (the request is signed and sent by the SDK as usual);
// one reads it with the lean path, the other with the SDK alone.
interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

function clientAnswering(answer: () => Answer, lean: boolean): S3Client {
  const client = new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' },
    maxAttempts: 1,
    requestHandler: {
      handle: () => {
        const { status, headers, body } = answer();
        return Promise.resolve({ response: new HttpResponse({ statusCode: status, headers, body: Readable.from([Buffer.from(body)]) }) });
      },
    },
  });
  if (lean) installLeanListing(client);
  return client;
}

/** Both readings of one answer: the output, or the error's name and message. */
async function bothReadings(answer: Answer): Promise<[unknown, unknown]> {
  const read = (lean: boolean) => clientAnswering(() => answer, lean)
    .send(new ListObjectsV2Command({ Bucket: 'bucket', Prefix: '2024/01/01/' }))
    .then((out) => out as unknown, (err: Error) => ({ error: err.name, message: err.message }));
  return Promise.all([read(true), read(false)]);
}

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const el = (name: string, text: string): string => `<${name}>${escapeXml(text)}</${name}>`;

// Documents in the form S3, moto and radosgw write: any subset of the fields, any text, in one line
// or pretty-printed, with or without the declaration and the namespace.
// Any text, and the whitespace the SDK keeps (spaces) or reads as empty (with a line break).
const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constantFrom(' ', '\t', '\n', ' \n ', ' a b '));
const digits = fc.oneof(fc.nat({ max: 10_000_000 }).map(String), fc.constantFrom('', '007', '-1'));
const bool = fc.constantFrom('true', 'false', 'TRUE', 'False');
const time = fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).chain((d) =>
  fc.constantFrom(d.toISOString(), d.toISOString().replace(/\.\d{3}Z$/, 'Z'), d.toISOString().replace('Z', '+00:00')));
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const fieldsOf = (name: string, arb: fc.Arbitrary<string>) => optional(arb).map((v) => (v === undefined ? '' : el(name, v)));

const object = fc.tuple(
  fieldsOf('Key', text), fieldsOf('LastModified', time), fieldsOf('ETag', fc.constantFrom('"0123456789abcdef0123456789abcdef"', '"abc-2"', '')),
  fc.array(fc.constantFrom('CRC32', 'CRC64NVME', ''), { maxLength: 2 }).map((a) => a.map((v) => el('ChecksumAlgorithm', v)).join('')),
  fieldsOf('ChecksumType', fc.constantFrom('FULL_OBJECT', 'COMPOSITE')), fieldsOf('Size', digits), fieldsOf('StorageClass', fc.constantFrom('STANDARD', 'GLACIER')),
  optional(fc.tuple(fieldsOf('ID', text), fieldsOf('DisplayName', text))).map((o) => (o === undefined ? '' : `<Owner>${o.join('')}</Owner>`)),
  optional(fc.tuple(fieldsOf('IsRestoreInProgress', bool), fieldsOf('RestoreExpiryDate', time))).map((r) => (r === undefined ? '' : `<RestoreStatus>${r.join('')}</RestoreStatus>`)),
  fieldsOf('Type', fc.constant('Normal')),
).chain((parts) => fc.shuffledSubarray(parts, { minLength: parts.length, maxLength: parts.length }));

const document = fc.record({
  declaration: fc.boolean(),
  namespace: fc.boolean(),
  newline: fc.constantFrom('', '\n', '\n  ', '\n\t'),
  fields: fc.tuple(
    fieldsOf('Name', text), fieldsOf('Prefix', text), fieldsOf('Delimiter', fc.constantFrom('/', '')), fieldsOf('MaxKeys', digits), fieldsOf('EncodingType', fc.constant('url')),
    fieldsOf('KeyCount', digits), fieldsOf('ContinuationToken', text), fieldsOf('NextContinuationToken', text), fieldsOf('StartAfter', text), fieldsOf('IsTruncated', bool),
  ),
  contents: fc.array(object, { maxLength: 4 }),
  prefixes: fc.array(fieldsOf('Prefix', text), { maxLength: 3 }),
}).map(({ declaration, namespace, newline, fields, contents, prefixes }) => {
  const children = [
    ...fields.filter((f) => f !== ''),
    ...contents.map((c) => `<Contents>${c.filter((f) => f !== '').join(newline)}</Contents>`),
    ...prefixes.map((p) => `<CommonPrefixes>${p}</CommonPrefixes>`),
  ];
  return `${declaration ? '<?xml version="1.0" encoding="UTF-8"?>\n' : ''}<ListBucketResult${namespace ? ' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"' : ''}>${newline}${children.join(newline)}${newline.replace(/ +|\t/, '')}</ListBucketResult>`;
});

describe('handler/aws/leanListing', function () {
  this.timeout(60_000);

  it('reads every plain ListObjectsV2 document itself, exactly as the SDK reads it', async () => {
    await fc.assert(fc.asyncProperty(document, fc.option(fc.constantFrom('requester'), { nil: undefined }), async (body, charged) => {
      expect(readListObjectsV2(body), 'the lean reading took it').to.not.equal(undefined);
      const [lean, sdk] = await bothReadings({ status: 200, headers: { 'x-amz-request-id': 'REQ', ...(charged ? { 'x-amz-request-charged': charged } : {}) }, body });
      expect(lean).to.deep.equal(sdk);
    }), { numRuns: 300 });
  });

  it('a page as S3 writes it: keys URL-encoded, the ETag in entities, the date with milliseconds', async () => {
    const body = '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><Prefix>2024/01/01/</Prefix><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>'
      + '<Contents><Key>2024/01/01/a+b%2Bc.json</Key><LastModified>2024-01-02T03:04:05.678Z</LastModified><ETag>&quot;0123456789abcdef0123456789abcdef&quot;</ETag><ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType><Size>1024</Size><StorageClass>STANDARD</StorageClass></Contents>'
      + '<Contents><Key>2024/01/01/b</Key><LastModified>2024-01-02T03:04:06.000Z</LastModified><ETag>&quot;abc-2&quot;</ETag><Size>0</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>';
    const [lean, sdk] = await bothReadings({ status: 200, headers: { 'x-amz-request-id': 'REQ' }, body });
    expect(lean).to.deep.equal(sdk);
    expect(lean).to.deep.include({ IsTruncated: true, KeyCount: 2, NextContinuationToken: '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=' });
    expect((lean as { Contents: unknown[] }).Contents[0]).to.deep.equal({
      Key: '2024/01/01/a+b%2Bc.json', LastModified: new Date('2024-01-02T03:04:05.678Z'), ETag: '"0123456789abcdef0123456789abcdef"',
      ChecksumAlgorithm: ['CRC64NVME'], ChecksumType: 'FULL_OBJECT', Size: 1024, StorageClass: 'STANDARD',
    });
  });

  it('leaves what is not plain to the SDK, which reads it as before', async () => {
    const page = (contents: string) => `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`;
    const notPlain = [
      page('<Contents><Key><![CDATA[a<b]]></Key><Size>1</Size></Contents>'),
      page('<!-- a comment --><Contents><Key>a</Key></Contents>'),
      page('<Contents><Key>caf&#233;</Key></Contents>'),
      page('<Contents><Key>a&nbsp;b</Key></Contents>'),
      page('<Contents><Key>a & b</Key></Contents>'),
      page('<Contents type="x"><Key>a</Key></Contents>'),
      page('<Contents><Key>a</Key><Key>b</Key></Contents>'),
      page('<Contents> text <Key>a</Key></Contents>'),
      page('<Contents> <Key>a</Key></Contents>'),
      page('<Contents><Key>a</Key></Contents>').replace('<Name>', '<Name>\r\n'),
      page('').replace('<ListBucketResult>', '<ListBucketResult Name="x">'),
      `  ${page('')}`,
      `${page('')}<Extra/>`,
    ];
    for (const body of notPlain) {
      expect(readListObjectsV2(body), body).to.equal(undefined);
      const [lean, sdk] = await bothReadings({ status: 200, headers: {}, body });
      expect(lean, body).to.deep.equal(sdk);
    }
  });

  it('leaves error answers to the SDK: the same error, name and message', async () => {
    const body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>bucket</BucketName><RequestId>REQ</RequestId></Error>';
    const [lean, sdk] = await bothReadings({ status: 404, headers: { 'x-amz-request-id': 'REQ' }, body });
    expect(lean).to.deep.equal({ error: 'NoSuchBucket', message: 'The specified bucket does not exist' });
    expect(lean).to.deep.equal(sdk);
  });

  it('reads only ListObjectsV2: another command on the same client goes the SDK way', async () => {
    // ListObjects (v1) has a Marker the lean reading does not know: the SDK read it.
    const client = clientAnswering(() => ({ status: 200, headers: {}, body: '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><Marker>m</Marker><IsTruncated>false</IsTruncated><MaxKeys>5</MaxKeys></ListBucketResult>' }), true);
    const v1 = await client.send(new ListObjectsCommand({ Bucket: 'b' }));
    expect(v1).to.deep.include({ Name: 'b', Marker: 'm', IsTruncated: false, MaxKeys: 5 });
  });
});
