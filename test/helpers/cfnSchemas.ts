/**
 * CloudFormation resource provider schemas, as cfn-lint ships them, and a validator of resolved
 * resource properties against them (the keywords CloudFormation's handlers enforce on a value:
 * maxLength, minLength, pattern, enum, minimum, maximum, minItems, maxItems, required and unknown
 * properties).
 *
 * The schemas are read at test time from the installed cfn-lint, found through Python (the same
 * cfn-lint `npm run cfn-lint` runs), never copied into the repository. AWS publishes the same
 * schemas: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-type-schemas.html
 */
import { spawnSync } from 'node:child_process';

/** A JSON schema node, loosely typed. */
export type SchemaNode = Record<string, unknown>;

/** What {@link loadProviderSchemas} returns. */
export interface ProviderSchemas {
  /** cfn-lint's version. */
  readonly version: string;
  /** Per partition, the longest region name cfn-lint knows (longer regions make longer ARNs). */
  readonly longestRegion: Readonly<Record<'aws' | 'aws-cn' | 'aws-us-gov', string>>;
  /** region → resource type → schema. */
  readonly schemas: Readonly<Record<string, Readonly<Record<string, SchemaNode>>>>;
}

const SCRIPT = String.raw`
import json, pkgutil, sys
import cfnlint
import cfnlint.data.schemas.providers as providers
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as manager
types = json.loads(sys.argv[1])
extra = json.loads(sys.argv[2])
regions = [n.replace('_', '-') for _, n, _ in pkgutil.iter_modules(providers.__path__)]
def partition(r):
    return 'aws-cn' if r.startswith('cn-') else 'aws-us-gov' if r.startswith('us-gov-') else 'aws' if '-iso' not in r and not r.startswith('eusc-') else None
longest = {}
for r in sorted(regions):
    p = partition(r)
    if p and len(r) > len(longest.get(p, '')):
        longest[p] = r
wanted = sorted(set(list(longest.values()) + extra))
out = {'version': getattr(cfnlint, '__version__', None) or __import__('cfnlint.version').version.__version__,
       'longestRegion': longest,
       'schemas': {r: {t: manager.get_resource_schema(r, t).schema for t in types} for r in wanted}}
print(json.dumps(out))
`;

/**
 * The schemas of `types` in the longest region of each partition (and `regions`), read from the
 * installed cfn-lint through `python3` (`CFN_LINT_PYTHON` overrides it). Throws, saying how to
 * install cfn-lint, when it is missing.
 */
