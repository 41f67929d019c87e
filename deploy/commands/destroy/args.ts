/** The command line of `npm run destroy`. Pure. */
import { ConfigError } from '../../cli/errors.ts';
import { readStackFlag } from '../../cli/stackFlag.ts';

export interface DestroyArgs {
  /** `--yes`: delete without asking (scripts, CI). Default false: ask on a terminal, refuse without one. */
  readonly yes: boolean;
  /** `--stack NAME`: the stack to delete. Default: S3_REPLICATE_STACK_NAME, else replicate-to-<S3_REPLICATE_BUCKET_NAME>. */
  readonly stack: string | undefined;
  /** `--help`. */
  readonly help: boolean;
}

export const DESTROY_USAGE = `usage: npm run destroy [-- [--stack NAME] [--yes]]
  deletes the stack (function, execution role, schedule, queues, alarms, log group);
  never the source, destination or artifact buckets
  --stack NAME  the stack (default: S3_REPLICATE_STACK_NAME, else replicate-to-<S3_REPLICATE_BUCKET_NAME>)
  --yes         do not ask (required when there is no terminal)`;

/** Parses the flags; every fault in one ConfigError (exit 2). */
export function parseDestroyArgs(argv: readonly string[]): DestroyArgs {
  const problems: string[] = [];
  let yes = false;
  let help = false;
  const state: { stack: string | undefined } = { stack: undefined };
  let next: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--yes' || arg === '-y') yes = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if ((next = readStackFlag(argv, i, state, problems)) !== undefined) i = next;
    else problems.push(`unknown argument ${JSON.stringify(arg)}: expected --stack NAME or --yes`);
  }
  if (problems.length > 0) throw new ConfigError(problems, 'the command line is not valid');
  return { yes, stack: state.stack, help };
}
