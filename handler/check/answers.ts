/**
 * What an answer of AWS means to the preflight: a denial, KMS refusing a key, a server that failed.
 * The SDK's errors reach the check wrapped in ours at times (AwsCallError wraps AssumeRole's): each
 * reading looks at the innermost one. Pure.
 */
import { S3PushError, describeError } from '../../rules/errors.ts';
import { errorName, httpStatus, isAccessDenied, responseContentType } from '../../rules/awsErrors.ts';
import type { Encryption } from '../aws/s3Probe.ts';

/** The SDK error inside our wrappers. */
export function innermost(err: unknown): unknown {
  let e = err;
  while (e instanceof S3PushError && e.cause !== undefined) e = e.cause;
  return e;
}

/** AWS's "you may not", under our wrappers. */
export function isDenied(err: unknown): boolean {
  return isAccessDenied(innermost(err));
}

function mentionsKms(err: unknown): boolean {
  return /kms/i.test(describeError(innermost(err)));
}

/**
 * S3's own error codes for a KMS key it could not use: `KMS.DisabledException`,
 * `KMS.KMSInvalidStateException` (pending deletion), `KMS.NotFoundException` (no such key in the
 * bucket's region), `KMS.InvalidKeyUsageException`… (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 */
export function isKmsError(err: unknown): boolean {
  return errorName(innermost(err)).startsWith('KMS.');
}

/** KMS refused the request: a denial naming KMS (kms:Decrypt, kms:GenerateDataKey), or one of S3's KMS.* codes. */
export function kmsRefused(err: unknown): boolean {
  return (isDenied(err) && mentionsKms(err)) || isKmsError(err);
}

/** A KMS key ARN named in an error message (KMS denials name the key they refused), or undefined. */
export function kmsKeyIn(err: unknown): string | undefined {
  return /arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+/.exec(describeError(innermost(err)))?.[0];
}

/** True for SSE-KMS (aws:kms, aws:kms:dsse). */
export function isKms(e: Encryption | undefined): boolean {
  return (e?.algorithm ?? '').startsWith('aws:kms');
}

/** How the endpoint failed, when it did not answer as S3 does: an HTML page, or a server error (HTTP 5xx). */
export interface EndpointFailure {
  readonly status: number | undefined;
  /** True when the answer was an HTML page, not S3's XML. */
  readonly html: boolean;
}

/**
 * The endpoint's own failure behind `err`, or undefined when it answered as S3 does (a denial, a
 * missing bucket…). An answer of HTTP 500 or more comes after the SDK's retries, so it is no
 * passing hiccup; an HTML page is never S3's (S3 answers errors in XML).
 */
export function endpointFailure(err: unknown): EndpointFailure | undefined {
  const e = innermost(err);
  const status = httpStatus(e);
  const html = (responseContentType(e) ?? '').includes('html');
  if (!html && (status === undefined || status < 500)) return undefined;
  return { status, html };
}
