/**
 * Arguments of `npm run invoke`: which event to run, and where. Pure: takes argv, returns a typed
 * request or throws one UsageError naming every bad flag.
 */
import { ConfigError } from '../../../rules/errors.ts';
import { parseCommandLine, throwIfProblems, usageOf, wholeNumberFlag, type CommandSpec } from '../../cli/commandLine.ts';

/** Most local fan-out workers. */
export const MAX_WORKERS = 64;
/** Default --budget-ms: Lambda's longest invocation. */
export const DEFAULT_BUDGET_MS = 900_000;

/** The flags of `npm run invoke`, with the help its usage and docs/commands/invoke.md are written from. */
export const INVOKE_COMMAND = {
  name: 'invoke',
  summary: 'Runs an event: by default on the deployed function, waiting for it (up to Lambda\'s 15 minutes) and printing the summary and the tail of its log; the stack is S3_REPLICATE_STACK_NAME, or replicate-to-<S3_REPLICATE_BUCKET_NAME>, as for npm run deploy. Say which days with one of --event, --dates, or --from and --to.',
  flags: {
    event: { type: 'string', value: 'FILE', help: 'a JSON event file (a backfill, {"check": true}, an EventBridge Object Created event, {"Records": [...]}, an SQS batch), e.g. testInput.json; the handler validates it' },
    dates: { type: 'string', value: 'LIST', help: 'comma-separated days, e.g. 2024-01-01,2024-01-02' },
    from: { type: 'string', value: 'DAY', help: 'the first day of an inclusive range; needs --to' },
    to: { type: 'string', value: 'DAY', help: 'the last day of the range; needs --from' },
    'dry-run': { type: 'boolean', help: 'plan and report, copy nothing' },
    async: { type: 'boolean', help: 'queue the event on the deployed function and return at once (long backfills); prints how to follow it' },
    stack: { type: 'string', value: 'NAME', help: 'the stack whose function to invoke; not with --local' },
    local: { type: 'boolean', help: 'run the handler in this process with YOUR credentials and the handler environment from your shell (SOURCE_BUCKET, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, …, or the deploy variables S3_ROOT_BUCKET, … of npm run deploy, from which the handler\'s are built as the stack builds them; two names of one setting that disagree are refused; AWS_ENDPOINT_URL honoured)' },
    workers: { type: 'string', value: 'N', help: `with --local: fan out, planning one work item per day into the work queue, then draining it with N in-process workers playing Lambda's event source mapping (1-${MAX_WORKERS})` },
    'budget-ms': { type: 'string', value: 'MS', help: `with --workers: the time budget of each local invocation (default ${DEFAULT_BUDGET_MS}, Lambda's 15 minutes)` },
    'queue-url': { type: 'string', value: 'URL', help: 'with --workers: the work queue (default WORK_QUEUE_URL; without either, a temporary queue and dead-letter queue are created and deleted afterwards, on Ctrl-C too)' },
  },
  notes: ['Prints the summary JSON on stdout. Exit 0 when every object was copied or skipped (or the event was queued), 1 when an object or the invocation failed, 2 on bad arguments, a bad event or a bad environment (nothing is invoked then), 130 on Ctrl-C.'],
} as const satisfies CommandSpec;

/** Usage text printed on `--help` and after an argument error. */
export const INVOKE_USAGE = usageOf(INVOKE_COMMAND);

/** What to invoke. */
export interface InvokeRequest {
  /** Run in-process (`--local`). */
  readonly local: boolean;
  /** The event to send, or the file holding it (`--event`). */
  readonly source: { readonly kind: 'file'; readonly path: string } | { readonly kind: 'inline'; readonly event: Record<string, unknown> } | undefined;
  /** `--dry-run`: added to the event as `"dryRun": true`. */
  readonly dryRun: boolean;
  /** `--async`: queue the event on the deployed function (InvocationType Event). Default false. */
  readonly async: boolean;
  /** `--stack NAME`: the stack of the deployed function. Default: from the environment. */
  readonly stack: string | undefined;
  /** `--workers N`: fan out through the work queue with N local workers. */
  readonly fanOut?: { readonly workers: number; readonly budgetMs: number; readonly queueUrl: string | undefined };
}

