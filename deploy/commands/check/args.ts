/** The command line of `npm run check`. Pure. */
import { ConfigError } from '../../cli/errors.ts';
import { readStackFlag } from '../../cli/stackFlag.ts';

export interface CheckArgs {
  /** `--local`: run the check in this process with the handler environment. Default false. */
  readonly local: boolean;
  /** `--stack NAME`: the stack whose function runs the check. Default: from the environment. */
  readonly stack: string | undefined;
  /** `--help`. */
  readonly help: boolean;
}

export const CHECK_USAGE = `usage: npm run check [-- [--stack NAME] | --local]
  (no flag)     run the preflight on the deployed function (Lambda Invoke), with its own role:
                the stack is S3_REPLICATE_STACK_NAME, or replicate-to-<S3_REPLICATE_BUCKET_NAME>
  --stack NAME  the stack whose function runs the check
  --local       run it in this process with the handler environment (SOURCE_BUCKET,
                DESTINATION_BUCKET, DESTINATION_ROLE_ARN, EXTERNAL_ID, …) and YOUR credentials
Exit 0 when no link is broken, 1 when one is, 2 on bad arguments or environment.`;

/** Parses the flags; every fault in one ConfigError (exit 2). */
export function parseCheckArgs(argv: readonly string[]): CheckArgs {
  const problems: string[] = [];
  let local = false;
  let help = false;
  const state: { stack: string | undefined } = { stack: undefined };
  let next: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--local') local = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if ((next = readStackFlag(argv, i, state, problems)) !== undefined) i = next;
    else problems.push(`unknown argument ${JSON.stringify(arg)}: expected --stack NAME or --local`);
  }
  if (local && state.stack !== undefined) problems.push('--local runs the check in this process, --stack names a deployed function: use one of them');
  if (problems.length > 0) throw new ConfigError(problems, 'the command line is not valid');
  return { local, stack: state.stack, help };
}