export function loadProviderSchemas(types: readonly string[], regions: readonly string[] = []): ProviderSchemas {
  const python = process.env.CFN_LINT_PYTHON ?? 'python3';
  const r = spawnSync(python, ['-c', SCRIPT, JSON.stringify(types), JSON.stringify(regions)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error || r.status !== 0) {
    throw new Error(`could not read the CloudFormation resource schemas from cfn-lint with ${python} (pip install cfn-lint): ${r.error?.message ?? r.stderr}`);
  }
  return JSON.parse(r.stdout) as ProviderSchemas;
}

/** One property value checked against one schema node. */
export interface SchemaCheck {
  readonly path: string;
  /** The keywords applied to the value, e.g. ["maxLength", "pattern"]. */
  readonly keywords: readonly string[];
}

/** The outcome of {@link validateProperties}. */
export interface SchemaReport {
  readonly errors: string[];
  /** Every resolved value that met at least one constraint keyword. */
  readonly checked: SchemaCheck[];
}

const VALUE_KEYWORDS = ['maxLength', 'minLength', 'pattern', 'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'] as const;

/**
 * A schema pattern as a JavaScript RegExp. The schemas are written for Python's `re` (cfn-lint
 * checks them there): `\Z` is JavaScript's `$`. Patterns match anywhere unless anchored (JSON
 * Schema's `pattern` semantics).
 */
export function schemaPattern(pattern: string): RegExp {
  const js = pattern.replace(/\\Z/g, '$');
  try {
    return new RegExp(js, 'u');
  } catch {
    return new RegExp(js);
  }
}

function deref(node: SchemaNode, root: SchemaNode): SchemaNode {
  let n = node;
  for (let i = 0; typeof n.$ref === 'string' && i < 32; i++) {
    const ref = n.$ref;
    if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
    let target: unknown = root;
    for (const part of ref.slice(2).split('/')) target = (target as Record<string, unknown>)[part];
    if (target === undefined) throw new Error(`unresolved $ref ${ref}`);
    n = { ...(target as SchemaNode), ...Object.fromEntries(Object.entries(n).filter(([k]) => k !== '$ref')) };
  }
  return n;
}

function typesOf(node: SchemaNode): string[] {
  const t = node.type;
  return t === undefined ? [] : Array.isArray(t) ? (t as string[]) : [t as string];
}

/** CloudFormation passes every Ref of a Number parameter as a string; a schema integer accepts it. */
function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

function validate(value: unknown, node: SchemaNode, root: SchemaNode, path: string, report: SchemaReport): void {
  const n = deref(node, root);
  for (const sub of (n.allOf as SchemaNode[] | undefined) ?? []) validate(value, sub, root, path, report);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = n[key] as SchemaNode[] | undefined;
    if (!branches) continue;
    const tries = branches.map((b) => {
      const r: SchemaReport = { errors: [], checked: [] };
      validate(value, b, root, path, r);
      return r;
    });
    const ok = tries.find((r) => r.errors.length === 0);
    if (ok) report.checked.push(...ok.checked);
    else report.errors.push(`${path}: matches no branch of ${key}: ${tries.map((r) => r.errors.join('; ')).join(' | ')}`);
  }

  const types = typesOf(n);
  if (Array.isArray(value)) {
    if (types.length > 0 && !types.includes('array')) report.errors.push(`${path}: is an array, the schema wants ${types.join('|')}`);
    const kw: string[] = [];
    if (typeof n.maxItems === 'number') {
      kw.push('maxItems');
      if (value.length > n.maxItems) report.errors.push(`${path}: ${value.length} items, at most ${n.maxItems}`);
    }
    if (typeof n.minItems === 'number') {
      kw.push('minItems');
      if (value.length < n.minItems) report.errors.push(`${path}: ${value.length} items, at least ${n.minItems}`);
    }
    if (kw.length > 0) report.checked.push({ path, keywords: kw });
    const items = n.items as SchemaNode | undefined;
    if (items) value.forEach((v, i) => validate(v, items, root, `${path}[${i}]`, report));
    return;
  }
  if (value !== null && typeof value === 'object') {
    if (types.length > 0 && !types.includes('object')) report.errors.push(`${path}: is an object, the schema wants ${types.join('|')}`);
    const obj = value as Record<string, unknown>;
    const props = (n.properties as Record<string, SchemaNode> | undefined) ?? {};
    const patterns = Object.entries((n.patternProperties as Record<string, SchemaNode> | undefined) ?? {}).map(([p, s]) => [schemaPattern(p), s] as const);
    for (const req of (n.required as string[] | undefined) ?? []) if (!(req in obj)) report.errors.push(`${path}: required property ${req} is missing`);
    for (const [k, v] of Object.entries(obj)) {
      const sub = props[k] ?? patterns.find(([re]) => re.test(k))?.[1];
      if (sub) validate(v, sub, root, `${path}.${k}`, report);
      else if (n.additionalProperties === false && (Object.keys(props).length > 0 || patterns.length > 0)) report.errors.push(`${path}: unknown property ${k}`);
    }
    return;
  }

  const kw: string[] = [];
  if (typeof value === 'string' && (types.includes('string') || types.length === 0)) {
    if (typeof n.maxLength === 'number') {
      kw.push('maxLength');
      if (value.length > n.maxLength) report.errors.push(`${path}: ${value.length} characters, at most ${n.maxLength} (${JSON.stringify(value.slice(0, 80))}…)`);
    }
    if (typeof n.minLength === 'number') {
      kw.push('minLength');
      if (value.length < n.minLength) report.errors.push(`${path}: ${value.length} characters, at least ${n.minLength}`);
    }
    if (typeof n.pattern === 'string') {
      kw.push('pattern');
      if (!schemaPattern(n.pattern).test(value)) report.errors.push(`${path}: ${JSON.stringify(value.slice(0, 120))} does not match ${n.pattern}`);
    }
  }
  const num = asNumber(value);
  if (num !== undefined && (types.includes('integer') || types.includes('number'))) {
    if (typeof n.minimum === 'number') {
      kw.push('minimum');
      if (num < n.minimum) report.errors.push(`${path}: ${num} is below the minimum ${n.minimum}`);
    }
    if (typeof n.maximum === 'number') {
      kw.push('maximum');
      if (num > n.maximum) report.errors.push(`${path}: ${num} is above the maximum ${n.maximum}`);
    }
    if (types.includes('integer') && !Number.isInteger(num)) report.errors.push(`${path}: ${num} is not an integer`);
  } else if (types.length > 0 && !types.includes(typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'boolean' : 'number')) {
    // A string where the schema wants a boolean, or a word where it wants a number.
    if (!(typeof value === 'string' && types.includes('boolean') && /^(true|false)$/.test(value))) {
      report.errors.push(`${path}: ${JSON.stringify(value)} is not a ${types.join('|')}`);
    }
  }
  if (Array.isArray(n.enum)) {
    kw.push('enum');
    if (!(n.enum as unknown[]).some((e) => e === value || String(e) === String(value))) report.errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(n.enum)}`);
  }
  if (n.const !== undefined) {
    kw.push('const');
    if (JSON.stringify(n.const) !== JSON.stringify(value) && JSON.stringify(n.const) !== JSON.stringify(String(value))) report.errors.push(`${path}: ${JSON.stringify(value)} is not ${JSON.stringify(n.const)}`);
  }
  if (kw.length > 0 && kw.some((k) => (VALUE_KEYWORDS as readonly string[]).includes(k))) report.checked.push({ path, keywords: kw });
}

/** Validates one resource's resolved properties against its type's schema. */
export function validateProperties(logicalId: string, properties: Record<string, unknown>, schema: SchemaNode): SchemaReport {
  const report: SchemaReport = { errors: [], checked: [] };
  validate(properties, schema, schema, logicalId, report);
  return report;
}
