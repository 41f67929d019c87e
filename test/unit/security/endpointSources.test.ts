import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CopyObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createClients } from '../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../handler/config.ts';
import { handlerEnv } from '../../helpers/fixtures.ts';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { checkEndpoints, endpointOrigin, guardRequests, type Lookup } from '../../../handler/aws/endpointGuard.ts';
import { ConfigError } from '../../../rules/errors.ts';

// The endpoint each client actually resolves, from every source the SDK reads: the SDK reads
// process.env itself, so each test sets the variables it needs and puts back what was there.
const VARIABLES = ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_STS', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_PROFILE', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'S3_PUSH_ALLOW_PLAIN_HTTP_ENDPOINT'];
const REMOTE = 'ws://192.0.2.2:18769';

/** A client whose HTTP handler records what it would send; nothing leaves the process. */
function recordingClients(): { s3: S3Client; sts: STSClient; sent: string[] } {
  const sent: string[] = [];
  const handler = { handle: (request: { protocol: string; hostname: string }) => { sent.push(`${request.protocol}//${request.hostname}`); return Promise.reject(new Error('recorded')); } };
  const credentials = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x', sessionToken: 'SESSION-TOKEN' };
  const s3 = new S3Client({ region: 'us-east-1', credentials, requestHandler: handler as never, maxAttempts: 1 });
  const sts = new STSClient({ region: 'us-east-1', credentials, requestHandler: { handle: handler.handle } as never, maxAttempts: 1 });
  return { s3, sts, sent };
}

