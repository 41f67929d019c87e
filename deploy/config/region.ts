/**
 * The region from the operator's environment, read one way by every command: `AWS_REGION`, else
 * `AWS_DEFAULT_REGION` (the AWS CLI's, which an operator's shell often has alone; the SDK reads
 * only `AWS_REGION`). Both set and different is refused: the SDK would use one, the AWS CLI the
 * other. Pure.
 */
import { regionProblem } from '../../rules/awsNames.ts';

/**
 * The region, or undefined after adding to `problems` one line naming the variable at fault.
 * `what` says what the region is of, for the message (e.g. `the stack`).
 */
export function readRegion(env: Readonly<Record<string, string | undefined>>, what: string, problems: string[]): string | undefined {
  const get = (name: string): string | undefined => env[name]?.trim() || undefined;
  const awsRegion = get('AWS_REGION');
  const defaultRegion = get('AWS_DEFAULT_REGION');
  const region = awsRegion ?? defaultRegion;
  const fault = region === undefined ? undefined : regionProblem(region);
  if (region === undefined) problems.push(`AWS_DEFAULT_REGION (or AWS_REGION) is not set: expected the region of ${what}, e.g. us-east-1`);
  else if (fault) problems.push(`${awsRegion ? 'AWS_REGION' : 'AWS_DEFAULT_REGION'} is ${JSON.stringify(region)}: ${fault}`);
  else if (awsRegion && defaultRegion && awsRegion !== defaultRegion) {
    problems.push(`AWS_REGION is ${JSON.stringify(awsRegion)} but AWS_DEFAULT_REGION is ${JSON.stringify(defaultRegion)}: set one, or both to the same region`);
  } else return region;
  return undefined;
}
