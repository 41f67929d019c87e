/**
 * `npm run demo -- --partners 2`: after the demo's first partner, a second partner from the same
 * source bucket — its own account, bucket, role and stack, and its own day layout
 * (S3_REPLICATE_DEST_PREFIX_FORMAT) — deployed with --apply-source-policy too, so that the one
 * source bucket policy holds both partners' statements under their own Sids. One source day goes
 * to it; the day is shown in both layouts; then the second partner is destroyed and the first
 * keeps its statements and its day in sync (docs/partners.md).
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GetBucketPolicyCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { IsoDate } from '../../../rules/dates.ts';
import { destinationDayPrefix } from '../../../rules/prefix.ts';
import { handleEvent } from '../../../handler/index.ts';
import type { Summary } from '../../../handler/summary.ts';
import { checkEvent } from '../check/check.ts';
import { checkDays, handlerChecker } from '../status/status.ts';
import { parseDeployConfig } from '../../config/config.ts';
import type { AwsClients } from '../../aws/clients.ts';
import { runDeploy } from '../deploy/deploy.ts';
import { runDestroy } from '../destroy/destroy.ts';
import { DeployError } from '../../cli/errors.ts';
import { formatCheckReport, formatSummary } from '../../cli/reportFormat.ts';
import { applyPartnerDocuments, createPartnerAccount, DEMO, localFunction, type LocalFunction, type PartnerClients } from './demo.ts';

/** The second partner: another account, bucket and role, and its own layout of a day. */
export const SECOND_PARTNER = Object.freeze({
  account: '345678901234',
  bucket: 'analytics-raw-demo',
  roleName: 'analytics-writer',
  destinationPrefixFormat: 'raw/dt={YYYY}-{MM}-{DD}/',
  /** The one source day pushed to both partners: the demo's second day, copied by the first partner's backfill too. */
  day: '2024-03-02',
});

/** What the second partner's part of the demo did, for its tests. */
export interface SecondPartnerResult {
  readonly stackName: string;
  readonly copy: Summary;
  /** The day's keys at each partner (the first's layout, the second's). */
  readonly keys: { readonly first: readonly string[]; readonly second: readonly string[] };
  /** The Sids of the source bucket policy with both partners, and after the second was destroyed. */
  readonly sids: { readonly both: readonly string[]; readonly afterDestroy: readonly string[] };
  /** Whether the first partner's day was still in sync after the second was destroyed. */
  readonly firstInSync: boolean;
}

/** What the second partner's part needs of the first's. */
export interface FirstPartner {
  /** The deploy environment the first partner was deployed with. */
  readonly env: Readonly<Record<string, string>>;
  readonly clients: AwsClients;
  readonly sourceS3: S3Client;
  readonly destination: PartnerClients;
  readonly local: LocalFunction;
  readonly outDir: string;
  readonly poll: { readonly pollIntervalMs: number; readonly timeoutMs: number };
}

/** One step of the demo: its title printed, its time, its failure named. */
export type Step = <T>(title: string, work: () => Promise<T>) => Promise<T>;

async function keysUnder(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  // The demo's days hold a handful of objects: one page.
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key ?? '');
}

async function policySids(s3: S3Client): Promise<{ sid: string; principal: string }[]> {
  const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: DEMO.sourceBucket }))).Policy ?? '{"Statement":[]}') as { Statement: { Sid?: string; Principal?: unknown }[] };
  return policy.Statement.map((st) => ({ sid: st.Sid ?? '(no Sid)', principal: JSON.stringify(st.Principal) }));
}

