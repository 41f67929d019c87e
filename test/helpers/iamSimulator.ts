/**
 * A small wrapper over `@cloud-copilot/iam-simulate` for the security tests: evaluate one request
 * (principal, action, resource, context keys) against the identity policies of the principal and
 * the resource's policy (a bucket policy, or a role's trust policy for `sts:AssumeRole`).
 *
 * moto evaluates none of this (see docs/emulators.md): cross-account trust, bucket-policy grants
 * and `sts:ExternalId` are proven here. The simulator applies AWS's rules: within one account an
 * allow in the identity policy OR the resource policy is enough; across accounts both are needed;
 * an explicit deny anywhere wins.
 *
 * A policy the simulator finds invalid (unknown action, malformed ARN, wrong condition key…) throws,
 * so each evaluation also validates the documents it is given.
 */
import { runSimulation, type EvaluationResult } from '@cloud-copilot/iam-simulate';

/** An IAM policy document as JSON. */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement[] | PolicyStatement;
}

/** One statement, loosely typed: the tests walk documents they did not write. */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export interface SimRequest {
  /** ARN of the caller: a role, or its session `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`. */
  principal: string;
  /** e.g. `s3:GetObject`. */
  action: string;
  /** ARN of the resource. */
  resource: string;
  /** Account that owns the resource. Default: the account in the resource ARN (required for S3 ARNs). */
  resourceAccount?: string;
  /** Request context keys, e.g. `{ 'sts:ExternalId': 'x', 's3:prefix': '2024/01/01/' }`. */
  context?: Record<string, string | string[]>;
}

export interface SimPolicies {
  /** The principal's identity policies (the role's inline/managed policies). */
  identity: readonly PolicyDocument[];
  /** The resource's policy: bucket policy, or the role's trust policy for sts:AssumeRole. */
  resource?: PolicyDocument | undefined;
}

export interface SimOutcome {
  result: EvaluationResult;
  sameAccount: boolean;
  /** Result of the identity policies alone. */
  identity: string | undefined;
  /** Result of the resource policy alone. */
  resource: string | undefined;
}

/** The account id in an ARN (5th field), or undefined when it has none (S3). */
export function accountOf(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account ? account : undefined;
}

/** The session ARN STS gives to a principal that assumed `roleArn` (path dropped, as AWS does). */
export function sessionOf(roleArn: string, sessionName = 's3-push'): string {
  const [, partition, , , account, resource] = /^arn:([^:]+):([^:]+):([^:]*):(\d{12}):role\/(.+)$/.exec(roleArn) ?? [];
  if (!partition || !account || !resource) throw new Error(`not a role ARN: ${roleArn}`);
  const name = resource.split('/').pop()!;
  return `arn:${partition}:sts::${account}:assumed-role/${name}/${sessionName}`;
}

/** Evaluates one request; throws when the simulator rejects a document or the request as invalid. */
export async function simulate(request: SimRequest, policies: SimPolicies): Promise<SimOutcome> {
  const resourceAccount = request.resourceAccount ?? accountOf(request.resource);
  if (!resourceAccount) throw new Error(`the owner account of ${request.resource} must be given (resourceAccount)`);
  const response = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: resourceAccount },
        contextVariables: request.context ?? {},
      },
      identityPolicies: policies.identity.map((policy, i) => ({ name: `identity-${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policies.resource,
    },
    {},
  );
  if (response.resultType === 'error') {
    throw new Error(`iam-simulate rejected the simulation: ${response.errors.message} ${JSON.stringify(response.errors)}`);
  }
  const analysis = response.resultType === 'single' ? response.result.analysis : response.results[0]?.analysis;
  return {
    result: response.overallResult,
    sameAccount: analysis?.sameAccount ?? false,
    identity: analysis?.identityAnalysis?.result,
    resource: analysis?.resourceAnalysis?.result,
  };
}

/** Shorthand: the overall decision only. */
export async function decide(request: SimRequest, policies: SimPolicies): Promise<EvaluationResult> {
  return (await simulate(request, policies)).result;
}

/** The statements of a document as an array. */
export function statementsOf(doc: PolicyDocument): PolicyStatement[] {
  return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
}

/** A value or list of values as a list. */
export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
