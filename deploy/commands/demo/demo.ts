/**
 * `npm run demo`: the whole flow on a local moto server with two emulated accounts, no AWS account
 * needed. The source account (123456789012, plain keys) gets a bucket with a few days of
 * partitioned data; the destination account (210987654321, reached by assuming a role in it) gets
 * a bucket and a role. Then the real deploy runs, the three rendered documents are applied where an
 * operator applies them, the preflight runs, and a backfill copies the days through the real
 * handler — in this process, because moto cannot run a Lambda function without Docker.
 *
 * The AWS SDK must already point at the emulator (AWS_ENDPOINT_URL and test keys in the process
 * environment): main.ts sets that up, and the integration test's harness does the same.
 */
import { checkDays, handlerChecker, renderStatus, type DayStatus } from '../status/status.ts';
import type { IsoDate } from '../../../rules/dates.ts';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { CheckReport } from '../../../handler/check/check.ts';
import { checkEvent } from '../check/check.ts';
import { createClients as createHandlerClients } from '../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../handler/config.ts';
import { handleEvent } from '../../../handler/index.ts';
import { createLogger } from '../../../handler/logger.ts';
import type { Summary } from '../../../handler/summary.ts';
import { checkClientEndpoints, createClients, type AwsClients } from '../../aws/clients.ts';
import type { HandlerConfig } from '../../../handler/config.ts';
import { parseDeployConfig } from '../../config/config.ts';
import { runDeploy } from '../deploy/deploy.ts';
import { DeployError } from '../../cli/errors.ts';
import { describeError } from '../../../rules/errors.ts';
import { formatBytes, formatCheckReport, formatSummary } from '../../cli/reportFormat.ts';
import { findDeployedFunction } from '../../cloudformation/stackTarget.ts';
import { DESTINATION_ROLE_POLICY_FILE, TRUST_POLICY_FILE } from '../../../rules/names.ts';
import type { FirstPartner, SecondPartnerResult, Step } from './partners.ts';

/** The emulated world of the demo. */
export const DEMO = Object.freeze({
  region: 'us-east-1',
  sourceAccount: '123456789012',
  destinationAccount: '210987654321',
  sourceBucket: 'acme-events-demo',
  destinationBucket: 'partner-landing-demo',
  destinationRoleName: 's3-push-writer',
  prefixFormat: 'events/{YYYY}/{MM}/{DD}/',
  destinationPrefix: 'from-acme/',
  days: ['2024-03-01', '2024-03-02', '2024-03-03'],
});

/** The day the demo's producer rewrites after the backfill, as Spark reruns a day. */
const REWRITTEN_DAY = '2024-03-01';

const DESTINATION_ROLE_ARN = `arn:aws:iam::${DEMO.destinationAccount}:role/${DEMO.destinationRoleName}`;
/** The destination account's admin role: moto puts whatever the credentials of assuming it create into that account. */
export const DESTINATION_ADMIN_ROLE_ARN = `arn:aws:iam::${DEMO.destinationAccount}:role/demo-destination-admin`;

/** A partner's account as the demo builds it: a bucket and a role trusting only its own account. */
export interface PartnerAccount {
  readonly account: string;
  readonly bucket: string;
  readonly roleName: string;
}

/** The partner's clients, acting in its account. */
export interface PartnerClients {
  readonly s3: S3Client;
  readonly iam: IAMClient;
}