/** Runs the second partner's part of the demo after the first's; throws a {@link DeployError} on a failed promise. */
export async function runSecondPartner(first: FirstPartner, step: Step, indent: (line: string) => void): Promise<SecondPartnerResult> {
  const partner = SECOND_PARTNER;
  const roleArn = `arn:aws:iam::${partner.account}:role/${partner.roleName}`;
  const outDir = join(first.outDir, partner.bucket);
  await mkdir(outDir, { recursive: true, mode: 0o700 });
  const { S3_REPLICATE_DEST_PREFIX: _firstLayout, ...shared } = first.env;
  const env: Record<string, string> = {
    ...shared,
    S3_REPLICATE_BUCKET_NAME: partner.bucket,
    S3_REPLICATE_OTHER_ACCOUNT: partner.account,
    S3_REPLICATE_OTHER_ROLE_ARN: roleArn,
    S3_REPLICATE_EXTERNAL_ID: `demo-${randomUUID()}`,
    S3_REPLICATE_DEST_PREFIX_FORMAT: partner.destinationPrefixFormat,
  };
  const config = parseDeployConfig(env);

  const destination = await step(`second partner's account ${partner.account}: bucket ${partner.bucket} and role ${partner.roleName}`, () =>
    createPartnerAccount(partner, indent));
  await step(`npm run deploy -- --apply-source-policy --out ${outDir}   (stack ${config.stackName}, S3_REPLICATE_DEST_PREFIX_FORMAT=${partner.destinationPrefixFormat})`, () =>
    runDeploy(config, { plan: false, outDir, applySourcePolicy: true }, {
      clients: first.clients,
      log: (line) => indent(`│ ${line}`),
      cwd: outDir,
      waits: { stack: first.poll, changeSet: first.poll, role: first.poll },
    }));
  const both = await step(`the source bucket policy of ${DEMO.sourceBucket}: each partner's statements under its own stack's Sids`, async () => {
    const sids = await policySids(first.sourceS3);
    for (const s of sids) indent(`${s.sid.padEnd(52)} ${s.principal}`);
    return sids.map((s) => s.sid);
  });
  await step(`second partner's account: apply its trust policy and permissions to ${partner.roleName}`, () =>
    applyPartnerDocuments(destination.iam, partner.roleName, outDir, indent));

  const second = await localFunction(first.clients, config.stackName);
  await step(`npm run check -- --stack ${config.stackName} --date ${partner.day}   (the second partner's preflight)`, async () => {
    const result = await handleEvent(checkEvent(partner.day as IsoDate), second.config, second.clients, second.options);
    if (result.kind !== 'check') throw new DeployError('the preflight returned no report');
    for (const line of formatCheckReport(result.report)) indent(line);
    if (!result.report.ok) throw new DeployError('the second partner\'s preflight reported a broken link');
  });
  const copy = await step(`npm run invoke -- --stack ${config.stackName} --dates ${partner.day}   (one source day to the second partner)`, async () => {
    const result = await handleEvent({ dates: [partner.day] }, second.config, second.clients, second.options);
    if (result.kind !== 'summary') throw new DeployError('the copy returned no summary');
    for (const line of formatSummary(result.summary)) indent(line);
    if (result.summary.failed > 0 || result.summary.copied === 0) throw new DeployError('the second partner\'s day was not copied');
    return result.summary;
  });
  const keys = await step(`the day ${partner.day} in each partner's layout`, async () => {
    const [firstKeys, secondKeys] = await Promise.all([
      keysUnder(first.destination.s3, DEMO.destinationBucket, destinationDayPrefix(first.local.config, partner.day as IsoDate)),
      keysUnder(destination.s3, partner.bucket, destinationDayPrefix(second.config, partner.day as IsoDate)),
    ]);
    for (const k of firstKeys) indent(`s3://${DEMO.destinationBucket}/${k}`);
    for (const k of secondKeys) indent(`s3://${partner.bucket}/${k}`);
    return { first: firstKeys, second: secondKeys };
  });

  const afterDestroy = await step(`npm run destroy -- --yes --stack ${config.stackName}   (the second partner goes; the first's statements stay)`, async () => {
    await runDestroy({ stackName: config.stackName, region: config.region }, { yes: true }, {
      cfn: first.clients.cfn, s3: first.clients.s3, log: (line) => indent(`│ ${line}`), confirm: undefined, wait: first.poll,
    });
    const sids = await policySids(first.sourceS3);
    for (const s of sids) indent(`${s.sid.padEnd(52)} ${s.principal}`);
    return sids.map((s) => s.sid);
  });
  const firstInSync = await step(`npm run status -- --dates ${partner.day}   (the first partner, after the second was destroyed)`, async () => {
    const [status] = await checkDays([partner.day as IsoDate], handlerChecker(first.local.config, first.local.clients));
    indent(`${partner.day}: ${status?.inSync ? 'in sync' : 'NOT in sync'}`);
    return status?.inSync === true;
  });
  if (!firstInSync) throw new DeployError('the first partner\'s day is not in sync after the second was destroyed');
  return { stackName: config.stackName, copy, keys, sids: { both, afterDestroy }, firstInSync };
}
