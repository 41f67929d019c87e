/**
 * s3-push's performance goals, read from saved bench results of both profiles side by side: the
 * Lambda envelope (`--lambda`) and the CPU-bound profile (no flags). Pure.
 */
import { envelopeLead, type DatasetSummary, type ToolSummary } from './report.ts';
import { formatSpread, type Spread } from './stats.ts';

/** What a goal is read from: the datasets of one saved run. */
export interface ProfileResults {
  readonly datasets: readonly DatasetSummary[];
}

/** One goal, as measured in one profile. */
export interface GoalReading {
  /** s3-push ÷ the reference, or s3-push's limit ÷ the best peer's. */
  readonly value: Spread | undefined;
  /** Against which tool. */
  readonly against: string | undefined;
  readonly met: boolean | undefined;
}

export interface Goal {
  readonly goal: string;
  /** Lower is better (a time), or higher (a rate). */
  readonly target: { readonly op: '≤' | '≥'; readonly value: number };
  readonly lambda: GoalReading | undefined;
  readonly cpuBound: GoalReading | undefined;
}

const REFERENCE = 's3-push';

/** The peers of a dataset, s3-push and its curve variants left out. */
function peers(s: DatasetSummary): ToolSummary[] {
  return s.tools.filter((t) => t.tool !== REFERENCE && !t.tool.startsWith(`${REFERENCE}-`) && t.coldWall !== undefined);
}

/** s3-push's cold wall time ÷ the fastest peer's (paired by round). */
function againstBestPeer(s: DatasetSummary | undefined, pick: 'cold' | 'warm'): { value: Spread | undefined; against: string | undefined } {
  if (s === undefined) return { value: undefined, against: undefined };
  const wall = (t: ToolSummary): number => (pick === 'cold' ? t.coldWall : t.warmWall)?.median ?? Number.POSITIVE_INFINITY;
  const best = peers(s).sort((a, b) => wall(a) - wall(b))[0];
  return { value: best === undefined ? undefined : pick === 'cold' ? best.ratioColdWall : best.ratioWarmWall, against: best?.tool };
}

function againstTool(s: DatasetSummary | undefined, tool: string, pick: (t: ToolSummary) => Spread | undefined): { value: Spread | undefined; against: string | undefined } {
  const t = s?.tools.find((x) => x.tool === tool);
  return { value: t === undefined ? undefined : pick(t), against: t === undefined ? undefined : tool };
}

function reading(r: { value: Spread | undefined; against: string | undefined }, target: Goal['target']): GoalReading {
  const v = r.value?.median;
  return { ...r, met: v === undefined ? undefined : target.op === '≤' ? v <= target.value : v >= target.value };
}

/** The CPU per copy of s3-push ÷ that of `tool`, medians. */
function cpuPerCopyRatio(s: DatasetSummary | undefined, tool: string): { value: Spread | undefined; against: string | undefined } {
  const mine = s?.tools.find((t) => t.tool === REFERENCE)?.cpuPerCopyMs?.median;
  const theirs = s?.tools.find((t) => t.tool === tool)?.cpuPerCopyMs?.median;
  if (mine === undefined || theirs === undefined || theirs === 0) return { value: undefined, against: undefined };
  const ratio = mine / theirs;
  return { value: { median: ratio, min: ratio, max: ratio, n: 1 }, against: tool };
}

/** The envelope's limit of s3-push ÷ the best peer's. */
function limitRatio(s: DatasetSummary | undefined): { value: Spread | undefined; against: string | undefined } {
  const lead = s === undefined ? undefined : envelopeLead(s);
  if (lead?.ratio === undefined) return { value: undefined, against: undefined };
  return { value: { median: lead.ratio, min: lead.ratio, max: lead.ratio, n: 1 }, against: lead.best?.tool };
}

/** The goals of the Lambda envelope, each read in both profiles where it applies. */
export function readGoals(lambda: ProfileResults | undefined, cpuBound: ProfileResults | undefined): Goal[] {
  const small = (p: ProfileResults | undefined): DatasetSummary | undefined => p?.datasets.find((d) => d.dataset === 'small');
  const large = (p: ProfileResults | undefined): DatasetSummary | undefined => p?.datasets.find((d) => d.dataset === 'large');
  const both = (goal: string, target: Goal['target'], read: (p: ProfileResults | undefined) => { value: Spread | undefined; against: string | undefined }): Goal => ({
    goal,
    target,
    lambda: lambda === undefined ? undefined : reading(read(lambda), target),
    cpuBound: cpuBound === undefined ? undefined : reading(read(cpuBound), target),
  });
  return [
    both('cold small day: wall time ÷ the fastest peer\'s', { op: '≤', value: 0.9 }, (p) => againstBestPeer(small(p), 'cold')),
    both('cold large day: wall time ÷ the fastest peer\'s', { op: '≤', value: 1.0 }, (p) => againstBestPeer(large(p), 'cold')),
    both('warm rerun, small day: wall time ÷ rclone tuned\'s', { op: '≤', value: 1.0 }, (p) => againstTool(small(p), 'rclone-tuned', (t) => t.ratioWarmWall)),
    both('client CPU per copy, small day ÷ rclone tuned\'s', { op: '≤', value: 1.2 }, (p) => cpuPerCopyRatio(small(p), 'rclone-tuned')),
    {
      goal: 'modelled limit in the envelope, small day ÷ the best peer\'s',
      target: { op: '≥', value: 1.5 },
      lambda: lambda === undefined ? undefined : reading(limitRatio(small(lambda)), { op: '≥', value: 1.5 }),
      cpuBound: undefined,
    },
  ];
}

/** The goals as a Markdown table: each profile's reading, and whether it met the goal. */
export function renderGoals(goals: readonly Goal[], labels: Readonly<Record<string, string>> = {}): string {
  const cell = (r: GoalReading | undefined): string => {
    if (r === undefined) return 'not measured';
    if (r.value === undefined) return '—';
    const against = r.against === undefined ? '' : ` (${labels[r.against] ?? r.against})`;
    return `${formatSpread(r.value)}${against} ${r.met ? 'met' : 'not met'}`;
  };
  return [
    '| goal | target | Lambda envelope (`--lambda`) | CPU-bound (no flags) |',
    '| --- | --- | --- | --- |',
    ...goals.map((g) => `| ${g.goal} | ${g.target.op} ${g.target.value} | ${cell(g.lambda)} | ${g.cpuBound === undefined && g.goal.startsWith('modelled') ? 'n/a' : cell(g.cpuBound)} |`),
  ].join('\n');
}
