/** SDK-shaped errors for the mocked AWS calls of the deploy tests. */
import { CloudFormationServiceException } from '@aws-sdk/client-cloudformation';
import { S3ServiceException } from '@aws-sdk/client-s3';

export function cfnError(name: string, message: string, status = 400): CloudFormationServiceException {
  return new CloudFormationServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: status } });
}

export function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, message: name, $fault: 'client', $metadata: { httpStatusCode: status } });
}

export function stackMissing(stackName: string): CloudFormationServiceException {
  return cfnError('ValidationError', `Stack with id ${stackName} does not exist`);
}

/**
 * CloudFormation's two ways of saying an update changes nothing: the StatusReason of a FAILED change
 * set, and the ValidationError message of an update with nothing to do.
 */
export const NO_CHANGE_MESSAGES = [
  "The submitted information didn't contain changes. Submit different information to create a change set.",
  'No updates are to be performed.',
] as const;
