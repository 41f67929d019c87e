/**
 * The s3-sync-client peer (npm `s3-sync-client`): bucket-to-bucket sync on the same AWS SDK for
 * JavaScript v3 as s3-push, with its documented settings for a server-side copy
 * (`client.sync('s3://source/prefix', 's3://target/prefix', { maxConcurrentTransfers })`): it lists
 * both sides, compares size and last-modified time as `aws s3 sync` does, and sends one
 * CopyObject per new or changed object. Beside s3-push and the naive loop it shows which part of
 * the CPU is the SDK's and which is ours. Credentials and endpoint come from the SDK's default chain.
 *
 *   node s3SyncClientCopy.mjs SOURCE_BUCKET PREFIX DESTINATION_BUCKET CONCURRENCY
 */
import { S3Client } from '@aws-sdk/client-s3';
import { S3SyncClient } from 's3-sync-client';

const [sourceBucket, prefix, destinationBucket, concurrencyText] = process.argv.slice(2);
if (!sourceBucket || prefix === undefined || !destinationBucket || !/^\d+$/.test(concurrencyText ?? '')) {
  console.error('usage: s3SyncClientCopy SOURCE_BUCKET PREFIX DESTINATION_BUCKET CONCURRENCY');
  process.exit(2);
}

const client = new S3SyncClient({ client: new S3Client({}) });
const path = prefix.replace(/\/$/, '');
const out = await client.sync(`s3://${sourceBucket}/${path}`, `s3://${destinationBucket}/${path}`, { maxConcurrentTransfers: Number(concurrencyText) });
console.log(JSON.stringify({ created: out.created.length, updated: out.updated.length }));
