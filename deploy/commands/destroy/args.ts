/** The command line of `npm run destroy`. Pure. */
import { parseCommandLine, throwIfProblems, usageOf, type CommandSpec } from '../../cli/commandLine.ts';

export interface DestroyArgs {
  /** `--yes`: delete without asking (scripts, CI). Default false: ask on a terminal, refuse without one. */
  readonly yes: boolean;
  /** `--stack NAME`: the stack to delete. Default: S3_REPLICATE_STACK_NAME, else replicate-to-<S3_REPLICATE_BUCKET_NAME>. */
  readonly stack: string | undefined;
  /** `--keep-source-policy`: leave the stack's statements in the source bucket policy. Default false: they are removed (only the stack's). */
  readonly keepSourcePolicy: boolean;
  /** `--plan`: say what would be deleted and removed, change nothing. Default false. */
  readonly plan: boolean;
}

/** The flags of `npm run destroy`, with the help its usage and docs/commands/destroy.md are written from. */
export const DESTROY_COMMAND = {
  name: 'destroy',
  summary: 'Deletes the stack (function, execution role, schedule, queues, alarms, log group) and takes its own statements out of the source bucket policy; never the source, destination or artifact buckets, nor other statements.',
  flags: {
    stack: { type: 'string', value: 'NAME', help: 'the stack (default: S3_REPLICATE_STACK_NAME, else replicate-to-<S3_REPLICATE_BUCKET_NAME>)' },
    yes: { type: 'boolean', short: 'y', help: 'do not ask (required when there is no terminal)' },
    'keep-source-policy': { type: 'boolean', help: "leave the stack's statements (its own Sids) in the source bucket policy; by default they are taken out, every other statement kept" },
    plan: { type: 'boolean', help: 'say what would be deleted and taken out of the source bucket policy, and change nothing' },
  },
  notes: ['Exit 0 when the stack is deleted (or, with --plan, when it could be), 1 when the stack does not exist in the region or could not be deleted, 2 on bad arguments or environment, 130 on Ctrl-C.'],
} as const satisfies CommandSpec;

export const DESTROY_USAGE = usageOf(DESTROY_COMMAND);
const FLAGS = DESTROY_COMMAND.flags;

/** Parses the flags; every fault in one UsageError (exit 2). */
export function parseDestroyArgs(argv: readonly string[]): DestroyArgs {
  const { values, problems } = parseCommandLine(argv, FLAGS);
  throwIfProblems(problems);
  return { yes: values.yes, stack: values.stack, keepSourcePolicy: values['keep-source-policy'], plan: values.plan };
}
