import { expect } from 'chai';
import { classifyAwsRequest, classifyS3Request, needsFormBody, type RequestShape } from '../../../bench/s3Operation.ts';

const req = (method: string, url: string, headers: RequestShape['headers'] = {}, formBody?: string): RequestShape => ({ method, url, headers, formBody });
const COPY = { 'x-amz-copy-source': '/src/2024/01/01/a.json' };

describe('bench/s3Operation classifyS3Request', () => {
  const cases: Array<[string, RequestShape]> = [
    ['ListBuckets', req('GET', '/')],
    ['ListObjectsV2', req('GET', '/bucket?list-type=2&prefix=2024%2F01%2F01%2F&continuation-token=abc')],
    ['ListObjectsV2', req('GET', '/bucket/?list-type=2&prefix=x')],
    ['ListObjects', req('GET', '/bucket?prefix=2024%2F01%2F01%2F&delimiter=%2F')],
    ['ListObjects', req('GET', '/bucket')],
    ['GetBucketLocation', req('GET', '/bucket?location')],
    ['ListMultipartUploads', req('GET', '/bucket?uploads')],
    ['HeadBucket', req('HEAD', '/bucket')],
    ['CreateBucket', req('PUT', '/bucket')],
    ['PutBucketPolicy', req('PUT', '/bucket?policy')],
    ['PutBucketEncryption', req('PUT', '/bucket?encryption')],
    ['PutPublicAccessBlock', req('PUT', '/bucket?publicAccessBlock')],
    ['PutBucketLifecycleConfiguration', req('PUT', '/bucket?lifecycle')],
    ['GetBucketPolicy', req('GET', '/bucket?policy')],
    ['GetBucketEncryption', req('GET', '/bucket?encryption')],
    ['DeleteBucketPolicy', req('DELETE', '/bucket?policy')],
    ['ListObjectsV2', req('GET', '/bucket?list-type=2&x-id=ListObjectsV2')],
    ['DeleteObjects', req('POST', '/bucket?delete')],
    ['DeleteBucket', req('DELETE', '/bucket')],
    ['GetObject', req('GET', '/bucket/2024/01/01/a.json')],
    ['GetObjectTagging', req('GET', '/bucket/2024/01/01/a.json?tagging')],
    ['ListParts', req('GET', '/bucket/big.bin?uploadId=u1')],
    ['HeadObject', req('HEAD', '/bucket/2024/01/01/a%20b%2Bc.json')],
    ['PutObject', req('PUT', '/bucket/2024/01/01/a.json')],
    ['CopyObject', req('PUT', '/bucket/2024/01/01/a.json', COPY)],
    ['CopyObject', req('PUT', '/bucket/2024/01/01/a.json', { 'x-amz-copy-source': ['/src/a'] })],
    ['UploadPart', req('PUT', '/bucket/big.bin?partNumber=1&uploadId=u1')],
    ['UploadPartCopy', req('PUT', '/bucket/big.bin?partNumber=2&uploadId=u1', { ...COPY, 'x-amz-copy-source-range': 'bytes=0-5242879' })],
    ['PutObjectTagging', req('PUT', '/bucket/a.json?tagging')],
    ['CreateMultipartUpload', req('POST', '/bucket/big.bin?uploads')],
    ['CreateMultipartUpload', req('POST', '/bucket/big.bin?uploads=')],
    ['CompleteMultipartUpload', req('POST', '/bucket/big.bin?uploadId=u1')],
    ['AbortMultipartUpload', req('DELETE', '/bucket/big.bin?uploadId=u1')],
    ['DeleteObject', req('DELETE', '/bucket/a.json')],
    ['AssumeRole', req('POST', '/', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, 'Action=AssumeRole&Version=2011-06-15&RoleArn=arn')],
    ['GetCallerIdentity', req('POST', '/', {}, 'Action=GetCallerIdentity&Version=2011-06-15')],
    ['AssumeRole', req('GET', '/?Action=AssumeRole&RoleArn=x')],
  ];
  for (const [expected, shape] of cases) {
    it(`${shape.method} ${shape.url}${shape.headers['x-amz-copy-source'] ? ' (copy source)' : ''} → ${expected}`, () => {
      expect(classifyS3Request(shape)).to.equal(expected);
    });
  }

  it('names an unknown request by method and shape instead of dropping it', () => {
    expect(classifyS3Request(req('PATCH', '/bucket/key'))).to.equal('Other:PATCH object');
    expect(classifyS3Request(req('POST', '/bucket'))).to.equal('Other:POST bucket');
    expect(classifyS3Request(req('POST', '/'))).to.equal('Other:POST service');
  });

  it('asks for the body only of form POSTs to the root (STS, IAM)', () => {
    expect(needsFormBody('POST', '/', { 'content-type': 'application/x-www-form-urlencoded' })).to.equal(true);
    expect(needsFormBody('POST', '/?x=1', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' })).to.equal(true);
    expect(needsFormBody('POST', '/bucket?delete', { 'content-type': 'application/xml' })).to.equal(false);
    expect(needsFormBody('PUT', '/', { 'content-type': 'application/x-www-form-urlencoded' })).to.equal(false);
    expect(needsFormBody('POST', '/bucket/key?uploads', {})).to.equal(false);
  });
});

describe('bench/s3Operation classifyAwsRequest', () => {
  const auth = (service: string) => ({ authorization: `AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0` });
  it('prefixes the service of the credential scope', () => {
    expect(classifyAwsRequest(req('PUT', '/bucket/key', { ...auth('s3'), 'x-amz-copy-source': '/a/b' }))).to.equal('s3:CopyObject');
    expect(classifyAwsRequest(req('HEAD', '/artifacts/s3-push/abc.zip', auth('s3')))).to.equal('s3:HeadObject');
  });
  it('reads query-protocol actions from the form body (CloudFormation, IAM, STS)', () => {
    const form = { ...auth('cloudformation'), 'content-type': 'application/x-www-form-urlencoded' };
    expect(classifyAwsRequest(req('POST', '/', form, 'Action=DescribeStacks&StackName=x&Version=2010-05-15'))).to.equal('cloudformation:DescribeStacks');
    expect(classifyAwsRequest(req('POST', '/', auth('sts'), 'Action=GetCallerIdentity&Version=2011-06-15'))).to.equal('sts:GetCallerIdentity');
  });
  it('reads JSON-protocol operations from X-Amz-Target', () => {
    expect(classifyAwsRequest(req('POST', '/', { ...auth('logs'), 'x-amz-target': 'Logs_20140328.DescribeLogGroups' }))).to.equal('logs:DescribeLogGroups');
    expect(classifyAwsRequest(req('POST', '/', { ...auth('sqs'), 'x-amz-target': 'AmazonSQS.GetQueueAttributes' }))).to.equal('sqs:GetQueueAttributes');
  });
  it("names Lambda's REST operations", () => {
    expect(classifyAwsRequest(req('GET', '/2015-03-31/functions/s3-push/configuration', auth('lambda')))).to.equal('lambda:GetFunctionConfiguration');
    expect(classifyAwsRequest(req('GET', '/2015-03-31/functions/s3-push', auth('lambda')))).to.equal('lambda:GetFunction');
    expect(classifyAwsRequest(req('POST', '/2015-03-31/functions/s3-push/invocations', auth('lambda')))).to.equal('lambda:Invoke');
    expect(classifyAwsRequest(req('PATCH', '/2015-03-31/layers', auth('lambda')))).to.equal('lambda:Other:PATCH /layers');
  });
  it('keeps an unsigned request visible', () => {
    expect(classifyAwsRequest(req('GET', '/moto-api/config'))).to.equal('unsigned:Other:GET /moto-api/config');
  });
});
