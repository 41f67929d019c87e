import { expect } from 'chai';
import { errorName, httpStatus, isAccessDenied, responseContentType } from '../../../rules/awsErrors.ts';

const sdkError = (name: string, status?: number) => Object.assign(new Error('x'), { name, ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }) });

describe('rules/awsErrors', () => {
  it('reads the name and the HTTP status of an SDK error', () => {
    expect(errorName(sdkError('NoSuchBucket', 404))).to.equal('NoSuchBucket');
    expect(httpStatus(sdkError('NoSuchBucket', 404))).to.equal(404);
    expect(errorName('not an error')).to.equal('');
    expect(httpStatus(undefined)).to.equal(undefined);
  });

  it('knows AWS\'s denials by name, and a bare 403', () => {
    for (const name of ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'Forbidden']) expect(isAccessDenied(sdkError(name)), name).to.equal(true);
    expect(isAccessDenied(sdkError('Unknown', 403))).to.equal(true);
    for (const e of [sdkError('Throttling', 400), sdkError('NoSuchBucket', 404), sdkError('InternalError', 500), new Error('plain')]) expect(isAccessDenied(e), e.name).to.equal(false);
  });

  it('reads the content type of the raw answer the SDK keeps in $response, in lower case', () => {
    const answered = (headers: Record<string, string>) => Object.assign(new Error('UnknownError'), { $response: { statusCode: 500, headers } });
    expect(responseContentType(answered({ 'content-type': 'Text/HTML; charset=utf-8' }))).to.equal('text/html; charset=utf-8');
    expect(responseContentType(answered({ 'Content-Type': 'application/xml' }))).to.equal('application/xml');
    expect(responseContentType(answered({}))).to.equal(undefined);
    expect(responseContentType(new Error('no answer'))).to.equal(undefined);
    expect(responseContentType(undefined)).to.equal(undefined);
    expect(responseContentType(null)).to.equal(undefined);
  });
});
