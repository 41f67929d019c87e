import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { PreflightFailedError, runCheck, type CheckReport } from '../../../../handler/check/check.ts';
import { endpointFailure } from '../../../../handler/check/answers.ts';
import { otherFix } from '../../../../handler/check/fixes.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { createLogger } from '../../../../handler/logger.ts';
import { handlerEnv, REGION } from '../../../helpers/fixtures.ts';
import { parseIsoDate } from '../../../../rules/dates.ts';
import { awsError } from '../../../helpers/errors.ts';

/** An endpoint that answers every request with `status`, `contentType` and `body`, as a proxy or a failing emulator does. */
async function endpoint(status: number, contentType: string, body: string): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(status, { 'content-type': contentType });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

const HTML_500 = '<!doctype html><html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>';

/** The preflight, with the real SDK talking to `url` (one attempt per request: the retries would only repeat the answer). */
async function checkAgainst(url: string): Promise<CheckReport> {
  const config = parseHandlerConfig(handlerEnv());
  const s3 = new S3Client({ region: REGION, endpoint: url, forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  try {
    await runCheck(config, { destinationS3: s3 }, { logger: createLogger([], () => undefined), day: parseIsoDate('2024-01-01')! });
  } catch (err) {
    if (err instanceof PreflightFailedError) return err.report;
    throw err;
  } finally {
    s3.destroy();
  }
  expect.fail('the check passed against an endpoint that answers nothing but failures');
}

describe('handler/check: an endpoint that does not answer as S3 does', () => {
  it('an HTML page with HTTP 500 is said plainly, not blamed on a transient error or a permission', async () => {
    const server = await endpoint(500, 'text/html; charset=utf-8', HTML_500);
    try {
      const report = await checkAgainst(server.url);
      const broken = report.links.filter((l) => l.status === 'broken');
      expect(broken.map((l) => l.name)).to.deep.equal(['list-source', 'write-destination']);
      for (const link of broken) {
        expect(link.fix).to.match(/^the endpoint answered an HTML page \(HTTP 500\), not S3's XML: not a permission denial/);
        expect(link.fix).to.include('AWS_ENDPOINT_URL');
        expect(link.fix).to.not.include('transient');
      }
      // The source listing, the destination's encryption (unreadable: a note, not a break), the destination listing: no probe written.
      expect(server.requests()).to.equal(3);
    } finally {
      await server.close();
    }
  });

  /** The fix of link 2 (the source listing) against an endpoint that answers every request so. */
  const listFix = async (status: number, contentType: string, body: string): Promise<string | undefined> => {
    const server = await endpoint(status, contentType, body);
    try {
      return (await checkAgainst(server.url)).links.find((l) => l.name === 'list-source')?.fix;
    } finally {
      await server.close();
    }
  };

  it('a proxy\'s HTML error page (HTTP 502) is said the same way, with its status', async () => {
    expect(await listFix(502, 'text/html', '<html><body>Bad Gateway</body></html>')).to.match(/^the endpoint answered an HTML page \(HTTP 502\)/);
  });

  it('an XML 500 of S3 (InternalError) is said as the server failing, with its code', async () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>';
    expect(await listFix(500, 'application/xml', xml)).to.match(/^the endpoint answered HTTP 500 \(InternalError\), a server failure after the SDK's retries: not a permission denial/);
  });

  it('reads only the endpoint\'s own failures: a denial, a missing bucket or a throttle are not one', () => {
    expect(endpointFailure(awsError('AccessDenied', 403, 'Access Denied'))).to.equal(undefined);
    expect(endpointFailure(awsError('NoSuchBucket', 404, 'The specified bucket does not exist'))).to.equal(undefined);
    expect(endpointFailure(awsError('Throttling', 400, 'Rate exceeded'))).to.equal(undefined);
    expect(endpointFailure(new Error('socket hang up'))).to.equal(undefined);
    expect(endpointFailure(awsError('ServiceUnavailable', 503, 'Please reduce your request rate.'))).to.deep.equal({ status: 503, html: false });
    expect(otherFix(awsError('Throttling', 400, 'Rate exceeded'))).to.match(/^not a permission denial \(Throttling\): it may be transient/);
    expect(otherFix(awsError('ServiceUnavailable', 503, 'Please reduce your request rate.'))).to.match(/^the endpoint answered HTTP 503 \(ServiceUnavailable\)/);
  });
});
