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
 * The content type of the answer behind an SDK v3 exception (the SDK keeps the raw response in the
 * hidden field `$response`), lower case, or undefined. S3 answers errors in XML; an HTML page comes
 * from something else at the endpoint (a proxy, an emulator's crash page).
 */
export function responseContentType(err: unknown): string | undefined {
  const headers = (err as { $response?: { headers?: Record<string, string | undefined> } } | null | undefined)?.$response?.headers;
  const type = headers?.['content-type'] ?? headers?.['Content-Type'];
  return typeof type === 'string' ? type.toLowerCase() : undefined;
}

/**
 * True for AWS's "you may not": S3 and STS say AccessDenied, other services AccessDeniedException
 * or UnauthorizedOperation; a HEAD request or an unparsed 403 has no code, only the status.
 */
export function isAccessDenied(err: unknown): boolean {
  return ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'Forbidden'].includes(errorName(err)) || httpStatus(err) === 403;
}
