/**
 * The handler's CloudWatch metrics, in the embedded metric format (EMF): one JSON line per day
 * handled, written to the log like any other line. CloudWatch Logs turns each line into metric
 * data points with no API call from the function (so no permission and no latency), and the
 * line stays readable in the log. Powertools Metrics builds and validates the EMF document.
 *
 * Namespace {@link METRICS_NAMESPACE}, one dimension: {@link FUNCTION_DIMENSION} (the function,
 * named after the stack). Dry runs emit nothing: what they count was not copied.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { stdoutSink, type LineSink } from './logger.ts';
import type { DaySummary } from './summary.ts';

/** The CloudWatch namespace of every s3-push metric. */
export const METRICS_NAMESPACE = 'S3Push';
/** The one dimension: the function's name (the stack's, see the deploy's naming). */
export const FUNCTION_DIMENSION = 'FunctionName';

/** The names of the metrics the handler emits; the template's alarms and dashboard name the same (a test checks it). */
export const METRIC = {
  /** Source objects listed for the day (or, for a continuation, for the part of it handled). */
  listed: 'ObjectsListed',
  copied: 'ObjectsCopied',
  skipped: 'ObjectsSkipped',
  failed: 'ObjectsFailed',
  /** Source objects left out because they are archived (the summary's `archived`): not copied, not failures. */
  archived: 'ObjectsArchived',
  /**
   * Source objects left out because their destination key would be over S3's 1,024 bytes (the
   * summary's `tooLong`): not copied, not failures. Written only for a day that has some, so the
   * metric costs nothing until then.
   */
  tooLong: 'ObjectsTooLong',
  bytesCopied: 'BytesCopied',
  /** Destination-only objects deleted by exact days in this invocation (the summary's `deleted`); emitted once the day's walk reached its end. */
  deleted: 'ObjectsDeleted',
  /** Wall time of the day in this invocation. */
  durationSeconds: 'DayDurationSeconds',
  /** 1 when the scheduled day completed with no failure, 0 when its run ended without completing it. */
  scheduledDayCompleted: 'ScheduledDayCompleted',
  /** With SOURCE_READY_KEY: 1 for a day handled while its ready key is not in the source yet (nothing copied), 0 for one that was ready. */
  dayWaiting: 'DayWaiting',
  /** Objects copied into a day before the scheduled one (LOOKBACK_DAYS): files that arrived after their day was copied. */
  lateCopied: 'ObjectsCopiedLate',
  /** Objects listed by the scheduled day's own run, when it listed the whole prefix from its start (0 means an empty day). */
  scheduledDayObjectsListed: 'ScheduledDayObjectsListed',
} as const;

/** What one handled day reports. */
export interface DayMetrics {
  readonly summary: DaySummary;
  readonly durationMs: number;
  /** Only for the day of a scheduled run (or a continuation of it). */
  readonly scheduled?: {
    /** true: completed, no failure; false: the run ended without completing it; undefined: handed on to a continuation (not decided yet). */
    readonly completed?: boolean;
    /** The objects listed, when this run listed the day's prefix from its start to its end. */
    readonly listedWholeDay?: number;
  };
}

/** Emits the metrics of handled days. */
export interface RunMetrics {
  day(day: DayMetrics): void;
}

/** Options of {@link createRunMetrics}. */
export interface RunMetricsOptions {
  /** Where the EMF lines go: the log (stdout) by default. */
  readonly sink?: LineSink;
  /** The Lambda request id, added to each line as metadata (not a dimension: it would make a metric per invocation). */
  readonly requestId?: string | undefined;
}

/** Creates the metrics of one invocation of the function `functionName`. */
export function createRunMetrics(functionName: string, options: RunMetricsOptions = {}): RunMetrics {
  const sink = options.sink ?? stdoutSink;
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE });
  // Powertools adds a `service` dimension by default; the one dimension here is the function.
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ [FUNCTION_DIMENSION]: functionName });
  return {
    day({ summary, durationMs, scheduled }) {
      metrics.addMetric(METRIC.listed, MetricUnit.Count, summary.listed);
      metrics.addMetric(METRIC.copied, MetricUnit.Count, summary.copied);
      metrics.addMetric(METRIC.skipped, MetricUnit.Count, summary.skipped);
      metrics.addMetric(METRIC.failed, MetricUnit.Count, summary.failed);
      metrics.addMetric(METRIC.archived, MetricUnit.Count, summary.archived);
      if (summary.tooLong) metrics.addMetric(METRIC.tooLong, MetricUnit.Count, summary.tooLong);
      metrics.addMetric(METRIC.bytesCopied, MetricUnit.Bytes, summary.bytesCopied);
      if (summary.deleted !== undefined) metrics.addMetric(METRIC.deleted, MetricUnit.Count, summary.deleted);
      metrics.addMetric(METRIC.durationSeconds, MetricUnit.Seconds, Math.round(durationMs) / 1000);
      if (summary.waiting !== undefined || summary.ready !== undefined) metrics.addMetric(METRIC.dayWaiting, MetricUnit.Count, summary.waiting ? 1 : 0);
      if (summary.lookback) metrics.addMetric(METRIC.lateCopied, MetricUnit.Count, summary.copied);
      if (scheduled?.completed !== undefined) metrics.addMetric(METRIC.scheduledDayCompleted, MetricUnit.Count, scheduled.completed ? 1 : 0);
      if (scheduled?.listedWholeDay !== undefined) metrics.addMetric(METRIC.scheduledDayObjectsListed, MetricUnit.Count, scheduled.listedWholeDay);
      metrics.addMetadata('date', summary.date);
      if (options.requestId) metrics.addMetadata('requestId', options.requestId);
      // serializeMetrics rather than publishStoredMetrics: the line goes to our sink (the
      // handler's log, or a test's array), not to a console of Powertools' own.
      const line = JSON.stringify(metrics.serializeMetrics());
      metrics.clearMetrics();
      metrics.clearMetadata();
      sink(line);
    },
  };
}
