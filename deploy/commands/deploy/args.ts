/** The command line of `npm run deploy`. Pure. */
import { parseCommandLine, throwIfProblems, usageOf, type CommandSpec } from '../../cli/commandLine.ts';

export interface DeployArgs {
  /** `--plan`: show the change set and stop. Default false. */
  readonly plan: boolean;
  /** `--out DIR`: where the rendered documents go. Default: the working directory. */
  readonly outDir: string | undefined;
  /** `--apply-source-policy`: merge the stack's statements into the source bucket policy by its own Sids. Default false. */
  readonly applySourcePolicy: boolean;
  /**
   * `--enable-source-events`: turn on EventBridge delivery for the source bucket (merged into its
   * notification configuration), which push on write needs. Default false.
   */
  readonly enableSourceEvents?: boolean;
}

/** The flags of `npm run deploy`, with the help its usage and docs/commands/deploy.md are written from. */
export const DEPLOY_COMMAND = {
  name: 'deploy',
  summary: 'Reads the deploy environment (S3_ROOT_BUCKET, S3_REPLICATE_BUCKET_NAME, …), packages the handler, creates or updates the stack through a change set, and renders the IAM documents the operator applies by hand.',
  flags: {
    plan: { type: 'boolean', help: 'show the change set and stop; nothing is uploaded or changed' },
    out: { type: 'string', value: 'DIR', help: 'write the rendered IAM documents into DIR (default: the working directory)' },
    'apply-source-policy': { type: 'boolean', help: "merge the stack's read and list statements into the source bucket policy by the stack's own Sids, every other statement kept; not with --plan" },
    'enable-source-events': { type: 'boolean', help: 'with S3_REPLICATE_PUSH_ON_WRITE=true: turn on EventBridge delivery for the source bucket, keeping its other event notifications; not with --plan' },
  },
  notes: [
    'Every variable is described in docs/configuration.md.',
    'Exit 0 when the stack is deployed (or the plan shown), 1 when AWS or the stack failed, 2 on bad arguments or environment (nothing is changed then), 130 on Ctrl-C.',
  ],
} as const satisfies CommandSpec;

export const DEPLOY_USAGE = usageOf(DEPLOY_COMMAND);
const FLAGS = DEPLOY_COMMAND.flags;

/** Parses the flags; every fault in one UsageError (exit 2). */
export function parseDeployArgs(argv: readonly string[]): DeployArgs {
  const { values, problems } = parseCommandLine(argv, FLAGS);
  if (values.plan && values['apply-source-policy']) problems.push('--plan changes nothing, --apply-source-policy writes the bucket policy: use one of them');
  if (values.plan && values['enable-source-events']) problems.push('--plan changes nothing, --enable-source-events writes the bucket\'s notification configuration: use one of them');
  throwIfProblems(problems);
  return { plan: values.plan, outDir: values.out, applySourcePolicy: values['apply-source-policy'], enableSourceEvents: values['enable-source-events'] };
}
