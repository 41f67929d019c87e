/**
 * The environment of a handler run in this process (`npm run invoke -- --local`,
 * `npm run check -- --local`): the handler's own variables, plus the region, which Lambda sets for
 * the deployed function but an operator's shell may give as AWS_DEFAULT_REGION only (the variable
 * deploy reads too, and the AWS CLI's). The SDK reads AWS_REGION alone, so the caller sets it from
 * the result. Pure.
 */
import { parseHandlerConfig, type HandlerConfig } from '../../handler/config.ts';
import { ConfigError } from '../../rules/errors.ts';

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The handler config and the region of a local run. */
export interface LocalEnvironment {
  readonly config: HandlerConfig;
  /** `AWS_REGION`, else `AWS_DEFAULT_REGION`. */
  readonly region: string;
}

/**
 * Reads the handler environment and the region from `env`; every problem of both in one
 * {@link ConfigError} (exit 2), before any AWS call.
 */
export function parseLocalEnvironment(env: Readonly<Record<string, string | undefined>>): LocalEnvironment {
  const problems: string[] = [];
  const get = (name: string): string | undefined => env[name]?.trim() || undefined;
  const awsRegion = get('AWS_REGION');
  const defaultRegion = get('AWS_DEFAULT_REGION');
  const region = awsRegion ?? defaultRegion;
  if (region === undefined) problems.push('AWS_REGION (or AWS_DEFAULT_REGION) is not set: expected the region of the source bucket, e.g. us-east-1');
  else if (!REGION.test(region)) problems.push(`${awsRegion ? 'AWS_REGION' : 'AWS_DEFAULT_REGION'} is ${JSON.stringify(region)}: expected a region like us-east-1`);
  else if (awsRegion && defaultRegion && awsRegion !== defaultRegion) {
    problems.push(`AWS_REGION is ${JSON.stringify(awsRegion)} but AWS_DEFAULT_REGION is ${JSON.stringify(defaultRegion)}: set one, or both to the same region`);
  }
  let config: HandlerConfig | undefined;
  try {
    config = parseHandlerConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  if (problems.length > 0 || config === undefined) throw new ConfigError(problems, 'invalid handler environment');
  return { config, region: region! };
}
