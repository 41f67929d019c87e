/** The command line of `npm run status`. Pure: `today` is an argument. */
import { addDays, daysInclusive, parseIsoDate, type IsoDate } from '../../../rules/dates.ts';
import { STACK_NAME_PATTERN } from '../../config/config.ts';
import { parseCommandLine, throwIfProblems, usageOf, type CommandSpec } from '../../cli/commandLine.ts';

/** Default `--days`: two weeks. */
export const DEFAULT_STATUS_DAYS = 14;
/** The most days one status run checks (one dry run, i.e. two listings, per day). */
export const MAX_STATUS_DAYS = 366;

export interface StatusArgs {
  /** The days to check, oldest first. */
  readonly dates: readonly IsoDate[];
  /** `--local`: dry runs in this process with the handler environment; otherwise through the deployed function. */
  readonly local: boolean;
  /** `--stack NAME`; default from the environment (as `npm run invoke`). */
  readonly stack: string | undefined;
  /** `--json`: the per-day results as a JSON array instead of the calendar. */
  readonly json: boolean;
}

/** The flags of `npm run status`, with the help its usage and docs/commands/status.md are written from. */
export const STATUS_COMMAND = {
  name: 'status',
  summary: 'Says, for each day, whether the destination holds every source object equal: a dry run per day, through the deployed function or in this process with --local. A dry run lists the day\'s source and destination prefixes; every source object listed as GLACIER or DEEP_ARCHIVE also gets one HeadObject, which alone says whether it is restored.',
  flags: {
    days: { type: 'string', value: 'N', help: `the N days up to yesterday (UTC); default ${DEFAULT_STATUS_DAYS}, at most ${MAX_STATUS_DAYS}` },
    from: { type: 'string', value: 'YYYY-MM-DD', help: 'the first day of an inclusive range, instead of --days; needs --to' },
    to: { type: 'string', value: 'YYYY-MM-DD', help: 'the last day of the range; needs --from' },
    stack: { type: 'string', value: 'NAME', help: 'the stack whose function runs the dry runs (default S3_REPLICATE_STACK_NAME, or replicate-to-<S3_REPLICATE_BUCKET_NAME>); not with --local' },
    local: { type: 'boolean', help: 'run the dry runs in this process with YOUR credentials and the handler environment (SOURCE_BUCKET, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, …, or the deploy variables S3_ROOT_BUCKET, … of npm run deploy, from which the handler\'s are built as the stack builds them; two names of one setting that disagree are refused)' },
    json: { type: 'boolean', help: 'print [{"date", "inSync", "missing", "differ", "archived", "tooLong"?, "error"?}, …] instead of the calendar: missing counts source objects with no destination key, differ those whose destination object is not equal (another size, or another ETag and not written after the source: the copy rule of docs/copy-rule.md), archived those in an archive storage class, which a copy cannot read until they are restored, tooLong (only when some) those whose destination key would be over S3\'s 1,024 bytes, which no run copies' },
  },
  notes: ['Exit 0 when every day is in sync, 1 when one is not (or could not be checked), 2 on bad arguments or environment (nothing is checked then), 130 on Ctrl-C.'],
} as const satisfies CommandSpec;

export const STATUS_USAGE = usageOf(STATUS_COMMAND);

/**
 * Parses the flags with the shared command-line reader; every fault, of syntax and of meaning, in
 * one UsageError (exit 2, the usage printed after it).
 */
export function parseStatusArgs(argv: readonly string[], today: IsoDate): StatusArgs {
  const { values, problems } = parseCommandLine(argv, STATUS_COMMAND.flags);
  const stack = values.stack;
  if (stack !== undefined && !STACK_NAME_PATTERN.test(stack)) problems.push(`--stack is ${JSON.stringify(stack)}: expected a stack name (letters, digits and hyphens, starting with a letter)`);
  if (values.local && stack !== undefined) problems.push('--local runs the dry runs in this process, --stack names a deployed function: use one of them');

  let dates: IsoDate[] = [];
  const range = values.from !== undefined || values.to !== undefined;
  if (range && values.days !== undefined) problems.push('give either --days or --from/--to, not both');
  else if (range) {
    const from = parseIsoDate(values.from);
    const to = parseIsoDate(values.to);
    if (values.from === undefined) problems.push('--to without --from: a range needs both');
    else if (!from) problems.push(`--from is ${JSON.stringify(values.from)}: expected a calendar date YYYY-MM-DD`);
    if (values.to === undefined) problems.push('--from without --to: a range needs both');
    else if (!to) problems.push(`--to is ${JSON.stringify(values.to)}: expected a calendar date YYYY-MM-DD`);
    if (from && to) {
      const n = daysInclusive(from, to);
      if (n < 1) problems.push(`--from ${from} is after --to ${to}: the range is inclusive and must go forward`);
      else if (n > MAX_STATUS_DAYS) problems.push(`${n} days requested: at most ${MAX_STATUS_DAYS} per run`);
      else dates = Array.from({ length: n }, (_, i) => addDays(from, i));
    }
  } else {
    const text = values.days ?? String(DEFAULT_STATUS_DAYS);
    const n = /^\d{1,4}$/.test(text) ? Number(text) : NaN;
    if (!(n >= 1 && n <= MAX_STATUS_DAYS)) problems.push(`--days is ${JSON.stringify(text)}: expected a whole number from 1 to ${MAX_STATUS_DAYS}`);
    else dates = Array.from({ length: n }, (_, i) => addDays(today, i - n));
  }
  throwIfProblems(problems);
  return { dates, local: values.local, stack, json: values.json };
}
