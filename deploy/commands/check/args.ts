/** The command line of `npm run check`. Pure. */
import { parseCommandLine, throwIfProblems, usageOf, type CommandSpec } from '../../cli/commandLine.ts';
import { parseIsoDate, type IsoDate } from '../../../rules/dates.ts';

export interface CheckArgs {
  /** `--local`: run the check in this process with the handler environment. Default false. */
  readonly local: boolean;
  /** `--stack NAME`: the stack whose function runs the check. Default: from the environment. */
  readonly stack: string | undefined;
  /** `--date YYYY-MM-DD`: the day whose source prefix links 2 and 3 list and read. Default: the scheduled day (LAG_DAYS before today). */
  readonly date: IsoDate | undefined;
}

/** The flags of `npm run check`, with the help its usage and docs/commands/check.md are written from. */
export const CHECK_COMMAND = {
  name: 'check',
  summary: 'Runs the preflight: tries each link of the permission chain the copies depend on (1 assume the destination role, 2 list one day of the source, 3 read one source object, 4 write and delete a probe in the destination) and names what fixes a broken one. Without a flag it runs on the deployed function (Lambda Invoke), with the function\'s own role; the stack is S3_REPLICATE_STACK_NAME, or replicate-to-<S3_REPLICATE_BUCKET_NAME>.',
  flags: {
    stack: { type: 'string', value: 'NAME', help: 'the stack whose function runs the check (default: S3_REPLICATE_STACK_NAME, else replicate-to-<S3_REPLICATE_BUCKET_NAME>); not with --local' },
    local: { type: 'boolean', help: 'run it in this process with the handler environment (SOURCE_BUCKET, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, …, or the deploy variables S3_ROOT_BUCKET, … of npm run deploy, from which the handler\'s are built as the stack builds them; two names of one setting that disagree are refused) and YOUR credentials' },
    date: { type: 'string', value: 'YYYY-MM-DD', help: 'the day whose source prefix is listed and read (default: the day the schedule copies now, LAG_DAYS before today): the role may list nothing shorter than a day' },
  },
  notes: ['Exit 0 when no link is broken, 1 when one is, 2 on bad arguments or environment.'],
} as const satisfies CommandSpec;

export const CHECK_USAGE = usageOf(CHECK_COMMAND);
const FLAGS = CHECK_COMMAND.flags;

/** Parses the flags; every fault in one UsageError (exit 2). */
export function parseCheckArgs(argv: readonly string[]): CheckArgs {
  const { values, problems } = parseCommandLine(argv, FLAGS);
  if (values.local && values.stack !== undefined) problems.push('--local runs the check in this process, --stack names a deployed function: use one of them');
  const date = values.date === undefined ? undefined : parseIsoDate(values.date);
  if (values.date !== undefined && date === undefined) problems.push(`--date is ${JSON.stringify(values.date)}: expected a calendar day, YYYY-MM-DD`);
  throwIfProblems(problems);
  return { local: values.local, stack: values.stack, date };
}
