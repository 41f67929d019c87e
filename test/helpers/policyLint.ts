/**
 * A least-privilege lint for the IAM documents s3-push ships (the template's policies and the
 * rendered documents): it returns every problem found, so a test can show them all at once.
 *
 * Rules:
 * - every action exists (checked against the IAM data of `@cloud-copilot/iam-simulate`) and names
 *   one action: no `*`, no `s3:*`, no `s3:Get*`, no NotAction;
 * - Resource `*` only for actions AWS authorizes on `*` alone (wildcard-only actions, e.g.
 *   `logs:DescribeLogGroups`); otherwise an ARN whose service, region, account and bucket / name
 *   are fixed — a wildcard may only follow the fixed part (objects under a bucket or prefix, streams
 *   of a log group); no NotResource;
 * - principals exact: a role ARN, or a service principal; never `*`, an account root, or NotPrincipal;
 * - a Deny is reported too: the documents s3-push ships grant; they deny nothing.
 */
import { isWildcardOnlyAction } from '@cloud-copilot/iam-simulate';
import { asList, statementsOf, type PolicyDocument } from './iamSimulator.ts';

/** Which kind of document: identity policies have no Principal, resource and trust policies must. */
export type PolicyKind = 'identity' | 'resource' | 'trust';

export interface LintOptions {
  /** Actions allowed on Resource `*` even if the IAM data does not mark them wildcard-only. Default none. */
  readonly starResourceActions?: readonly string[];
}

const ROLE_PRINCIPAL = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const SERVICE_PRINCIPAL = /^[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** Every least-privilege problem of `doc`, each prefixed with `name` and the statement. Empty when clean. */
export async function lintPolicy(name: string, doc: PolicyDocument, kind: PolicyKind, options: LintOptions = {}): Promise<string[]> {
  const problems: string[] = [];
  if (doc.Version !== '2012-10-17') problems.push(`${name}: Version is ${JSON.stringify(doc.Version)}, expected "2012-10-17"`);
  const statements = statementsOf(doc);
  if (statements.length === 0) problems.push(`${name}: no statement`);
  for (const [i, st] of statements.entries()) {
    const where = `${name} statement ${st.Sid ?? i}`;
    if (st.Effect !== 'Allow') problems.push(`${where}: Effect ${JSON.stringify(st.Effect)} — these documents only grant`);
    if (st.NotAction !== undefined) problems.push(`${where}: NotAction grants everything else`);
    if (st.NotResource !== undefined) problems.push(`${where}: NotResource grants everything else`);
    if (st.NotPrincipal !== undefined) problems.push(`${where}: NotPrincipal`);

    const actions = asList(st.Action);
    if (actions.length === 0) problems.push(`${where}: no Action`);
    const wildcardOnly: boolean[] = [];
    for (const action of actions) {
      if (action.includes('*') || action.includes('?')) {
        problems.push(`${where}: action ${JSON.stringify(action)} is a wildcard`);
        wildcardOnly.push(false);
        continue;
      }
      const [service, op] = action.split(':');
      try {
        wildcardOnly.push(await isWildcardOnlyAction(service ?? '', op ?? ''));
      } catch {
        problems.push(`${where}: action ${JSON.stringify(action)} does not exist`);
        wildcardOnly.push(false);
      }
    }

    if (kind === 'trust') {
      if (st.Resource !== undefined) problems.push(`${where}: a trust policy has no Resource`);
    } else {
      const resources = asList(st.Resource);
      if (resources.length === 0) problems.push(`${where}: no Resource`);
      for (const resource of resources) {
        if (resource === '*') {
          const allowed = actions.every((a, j) => wildcardOnly[j] || (options.starResourceActions ?? []).includes(a));
          if (!allowed) problems.push(`${where}: Resource "*" for ${actions.filter((_, j) => !wildcardOnly[j]).join(', ')}, which accept a narrower resource`);
        } else {
          const problem = arnProblem(resource);
          if (problem) problems.push(`${where}: resource ${JSON.stringify(resource)} ${problem}`);
        }
      }
    }

    if (kind === 'identity') {
      if (st.Principal !== undefined) problems.push(`${where}: an identity policy has no Principal`);
    } else {
      for (const principal of principalsOf(st.Principal)) {
        const problem = principalProblem(principal);
        if (problem) problems.push(`${where}: principal ${JSON.stringify(principal)} ${problem}`);
      }
      if (principalsOf(st.Principal).length === 0) problems.push(`${where}: no Principal`);
    }
  }
  return problems;
}

/** The principals of a statement as `AWS:…` / `Service:…` strings, `*` as `*`. */
export function principalsOf(principal: unknown): string[] {
  if (principal === undefined) return [];
  if (principal === '*') return ['*'];
  if (typeof principal === 'string') return [principal];
  if (typeof principal !== 'object' || principal === null) return [JSON.stringify(principal)];
  return Object.entries(principal as Record<string, unknown>).flatMap(([type, v]) => asList(v as string | string[]).map((p) => `${type}:${p}`));
}

function principalProblem(principal: string): string | undefined {
  if (principal === '*' || principal.endsWith(':*')) return 'is everyone';
  const [type, ...rest] = principal.split(':');
  const value = rest.join(':');
  if (type === 'AWS') {
    if (/^\d{12}$/.test(value) || /:root$/.test(value)) return 'is a whole account, not the one role';
    if (!ROLE_PRINCIPAL.test(value)) return 'is not an exact role ARN';
    if (value.includes('*')) return 'has a wildcard';
    return undefined;
  }
  if (type === 'Service') return SERVICE_PRINCIPAL.test(value) ? undefined : 'is not a service principal';
  return `has type ${type}: only AWS (a role) and Service are expected`;
}

/**
 * Why an ARN is broader than one resource (or a prefix of them), or undefined. The fixed part —
 * partition, service, region, account, bucket / resource name — must hold no wildcard.
 */
export function arnProblem(arn: string): string | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return 'is not an ARN';
  const [, partition, service, region, account] = parts;
  const resource = parts.slice(5).join(':');
  for (const [label, value] of [['partition', partition], ['service', service], ['region', region], ['account', account]] as const) {
    if (value?.includes('*') || value?.includes('?')) return `has a wildcard in its ${label}`;
  }
  if (service === 's3') {
    const slash = resource.indexOf('/');
    const bucket = slash >= 0 ? resource.slice(0, slash) : resource;
    if (!bucket || /[*?]/.test(bucket)) return 'has a wildcard in its bucket name';
    return undefined;
  }
  // Other services: a wildcard may only close the resource after a full name and a colon
  // (log-group:NAME:* — the streams of one log group); never in or after a name (role/*, fn-*).
  const firstWildcard = resource.search(/[*?]/);
  if (firstWildcard < 0) return undefined;
  if (firstWildcard === 0) return 'has only a wildcard as resource name';
  if (firstWildcard < resource.length - 1) return 'has a wildcard inside its resource name';
  if (!resource.endsWith(':*')) return 'ends in a partial-name wildcard';
  return undefined;
}
