/**
 * A validator of CloudWatch's embedded metric format (EMF), written from AWS's specification:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 * No emulator extracts EMF metrics, so the tests check each line against the specification's rules:
 * - the log event is one JSON object, at most 1 MB;
 * - the root has `_aws`, an object with `Timestamp` (a number of milliseconds since the epoch) and
 *   `CloudWatchMetrics`, an array of MetricDirective objects;
 * - a MetricDirective has `Namespace` (1–1,024 characters, not only whitespace), `Dimensions` (an
 *   array of DimensionSets, each an array of at most 30 dimension keys) and `Metrics` (an array of
 *   at most 100 MetricDefinitions), and no other member;
 * - a MetricDefinition has `Name` (1–1,024 characters), optionally `Unit` (one of CloudWatch's
 *   units) and `StorageResolution` (1 or 60), and no other member;
 * - every referenced dimension is a root member whose value is a string (1–1,024 characters);
 *   every referenced metric is a root member whose value is a number or an array of at most 100
 *   numbers.
 */

/** The units CloudWatch accepts (MetricDatum's Unit). */
export const EMF_UNITS = [
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes',
  'Bits', 'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second',
  'Kilobytes/Second', 'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second',
  'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None',
] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** What the specification finds wrong with a log line (empty: a valid EMF document). */
export function emfProblems(line: string): string[] {
  const problems: string[] = [];
  if (Buffer.byteLength(line) > 1024 * 1024) problems.push(`the event is ${Buffer.byteLength(line)} bytes: at most 1 MB`);
  let root: unknown;
  try {
    root = JSON.parse(line);
  } catch {
    return ['not JSON'];
  }
  if (!isObject(root)) return ['the root is not a JSON object'];
  const aws = root._aws;
  if (!isObject(aws)) return ['no "_aws" object'];
  if (!isNumber(aws.Timestamp) || !Number.isInteger(aws.Timestamp) || aws.Timestamp < 0) problems.push('"_aws.Timestamp" is not a whole number of milliseconds since the epoch');
  const directives = aws.CloudWatchMetrics;
  if (!Array.isArray(directives)) return [...problems, '"_aws.CloudWatchMetrics" is not an array'];
  for (const [i, d] of directives.entries()) {
    const at = `CloudWatchMetrics[${i}]`;
    if (!isObject(d)) {
      problems.push(`${at} is not an object`);
      continue;
    }
    const extra = Object.keys(d).filter((k) => !['Namespace', 'Dimensions', 'Metrics'].includes(k));
    if (extra.length > 0) problems.push(`${at} has members the specification does not define: ${extra.join(', ')}`);
    if (typeof d.Namespace !== 'string' || d.Namespace.length < 1 || d.Namespace.length > 1024 || d.Namespace.trim() === '') problems.push(`${at}.Namespace is not 1-1024 characters`);
    if (!Array.isArray(d.Dimensions)) problems.push(`${at}.Dimensions is not an array`);
    else {
      for (const [j, set] of (d.Dimensions as unknown[]).entries()) {
        if (!Array.isArray(set) || set.some((k) => typeof k !== 'string')) {
          problems.push(`${at}.Dimensions[${j}] is not an array of dimension keys`);
          continue;
        }
        if (set.length > 30) problems.push(`${at}.Dimensions[${j}] has ${set.length} keys: at most 30`);
        for (const key of set as string[]) {
          const v = root[key];
          if (typeof v !== 'string' || v.length < 1 || v.length > 1024) problems.push(`dimension "${key}" is not a root member with a string value of 1-1024 characters`);
        }
      }
    }
    if (!Array.isArray(d.Metrics)) problems.push(`${at}.Metrics is not an array`);
    else {
      if (d.Metrics.length > 100) problems.push(`${at}.Metrics has ${d.Metrics.length} definitions: at most 100`);
      for (const [j, m] of (d.Metrics as unknown[]).entries()) {
        if (!isObject(m)) {
          problems.push(`${at}.Metrics[${j}] is not an object`);
          continue;
        }
        const extraM = Object.keys(m).filter((k) => !['Name', 'Unit', 'StorageResolution'].includes(k));
        if (extraM.length > 0) problems.push(`${at}.Metrics[${j}] has members the specification does not define: ${extraM.join(', ')}`);
        if (typeof m.Name !== 'string' || m.Name.length < 1 || m.Name.length > 1024) {
          problems.push(`${at}.Metrics[${j}].Name is not 1-1024 characters`);
          continue;
        }
        if (m.Unit !== undefined && !(EMF_UNITS as readonly unknown[]).includes(m.Unit)) problems.push(`${at}.Metrics[${j}].Unit ${JSON.stringify(m.Unit)} is not a CloudWatch unit`);
        if (m.StorageResolution !== undefined && m.StorageResolution !== 1 && m.StorageResolution !== 60) problems.push(`${at}.Metrics[${j}].StorageResolution is not 1 or 60`);
        const v = root[m.Name];
        const ok = isNumber(v) || (Array.isArray(v) && v.length <= 100 && v.every(isNumber));
        if (!ok) problems.push(`metric "${m.Name}" has no numeric value at the root (got ${JSON.stringify(v)})`);
      }
    }
  }
  return problems;
}

/** The metric values of an EMF line, by name (numbers only; arrays summed). */
export function emfValues(line: string): Record<string, number> {
  const root = JSON.parse(line) as { _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } } & Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const d of root._aws.CloudWatchMetrics) {
    for (const m of d.Metrics) {
      const v = root[m.Name];
      out[m.Name] = Array.isArray(v) ? (v as number[]).reduce((a, b) => a + b, 0) : (v as number);
    }
  }
  return out;
}

/** True for a line that is an EMF document (has `_aws.CloudWatchMetrics`). */
export function isEmfLine(line: string): boolean {
  try {
    const root = JSON.parse(line) as unknown;
    return isObject(root) && isObject(root._aws) && Array.isArray(root._aws.CloudWatchMetrics);
  } catch {
    return false;
  }
}
