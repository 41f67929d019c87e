/**
 * Which deployed stack the operator commands (invoke, check, destroy) act on, and its function:
 * the stack name from `--stack`, else `S3_REPLICATE_STACK_NAME`, else deploy's default
 * `replicate-to-<S3_REPLICATE_BUCKET_NAME>`; the function from the stack's outputs. They need
 * only the region and the stack name, not deploy's whole environment.
 */
import { DescribeStackResourceCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { defaultStackName, STACK_NAME_PATTERN } from '../config/config.ts';
import { DeployError } from '../cli/errors.ts';
import { ConfigError, describeError } from '../../rules/errors.ts';
import { readRegion } from '../config/region.ts';
import { plainHttpEndpointProblems } from '../../rules/endpoint.ts';
import { findStackOutputs, outputsOf } from './stackApi.ts';
import type { Stack } from '@aws-sdk/client-cloudformation';

/** The stack a command acts on. */
export interface StackTarget {
  readonly region: string;
  readonly stackName: string;
}

/**
 * Reads the region and the stack name. Every fault in one {@link ConfigError} (exit 2), naming
 * the variable or flag; no AWS call. `stackFlag` is the value of `--stack`, if given.
 */
export function resolveStackTarget(env: Readonly<Record<string, string | undefined>>, stackFlag?: string): StackTarget {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const region = readRegion(env, 'the stack', problems);

  let stackName: string | undefined;
  let from = '';
  if (stackFlag !== undefined) {
    stackName = stackFlag;
    from = '--stack';
  } else if (get('S3_REPLICATE_STACK_NAME')) {
    stackName = get('S3_REPLICATE_STACK_NAME');
    from = 'S3_REPLICATE_STACK_NAME';
  } else if (get('S3_REPLICATE_BUCKET_NAME')) {
    stackName = defaultStackName(get('S3_REPLICATE_BUCKET_NAME')!);
    from = 'S3_REPLICATE_BUCKET_NAME (the stack name is replicate-to-<bucket>)';
  } else {
    problems.push('no stack named: pass --stack NAME, or set S3_REPLICATE_STACK_NAME, or S3_REPLICATE_BUCKET_NAME as for npm run deploy');
  }
  if (stackName !== undefined && !STACK_NAME_PATTERN.test(stackName)) {
    problems.push(`${from} gives the stack name ${JSON.stringify(stackName)}: expected 1-128 letters, digits and hyphens, starting with a letter`);
  }
  problems.push(...plainHttpEndpointProblems(env));
  if (problems.length > 0) throw new ConfigError(problems, 'cannot tell which stack to use');
  return { region: region!, stackName: stackName! };
}

/** The deployed function of a stack, from its outputs. */
export interface DeployedFunction {
  readonly functionName: string;
  /** The function's log group (`/aws/lambda/<name>` when the stack does not say). */
  readonly logGroupName: string;
}

/** The template's logical id of the function. */
export const FUNCTION_LOGICAL_ID = 'PushFunction';

/**
 * Reads the function of a deployed stack: the FunctionName output, else the physical id of the
 * template's function resource (an emulator may drop outputs). A DeployError saying what to do
 * when there is neither.
 */
export async function findDeployedFunction(cfn: CloudFormationClient, stackName: string, stack?: Stack): Promise<DeployedFunction> {
  // A caller that already read the stack passes it: one DescribeStacks is enough.
  const outputs = stack ? outputsOf(stack) : await findStackOutputs(cfn, stackName);
  let functionName = outputs.FunctionName;
  if (!functionName) {
    try {
      const out = await cfn.send(new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: FUNCTION_LOGICAL_ID }));
      functionName = out.StackResourceDetail?.PhysicalResourceId;
    } catch (err) {
      throw new DeployError(`stack ${stackName} has no FunctionName output and no ${FUNCTION_LOGICAL_ID} resource (${describeError(err)}): it was not deployed by s3-push, or not completely; run npm run deploy`, err);
    }
  }
  if (!functionName) throw new DeployError(`stack ${stackName} has no FunctionName output and its ${FUNCTION_LOGICAL_ID} has no name yet: run npm run deploy`);
  return { functionName, logGroupName: outputs.LogGroupName ?? `/aws/lambda/${functionName}` };
}
