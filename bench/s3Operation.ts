/**
 * Names the S3 (or STS) operation of an HTTP request from its method, path, query and headers, as
 * the counting proxy sees it. Pure. Path-style addressing only: every tool reaches the benchmark
 * server at 127.0.0.1, where the AWS SDKs, awscli and rclone all use path-style URLs.
 */

/** What the classifier needs from a request. Header names in lower case. */
export interface RequestShape {
  readonly method: string;
  /** The request target as sent: path plus optional `?query`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /**
   * The body of a form-encoded POST to `/` (STS and IAM put `Action=` there); undefined for
   * every other request, whose body the proxy streams without reading.
   */
  readonly formBody?: string;
}

/** True when the request is a form POST to the root, whose operation is named in its body. */
export function needsFormBody(method: string, url: string, headers: RequestShape['headers']): boolean {
  const type = headerValue(headers, 'content-type') ?? '';
  return method === 'POST' && pathOf(url) === '/' && type.startsWith('application/x-www-form-urlencoded');
}

/**
 * The operation name (`ListObjectsV2`, `CopyObject`, `UploadPartCopy`, `AssumeRole`…), or
 * `Other:<METHOD> <shape>` for a request this table does not know, so that nothing is dropped.
 */
export function classifyS3Request(req: RequestShape): string {
  const method = req.method.toUpperCase();
  const path = pathOf(req.url);
  const query = new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '');
  const has = (name: string): boolean => query.has(name);

  // STS / IAM: the action is a query parameter (GET) or in the form body (POST).
  const action = query.get('Action') ?? (req.formBody !== undefined ? new URLSearchParams(req.formBody).get('Action') : null);
  if (path === '/' && action) return action;

  const segments = path.split('/').filter((_, i) => i > 0);
  const bucket = segments[0] ?? '';
  const hasKey = segments.length > 1 && segments.slice(1).join('/') !== '';
  const copySource = headerValue(req.headers, 'x-amz-copy-source') !== undefined;

  if (bucket === '') {
    if (method === 'GET') return 'ListBuckets';
    return other(method, 'service');
  }

  if (!hasKey) {
    // A bucket subresource (`?policy`, `?encryption`…) names the operation; list parameters do not.
    const sub = [...query.keys()].find((k) => !LIST_PARAMS.has(k));
    switch (method) {
      case 'GET':
        if (sub === undefined) return query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
        if (sub === 'versions') return 'ListObjectVersions';
        if (sub === 'uploads') return 'ListMultipartUploads';
        if (sub === 'location') return 'GetBucketLocation';
        if (sub === 'object-lock') return 'GetObjectLockConfiguration';
        return `Get${bucketSubresource(sub)}`;
      case 'HEAD':
        return 'HeadBucket';
      case 'PUT':
        return sub === undefined ? 'CreateBucket' : `Put${bucketSubresource(sub)}`;
      case 'POST':
        if (sub === 'delete') return 'DeleteObjects';
        return other(method, 'bucket');
      case 'DELETE':
        return sub === undefined ? 'DeleteBucket' : `Delete${bucketSubresource(sub)}`;
      default:
        return other(method, 'bucket');
    }
  }

  switch (method) {
    case 'GET':
      if (has('tagging')) return 'GetObjectTagging';
      if (has('acl')) return 'GetObjectAcl';
      if (has('uploadId')) return 'ListParts';
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'PUT':
      if (has('partNumber') && has('uploadId')) return copySource ? 'UploadPartCopy' : 'UploadPart';
      if (has('tagging')) return 'PutObjectTagging';
      if (has('acl')) return 'PutObjectAcl';
      return copySource ? 'CopyObject' : 'PutObject';
    case 'POST':
      if (has('uploads')) return 'CreateMultipartUpload';
      if (has('uploadId')) return 'CompleteMultipartUpload';
      if (has('restore')) return 'RestoreObject';
      return other(method, 'object');
    case 'DELETE':
      if (has('uploadId')) return 'AbortMultipartUpload';
      if (has('tagging')) return 'DeleteObjectTagging';
      return 'DeleteObject';
    default:
      return other(method, 'object');
  }
}

