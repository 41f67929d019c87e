import { expect } from 'chai';
import {
  ALLOW_PLAIN_HTTP_VARIABLE,
  endpointProblem,
  isEndpointVariable,
  isLocalhostName,
  isLoopbackAddress,
  judgeEndpoint,
  lookupProblem,
  plainHttpEndpointProblems,
  quoteEndpoint,
  QUOTED_ENDPOINT_CHARS,
  resolvesToLoopback,
} from '../../../rules/endpoint.ts';

describe('rules/endpoint', () => {
  it('knows loopback addresses (127.0.0.0/8, ::1, 127.x mapped into IPv6), and nothing else, names included', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '127.255.255.255', '[::1]', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '[::FFFF:127.9.9.9]']) expect(isLoopbackAddress(a), a).to.equal(true);
    for (const a of ['10.0.0.5', '128.0.0.1', '126.0.0.1', '127.0.0.256', '127.0.0.1.example.com', 'localhost', 's3.localhost', '[::2]', '0.0.0.0', '::', '::ffff:10.0.0.1', '1127.0.0.1', '']) expect(isLoopbackAddress(a), a).to.equal(false);
  });

  it('localhost and names under it must be looked up; other names are not localhost', () => {
    for (const h of ['localhost', 'LOCALHOST', 's3.localhost', 'bucket.s3.localhost', 'localhost.']) expect(isLocalhostName(h), h).to.equal(true);
    for (const h of ['localhost.example.com', 'notlocalhost', 'xlocalhost', '127.0.0.1']) expect(isLocalhostName(h), h).to.equal(false);
    expect(resolvesToLoopback(['127.0.0.1', '::1'])).to.equal(true);
    expect(resolvesToLoopback(['127.0.0.1', '192.0.2.2'])).to.equal(false);
    expect(resolvesToLoopback([])).to.equal(false);
  });

  describe('judgeEndpoint, per scheme', () => {
    const cases: [string, boolean, string][] = [
      ['https://s3.example.com', false, 'accepted'],
      ['https://192.0.2.2:443', false, 'accepted'],
      ['HTTPS://S3.EXAMPLE.COM', false, 'accepted'],
      ['http://127.0.0.1:5000', false, 'accepted'],
      ['http://[::1]:5000', false, 'accepted'],
      ['http://192.0.2.2:18769', false, 'refused: plain http to a host that is not loopback'],
      ['http://192.0.2.2:18769', true, 'accepted'],
      ['http://localhost:5000', false, 'lookup localhost'],
      ['http://s3.localhost:5000', false, 'lookup s3.localhost'],
      ['ws://192.0.2.2:18769', false, 'refused: the SDK sends a ws:// endpoint as plain http'],
      ['wss://192.0.2.2:18769', false, 'refused: the SDK sends a wss:// endpoint as plain http'],
      ['ftp://192.0.2.2', false, 'refused: the SDK sends a ftp:// endpoint as plain http'],
      ['ws://127.0.0.1:5000', false, 'refused: the SDK sends a ws:// endpoint as plain http'],
      ['wss://192.0.2.2', true, 'refused: the SDK sends a wss:// endpoint as plain http'],
      ['file:///etc/passwd', false, 'refused: the SDK sends a file:// endpoint as plain http'],
      ['localhost:5000', false, 'refused: not a URL (scheme://host[:port])'],
      ['http:// x', false, 'refused: not a URL (scheme://host[:port])'],
      ['s3.example.com', false, 'refused: not a URL (scheme://host[:port])'],
    ];
    for (const [value, allow, expected] of cases) {
      it(`${value}${allow ? ` with ${ALLOW_PLAIN_HTTP_VARIABLE}=1` : ''}: ${expected}`, () => {
        const v = judgeEndpoint(value, allow);
        expect(v.kind === 'accepted' ? 'accepted' : v.kind === 'lookup' ? `lookup ${v.hostname}` : `refused: ${v.why}`).to.equal(expected);
        if (v.kind === 'refused') expect(v.allowable, 'the variable admits plain http:// only').to.equal(expected.endsWith('not loopback'));
      });
    }
  });

  it('quotes a value cut at 200 characters, the rest counted', () => {
    expect(quoteEndpoint('http://x')).to.equal('"http://x"');
    const long = `http://${'a'.repeat(300)}`;
    expect(quoteEndpoint(long)).to.equal(`${JSON.stringify(long.slice(0, QUOTED_ENDPOINT_CHARS))}… (${long.length - QUOTED_ENDPOINT_CHARS} more characters)`);
    expect(quoteEndpoint('a'.repeat(QUOTED_ENDPOINT_CHARS))).to.equal(JSON.stringify('a'.repeat(QUOTED_ENDPOINT_CHARS)));
  });

  it('a message names the origin, the value, why, and the way out the variable gives only for plain http', () => {
    expect(endpointProblem('AWS_ENDPOINT_URL', 'http://10.0.0.5', 'plain http to a host that is not loopback', true)).to.equal(
      'AWS_ENDPOINT_URL is "http://10.0.0.5": plain http to a host that is not loopback: requests there would carry the credentials\' session token and the external id in clear text; expected an https:// endpoint or a loopback one (http://127.0.0.1:PORT), or set S3_PUSH_ALLOW_PLAIN_HTTP_ENDPOINT=1 if plain http is meant');
    expect(endpointProblem('X', 'ws://h', 'w', false)).to.match(/\(S3_PUSH_ALLOW_PLAIN_HTTP_ENDPOINT=1 admits plain http:\/\/ only\)$/);
    expect(endpointProblem('X', 'h:1', 'not a URL (scheme://host[:port])', false)).to.equal('X is "h:1": not a URL (scheme://host[:port]); expected an https:// endpoint or a loopback one (http://127.0.0.1:PORT)');
    expect(lookupProblem('AWS_ENDPOINT_URL', 'http://s3.localhost:1', 's3.localhost', [])).to.include('plain http to s3.localhost, which does not resolve here, not to loopback addresses only');
    expect(lookupProblem('O', 'v', 'h.localhost', ['127.0.0.1', '10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5'])).to.include('which resolves to 127.0.0.1, 10.0.0.1, 10.0.0.2, 10.0.0.3 and 2 more, not');
    expect(lookupProblem('O', 'v', 'h.localhost', ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'])).to.include('which resolves to 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, not');
  });

  it('the endpoint variables are AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>', () => {
    expect(['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_STS'].every(isEndpointVariable)).to.equal(true);
    expect(['AWS_ENDPOINT_URLX', 'AWS_ENDPOINT', 'X_AWS_ENDPOINT_URL'].some(isEndpointVariable)).to.equal(false);
  });

  it('in the environment: every refused variable once, sorted; https, loopback, empty and localhost names (looked up later) pass', () => {
    const problems = plainHttpEndpointProblems({ AWS_ENDPOINT_URL_STS: 'ws://192.0.2.2:18769', AWS_ENDPOINT_URL: 'http://10.0.0.5:9000', AWS_ENDPOINT_URL_S3: 'https://s3.internal', AWS_ENDPOINT_URL_SQS: '', AWS_ENDPOINT_URL_IAM: 'http://s3.localhost:1', OTHER: 'ws://x' });
    expect(problems).to.have.length(2);
    expect(problems[0]).to.match(/^AWS_ENDPOINT_URL is "http:\/\/10\.0\.0\.5:9000": plain http to a host that is not loopback: .*clear text; .* or set S3_PUSH_ALLOW_PLAIN_HTTP_ENDPOINT=1 if plain http is meant$/);
    expect(problems[1]).to.match(/^AWS_ENDPOINT_URL_STS is "ws:\/\/192\.0\.2\.2:18769": the SDK sends a ws:\/\/ endpoint as plain http/);
    expect(plainHttpEndpointProblems({})).to.deep.equal([]);
    expect(plainHttpEndpointProblems({ AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', AWS_ENDPOINT_URL_STS: 'http://localhost:5000' })).to.deep.equal([]);
    expect(plainHttpEndpointProblems({ AWS_ENDPOINT_URL: 'http://10.0.0.5:9000', [ALLOW_PLAIN_HTTP_VARIABLE]: '1' })).to.deep.equal([]);
    expect(plainHttpEndpointProblems({ AWS_ENDPOINT_URL: 'wss://10.0.0.5:9000', [ALLOW_PLAIN_HTTP_VARIABLE]: '1' })).to.have.length(1);
    expect(plainHttpEndpointProblems({ AWS_ENDPOINT_URL: 'http://10.0.0.5:9000', [ALLOW_PLAIN_HTTP_VARIABLE]: 'yes' })).to.have.length(1);
  });
});
