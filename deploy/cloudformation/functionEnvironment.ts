/**
 * The function's environment as the stack sets it: the template's `Environment.Variables` of the
 * function, resolved against the parameters deploy sends. It is how a `--local` command given the
 * deploy environment builds the handler's (the same names and values the deployed function gets),
 * and the data of the table that maps the deploy variables to the handler's. Pure.
 */
import { parseHandlerConfig } from '../../handler/config.ts';
import { ConfigError } from '../../rules/errors.ts';
import type { CfnTemplate } from './template.ts';
import { STACK_PARAMETER_SOURCES } from './stackParameters.ts';

/** The template's logical id of the function. */
const FUNCTION = 'PushFunction';

/** The deploy variable behind `AWS::AccountId`: deploy checks the credentials belong to it. */
const ACCOUNT_VARIABLE = 'AWS_ACCOUNT';

/** One variable of the handler and where the stack takes it from. */
export interface HandlerSetting {
  /** The handler's variable, e.g. `SOURCE_BUCKET`. */
  readonly handler: string;
  /** The deploy variable it comes from, e.g. `S3_ROOT_BUCKET`; undefined when none does (a template default or a resource of the stack). */
  readonly deploy: string | undefined;
  /** Between the two: the template parameter, `AWS::AccountId`, or the stack's resource (`WorkQueue`). */
  readonly via: string;
}

/** What a template value may refer to while it is resolved. */
interface Context {
  readonly template: CfnTemplate;
  readonly parameters: Readonly<Record<string, string>>;
  readonly accountId: string;
}

function variablesOf(template: CfnTemplate): Record<string, unknown> {
  const env = (template.Resources[FUNCTION]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
  if (!env) throw new Error(`the template's ${FUNCTION} has no Environment.Variables`);
  return env;
}

/** The first `Ref` a value leads to (through `Fn::If`'s true branch): what the variable is read from. */
function refOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if ('Ref' in value && typeof value.Ref === 'string') return value.Ref;
  if ('Fn::If' in value && Array.isArray(value['Fn::If'])) return refOf(value['Fn::If'][1]);
  return undefined;
}

/** A value of the template; undefined for `AWS::NoValue` and for a resource, known only once deployed. */
function resolve(value: unknown, ctx: Context): string | undefined {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (typeof value === 'object' && value !== null) {
    if ('Ref' in value && typeof value.Ref === 'string') {
      const ref = value.Ref;
      if (ref === 'AWS::NoValue') return undefined;
      if (ref === 'AWS::AccountId') return ctx.accountId;
      const parameter = ctx.template.Parameters[ref];
      if (parameter) return ctx.parameters[ref] ?? (parameter.Default === undefined ? undefined : String(parameter.Default));
      if (ctx.template.Resources[ref]) return undefined;
    }
    if ('Fn::If' in value && Array.isArray(value['Fn::If'])) {
      const [condition, whenTrue, whenFalse] = value['Fn::If'] as [string, unknown, unknown];
      return resolve(isTrue(ctx.template.Conditions?.[condition], ctx) ? whenTrue : whenFalse, ctx);
    }
  }
  throw new Error(`the function environment uses ${JSON.stringify(value)}, which this reader does not resolve`);
}

function isTrue(condition: unknown, ctx: Context): boolean {
  if (typeof condition === 'object' && condition !== null) {
    if ('Fn::Equals' in condition && Array.isArray(condition['Fn::Equals'])) {
      const [a, b] = condition['Fn::Equals'] as [unknown, unknown];
      return resolve(a, ctx) === resolve(b, ctx);
    }
    if ('Fn::Not' in condition && Array.isArray(condition['Fn::Not'])) return !isTrue(condition['Fn::Not'][0], ctx);
    if ('Fn::And' in condition && Array.isArray(condition['Fn::And'])) return condition['Fn::And'].every((c) => isTrue(c, ctx));
    if ('Fn::Or' in condition && Array.isArray(condition['Fn::Or'])) return condition['Fn::Or'].some((c) => isTrue(c, ctx));
    if ('Condition' in condition && typeof condition.Condition === 'string') return isTrue(ctx.template.Conditions?.[condition.Condition], ctx);
  }
  throw new Error(`the template has a condition ${JSON.stringify(condition)} this reader does not evaluate`);
}

/**
 * The handler's variables as the stack sets them from `parameters` (what deploy sends; a parameter
 * not sent takes its template default) in account `accountId`. A variable the template leaves out
 * (`AWS::NoValue`) or takes from a resource of the stack (the work queue) is absent.
 */
export function functionEnvironment(template: CfnTemplate, parameters: Readonly<Record<string, string>>, accountId: string): Record<string, string> {
  const ctx: Context = { template, parameters, accountId };
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(variablesOf(template))) {
    const resolved = resolve(value, ctx);
    if (resolved !== undefined) env[name] = resolved;
  }
  return env;
}

/**
 * What the handler would refuse in the environment the stack gives it, in the handler's words, each
 * naming the template parameter behind the variable; none when it accepts it. CloudFormation checks
 * each parameter alone and cannot compare two, so a template default that breaks a rule between
 * variables (COPY_CONCURRENCY_START above COPY_CONCURRENCY) would deploy a function that refuses
 * every run. The stack's work queue, known only once deployed, is absent here, as the handler
 * accepts it.
 */
export function handlerEnvironmentProblems(template: CfnTemplate, parameters: Readonly<Record<string, string>>, accountId: string): string[] {
  try {
    parseHandlerConfig(functionEnvironment(template, parameters, accountId));
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const viaOf = new Map(handlerSettings(template).map((s) => [s.handler, s.via]));
    return err.problems.map((problem) => {
      const via = viaOf.get(problem.split(' ')[0]!);
      return via !== undefined && template.Parameters[via] ? `${problem} (template parameter ${via})` : problem;
    });
  }
}

/**
 * Every handler variable, with the deploy variable it comes from: the table of the two names of
 * each setting (docs/configuration.md shows it), read from the template and the parameters deploy
 * sends, so it cannot disagree with what the stack does.
 */
export function handlerSettings(template: CfnTemplate): HandlerSetting[] {
  const byParameter = new Map(STACK_PARAMETER_SOURCES.map((p) => [p.parameter, p.variable]));
  return Object.entries(variablesOf(template)).map(([handler, value]) => {
    const via = refOf(value) ?? '?';
    const deploy = via === 'AWS::AccountId' ? ACCOUNT_VARIABLE : byParameter.get(via);
    return { handler, deploy, via };
  });
}