/**
 * The AWS service and operation of any signed request, as `service:Operation` (for the deploy
 * benchmark, where CloudFormation, IAM, STS, S3, Lambda… share one moto endpoint). The service is
 * read from the SigV4 credential scope; the operation from `X-Amz-Target` (JSON protocols), the
 * `Action` of query-protocol calls, S3's REST shapes, or Lambda's REST paths.
 */
export function classifyAwsRequest(req: RequestShape): string {
  const service = signingService(req) ?? 'unsigned';
  if (service === 's3') return `s3:${classifyS3Request(req)}`;
  const target = headerValue(req.headers, 'x-amz-target');
  if (target !== undefined) return `${service}:${target.slice(target.lastIndexOf('.') + 1)}`;
  const query = new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '');
  const action = query.get('Action') ?? (req.formBody !== undefined ? new URLSearchParams(req.formBody).get('Action') : null);
  if (action) return `${service}:${action}`;
  if (service === 'lambda') return `lambda:${lambdaOperation(req.method.toUpperCase(), pathOf(req.url))}`;
  return `${service}:${other(req.method.toUpperCase(), pathOf(req.url))}`;
}

/** The service of a SigV4 credential scope (`Credential=AKID/DATE/REGION/SERVICE/aws4_request`). */
function signingService(req: RequestShape): string | undefined {
  const auth = headerValue(req.headers, 'authorization') ?? '';
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth) ?? /X-Amz-Credential=[^&/]+(?:%2F|\/)\d{8}(?:%2F|\/)[^&%/]+(?:%2F|\/)([^&%/]+)/.exec(req.url);
  return scope?.[1];
}

function lambdaOperation(method: string, path: string): string {
  const p = path.replace(/^\/\d{4}-\d{2}-\d{2}\//, '/');
  if (/^\/functions\/[^/]+\/configuration$/.test(p)) return method === 'GET' ? 'GetFunctionConfiguration' : 'UpdateFunctionConfiguration';
  if (/^\/functions\/[^/]+\/code$/.test(p)) return 'UpdateFunctionCode';
  if (/^\/functions\/[^/]+\/policy(\/[^/]+)?$/.test(p)) return method === 'GET' ? 'GetPolicy' : method === 'POST' ? 'AddPermission' : 'RemovePermission';
  if (/^\/functions\/[^/]+\/invocations$/.test(p)) return 'Invoke';
  if (/^\/functions\/[^/]+$/.test(p)) return method === 'GET' ? 'GetFunction' : method === 'DELETE' ? 'DeleteFunction' : other(method, p);
  if (/^\/functions\/?$/.test(p)) return method === 'GET' ? 'ListFunctions' : 'CreateFunction';
  return other(method, p);
}

/** Query parameters of bucket listings (and the SDK's `x-id`), which are not subresources. */
const LIST_PARAMS = new Set([
  'list-type', 'prefix', 'delimiter', 'marker', 'max-keys', 'encoding-type', 'continuation-token', 'start-after',
  'fetch-owner', 'key-marker', 'version-id-marker', 'upload-id-marker', 'max-uploads', 'x-id',
]);

/** `encryption` → `BucketEncryption`, `publicAccessBlock` → `PublicAccessBlock`, as the S3 API names them. */
function bucketSubresource(sub: string): string {
  const named: Record<string, string> = {
    publicAccessBlock: 'PublicAccessBlock',
    lifecycle: 'BucketLifecycleConfiguration',
    notification: 'BucketNotificationConfiguration',
    ownershipControls: 'BucketOwnershipControls',
    cors: 'BucketCors',
  };
  return named[sub] ?? `Bucket${sub.charAt(0).toUpperCase()}${sub.slice(1)}`;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function headerValue(headers: RequestShape['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function other(method: string, shape: string): string {
  return `Other:${method} ${shape}`;
}