const FLAGS = INVOKE_COMMAND.flags;

const QUEUE_URL = /^https?:\/\/\S+\/\d{12}\/[A-Za-z0-9_-]{1,80}$/;

/** Parses `process.argv.slice(2)` (`--flag value` and `--flag=value`); every problem in one UsageError. */
export function parseInvokeArgs(argv: readonly string[]): InvokeRequest {
  const { values: v, problems } = parseCommandLine(argv, FLAGS);
  const { local, async, stack } = v;
  if (local && async) problems.push('--async queues the event on the deployed function, --local runs it in this process: use one of them');
  if (local && stack !== undefined) problems.push(`--stack ${stack} names a deployed function, --local runs the handler in this process: use one of them`);

  const given = (['event', 'dates', 'from', 'to'] as const).filter((f) => v[f] !== undefined);
  const kinds = new Set(given.map((f) => (f === 'to' ? 'from' : f)));
  // A flag given without its value is already a problem: do not also ask for the days.
  const valueless = problems.some((p) => /^--(event|dates|from|to) needs a value/.test(p));
  let source: InvokeRequest['source'];
  if (kinds.size === 0) {
    if (!valueless) problems.push('say which days: --event FILE, --dates LIST, or --from DAY --to DAY');
  } else if (kinds.size > 1) {
    problems.push(`give one of --event, --dates, --from/--to (got ${given.map((f) => `--${f}`).join(', ')})`);
  } else if (v.event !== undefined) {
    source = { kind: 'file', path: v.event };
  } else if (v.dates !== undefined) {
    const dates = v.dates.split(',').map((d) => d.trim());
    if (dates.some((d) => d === '')) problems.push(`--dates ${JSON.stringify(v.dates)} has an empty entry: expected comma-separated days like 2024-01-01,2024-01-02`);
    else source = { kind: 'inline', event: { dates } };
  } else if (v.from === undefined) {
    problems.push('--to needs --from');
  } else if (v.to === undefined) {
    problems.push('--from needs --to');
  } else {
    source = { kind: 'inline', event: { from: v.from, to: v.to } };
  }

  const workers = wholeNumberFlag('--workers', v.workers, 1, MAX_WORKERS, problems);
  const budgetMs = wholeNumberFlag('--budget-ms', v['budget-ms'], 1, DEFAULT_BUDGET_MS, problems);
  const queueUrl = v['queue-url'];
  let fanOut: InvokeRequest['fanOut'];
  if (v.workers === undefined) {
    for (const orphan of ['budget-ms', 'queue-url'] as const) if (v[orphan] !== undefined) problems.push(`--${orphan} needs --workers N (the local fan-out)`);
  } else {
    if (!local) problems.push('--workers runs the fan-out in this process: add --local');
    if (queueUrl !== undefined && !QUEUE_URL.test(queueUrl)) {
      problems.push(`--queue-url ${JSON.stringify(queueUrl)}: expected an SQS standard queue URL like https://sqs.us-east-1.amazonaws.com/123456789012/my-queue`);
    }
    if (workers !== undefined) fanOut = { workers, budgetMs: budgetMs ?? DEFAULT_BUDGET_MS, queueUrl };
  }
  throwIfProblems(problems);
  return { local, source, dryRun: v['dry-run'], async, stack, ...(fanOut ? { fanOut } : {}) };
}

/**
 * The event to run: the inline one, or the file's content (already parsed by the caller), with
 * `"dryRun": true` added for `--dry-run`. The handler validates the result.
 */
export function buildEvent(request: InvokeRequest, fileContent?: unknown): unknown {
  const base = request.source?.kind === 'inline' ? request.source.event : fileContent;
  if (!request.dryRun) return base;
  if (typeof base !== 'object' || base === null || Array.isArray(base)) throw new ConfigError(['--dry-run needs an event that is a JSON object'], 'the event is not usable');
  return { ...base, dryRun: true };
}
