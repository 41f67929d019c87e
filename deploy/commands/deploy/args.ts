/** The command line of `npm run deploy`. Pure. */
import { parseCommandLine, throwIfProblems } from '../../cli/commandLine.ts';

export interface DeployArgs {
  /** `--plan`: show the change set and stop. Default false. */
  readonly plan: boolean;
  /** `--out DIR`: where the rendered documents go. Default: the working directory. */
  readonly outDir: string | undefined;
  /** `--apply-source-policy`: merge the S3PushReadAccess and S3PushListAccess statements into the source bucket policy. Default false. */
  readonly applySourcePolicy: boolean;
  /**
   * `--enable-source-events`: turn on EventBridge delivery for the source bucket (merged into its
   * notification configuration), which push on write needs. Default false.
   */
  readonly enableSourceEvents?: boolean;
}

export const DEPLOY_USAGE = `usage: npm run deploy [-- [--plan] [--out DIR] [--apply-source-policy] [--enable-source-events]]
  --plan                  show the change set and stop; nothing is uploaded or changed
  --out DIR               write the rendered IAM documents into DIR (default: the working directory)
  --apply-source-policy   merge the S3PushReadAccess and S3PushListAccess statements into the source bucket policy (by Sid)
  --enable-source-events  with S3_REPLICATE_PUSH_ON_WRITE=true: turn on EventBridge delivery for the
                          source bucket, keeping its other event notifications
every variable is described in docs/configuration.md`;

const FLAGS = {
  plan: { type: 'boolean' },
  out: { type: 'string', value: 'DIR' },
  'apply-source-policy': { type: 'boolean' },
  'enable-source-events': { type: 'boolean' },
} as const;

/** Parses the flags; every fault in one UsageError (exit 2). */
export function parseDeployArgs(argv: readonly string[]): DeployArgs {
  const { values, problems } = parseCommandLine(argv, FLAGS);
  if (values.plan && values['apply-source-policy']) problems.push('--plan changes nothing, --apply-source-policy writes the bucket policy: use one of them');
  if (values.plan && values['enable-source-events']) problems.push('--plan changes nothing, --enable-source-events writes the bucket\'s notification configuration: use one of them');
  throwIfProblems(problems);
  return { plan: values.plan, outDir: values.out, applySourcePolicy: values['apply-source-policy'], enableSourceEvents: values['enable-source-events'] };
}
