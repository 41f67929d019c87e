/**
 * `npm run check`: the preflight (`{"check": true}`) on the deployed function, or in this process
 * with `--local`. Returns the report; checkMain prints it and sets the exit code.
 */
import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import { findStack, outputsOf } from '../../cloudformation/stackApi.ts';
import type { SNSClient } from '@aws-sdk/client-sns';
import { listTopicSubscriptions, subscriptionAdvice, subscriptionState } from '../../aws/alarmTopic.ts';
import { describeError } from '../../../rules/errors.ts';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { PreflightFailedError, type CheckReport } from '../../../handler/check/check.ts';
import { createClients as createHandlerClients } from '../../../handler/aws/clients.ts';
import type { HandlerConfig } from '../../../handler/config.ts';
import type { IsoDate } from '../../../rules/dates.ts';
import { handleEvent } from '../../../handler/index.ts';
import { createLogger } from '../../../handler/logger.ts';
import { DeployError } from '../../cli/errors.ts';
import { interpretInvoke, invokeFunction } from '../../aws/lambdaInvoke.ts';
import { findCheckReport, isCheckReport } from '../../cli/reportFormat.ts';
import { findDeployedFunction, type StackTarget } from '../../cloudformation/stackTarget.ts';

/** The event of the preflight; with a day, that day's source prefix is the one listed and read. */
export function checkEvent(date?: IsoDate): { check: true; date?: IsoDate } {
  return date === undefined ? { check: true } : { check: true, date };
}

/**
 * Runs the check on the stack's function (Lambda Invoke, RequestResponse) and returns its report,
 * broken links included. Throws {@link DeployError} when the function could not run the check at
 * all (no stack, no function, a bad function environment, an emulator that cannot run Lambda).
 */
export async function checkDeployed(target: StackTarget, clients: { readonly cfn: CloudFormationClient; readonly lambda: LambdaClient; readonly sns?: SNSClient }, log: (line: string) => void, date?: IsoDate): Promise<CheckReport> {
  // One DescribeStacks serves both the function's name and the alarm address.
  const stack = clients.sns ? await findStack(clients.cfn, target.stackName) : undefined;
  const fn = await findDeployedFunction(clients.cfn, target.stackName, stack);
  if (clients.sns && stack) await checkAlarmEmail(target, stack, clients.sns, log);
  log(`running the preflight on ${fn.functionName} (stack ${target.stackName}, ${target.region})`);
  const outcome = await invokeFunction(clients.lambda, fn.functionName, checkEvent(date), 'sync');
  const verdict = interpretInvoke(outcome, 'sync');
  if (verdict.kind === 'returned') {
    if (isCheckReport(verdict.result)) return verdict.result;
    throw new DeployError(`${fn.functionName} answered without a preflight report (${JSON.stringify(verdict.result).slice(0, 200)}): its code predates the check; run npm run deploy`);
  }
  if (verdict.kind === 'failed') {
    // A broken link fails the invocation; the report itself is in the logged JSON line.
    const report = verdict.errorType === 'PreflightFailedError' ? findCheckReport(outcome.logTail ?? '') : undefined;
    if (report) return report;
    const what = verdict.errorType === 'PreflightFailedError' ? 'the preflight found a broken link' : `${fn.functionName} could not run the check`;
    throw new DeployError(`${what}: ${verdict.errorType ? `${verdict.errorType}: ` : ''}${verdict.message}` +
      (outcome.logTail ? `\n  log tail:\n    ${outcome.logTail.trimEnd().split('\n').join('\n    ')}` : ''));
  }
  throw new DeployError(`Lambda queued the check instead of running it (status ${outcome.statusCode})`);
}

/**
 * Says where the stack's alarm address (its AlarmEmail parameter) stands on the alarm topic: an
 * unconfirmed subscription expires after 3 days and an unsubscribe link removes it, and nothing in
 * the stack would show it. A warning, never a failure of the check: the permission chain is intact.
 */
async function checkAlarmEmail(target: StackTarget, stack: Stack, sns: SNSClient, log: (line: string) => void): Promise<void> {
  try {
    const parameter = (key: string) => stack.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue || undefined;
    const email = parameter('AlarmEmail');
    const topicArn = parameter('AlarmTopicArn') ?? outputsOf(stack).AlarmTopicArn;
    if (email === undefined || topicArn === undefined) {
      log(`alarms: no e-mail address is subscribed by the stack${topicArn === undefined ? '' : ` (topic ${topicArn})`}`);
      return;
    }
    const advice = subscriptionAdvice(subscriptionState(await listTopicSubscriptions(sns, topicArn), email), topicArn, email, target.region);
    log(advice === undefined ? `alarms: ${email} is subscribed to ${topicArn} (confirmed)` : `alarms: WARNING: ${advice}`);
  } catch (err) {
    log(`alarms: the alarm topic's subscriptions could not be read (${describeError(err)})`);
  }
}

/**
 * Runs the check in this process with the handler config (from `parseLocalEnvironment`; the SDK
 * reads the region and AWS_ENDPOINT_URL itself) and the caller's credentials.
 */
export async function checkLocal(config: HandlerConfig, date?: IsoDate): Promise<CheckReport> {
  // The report is printed by the caller; the handler's JSON line would only repeat it.
  const logger = createLogger([config.externalId], () => undefined);
  try {
    const result = await handleEvent(checkEvent(date), config, createHandlerClients(config, { sessionName: 's3-push-check' }), { logger });
    if (result.kind !== 'check') throw new DeployError(`the handler answered {"check": true} with a ${result.kind}`);
    return result.report;
  } catch (err) {
    if (err instanceof PreflightFailedError) return err.report;
    throw err;
  }
}
