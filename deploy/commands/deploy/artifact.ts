/**
 * deploy's code artifact, before and after the stack: the zip in the artifact bucket, never marked
 * superseded while a stack may run it, the bucket's lifecycle rules brought up to date when S3
 * says an older rule expires it, and the artifact a stack moved off marked superseded once no
 * stack of the region uses it. A rerun with nothing changed costs the one HeadObject.
 */
import type { AwsClients } from '../../aws/clients.ts';
import type { DeployConfig } from '../../config/config.ts';
import { describeError } from '../../../rules/errors.ts';
import { describeAllStacks } from '../../cloudformation/stackApi.ts';
import { ensureArtifactBucket, ensureArtifactLifecycle, headArtifact, markSuperseded, putArtifact, type BucketOutcome, type UploadOutcome } from '../../aws/artifacts.ts';
import { ARTIFACT_KEY_PREFIX, EXPIRY_RULE_ID, LEGACY_RULE_ID, parseExpiration, SUPERSEDED_EXPIRY_DAYS, whyArtifactIsKept } from '../../aws/artifactLifecycle.ts';

/** What {@link prepareArtifact} did. */
export interface PreparedArtifact {
  readonly bucket: BucketOutcome;
  readonly upload: UploadOutcome;
  /** Whether the bucket's lifecycle rules were read, and rewritten. */
  readonly lifecycle: 'created' | 'updated' | 'unchanged' | 'not-read';
}

/**
 * Makes sure `key` is in the artifact bucket, and that nothing expires it while the stack runs it.
 * @param running the artifact the stack runs now (its parameters), undefined without a stack
 */
export async function prepareArtifact(
  clients: AwsClients,
  config: DeployConfig,
  key: string,
  zip: Buffer,
  running: { readonly bucket: string; readonly key: string } | undefined,
  options: { readonly tlsOnly: boolean; readonly log: (line: string) => void },
): Promise<PreparedArtifact> {
  const { log } = options;
  const where = { s3: clients.s3, bucket: config.artifactBucket, account: config.account };
  const head = await headArtifact(where.s3, where.bucket, key, where.account);
  let bucket: BucketOutcome = 'exists';
  let upload: UploadOutcome;
  let expiration: string | undefined;
  if (!head.present) {
    bucket = await ensureArtifactBucket(where.s3, where.bucket, config.region, where.account, { tlsOnly: options.tlsOnly });
    if (bucket === 'created') {
      log(`  created the artifact bucket ${where.bucket}: encrypted, public access blocked, artifacts expire only once marked superseded, ` +
        (options.tlsOnly ? 'TLS only' : 'no TLS-only policy (AWS_ENDPOINT_URL is plain http)'));
    }
    expiration = await putArtifact(where.s3, where.bucket, key, zip, where.account);
    upload = 'uploaded';
  } else if (head.tagCount > 0 || parseExpiration(head.expiration)?.ruleId === EXPIRY_RULE_ID) {
    // Marked superseded when a stack moved off it, and now deployed again: a new upload is a new
    // object, without the mark and young, so the lifecycle cannot take the code the stack will run.
    expiration = await putArtifact(where.s3, where.bucket, key, zip, where.account);
    upload = 'renewed';
  } else {
    expiration = head.expiration;
    upload = 'present';
  }
  log(upload === 'uploaded' ? '  uploaded' : upload === 'renewed' ? '  uploaded again: it was marked superseded, and the stack is to run it' : '  already there: not uploaded');

  // The rules are read when S3 says an older rule expires the artifact (the legacy one expired every
  // artifact 90 days after its upload), and whenever the stack moves to another artifact: so a
  // bucket of an older deploy is brought up to date by the first deploy that changes something.
  const rule = parseExpiration(expiration);
  const moving = running?.bucket !== where.bucket || running.key !== key;
  let lifecycle: PreparedArtifact['lifecycle'] = bucket === 'created' ? 'created' : 'not-read';
  if (bucket !== 'created' && (rule?.ruleId === LEGACY_RULE_ID || moving)) {
    lifecycle = await ensureArtifactLifecycle(where.s3, where.bucket, where.account);
    if (lifecycle === 'updated') {
      log(`  the artifact bucket's lifecycle now expires only artifacts marked superseded (${EXPIRY_RULE_ID}), instead of every ${ARTIFACT_KEY_PREFIX} artifact ${SUPERSEDED_EXPIRY_DAYS} days after its upload; its other rules are kept`);
    }
  }
  if (rule && rule.ruleId !== LEGACY_RULE_ID && rule.ruleId !== EXPIRY_RULE_ID) {
    log(`  warning: the bucket's lifecycle rule ${JSON.stringify(rule.ruleId)} expires this artifact on ${rule.expiryDate}; after that CloudFormation cannot roll an update back to this code. Exclude ${ARTIFACT_KEY_PREFIX} from that rule`);
  }
  return { bucket, upload, lifecycle };
}

/**
 * Marks an artifact superseded when no stack of the region uses it (nor may roll back to it), so
 * that the bucket's lifecycle deletes it. Never fails the deploy: an artifact left unmarked is only
 * kept longer. Returns whether it was marked.
 */
export async function retireArtifact(clients: AwsClients, config: DeployConfig, key: string, log: (line: string) => void): Promise<boolean> {
  const bucket = config.artifactBucket;
  try {
    const why = whyArtifactIsKept(await describeAllStacks(clients.cfn), bucket, key);
    if (why !== undefined) {
      log(`  kept s3://${bucket}/${key}: ${why}`);
      return false;
    }
    await markSuperseded(clients.s3, bucket, key, config.account);
    log(`  marked s3://${bucket}/${key} superseded: no stack uses it, and the bucket's lifecycle deletes it once ${SUPERSEDED_EXPIRY_DAYS} days old`);
    return true;
  } catch (err) {
    log(`  warning: ${describeError(err)}; s3://${bucket}/${key} is kept (nothing expires it)`);
    return false;
  }
}
