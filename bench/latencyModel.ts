/**
 * The latency the bench adds to each S3 request so that a local server answers at AWS's pace, and
 * the arithmetic of what that latency allows. Pure.
 *
 * A model names a latency in milliseconds per operation (`CopyObject=30,default=20`); each request
 * is delayed by that figure times a uniform factor in [1 - jitter, 1 + jitter], drawn from a
 * seeded generator (mulberry32, shared with dev/faultProxy.ts) so that two runs of the same tools
 * draw the same sequence on any machine, which Math.random cannot.
 */
import { mulberry32 } from '../dev/faultProxy.ts';

/** A latency model: milliseconds per S3 operation, with uniform jitter. */
export interface LatencyModel {
  /** What the model is called in reports (`aws`, or the spec as given). */
  readonly name: string;
  /** Milliseconds by operation name (as bench/s3Operation.ts names them). */
  readonly byOperation: Readonly<Record<string, number>>;
  /** Milliseconds of every operation not named. */
  readonly defaultMs: number;
  /** Relative jitter: each delay is drawn uniformly from ±this share of the figure. */
  readonly jitter: number;
}

/** Jitter of every model: ±30 %. */
export const LATENCY_JITTER = 0.3;

/**
 * `--latency aws`: S3 as a Lambda in the bucket's region sees it. The figures are a judgement
 * inside what AWS publishes, not a measurement:
 * - AWS's S3 performance whitepaper ("Timeouts and Retries for Latency-Sensitive Applications",
 *   https://docs.aws.amazon.com/whitepapers/latest/s3-optimizing-performance-best-practices/timeouts-and-retries-for-latency-sensitive-applications.html)
 *   puts the median latency of small requests (under 512 KB) "in the range of tens of
 *   milliseconds"; S3 Express One Zone is documented as "single-digit millisecond" first-byte
 *   latency, "up to 10x faster than S3 Standard"
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-express-performance.html). So a
 *   small CopyObject (one request in, S3 reads and writes the object inside its region) is taken
 *   at 30 ms and a HeadObject (metadata only) at 20 ms.
 * - ListObjectsV2 returns up to 1,000 keys (about 250 KB of XML): taken at twice a small request,
 *   60 ms; ListObjects (v1, rclone's default) alike.
 * - A part copy moves up to 5 GiB inside S3: 60 ms is the latency of a small part; a large part
 *   takes longer on AWS, which this model does not show (the large day's figures are the lower bound).
 * - AssumeRole (STS) and the multipart bookkeeping requests: 30 ms; anything else 20 ms.
 */
export const AWS_LATENCY_MODEL: LatencyModel = Object.freeze({
  name: 'aws',
  byOperation: Object.freeze({
    CopyObject: 30,
    HeadObject: 20,
    GetObject: 30,
    PutObject: 30,
    ListObjectsV2: 60,
    ListObjects: 60,
    UploadPartCopy: 60,
    CreateMultipartUpload: 30,
    CompleteMultipartUpload: 30,
    AbortMultipartUpload: 30,
    AssumeRole: 30,
  }),
  defaultMs: 20,
  jitter: LATENCY_JITTER,
});

/** Named models `--latency` accepts besides a spec. */
export const NAMED_LATENCY_MODELS: Readonly<Record<string, LatencyModel>> = Object.freeze({ aws: AWS_LATENCY_MODEL });

/** Largest latency accepted for one operation (a typo like 3000 for 30 would stall a run). */
export const MAX_LATENCY_MS = 2000;

/**
 * Reads `--latency`: a named model (`aws`) or `Operation=ms,…` with an optional `default=ms`
 * (20 when absent). Returns the model, or a problem naming the part at fault.
 */
