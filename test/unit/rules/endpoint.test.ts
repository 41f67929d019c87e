import { expect } from 'chai';
import { ALLOW_PLAIN_HTTP_VARIABLE, isLoopbackHost, plainHttpEndpointProblems } from '../../../rules/endpoint.ts';

describe('rules/endpoint', () => {
  it('knows loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', 's3.localhost', '[::1]', '::1']) expect(isLoopbackHost(h), h).to.equal(true);
    for (const h of ['10.0.0.5', '128.0.0.1', '127.0.0.1.example.com', 'localhost.example.com', 's3.amazonaws.com', '[::2]', '0.0.0.0']) expect(isLoopbackHost(h), h).to.equal(false);
  });

  it('reads 127.0.0.0/8 with octets of up to three digits, anchored at both ends', () => {
    for (const h of ['127.0.0.10', '127.255.255.254', '127.10.200.1']) expect(isLoopbackHost(h), h).to.equal(true);
    for (const h of ['1127.0.0.1', 'a127.0.0.1', '127.0.0.1000', '127.0.0', '127.0.0.1.']) expect(isLoopbackHost(h), h).to.equal(false);
  });

  it('strips only the brackets around a whole IPv6 host, not brackets inside it', () => {
    for (const h of ['[::1]', '[::1', '::1]']) expect(isLoopbackHost(h), h).to.equal(true);
    for (const h of [':[:1', '::[1', ']::1', ':]:1', '[[::1]]']) expect(isLoopbackHost(h), h).to.equal(false);
  });

  it('refuses plain http off the machine in any endpoint variable, naming it and the way out', () => {
    const problems = plainHttpEndpointProblems({ AWS_ENDPOINT_URL: 'http://10.0.0.5:9000', AWS_ENDPOINT_URL_STS: 'http://sts.internal', AWS_ENDPOINT_URL_S3: 'https://s3.internal' });
    expect(problems).to.have.length(2);
    expect(problems[0]).to.match(/^AWS_ENDPOINT_URL is "http:\/\/10\.0\.0\.5:9000": plain http to a host that is not loopback .* clear text; expected an https:\/\/ endpoint or a loopback one .* or set S3_PUSH_ALLOW_PLAIN_HTTP_ENDPOINT=1/);
    expect(problems[1]).to.match(/^AWS_ENDPOINT_URL_STS is "http:\/\/sts\.internal"/);
  });

  it('lists the problems sorted by variable, whatever the order of the environment', () => {
    const problems = plainHttpEndpointProblems({ AWS_ENDPOINT_URL_STS: 'http://sts.internal', AWS_ENDPOINT_URL_S3: 'http://s3.internal', AWS_ENDPOINT_URL: 'http://10.0.0.5:9000' });
    expect(problems.map((p) => p.split(' ')[0])).to.deep.equal(['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_STS']);
  });

  it('reads only AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, not other variables holding a URL', () => {
    expect(plainHttpEndpointProblems({ HTTP_PROXY: 'http://10.0.0.5:3128', AWS_ENDPOINT_URLS: 'http://10.0.0.5:9000', MY_AWS_ENDPOINT_URL: 'http://10.0.0.5:9000' })).to.deep.equal([]);
    expect(plainHttpEndpointProblems({ HTTP_PROXY: 'http://10.0.0.5:3128', AWS_ENDPOINT_URL_SQS: 'http://10.0.0.5:9000' })).to.have.length(1);
  });

  it('leaves unset, empty and malformed values to the caller', () => {
    expect(plainHttpEndpointProblems({ AWS_ENDPOINT_URL: undefined, AWS_ENDPOINT_URL_S3: '', AWS_ENDPOINT_URL_STS: 'not a url' })).to.deep.equal([]);
  });

  it('accepts https, loopback http, no endpoint, and a plain-http endpoint when the flag says it is meant', () => {
    expect(plainHttpEndpointProblems({})).to.deep.equal([]);
    expect(plainHttpEndpointProblems({ AWS_ENDPOINT_URL: 'https://s3.example.com' })).to.deep.equal([]);
    expect(plainHttpEndpointProblems({ AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', AWS_ENDPOINT_URL_STS: 'http://localhost:5000' })).to.deep.equal([]);
    expect(plainHttpEndpointProblems({ AWS_ENDPOINT_URL: 'http://10.0.0.5:9000', [ALLOW_PLAIN_HTTP_VARIABLE]: '1' })).to.deep.equal([]);
    expect(plainHttpEndpointProblems({ AWS_ENDPOINT_URL: 'http://10.0.0.5:9000', [ALLOW_PLAIN_HTTP_VARIABLE]: 'yes' })).to.have.length(1);
  });
});
