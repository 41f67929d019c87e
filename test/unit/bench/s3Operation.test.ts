import { expect } from 'chai';
import { classifyS3Request, needsFormBody, type RequestShape } from '../../../bench/s3Operation.ts';

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
