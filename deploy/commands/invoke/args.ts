/**
 * Arguments of `npm run invoke`: which event to run, and where. Pure: takes argv, returns a typed
 * request or throws {@link InvokeArgsError} naming the bad flag.
 */

/** Most local fan-out workers. */
export const MAX_WORKERS = 64;
/** Default --budget-ms: Lambda's longest invocation. */
export const DEFAULT_BUDGET_MS = 900_000;

/** Usage text printed on `--help` and after an argument error. */
export const INVOKE_USAGE = `usage: npm run invoke -- (--event FILE | --dates 2024-01-01,2024-01-02 | --from 2024-01-01 --to 2024-01-31) [--dry-run] [--async] [--stack NAME | --local]
                        [--local [--workers N [--budget-ms MS] [--queue-url URL]]]

  (default)    invoke the deployed function and wait for it (up to Lambda's 15 minutes): prints
               the summary and the tail of its log. The stack is S3_REPLICATE_STACK_NAME, or
               replicate-to-<S3_REPLICATE_BUCKET_NAME>, as for npm run deploy
  --stack NAME the stack whose function to invoke
  --async      queue the event and return at once (long backfills); prints how to follow it
  --local      run the handler in this process, with the handler environment from your shell
               (SOURCE_BUCKET, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, … ; AWS_ENDPOINT_URL honoured)
  --event FILE a JSON event file, e.g. testInput.json
  --dates LIST comma-separated days
  --from/--to  an inclusive range of days
  --dry-run    plan and report, copy nothing
  --workers N  fan out: plan one work item per day into the work queue, then drain it with N
               in-process workers playing Lambda's event source mapping (1-${MAX_WORKERS})
  --budget-ms  time budget of each local invocation (default ${DEFAULT_BUDGET_MS}, Lambda's 15 minutes)
  --queue-url  the work queue (default WORK_QUEUE_URL; without either, a temporary queue and
               dead-letter queue are created and deleted afterwards)

Prints the summary JSON on stdout. Exit 0 when every object was copied or skipped (or the event
was queued), 1 when an object or the invocation failed, 2 on bad arguments, a bad event or a bad
environment (nothing is invoked then).`;

/** A bad command line. */
export class InvokeArgsError extends Error {
  override name = 'InvokeArgsError';
}

/** What to invoke. */
export interface InvokeRequest {
  /** Run in-process (`--local`). */
  readonly local: boolean;
  /** `--help` was given: print the usage and do nothing else. */
  readonly help: boolean;
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

const VALUE_FLAGS = new Set(['--event', '--dates', '--from', '--to', '--stack', '--workers', '--budget-ms', '--queue-url']);
const BOOLEAN_FLAGS = new Set(['--local', '--dry-run', '--async', '--help', '-h']);

/** Parses `process.argv.slice(2)`. Accepts `--flag value` and `--flag=value`. */
export function parseInvokeArgs(argv: readonly string[]): InvokeRequest {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (VALUE_FLAGS.has(name)) {
      const value = eq > 0 && name !== arg ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '' || (value.startsWith('--') && name === arg)) throw new InvokeArgsError(`${name} needs a value`);
      if (values.has(name)) throw new InvokeArgsError(`${name} is given twice`);
      values.set(name, value);
    } else if (BOOLEAN_FLAGS.has(arg)) {
      flags.add(arg);
    } else {
      throw new InvokeArgsError(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  const help = flags.has('--help') || flags.has('-h');
  const local = flags.has('--local');
  const dryRun = flags.has('--dry-run');
  const async = flags.has('--async');
  const stack = values.get('--stack');
  if (help) return { local, help, source: undefined, dryRun, async, stack };
  if (local && async) throw new InvokeArgsError('--async queues the event on the deployed function, --local runs it in this process: use one of them');
  if (local && stack !== undefined) throw new InvokeArgsError(`--stack ${stack} names a deployed function, --local runs the handler in this process: use one of them`);

  const given = ['--event', '--dates', '--from', '--to'].filter((f) => values.has(f));
  const kinds = new Set(given.map((f) => (f === '--to' ? '--from' : f)));
  if (kinds.size === 0) throw new InvokeArgsError('say which days: --event FILE, --dates LIST, or --from DAY --to DAY');
  if (kinds.size > 1) throw new InvokeArgsError(`give one of --event, --dates, --from/--to (got ${given.join(', ')})`);

  let source: InvokeRequest['source'];
  if (values.has('--event')) {
    source = { kind: 'file', path: values.get('--event')! };
  } else if (values.has('--dates')) {
    const dates = values.get('--dates')!.split(',').map((d) => d.trim());
    if (dates.some((d) => d === '')) throw new InvokeArgsError(`--dates ${JSON.stringify(values.get('--dates'))} has an empty entry: expected comma-separated days like 2024-01-01,2024-01-02`);
    source = { kind: 'inline', event: { dates } };
  } else {
    if (!values.has('--from')) throw new InvokeArgsError('--to needs --from');
    if (!values.has('--to')) throw new InvokeArgsError('--from needs --to');
    source = { kind: 'inline', event: { from: values.get('--from')!, to: values.get('--to')! } };
  }
  return { local, help, source, dryRun, async, stack, ...fanOutOf(values, local) };
}

function wholeNumber(values: Map<string, string>, flag: string, min: number, max: number): number | undefined {
  const v = values.get(flag);
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvokeArgsError(`${flag} ${JSON.stringify(v)}: expected a whole number from ${min} to ${max}`);
  return n;
}

function fanOutOf(values: Map<string, string>, local: boolean): Pick<InvokeRequest, 'fanOut'> {
  const workers = wholeNumber(values, '--workers', 1, MAX_WORKERS);
  const budgetMs = wholeNumber(values, '--budget-ms', 1, DEFAULT_BUDGET_MS);
  const queueUrl = values.get('--queue-url');
  if (workers === undefined) {
    const orphan = ['--budget-ms', '--queue-url'].find((f) => values.has(f));
    if (orphan) throw new InvokeArgsError(`${orphan} needs --workers N (the local fan-out)`);
    return {};
  }
  if (!local) throw new InvokeArgsError('--workers runs the fan-out in this process: add --local');
  if (queueUrl !== undefined && !/^https?:\/\/\S+\/\d{12}\/[A-Za-z0-9_-]{1,80}$/.test(queueUrl)) {
    throw new InvokeArgsError(`--queue-url ${JSON.stringify(queueUrl)}: expected an SQS standard queue URL like https://sqs.us-east-1.amazonaws.com/123456789012/my-queue`);
  }
  return { fanOut: { workers, budgetMs: budgetMs ?? DEFAULT_BUDGET_MS, queueUrl } };
}

/**
 * The event to run: the inline one, or the file's content (already parsed by the caller), with
 * `"dryRun": true` added for `--dry-run`. The handler validates the result.
 */
export function buildEvent(request: InvokeRequest, fileContent?: unknown): unknown {
  const base = request.source?.kind === 'inline' ? request.source.event : fileContent;
  if (!request.dryRun) return base;
  if (typeof base !== 'object' || base === null || Array.isArray(base)) throw new InvokeArgsError('--dry-run needs an event that is a JSON object');
  return { ...base, dryRun: true };
}