export function parseLatencyModel(spec: string): { model: LatencyModel } | { problem: string } {
  const named = Object.hasOwn(NAMED_LATENCY_MODELS, spec) ? NAMED_LATENCY_MODELS[spec] : undefined;
  if (named !== undefined) return { model: named };
  const expected = `expected ${Object.keys(NAMED_LATENCY_MODELS).join(' or ')}, or Operation=ms pairs separated by commas (e.g. CopyObject=30,ListObjectsV2=60,default=20), each ms from 0 to ${MAX_LATENCY_MS}`;
  const byOperation: Record<string, number> = {};
  let defaultMs = AWS_LATENCY_MODEL.defaultMs;
  const parts = spec.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) return { problem: `--latency ${JSON.stringify(spec)}: an empty entry; ${expected}` };
  const seen = new Set<string>();
  for (const part of parts) {
    const m = /^([A-Za-z][A-Za-z0-9]*)=(\d+(?:\.\d+)?)$/.exec(part);
    if (m === null) return { problem: `--latency ${JSON.stringify(spec)}: ${JSON.stringify(part)} is not Operation=ms; ${expected}` };
    const op = m[1]!;
    const ms = Number(m[2]);
    if (ms > MAX_LATENCY_MS) return { problem: `--latency ${JSON.stringify(spec)}: ${part} is above ${MAX_LATENCY_MS} ms; ${expected}` };
    if (seen.has(op)) return { problem: `--latency ${JSON.stringify(spec)}: ${op} is given twice` };
    seen.add(op);
    if (op === 'default') defaultMs = ms;
    else byOperation[op] = ms;
  }
  return { model: Object.freeze({ name: spec, byOperation: Object.freeze(byOperation), defaultMs, jitter: LATENCY_JITTER }) };
}

/** The model's central figure for one operation, in milliseconds. */
export function latencyOf(model: LatencyModel, operation: string): number {
  return Object.hasOwn(model.byOperation, operation) ? model.byOperation[operation]! : model.defaultMs;
}

/** Draws the delay of each request: the operation's figure times a factor in [1 - jitter, 1 + jitter). */
export function latencySampler(model: LatencyModel, seed: number): (operation: string) => number {
  const random = mulberry32(seed);
  return (operation) => latencyOf(model, operation) * (1 + model.jitter * (2 * random() - 1));
}

/** What bounds a tool's rate in a Lambda envelope, from one run's figures (objects per second). */
export interface Envelope {
  /** quota ÷ the tool's CPU per copy. */
  readonly cpuBound: number;
  /** copies in flight ÷ the model's latency per object (every request the tool sends, counted). */
  readonly latencyBound: number;
  /** The smaller of the two. */
  readonly limit: number;
  /** What sets the limit. */
  readonly boundBy: 'cpu' | 'latency';
  /** The model's latency per object in milliseconds, as used for latencyBound. */
  readonly latencyPerObjectMs: number;
}

/** What {@link envelopeOf} needs of a run. */
export interface EnvelopeInput {
  /** CPUs the tool had (the cgroup quota). */
  readonly cpuQuota: number;
  /** The tool's CPU per object copied, in milliseconds (start-up and listings included). */
  readonly cpuPerCopyMs: number;
  /** The tool's requests of the run, by operation. */
  readonly requests: Readonly<Record<string, number>>;
  /** Objects the run copied. */
  readonly objects: number;
  /** The tool's copies in flight. */
  readonly copiesInFlight: number;
  readonly model: LatencyModel;
}

/**
 * The model's limit for one tool: `min(quota / CPU per copy, in flight / latency per object)`.
 * The latency per object is every request of the run at the model's central figure, divided by
 * the objects copied: rclone's HeadObject before each copy adds its latency to the copy's, and the
 * few listing pages and the AssumeRole of a day add their share (well under a millisecond per
 * object for a day of thousands). Undefined when the run copied nothing.
 */
export function envelopeOf(input: EnvelopeInput): Envelope | undefined {
  if (!(input.objects > 0) || !(input.cpuPerCopyMs > 0) || !(input.copiesInFlight > 0)) return undefined;
  let totalMs = 0;
  for (const [op, count] of Object.entries(input.requests)) totalMs += latencyOf(input.model, op) * count;
  const latencyPerObjectMs = totalMs / input.objects;
  const cpuBound = (input.cpuQuota * 1000) / input.cpuPerCopyMs;
  const latencyBound = latencyPerObjectMs > 0 ? (input.copiesInFlight * 1000) / latencyPerObjectMs : Number.POSITIVE_INFINITY;
  const limit = Math.min(cpuBound, latencyBound);
  return { cpuBound, latencyBound, limit, boundBy: cpuBound <= latencyBound ? 'cpu' : 'latency', latencyPerObjectMs };
}

/** `CopyObject 30 · ListObjectsV2 60 · … · other 20 ms, ±30 %`. */
export function describeLatencyModel(model: LatencyModel): string {
  const ops = Object.entries(model.byOperation).map(([op, ms]) => `${op} ${ms}`);
  return `${[...ops, `other ${model.defaultMs}`].join(' · ')} ms, ±${Math.round(model.jitter * 100)} % uniform jitter`;
}