describe('security: the endpoint rule holds for the endpoint each client resolves, from every source the SDK reads (issue 22)', () => {
  let saved: Record<string, string | undefined>;
  let dir: string;
  beforeEach(async () => {
    saved = Object.fromEntries(VARIABLES.map((v) => [v, process.env[v]]));
    for (const v of VARIABLES) delete process.env[v];
    dir = await mkdtemp(join(tmpdir(), 's3-push-endpoints-'));
    // No file of the operator's home is read: point both files into the test's folder.
    process.env.AWS_CONFIG_FILE = join(dir, 'missing-config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'missing-credentials');
  });
  afterEach(async () => {
    for (const v of VARIABLES) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
    await rm(dir, { recursive: true, force: true });
  });

  /** The problems checkEndpoints reports for the clients, or [] when it accepts them. */
  const problems = async (lookup?: Lookup): Promise<string[]> => {
    const { s3, sts } = recordingClients();
    return checkEndpoints([s3, sts], lookup ? { lookup } : {}).then(() => [], (err: unknown) => {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).exitCode).to.equal(2);
      return [...(err as ConfigError).problems];
    });
  };

  /** Writes the shared config file and points AWS_CONFIG_FILE at it. */
  const configFile = async (text: string): Promise<string> => {
    const path = join(dir, `config-${Math.random().toString(36).slice(2)}`);
    await writeFile(path, text);
    process.env.AWS_CONFIG_FILE = path;
    return path;
  };

  it('AWS_ENDPOINT_URL: each scheme that is not https is refused, naming the variable', async () => {
    for (const value of ['ws://192.0.2.2:18769', 'wss://192.0.2.2:18769', 'ftp://192.0.2.2', 'http://192.0.2.2:18769']) {
      process.env.AWS_ENDPOINT_URL = value;
      const found = await problems();
      expect(found, value).to.have.length(1);
      expect(found[0]).to.include(`AWS_ENDPOINT_URL is ${JSON.stringify(value)}:`);
    }
    for (const value of ['https://192.0.2.2:18769', 'http://127.0.0.1:5000', 'http://[::1]:5000']) {
      process.env.AWS_ENDPOINT_URL = value;
      expect(await problems(), value).to.deep.equal([]);
    }
  });

  it('AWS_ENDPOINT_URL_<SERVICE> wins over AWS_ENDPOINT_URL and is named', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:5000';
    process.env.AWS_ENDPOINT_URL_STS = REMOTE;
    expect(await problems()).to.deep.equal([(await problemFor('AWS_ENDPOINT_URL_STS', REMOTE))]);
    process.env.AWS_ENDPOINT_URL_S3 = 'wss://s3.example.com';
    expect(await problems()).to.have.length(2);
  });

  it('endpoint_url in the profile of the config file (AWS_CONFIG_FILE), default profile and AWS_PROFILE', async () => {
    const path = await configFile(`[default]\nendpoint_url = ${REMOTE}\n\n[profile lab]\nendpoint_url = ftp://192.0.2.3\n`);
    expect(await problems()).to.deep.equal([await problemFor(`endpoint_url of profile default in ${path}`, REMOTE)]);
    process.env.AWS_PROFILE = 'lab';
    expect(await problems()).to.deep.equal([await problemFor(`endpoint_url of profile lab in ${path}`, 'ftp://192.0.2.3')]);
  });

  it('endpoint_url of a service in the profile\'s [services] section, the section named', async () => {
    const path = await configFile(`[profile lab]\nservices = lab-endpoints\n\n[services lab-endpoints]\nsts =\n  endpoint_url = ${REMOTE}\ns3 =\n  endpoint_url = https://s3.example.com\n`);
    process.env.AWS_PROFILE = 'lab';
    expect(await problems()).to.deep.equal([await problemFor(`endpoint_url of sts in [services lab-endpoints] of ${path} (profile lab)`, REMOTE)]);
  });

  it('endpoint_url in the shared credentials file\'s profile', async () => {
    const path = join(dir, 'credentials');
    await writeFile(path, `[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\nendpoint_url = ${REMOTE}\n`);
    process.env.AWS_SHARED_CREDENTIALS_FILE = path;
    expect(await problems()).to.deep.equal([await problemFor(`endpoint_url of profile default in ${path}`, REMOTE)]);
  });

  it('a profile naming a [services] section that is missing: the SDK falls back to AWS\'s https endpoint, accepted', async () => {
    await configFile('[default]\nservices = nowhere\nendpoint_url = ws://192.0.2.2:1\n');
    const { s3 } = recordingClients();
    expect(await s3.config.serviceConfiguredEndpoint!()).to.equal(undefined);
    expect(await problems()).to.deep.equal([]);
  });

  it('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: the SDK uses AWS\'s own endpoints, and so does the check', async () => {
    process.env.AWS_ENDPOINT_URL = REMOTE;
    process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS = 'true';
    expect(await problems()).to.deep.equal([]);
  });

  it('S3_PUSH_ALLOW_PLAIN_HTTP_ENDPOINT=1 admits plain http:// to another host, not ws://', async () => {
    process.env.S3_PUSH_ALLOW_PLAIN_HTTP_ENDPOINT = '1';
    process.env.AWS_ENDPOINT_URL = 'http://192.0.2.2:18769';
    expect(await problems()).to.deep.equal([]);
    process.env.AWS_ENDPOINT_URL = REMOTE;
    expect(await problems()).to.have.length(1);
  });

  it('*.localhost is loopback only when it resolves to loopback addresses only', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://s3.localhost:5000';
    expect(await problems(() => Promise.resolve(['127.0.0.1', '::1']))).to.deep.equal([]);
    expect((await problems(() => Promise.resolve(['192.0.2.2'])))[0]).to.include('plain http to s3.localhost, which resolves to 192.0.2.2, not to loopback addresses only');
    expect((await problems(() => Promise.resolve([])))[0]).to.include('which does not resolve here');
  });

  it('the origin falls back to saying the SDK configured it when no source holds the value', async () => {
    expect(await endpointOrigin('S3', 'ws://nowhere', {})).to.equal('the S3 endpoint the SDK configured');
  });

  it('a request to a refused endpoint is never sent: the HTTP handler refuses it (AssumeRole with its external id, a listing)', async () => {
    const path = await configFile(`[default]\nservices = lab\n\n[services lab]\nsts =\n  endpoint_url = ${REMOTE}\ns3 =\n  endpoint_url = http://192.0.2.2:18770\n`);
    const { s3, sts, sent } = recordingClients();
    guardRequests(s3);
    guardRequests(sts);
    const assume = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/r', RoleSessionName: 's', ExternalId: 'secret-id' })).catch((e: unknown) => e);
    expect(assume).to.be.instanceOf(ConfigError);
    expect((assume as Error).message).to.include(`endpoint_url of sts in [services lab] of ${path} (profile default) is "ws://192.0.2.2:18769"`);
    const list = await s3.send(new ListObjectsV2Command({ Bucket: 'source-bucket' })).catch((e: unknown) => e);
    expect((list as Error).message).to.include(`endpoint_url of s3 in [services lab] of ${path} (profile default) is "http://192.0.2.2:18770"`);
    expect(sent, 'nothing sent').to.deep.equal([]);
  });

  it('a bucket\'s virtual host under localhost is judged as sent: refused unless it resolves to loopback', async () => {
    process.env.AWS_ENDPOINT_URL_S3 = 'http://localhost:5000';
    const { s3, sent } = recordingClients();
    const resolved = new Map([['localhost', ['127.0.0.1']], ['source-bucket.localhost', ['192.0.2.2']]]);
    guardRequests(s3, { lookup: (h) => Promise.resolve(resolved.get(h) ?? []) });
    const err = await s3.send(new ListObjectsV2Command({ Bucket: 'source-bucket' })).catch((e: unknown) => e);
    expect((err as Error).message).to.include('AWS_ENDPOINT_URL_S3 is "http://source-bucket.localhost:5000": plain http to source-bucket.localhost, which resolves to 192.0.2.2');
    expect(sent).to.deep.equal([]);
  });

  it('the handler\'s clients: the source listing, the destination copy (lean path and SDK) and AssumeRole refuse a config-file endpoint', async () => {
    const remote = 'http://192.0.2.2:18769';
    const path = await configFile(`[default]\nendpoint_url = ${remote}\n`);
    process.env.AWS_REGION = 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID = 'AKIAEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'x';
    const config = parseHandlerConfig(handlerEnv({ AWS_REGION: 'us-east-1' }));
    const clients = createClients(config);
    const origin = `endpoint_url of profile default in ${path} is "${remote}"`;
    const list = await clients.sourceS3.send(new ListObjectsV2Command({ Bucket: config.sourceBucket })).catch((e: unknown) => e);
    expect(list).to.be.instanceOf(ConfigError);
    expect((list as Error).message).to.include(origin);
    // The copy needs the assumed role's credentials first: AssumeRole is refused before it is sent.
    const copy = await clients.destinationS3.send(new CopyObjectCommand({ Bucket: config.destinationBucket, Key: 'k', CopySource: `${config.sourceBucket}/k` })).catch((e: unknown) => e);
    expect(String((copy as Error).message) + String(((copy as Error).cause as Error | undefined)?.message)).to.include(origin);
  });

  it('an https endpoint or a loopback one is sent as before', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:5000';
    const { s3, sent } = recordingClients();
    guardRequests(s3);
    await s3.send(new ListObjectsV2Command({ Bucket: 'source-bucket' })).catch(() => undefined);
    expect(sent).to.deep.equal(['http://127.0.0.1']);
  });
});

/** The message checkEndpoints gives for a refused value from `origin` (the rule's own wording). */
async function problemFor(origin: string, value: string): Promise<string> {
  const { endpointProblem, judgeEndpoint } = await import('../../../rules/endpoint.ts');
  const v = judgeEndpoint(value, false);
  if (v.kind !== 'refused') throw new Error(`${value} is not refused`);
  return endpointProblem(origin, value, v.why, v.allowable);
}
