import { expect } from 'chai';
import { renderKeepInstructions, shellQuote, type KeptDemo } from '../../../../../deploy/commands/demo/keep.ts';
import { parseDemoArgs } from '../../../../../deploy/commands/demo/args.ts';
import { UsageError } from '../../../../../rules/errors.ts';

const kept: KeptDemo = {
  endpoint: 'http://127.0.0.1:40001',
  pid: 4242,
  logFile: '/tmp/s3-push-demo-moto-x/moto.log',
  region: 'us-east-1',
  credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' },
  deploy: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:40001', AWS_ACCOUNT: '123456789012', S3_ROOT_BUCKET: 'acme-events-demo', S3_REPLICATE_PREFIX_FORMAT: 'events/{YYYY}/{MM}/{DD}/' },
  handler: { SOURCE_BUCKET: 'acme-events-demo', WORK_QUEUE_URL: 'http://127.0.0.1:40001/123456789012/work', PREFIX_FORMAT: 'events/{YYYY}/{MM}/{DD}/', EXTERNAL_ID: "it's" },
  destinationAdminRoleArn: 'arn:aws:iam::210987654321:role/demo-destination-admin',
  days: ['2024-03-01', '2024-03-03'],
};

describe('deploy/commands/demo/keep', () => {
  it('quotes for the shell only what needs it', () => {
    expect(shellQuote('http://127.0.0.1:40001')).to.equal('http://127.0.0.1:40001');
    expect(shellQuote('events/{YYYY}/')).to.equal("'events/{YYYY}/'");
    expect(shellQuote("it's $HOME")).to.equal("'it'\\''s $HOME'");
  });

  it('prints the connection, the deploy and the handler variables as exports, each once, and how to stop the server', () => {
    const lines = renderKeepInstructions(kept);
    const exports = lines.filter((l) => l.startsWith('export '));
    const names = exports.map((l) => l.slice('export '.length, l.indexOf('=')));
    expect(names).to.deep.equal([
      'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_EC2_METADATA_DISABLED',
      'AWS_ACCOUNT', 'S3_REPLICATE_PREFIX_FORMAT', 'S3_ROOT_BUCKET',
      'EXTERNAL_ID', 'PREFIX_FORMAT', 'SOURCE_BUCKET',
    ]);
    expect(exports).to.include('export AWS_ENDPOINT_URL=http://127.0.0.1:40001').and.include("export PREFIX_FORMAT='events/{YYYY}/{MM}/{DD}/'").and.include("export EXTERNAL_ID='it'\\''s'");
    // moto would try to run the function on every message of the stack's work queue.
    expect(lines.join('\n')).to.not.include('export WORK_QUEUE_URL');
    expect(lines[0]).to.equal('the moto server keeps running at http://127.0.0.1:40001 (pid 4242, log /tmp/s3-push-demo-moto-x/moto.log), with the demo\'s two accounts, stack and data.');
    expect(lines).to.include('unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE');
    expect(lines).to.include('  npm run status -- --local --from 2024-03-01 --to 2024-03-03');
    expect(lines.at(-1)).to.equal('stop the server: kill 4242   (its state is in memory: it is gone with it)');
  });

  it('npm run demo takes --keep (beside --partners, tested in args.test.ts) and refuses a misspelling', () => {
    expect(parseDemoArgs([])).to.include({ keep: false });
    expect(parseDemoArgs(['--keep'])).to.include({ keep: true });
    expect(() => parseDemoArgs(['--kep'])).to.throw(UsageError, /--kep/);
  });
});
