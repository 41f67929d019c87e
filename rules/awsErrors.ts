/**
 * What an AWS SDK v3 error says, read the same way by the handler and the commands. Pure: it reads
 * the fields every SDK exception carries (`name`, `$metadata.httpStatusCode`) and imports no SDK.
 */

/** The error name an SDK v3 exception carries (`AccessDenied`, `NoSuchBucket`, `ValidationError`…), or ''. */
export function errorName(err: unknown): string {
  return err instanceof Error ? err.name : '';
}

/** The HTTP status of an SDK v3 exception, if any. */
export function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null | undefined)?.$metadata?.httpStatusCode;
}

/**
 * True for AWS's "you may not": S3 and STS say AccessDenied, other services AccessDeniedException
 * or UnauthorizedOperation; a HEAD request or an unparsed 403 has no code, only the status.
 */
export function isAccessDenied(err: unknown): boolean {
  return ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'Forbidden'].includes(errorName(err)) || httpStatus(err) === 403;
}