/** The sample data: three days, keys with a space and non-ASCII characters, and a day after them that the backfill must leave alone. */
export const SAMPLE_OBJECTS: readonly { key: string; body: string; contentType: string }[] = [
  ...DEMO.days.flatMap((day, i) => {
    const p = `events/${day.replaceAll('-', '/')}/`;
    return [
      { key: `${p}orders-0001.json`, body: JSON.stringify({ day, orders: 100 + i }) + '\n', contentType: 'application/json' },
      { key: `${p}orders-0002.json`, body: JSON.stringify({ day, orders: 200 + i, note: 'second part' }) + '\n', contentType: 'application/json' },
      { key: `${p}clicks.csv`, body: `ts,page\n${day}T10:00:00Z,/home\n${day}T10:00:01Z,/cart\n`, contentType: 'text/csv' },
    ];
  }),
  { key: 'events/2024/03/02/daily report é 日本.txt', body: 'Umsatz: 1 234 €\n', contentType: 'text/plain; charset=utf-8' },
  { key: 'events/2024/03/04/orders-0001.json', body: '{"day":"2024-03-04","orders":7}\n', contentType: 'application/json' },
];

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Prints one line. */
  readonly log: (line: string) => void;
  /** The emulator's endpoint (the SDK reaches it through AWS_ENDPOINT_URL; this is for the deploy config and the output). */
  readonly endpoint: string;
  /** Where deploy renders the documents. Default: a fresh temporary directory, removed at the end. */
  readonly outDir?: string;
  /** Poll interval of deploy's waits. Default 100 ms (moto completes stack operations at once). */
  readonly pollIntervalMs?: number;
  /** `--partners 2`: the second partner's part (partners.ts runSecondPartner), run after the first's. Default: none. */
  readonly secondPartner?: (first: FirstPartner, step: Step, indent: (line: string) => void) => Promise<SecondPartnerResult>;
}

/** What the demo did, for its tests. */
export interface DemoResult {
  readonly stackName: string;
  readonly functionName: string;
  readonly check: CheckReport;
  readonly backfill: Summary;
  readonly rerun: Summary;
  /** `npm run status` over the demo's days. */
  readonly status: readonly DayStatus[];
  /** The run of a day rewritten upstream (exact days: its old objects deleted). */
  readonly rewritten: Summary;
  /** The rewritten day at the source and at the destination (without the destination prefix) at the end. */
  readonly rewrittenDay: { readonly source: readonly string[]; readonly destination: readonly string[] };
  /** Keys in the destination bucket at the end. */
  readonly destinationKeys: readonly string[];
  /** The environments the demo ran with: deploy's variables, and the function's as the stack set them. */
  readonly environment: { readonly deploy: Readonly<Record<string, string>>; readonly handler: Readonly<Record<string, string>> };
  /** With `--partners 2`: what the second partner's part did. */
  readonly secondPartner?: SecondPartnerResult;
}

/** The admin role of an emulated account: moto puts whatever the credentials of assuming it create into that account. */
export function adminRoleArn(account: string): string {
  return `arn:aws:iam::${account}:role/demo-destination-admin`;
}

/** Credentials acting in a destination account: moto puts whatever assumed-role credentials create into the role's account. */
async function destinationAccountCredentials(account: string = DEMO.destinationAccount): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string }> {
  const out = await new STSClient({ region: DEMO.region }).send(new AssumeRoleCommand({
    RoleArn: adminRoleArn(account),
    RoleSessionName: 's3-push-demo-admin',
  }));
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new DeployError('the emulator returned no credentials for the destination account');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

async function step<T>(log: (line: string) => void, title: string, work: () => Promise<T>): Promise<T> {
  log('');
  log(`▶ ${title}`);
  const started = Date.now();
  try {
    const result = await work();
    log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return result;
  } catch (err) {
    throw new DeployError(`demo step "${title}" failed: ${describeError(err)}`, err);
  }
}

/** Creates the partner's bucket and its role (trusting only its own account until the rendered trust policy is applied). */
export async function createPartnerAccount(partner: PartnerAccount, indent: (line: string) => void): Promise<PartnerClients> {
  const credentials = await destinationAccountCredentials(partner.account);
  const s3 = new S3Client({ region: DEMO.region, credentials });
  const iam = new IAMClient({ region: DEMO.region, credentials });
  await s3.send(new CreateBucketCommand({ Bucket: partner.bucket }));
  await iam.send(new CreateRoleCommand({
    RoleName: partner.roleName,
    AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${partner.account}:root` }, Action: 'sts:AssumeRole' }] }),
  }));
  indent(`created s3://${partner.bucket} and arn:aws:iam::${partner.account}:role/${partner.roleName}`);
  return { s3, iam };
}

/** Applies the rendered trust policy and permissions of `outDir` to the partner's role, as the partner's account does. */
export async function applyPartnerDocuments(iam: IAMClient, roleName: string, outDir: string, indent: (line: string) => void): Promise<void> {
  const trust = await readFile(join(outDir, TRUST_POLICY_FILE), 'utf8');
  const permissions = await readFile(join(outDir, DESTINATION_ROLE_POLICY_FILE), 'utf8');
  await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: trust }));
  indent(`aws iam update-assume-role-policy --role-name ${roleName} --policy-document file://${TRUST_POLICY_FILE}`);
  await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 's3-push', PolicyDocument: permissions }));
  indent(`aws iam put-role-policy --role-name ${roleName} --policy-name s3-push --policy-document file://${DESTINATION_ROLE_POLICY_FILE}`);
}

