/** The command line of `npm run destroy`. Pure. */
import { parseCommandLine, throwIfProblems } from '../../cli/commandLine.ts';

export interface DestroyArgs {
  /** `--yes`: delete without asking (scripts, CI). Default false: ask on a terminal, refuse without one. */
  readonly yes: boolean;
  /** `--stack NAME`: the stack to delete. Default: S3_REPLICATE_STACK_NAME, else replicate-to-<S3_REPLICATE_BUCKET_NAME>. */
  readonly stack: string | undefined;
}

export const DESTROY_USAGE = `usage: npm run destroy [-- [--stack NAME] [--yes]]
  deletes the stack (function, execution role, schedule, queues, alarms, log group);
  never the source, destination or artifact buckets
  --stack NAME  the stack (default: S3_REPLICATE_STACK_NAME, else replicate-to-<S3_REPLICATE_BUCKET_NAME>)
  --yes, -y     do not ask (required when there is no terminal)`;

const FLAGS = {
  stack: { type: 'string', value: 'NAME' },
  yes: { type: 'boolean', short: 'y' },
} as const;

/** Parses the flags; every fault in one UsageError (exit 2). */
export function parseDestroyArgs(argv: readonly string[]): DestroyArgs {
  const { values, problems } = parseCommandLine(argv, FLAGS);
  throwIfProblems(problems);
  return { yes: values.yes, stack: values.stack };
}
