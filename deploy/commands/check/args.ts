/** The command line of `npm run check`. Pure. */
import { parseCommandLine, throwIfProblems } from '../../cli/commandLine.ts';
import { parseIsoDate, type IsoDate } from '../../../rules/dates.ts';

export interface CheckArgs {
  /** `--local`: run the check in this process with the handler environment. Default false. */
  readonly local: boolean;
  /** `--stack NAME`: the stack whose function runs the check. Default: from the environment. */
  readonly stack: string | undefined;
  /** `--date YYYY-MM-DD`: the day whose source prefix links 2 and 3 list and read. Default: the scheduled day (LAG_DAYS before today). */
  readonly date: IsoDate | undefined;
}

export const CHECK_USAGE = `usage: npm run check [-- [--stack NAME | --local] [--date YYYY-MM-DD]]
  (no flag)     run the preflight on the deployed function (Lambda Invoke), with its own role:
                the stack is S3_REPLICATE_STACK_NAME, or replicate-to-<S3_REPLICATE_BUCKET_NAME>
  --stack NAME  the stack whose function runs the check
  --local       run it in this process with the handler environment (SOURCE_BUCKET,
                DESTINATION_BUCKET, DESTINATION_ROLE_ARN, …) and YOUR credentials
  --date DAY    the day whose source prefix is listed and read (default: the day the schedule
                copies now, LAG_DAYS before today): the role may list nothing shorter than a day
Exit 0 when no link is broken, 1 when one is, 2 on bad arguments or environment.`;

const FLAGS = {
  stack: { type: 'string', value: 'NAME' },
  local: { type: 'boolean' },
  date: { type: 'string', value: 'YYYY-MM-DD' },
} as const;

/** Parses the flags; every fault in one UsageError (exit 2). */
export function parseCheckArgs(argv: readonly string[]): CheckArgs {
  const { values, problems } = parseCommandLine(argv, FLAGS);
  if (values.local && values.stack !== undefined) problems.push('--local runs the check in this process, --stack names a deployed function: use one of them');
  const date = values.date === undefined ? undefined : parseIsoDate(values.date);
  if (values.date !== undefined && date === undefined) problems.push(`--date is ${JSON.stringify(values.date)}: expected a calendar day, YYYY-MM-DD`);
  throwIfProblems(problems);
  return { local: values.local, stack: values.stack, date };
}
