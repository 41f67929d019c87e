/** The command line of `npm run deploy`. Pure. */
import { ConfigError } from '../../cli/errors.ts';

export interface DeployArgs {
  /** `--plan`: show the change set and stop. Default false. */
  readonly plan: boolean;
  /** `--out DIR`: where the rendered documents go. Default: the working directory. */
  readonly outDir: string | undefined;
  /** `--apply-source-policy`: merge the ReadAccess statement into the source bucket policy. Default false. */
  readonly applySourcePolicy: boolean;
  /**
   * `--enable-source-events`: turn on EventBridge delivery for the source bucket (merged into its
   * notification configuration), which push on write needs. Default false.
   */
  readonly enableSourceEvents?: boolean;
  /** `--help`. */
  readonly help: boolean;
}

export const DEPLOY_USAGE = `usage: npm run deploy [-- [--plan] [--out DIR] [--apply-source-policy] [--enable-source-events]]
  --plan                  show the change set and stop; nothing is uploaded or changed
  --out DIR               write the rendered IAM documents into DIR (default: the working directory)
  --apply-source-policy   merge the ReadAccess statement into the source bucket policy (by Sid)
  --enable-source-events  with S3_REPLICATE_PUSH_ON_WRITE=true: turn on EventBridge delivery for the
                          source bucket, keeping its other event notifications
the environment is described in README.md, "Deploy to AWS"`;

/** Parses the flags; every fault in one ConfigError (exit 2). */
export function parseDeployArgs(argv: readonly string[]): DeployArgs {
  const problems: string[] = [];
  let plan = false;
  let applySourcePolicy = false;
  let enableSourceEvents = false;
  let help = false;
  let outDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--plan') plan = true;
    else if (arg === '--apply-source-policy') applySourcePolicy = true;
    else if (arg === '--enable-source-events') enableSourceEvents = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--out' || arg.startsWith('--out=')) {
      const value = arg === '--out' ? argv[++i] : arg.slice('--out='.length);
      if (value === undefined || value === '' || value.startsWith('--')) problems.push('--out needs a directory: --out DIR');
      else outDir = value;
    } else problems.push(`unknown argument ${JSON.stringify(arg)}: expected --plan, --out DIR, --apply-source-policy or --enable-source-events`);
  }
  if (plan && applySourcePolicy) problems.push('--plan changes nothing, --apply-source-policy writes the bucket policy: use one of them');
  if (plan && enableSourceEvents) problems.push('--plan changes nothing, --enable-source-events writes the bucket\'s notification configuration: use one of them');
  if (problems.length > 0) throw new ConfigError(problems, 'the command line is not valid');
  return { plan, outDir, applySourcePolicy, enableSourceEvents, help };
}
