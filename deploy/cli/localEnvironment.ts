/**
 * The one reader of the environment of a handler run in this process (`invoke --local`,
 * `check --local`, `status --local`): the region, and the handler's settings under either of
 * their names.
 *
 * - The handler's own variables (SOURCE_BUCKET, DESTINATION_BUCKET, …), as the stack sets them.
 * - Or the deploy variables (S3_ROOT_BUCKET, S3_REPLICATE_BUCKET_NAME, …): when one of them is
 *   set, the whole deploy environment is read as `npm run deploy` reads it, and the handler's is
 *   built from it as the stack builds the function's (the parameters deploy sends, resolved
 *   through the template's function environment), so a local run sees what the deployed function
 *   sees. A handler variable set as well must agree with the value built: when two names of one
 *   setting disagree, neither wins; the run is refused (exit 2) naming both. A tunable no deploy
 *   variable sets (COPY_CONCURRENCY, …) is the shell's, else the template's default.
 *
 * The region is `AWS_REGION`, else `AWS_DEFAULT_REGION`; the SDK reads only AWS_REGION, so the
 * caller sets it from the result ({@link applyLocalEnvironment}). Pure but for that one function.
 */
import { parseHandlerConfig, type HandlerConfig } from '../../handler/config.ts';
import { ConfigError } from '../../rules/errors.ts';
import { functionEnvironment, handlerSettings, type HandlerSetting } from '../cloudformation/functionEnvironment.ts';
import { stackParameters } from '../cloudformation/stackParameters.ts';
import { loadTemplate, type CfnTemplate } from '../cloudformation/template.ts';
import { parseDeployConfig } from '../config/config.ts';
import { readRegion } from '../config/region.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** The handler config and the region of a local run. */
export interface LocalEnvironment {
  readonly config: HandlerConfig;
  /** `AWS_REGION`, else `AWS_DEFAULT_REGION`. */
  readonly region: string;
  /** The deploy variables the handler's environment was built from; empty when it was the handler's own. */
  readonly fromDeployVariables: readonly string[];
}

/** Values never printed: the external id is a shared secret of sorts. */
const SECRET = new Set(['EXTERNAL_ID', 'S3_REPLICATE_EXTERNAL_ID']);

const isSet = (env: Env, name: string): boolean => (env[name]?.trim() ?? '') !== '';
const shown = (name: string, value: string | undefined): string => (value === undefined ? 'not set' : SECRET.has(name) ? 'set' : JSON.stringify(value));

/**
 * The deploy variables of the mapping that are set. `AWS_ACCOUNT` alone does not count: the demo,
 * the tests and many shells set it for other tools.
 */
function deployVariablesSet(env: Env, settings: readonly HandlerSetting[]): string[] {
  return [...new Set(settings.map((s) => s.deploy).filter((d): d is string => d !== undefined && d !== 'AWS_ACCOUNT' && isSet(env, d)))];
}

/**
 * The handler's environment built from the deploy variables, and every problem: the deploy
 * environment's own, and each handler variable that disagrees with its deploy variable.
 */
function fromDeployEnvironment(env: Env, template: CfnTemplate, settings: readonly HandlerSetting[], problems: string[]): { env: Record<string, string | undefined>; region: string | undefined } {
  let deploy;
  try {
    deploy = parseDeployConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
    return { env: { ...env }, region: undefined };
  }
  // The artifact is not the function's business: no variable of the handler comes from it.
  const built = functionEnvironment(template, stackParameters(deploy, { bucket: deploy.artifactBucket, key: '' }), deploy.account);
  const handlerEnv: Record<string, string | undefined> = { ...env };
  for (const { handler, deploy: variable } of settings) {
    const value = built[handler];
    if (variable === undefined) {
      // A tunable no deploy variable sets: the shell's value, else the template's default, as the stack gives it.
      if (!isSet(env, handler) && value !== undefined) handlerEnv[handler] = value;
      continue;
    }
    const own = isSet(env, handler) ? env[handler] : undefined;
    if (own !== undefined && own !== value) {
      problems.push(`${handler} is ${shown(handler, own)}, but ${variable} gives it ${shown(handler, value)} (as the stack would set it): unset ${handler}, or set both to the same value`);
    }
    handlerEnv[handler] = value;
  }
  return { env: handlerEnv, region: deploy.region };
}

/**
 * Reads the region and the handler config from `env`, under either name of each setting; every
 * problem in one {@link ConfigError} (exit 2), before any AWS call. `template` defaults to the
 * repository's.
 */
export function parseLocalEnvironment(env: Env, template: CfnTemplate = loadTemplate().template): LocalEnvironment {
  const problems: string[] = [];
  const settings = handlerSettings(template);
  const deployVariables = deployVariablesSet(env, settings);
  let handlerEnv: Record<string, string | undefined> = { ...env };
  let region: string | undefined;
  if (deployVariables.length > 0) {
    ({ env: handlerEnv, region } = fromDeployEnvironment(env, template, settings, problems));
  } else {
    region = readRegion(env, 'the source bucket', problems);
  }
  let config: HandlerConfig | undefined;
  // A deploy environment that could not be read builds nothing: its problems say what to fix.
  if (deployVariables.length === 0 || region !== undefined) {
    try {
      config = parseHandlerConfig(handlerEnv);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length > 0 || config === undefined || region === undefined) {
    const lead = deployVariables.length > 0
      ? `invalid environment (${deployVariables.join(', ')} set: the handler's environment is built from the deploy variables, as the stack builds it)`
      : 'invalid handler environment';
    throw new ConfigError(problems, lead);
  }
  return { config, region, fromDeployVariables: deployVariables };
}

/**
 * {@link parseLocalEnvironment}, then `AWS_REGION` set in `env` to the region read, for the SDK
 * (which reads AWS_REGION only). What the `--local` commands call, with `process.env`.
 */
export function applyLocalEnvironment(env: NodeJS.ProcessEnv): LocalEnvironment {
  const local = parseLocalEnvironment(env);
  env.AWS_REGION = local.region;
  return local;
}
