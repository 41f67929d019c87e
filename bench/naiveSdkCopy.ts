/**
 * The naive peer: what an engineer writes in ten minutes with the AWS SDK. List the prefix, then
 * CopyObject every key with a concurrency limit. No comparison with the destination, so a rerun
 * copies everything again. Credentials and endpoint come from the SDK's default chain
 * (AWS_ACCESS_KEY_ID…, AWS_ENDPOINT_URL).
 *
 *   node naiveSdkCopy.mjs SOURCE_BUCKET PREFIX DESTINATION_BUCKET CONCURRENCY
 */
import { CopyObjectCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';

const [sourceBucket, prefix, destinationBucket, concurrencyText] = process.argv.slice(2);
if (!sourceBucket || prefix === undefined || !destinationBucket || !/^\d+$/.test(concurrencyText ?? '')) {
  console.error('usage: naiveSdkCopy SOURCE_BUCKET PREFIX DESTINATION_BUCKET CONCURRENCY');
  process.exit(2);
}

const s3 = new S3Client({});
const keys: string[] = [];
for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: sourceBucket, Prefix: prefix })) {
  for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
}
const limit = pLimit(Number(concurrencyText));
const encode = (key: string): string => key.split('/').map(encodeURIComponent).join('/');
let failed = 0;
await Promise.all(
  keys.map((key) =>
    limit(async () => {
      try {
        await s3.send(new CopyObjectCommand({ Bucket: destinationBucket, Key: key, CopySource: `${sourceBucket}/${encode(key)}` }));
      } catch (err) {
        failed++;
        console.error(`${key}: ${(err as Error).message}`);
      }
    }),
  ),
);
console.log(JSON.stringify({ listed: keys.length, copied: keys.length - failed, failed }));
if (failed > 0) process.exitCode = 1;