/** A deployed stack's function, to run in this process: its environment as CloudFormation set it, parsed, and its clients. */
export interface LocalFunction {
  readonly functionName: string;
  readonly variables: Readonly<Record<string, string>>;
  readonly config: HandlerConfig;
  readonly clients: ReturnType<typeof createHandlerClients>;
  readonly options: { readonly logger: ReturnType<typeof createLogger> };
}

/** The stack's function, run in this process (moto cannot run Lambda functions without Docker). */
export async function localFunction(clients: AwsClients, stackName: string): Promise<LocalFunction> {
  const fn = await findDeployedFunction(clients.cfn, stackName);
  const fnConfig = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.functionName }));
  const variables = fnConfig.Environment?.Variables ?? {};
  const config = parseHandlerConfig(variables);
  // The handler's JSON lines would repeat what is printed; they go nowhere.
  return { functionName: fn.functionName, variables, config, clients: createHandlerClients(config, { sessionName: 's3-push-demo' }), options: { logger: createLogger([config.externalId], () => undefined) } };
}

/**
 * Runs the demo against the emulator the SDK points at. Throws a {@link DeployError} naming the
 * step that failed; the caller stops the emulator.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { log } = options;
  const indent = (line: string) => log(`    ${line}`);
  const outDir = options.outDir ?? (await mkdtemp(join(tmpdir(), 's3-push-demo-')));
  const poll = { pollIntervalMs: options.pollIntervalMs ?? 100, timeoutMs: 60_000 };
  const sourceS3 = new S3Client({ region: DEMO.region });

  try {
    log(`s3-push demo on a local moto server (${options.endpoint}): two emulated accounts, no AWS account involved`);

    const destination = await step(log, `destination account ${DEMO.destinationAccount}: bucket ${DEMO.destinationBucket} and role ${DEMO.destinationRoleName}`, () =>
      createPartnerAccount({ account: DEMO.destinationAccount, bucket: DEMO.destinationBucket, roleName: DEMO.destinationRoleName }, indent));

    await step(log, `source account ${DEMO.sourceAccount}: bucket ${DEMO.sourceBucket} with ${SAMPLE_OBJECTS.length} sample objects`, async () => {
      await sourceS3.send(new CreateBucketCommand({ Bucket: DEMO.sourceBucket }));
      for (const o of SAMPLE_OBJECTS) {
        await sourceS3.send(new PutObjectCommand({ Bucket: DEMO.sourceBucket, Key: o.key, Body: o.body, ContentType: o.contentType }));
        indent(`s3://${DEMO.sourceBucket}/${o.key}  (${formatBytes(Buffer.byteLength(o.body))})`);
      }
    });

    const env: Record<string, string> = {
      AWS_REGION: DEMO.region,
      AWS_ENDPOINT_URL: options.endpoint,
      AWS_ACCOUNT: DEMO.sourceAccount,
      S3_ROOT_BUCKET: DEMO.sourceBucket,
      S3_REPLICATE_BUCKET_NAME: DEMO.destinationBucket,
      S3_REPLICATE_OTHER_ACCOUNT: DEMO.destinationAccount,
      S3_REPLICATE_OTHER_ROLE_ARN: DESTINATION_ROLE_ARN,
      // Printed nowhere: it only appears in the trust policy file (mode 0600).
      S3_REPLICATE_EXTERNAL_ID: `demo-${randomUUID()}`,
      S3_REPLICATE_PREFIX_FORMAT: DEMO.prefixFormat,
      S3_REPLICATE_DEST_PREFIX: DEMO.destinationPrefix,
      // The demo's destination prefix is s3-push's own: the partner writes nothing under it.
      S3_REPLICATE_EXACT_DAYS: 'true',
    };
    const config = parseDeployConfig(env);
    const clients = createClients({ region: config.region });
    await checkClientEndpoints(clients);

    await step(log, `npm run deploy -- --apply-source-policy --out ${outDir}   (the real deploy, in this process)`, () =>
      runDeploy(config, { plan: false, outDir, applySourcePolicy: true }, {
        clients,
        log: (line) => indent(`│ ${line}`),
        cwd: outDir,
        waits: { stack: poll, changeSet: poll, role: poll },
      }));

    await step(log, `destination account: apply the rendered trust policy and permissions to ${DEMO.destinationRoleName}`, async () => {
      await applyPartnerDocuments(destination.iam, DEMO.destinationRoleName, outDir, indent);
      indent(`(the source bucket policy was merged in by --apply-source-policy; moto stores these documents but does not enforce them)`);
    });

    // The function's own environment, as CloudFormation set it: the handler below runs with it.
    const local = await localFunction(clients, config.stackName);
    const fn = { functionName: local.functionName };
    const handlerVariables = local.variables;
    const handlerConfig = local.config;
    const handlerClients = local.clients;
    const quiet = local.options;
    log('');
    log(`moto cannot run Lambda functions (it needs Docker), so the handler of ${fn.functionName} runs in this process with the function's environment.`);

    const check = await step(log, `npm run check -- --date ${DEMO.days[0]}   (the preflight: each link of the permission chain, on a day with data)`, async () => {
      const result = await handleEvent(checkEvent(DEMO.days[0] as IsoDate), handlerConfig, handlerClients, quiet);
      if (result.kind !== 'check') throw new DeployError('the preflight returned no report');
      for (const line of formatCheckReport(result.report)) indent(line);
      return result.report;
    });

    const backfillEvent = { from: DEMO.days[0], to: DEMO.days[DEMO.days.length - 1] };
    const runCopy = async (): Promise<Summary> => {
      const result = await handleEvent(backfillEvent, handlerConfig, handlerClients, quiet);
      if (result.kind !== 'summary') throw new DeployError('the backfill returned no summary');
      for (const line of formatSummary(result.summary)) indent(line);
      return result.summary;
    };
    const backfill = await step(log, `npm run invoke -- --from ${backfillEvent.from} --to ${backfillEvent.to}   (the backfill)`, runCopy);
    const rerun = await step(log, 'the same backfill again: everything is already there and equal, so it is skipped', runCopy);

    const destinationKeys = await step(log, `the destination: s3://${DEMO.destinationBucket}/ (owned by account ${DEMO.destinationAccount})`, async () => {
      const out = await destination.s3.send(new ListObjectsV2Command({ Bucket: DEMO.destinationBucket, EncodingType: 'url' }));
      const objects = (out.Contents ?? []).map((o) => ({ key: decodeURIComponent((o.Key ?? '').replace(/\+/g, ' ')), size: o.Size ?? 0 }));
      for (const o of objects) indent(`${formatBytes(o.size).padStart(9)}  ${o.key}`);
      indent(`${objects.length} object(s); the ${DEMO.days.length} days were copied, 2024-03-04 was not asked for and is not there`);
      return objects.map((o) => o.key);
    });

    const status = await step(log, `npm run status -- --from ${backfillEvent.from} --to ${backfillEvent.to}   (a dry run per day: is the destination in sync?)`, async () => {
      const statuses = await checkDays(DEMO.days as IsoDate[], handlerChecker(handlerConfig, handlerClients));
      for (const line of renderStatus(statuses, { color: false })) indent(line);
      return statuses;
    });

    const { rewritten, rewrittenDay } = await step(log, `a day rewritten upstream: ${REWRITTEN_DAY} rerun by the producer (its orders parts deleted, new ones written under new names), then its run (exact days)`, async () => {
      const p = `events/${REWRITTEN_DAY.replaceAll('-', '/')}/`;
      const run = randomUUID().slice(0, 8);
      for (const key of [`${p}orders-0001.json`, `${p}orders-0002.json`]) await sourceS3.send(new DeleteObjectCommand({ Bucket: DEMO.sourceBucket, Key: key }));
      for (let i = 0; i < 3; i++) await sourceS3.send(new PutObjectCommand({ Bucket: DEMO.sourceBucket, Key: `${p}orders-${run}-${i}.json`, Body: JSON.stringify({ day: REWRITTEN_DAY, part: i, rerun: run }) + '\n', ContentType: 'application/json' }));
      const result = await handleEvent({ dates: [REWRITTEN_DAY] }, handlerConfig, handlerClients, quiet);
      if (result.kind !== 'summary') throw new DeployError('the run of the rewritten day returned no summary');
      for (const line of formatSummary(result.summary)) indent(line);
      const day = result.summary.dates[0];
      indent(`extra: ${day?.extra ?? 0} object(s) the source day no longer has, deleted: ${day?.deleted ?? 0}`);
      const keys = async (s3: S3Client, bucket: string, prefix: string) => ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((o) => (o.Key ?? '').slice(prefix.length - p.length));
      const source = await keys(sourceS3, DEMO.sourceBucket, p);
      const dest = (await keys(destination.s3, DEMO.destinationBucket, DEMO.destinationPrefix + p)).filter((k) => !k.endsWith('_S3PUSH_COMPLETE.json'));
      for (const k of dest) indent(`  ${DEMO.destinationPrefix}${k}`);
      indent(source.join() === dest.join() ? `the destination day equals the source day, object for object (${dest.length})` : 'the destination day DIFFERS from the source day');
      return { rewritten: result.summary, rewrittenDay: { source, destination: dest } };
    });

    log('');
    log(`done: deployed ${config.stackName}, preflight ${check.ok ? 'ok' : 'BROKEN'}, copied ${backfill.copied} object(s) (${formatBytes(backfill.bytesCopied)}) over ${backfill.dates.length} day(s), rerun skipped ${rerun.skipped}.`);
    if (!check.ok) throw new DeployError('the preflight reported a broken link');
    if (backfill.failed > 0 || rerun.copied !== 0) throw new DeployError('the backfill did not copy every object exactly once');
    if (!status.every((s) => s.inSync)) throw new DeployError('npm run status found a day not in sync');
    if (rewritten.failed > 0 || rewrittenDay.source.join() !== rewrittenDay.destination.join()) throw new DeployError('the rewritten day did not arrive exact');
    const secondPartner = options.secondPartner === undefined ? undefined : await options.secondPartner(
      { env, clients, sourceS3, destination, local, outDir, poll },
      (title, work) => step(log, title, work),
      indent,
    );
    if (secondPartner) log(`done: ${secondPartner.stackName} deployed beside ${config.stackName} from ${DEMO.sourceBucket}, copied ${secondPartner.copy.copied} object(s) of ${secondPartner.copy.dates[0]?.date ?? '?'} in its layout, destroyed; ${config.stackName} still in sync.`);
    return { stackName: config.stackName, functionName: fn.functionName, check, backfill, rerun, status, rewritten, rewrittenDay, destinationKeys, environment: { deploy: env, handler: handlerVariables }, ...(secondPartner ? { secondPartner } : {}) };
  } finally {
    if (options.outDir === undefined) await rm(outDir, { recursive: true, force: true });
  }
}
