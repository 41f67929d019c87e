/**
 * Two-account S3 set-up on a moto server for the handler's integration tests and the measuring
 * script: the source bucket in the source account (plain keys), the destination bucket created
 * with the destination role's assumed credentials (so it lives in the destination account), and
 * helpers to seed objects and count the requests a client sends, by command.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import pLimit from 'p-limit';
import { DESTINATION_BUCKET, DESTINATION_ROLE_ARN, SOURCE_BUCKET } from './accounts.ts';

export interface World {
  /** Source account client (plain keys). */
  readonly sourceAdmin: S3Client;
  /** Destination account client (assumed role), for checking the copies. */
  readonly destinationAdmin: S3Client;
}

/** Creates both buckets, the destination one with `roleArn`'s credentials (so in its account); clients use AWS_ENDPOINT_URL, like the product code. */
export async function createWorld(buckets = { source: SOURCE_BUCKET, destination: DESTINATION_BUCKET }, roleArn = DESTINATION_ROLE_ARN): Promise<World> {
  const sts = new STSClient({});
  const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'test-admin' }));
  const c = assumed.Credentials!;
  const destinationAdmin = new S3Client({ credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } });
  const sourceAdmin = new S3Client({});
  await sourceAdmin.send(new CreateBucketCommand({ Bucket: buckets.source }));
  await destinationAdmin.send(new CreateBucketCommand({ Bucket: buckets.destination }));
  return { sourceAdmin, destinationAdmin };
}

/** Puts objects, `concurrency` at a time. */
export async function putObjects(s3: S3Client, inputs: readonly PutObjectCommandInput[], concurrency = 32): Promise<void> {
  const limit = pLimit(concurrency);
  await Promise.all(inputs.map((input) => limit(() => s3.send(new PutObjectCommand(input)))));
}

/** Counts the commands a client sends (attempts, not retries), by command name. */
export function countCommands(client: S3Client | STSClient): { counts: Map<string, number>; reset(): void; total(): number } {
  const counts = new Map<string, number>();
  // `initialize` runs once per send(), before retries: one count per logical request.
  (client as S3Client).middlewareStack.add(
    (next, context) => (args) => {
      const name = (context.commandName ?? 'unknown').replace(/Command$/, '');
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return { counts, reset: () => counts.clear(), total: () => [...counts.values()].reduce((a, b) => a + b, 0) };
}
