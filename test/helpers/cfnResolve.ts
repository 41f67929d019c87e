/**
 * A small evaluator of CloudFormation intrinsics for tests: resolves Ref, Fn::Sub (both forms),
 * Fn::Join, Fn::Select, Fn::GetAtt, Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or and the pseudo
 * parameters against given parameters and fake physical ids, so a test can read the properties a
 * stack would really get.
 */
import type { CfnTemplate } from '../../deploy/cloudformation/template.ts';

const NO_VALUE = Symbol('NoValue');

export interface ResolveContext {
  readonly template: CfnTemplate;
  readonly parameters: Record<string, string>;
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  /** `Logical.Attr` or `Logical` (for Ref) → value. */
  readonly physical: Record<string, string>;
  /** AWS::Partition. Default `aws`. */
  readonly partition?: string;
}

/** The DNS suffix of a partition's endpoints (AWS::URLSuffix). */
export function urlSuffix(partition: string): string {
  return partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

function pseudo(name: string, ctx: ResolveContext): string | typeof NO_VALUE {
  switch (name) {
    case 'AWS::AccountId': return ctx.account;
    case 'AWS::Region': return ctx.region;
    case 'AWS::Partition': return ctx.partition ?? 'aws';
    case 'AWS::URLSuffix': return urlSuffix(ctx.partition ?? 'aws');
    case 'AWS::StackName': return ctx.stackName;
    case 'AWS::NoValue': return NO_VALUE;
    default: break;
  }
  if (name in ctx.parameters) return ctx.parameters[name]!;
  const param = ctx.template.Parameters[name];
  if (param) {
    if (param.Default === undefined) throw new Error(`parameter ${name} has no value and no default`);
    return String(param.Default);
  }
  const ref = ctx.physical[name];
  if (ref === undefined) throw new Error(`no physical id for Ref ${name}`);
  return ref;
}

/** The value of a named condition of the template. */
export function condition(name: string, ctx: ResolveContext): boolean {
  const expr = ctx.template.Conditions?.[name];
  if (expr === undefined) throw new Error(`unknown condition ${name}`);
  return resolve(expr, ctx) as boolean;
}

/** Resolves every intrinsic in `value`; keys whose value is AWS::NoValue are dropped. */
export function resolve(value: unknown, ctx: ResolveContext): unknown {
  const out = inner(value, ctx);
  return out === NO_VALUE ? undefined : out;
}

function inner(value: unknown, ctx: ResolveContext): unknown {
  if (Array.isArray(value)) return value.map((v) => inner(v, ctx)).filter((v) => v !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const entries: [string, unknown][] = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0]!;
    switch (key) {
      case 'Ref': return pseudo(arg as string, ctx);
      case 'Fn::GetAtt': {
        const [logical, attr] = arg as [string, string];
        const v = ctx.physical[`${logical}.${attr}`];
        if (v === undefined) throw new Error(`no value for GetAtt ${logical}.${attr}`);
        return v;
      }
      case 'Fn::Sub': {
        // The string form, or [string, {variable: value}] whose values are resolved first.
        const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
        const values = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, inner(v, ctx)]));
        return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
          const v = name in values ? values[name] : name.includes('.') && !name.startsWith('AWS::') ? ctx.physical[name] : pseudo(name, ctx);
          if (typeof v !== 'string' && typeof v !== 'number') throw new Error(`no text value for \${${name}}`);
          return String(v);
        });
      }
      case 'Fn::Join': {
        const [sep, list] = arg as [string, unknown];
        return (inner(list, ctx) as unknown[]).map(String).join(sep);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        const items = inner(list, ctx) as unknown[];
        const v = items[Number(inner(index, ctx))];
        if (v === undefined) throw new Error(`Fn::Select index ${String(index)} is out of range`);
        return v;
      }
      case 'Fn::If': {
        const [cond, yes, no] = arg as [string, unknown, unknown];
        return inner(condition(cond, ctx) ? yes : no, ctx);
      }
      case 'Fn::Equals': {
        const [a, b] = (arg as unknown[]).map((v) => inner(v, ctx));
        return a === b;
      }
      case 'Fn::Not': return !(inner((arg as unknown[])[0], ctx) as boolean);
      case 'Fn::And': return (arg as unknown[]).every((v) => inner(v, ctx) === true);
      case 'Fn::Or': return (arg as unknown[]).some((v) => inner(v, ctx) === true);
      case 'Condition': return condition(arg as string, ctx);
      default: break;
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    const r = inner(v, ctx);
    if (r !== NO_VALUE) out[k] = r;
  }
  return out;
}
