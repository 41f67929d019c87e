import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployEnv, handlerEnv } from '../../helpers/fixtures.ts';
import { runCommand } from '../../helpers/runCommand.ts';

// Finding 9 of issue 15: over plain http to another host, AssumeRole carries the external id and
// every request the session token in clear text. Each command refuses it before its first AWS call
// (exit 2, the variable named); the endpoint is an unroutable documentation address (RFC 5737), so
// any call would hang or fail differently.
const REMOTE = 'http://192.0.2.10:9000';
const withRegion = (env: Record<string, string | undefined>): Record<string, string | undefined> => ({ AWS_REGION: 'us-east-1', ...env });

describe('every command refuses a plain-http endpoint that is not loopback (issue 15), from the environment or the config file (issue 22)', function () {
  this.timeout(60_000);
  let dir: string;
  let configFile: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3-push-endpoint-config-'));
    configFile = join(dir, 'config');
    // The reproduction: a [services] section of the config file the SDK reads, ws:// to another host.
    await writeFile(configFile, '[profile lab]\nservices = lab\n\n[services lab]\nsts =\n  endpoint_url = ws://192.0.2.2:18769\n');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const [command, args, env] of [
    ['deploy', [], deployEnv()],
    ['invoke', ['--local', '--dates', '2024-01-01'], handlerEnv()],
    ['invoke', ['--stack', 'replicate-to-x', '--dates', '2024-01-01'], { AWS_REGION: 'us-east-1' }],
    ['check', ['--stack', 'replicate-to-x'], { AWS_REGION: 'us-east-1' }],
    ['check', ['--local'], handlerEnv()],
    ['status', ['--stack', 'replicate-to-x', '--days', '1'], { AWS_REGION: 'us-east-1' }],
    ['status', ['--local', '--days', '1'], handlerEnv()],
    ['destroy', ['--stack', 'replicate-to-x'], { AWS_REGION: 'us-east-1' }],
  ] as const) {
    it(`by ${command} ${args.join(' ')}: exit 2 naming AWS_ENDPOINT_URL_STS, no AWS call`, async () => {
      const res = await runCommand(command, [...args], {
        baseEnv: 'minimal',
        env: { ...env, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x', AWS_ENDPOINT_URL_STS: REMOTE },
        timeoutMs: 40_000,
      });
      expect(res.code, res.stderr).to.equal(2);
      expect(res.stderr).to.include('AWS_ENDPOINT_URL_STS is "http://192.0.2.10:9000"');
      expect(res.stderr).to.include('S3_PUSH_ALLOW_PLAIN_HTTP_ENDPOINT=1');
    });

    it(`by ${command} ${args.join(' ')}: exit 2 naming the [services] section of AWS_CONFIG_FILE, no AWS call`, async () => {
      const res = await runCommand(command, [...args], {
        baseEnv: 'minimal',
        // The region too: the config file's endpoint is read once the environment is complete.
        env: { ...withRegion(env), AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x', AWS_CONFIG_FILE: configFile, AWS_PROFILE: 'lab' },
        timeoutMs: 40_000,
      });
      expect(res.code, res.stderr).to.equal(2);
      expect(res.stderr).to.include(`endpoint_url of sts in [services lab] of ${configFile} (profile lab) is "ws://192.0.2.2:18769": the SDK sends a ws:// endpoint as plain http`);
    });
  }
});
