import { expect } from 'chai';
import { parseHandlerConfig } from '../../../handler/config.ts';
import { ConfigError } from '../../../rules/errors.ts';
import { parseDeployConfig } from '../../../deploy/config/config.ts';
import { resolveStackTarget } from '../../../deploy/cloudformation/stackTarget.ts';
import { parseLocalEnvironment } from '../../../deploy/cli/localEnvironment.ts';
import { deployEnv, handlerEnv } from '../../helpers/fixtures.ts';

// Finding 9 of issue 15: over plain http to another host, AssumeRole carries the external id and
// every request the session token in clear text. The handler refuses it with its environment; every
// command refuses it before its first AWS call (test/integration/commands/plainHttpEndpoint.test.ts).
const REMOTE = 'http://192.0.2.10:9000';

describe('security: a plain-http endpoint that is not loopback is refused (issue 15)', () => {
  it('by the handler environment, naming the variable', () => {
    expect(() => parseHandlerConfig(handlerEnv({ AWS_ENDPOINT_URL: REMOTE }))).to.throw(ConfigError, /AWS_ENDPOINT_URL is "http:\/\/192\.0\.2\.10:9000": plain http/);
    expect(parseHandlerConfig(handlerEnv({ AWS_ENDPOINT_URL: REMOTE, S3_PUSH_ALLOW_PLAIN_HTTP_ENDPOINT: '1' }))).to.have.property('sourceBucket');
  });

  it('by the deploy environment, the stack target of the other commands and a local run, each naming the variable', () => {
    expect(() => parseDeployConfig(deployEnv({ AWS_ENDPOINT_URL: REMOTE }))).to.throw(ConfigError, /AWS_ENDPOINT_URL is "http:\/\/192\.0\.2\.10:9000": plain http/);
    expect(() => resolveStackTarget({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_STS: REMOTE }, 'replicate-to-x')).to.throw(ConfigError, /AWS_ENDPOINT_URL_STS is "http:\/\/192\.0\.2\.10:9000"/);
    expect(() => parseLocalEnvironment(handlerEnv({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_S3: REMOTE }))).to.throw(ConfigError, /AWS_ENDPOINT_URL_S3 is/);
    // A loopback emulator (the tests' own moto) and https stay accepted.
    expect(resolveStackTarget({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', AWS_ENDPOINT_URL_STS: 'https://sts.example.com' }, 'replicate-to-x')).to.deep.equal({ region: 'us-east-1', stackName: 'replicate-to-x' });
  });
});
