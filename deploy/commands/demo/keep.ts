/**
 * `npm run demo -- --keep`: what to paste into a shell to go on with the demo's moto server — the
 * endpoint, region and keys of the source account, the deploy variables (`npm run deploy`, `status`,
 * `invoke`, `destroy` against the emulated stack) and the handler variables as the stack set them
 * for its function (the `--local` commands) — and how to stop the server. Pure.
 */

/** What the kept server and the demo's run say. */
export interface KeptDemo {
  readonly endpoint: string;
  readonly pid: number | undefined;
  /** Where the server writes its log. */
  readonly logFile: string;
  readonly region: string;
  /** The source account's keys (moto acts in the source account for any plain keys). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The deploy environment the demo deployed with. */
  readonly deploy: Readonly<Record<string, string>>;
  /** The function's environment, as CloudFormation set it. */
  readonly handler: Readonly<Record<string, string>>;
  /** The destination account's admin role the demo assumed, for acting in that account. */
  readonly destinationAdminRoleArn: string;
  /** The demo's first and last day, for the example commands. */
  readonly days: readonly [string, string];
}

/** The shell-safe form of a value: as it is when plain, else single-quoted. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

// The variables the connection block sets, left out of the two blocks below it.
const CONNECTION = ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_EC2_METADATA_DISABLED'];

const exportLines = (vars: Readonly<Record<string, string>>, leave: readonly string[] = []): string[] =>
  Object.keys(vars).filter((name) => !CONNECTION.includes(name) && !leave.includes(name)).sort().map((name) => `export ${name}=${shellQuote(vars[name]!)}`);

/** The lines `--keep` prints after the demo. */
export function renderKeepInstructions(kept: KeptDemo): string[] {
  const [first, last] = kept.days;
  return [
    `the moto server keeps running at ${kept.endpoint} (pid ${kept.pid ?? '?'}, log ${kept.logFile}), with the demo's two accounts, stack and data.`,
    'To run the commands against it, paste this into your shell:',
    '',
    '# the emulator, as the source account (nothing here reaches AWS)',
    'unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE',
    `export AWS_ENDPOINT_URL=${shellQuote(kept.endpoint)}`,
    `export AWS_REGION=${shellQuote(kept.region)}`,
    `export AWS_DEFAULT_REGION=${shellQuote(kept.region)}`,
    `export AWS_ACCESS_KEY_ID=${shellQuote(kept.credentials.accessKeyId)}`,
    `export AWS_SECRET_ACCESS_KEY=${shellQuote(kept.credentials.secretAccessKey)}`,
    'export AWS_EC2_METADATA_DISABLED=true',
    '# the deploy variables (npm run deploy, status, invoke, destroy); the external id is a throwaway one of this emulator',
    ...exportLines(kept.deploy),
    '# the handler variables, as the stack set them for its function (npm run invoke -- --local, check -- --local, status -- --local);',
    '# WORK_QUEUE_URL is left out: moto would try to run the function on each message (--workers N makes a queue of its own)',
    ...exportLines(kept.handler, ['WORK_QUEUE_URL']),
    '',
    'then, for example:',
    `  npm run check -- --local --date ${first}`,
    `  npm run invoke -- --local --from ${first} --to ${last} --dry-run`,
    `  npm run status -- --local --from ${first} --to ${last}`,
    `  aws s3 ls s3://${kept.deploy.S3_ROOT_BUCKET ?? kept.handler.SOURCE_BUCKET ?? ''} --recursive`,
    `to act in the destination account: aws sts assume-role --role-arn ${kept.destinationAdminRoleArn} --role-session-name me`,
    `stop the server: kill ${kept.pid ?? '<pid>'}   (its state is in memory: it is gone with it)`,
  ];
}
