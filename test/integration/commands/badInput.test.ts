import { expect } from 'chai';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListStacksCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { moto } from '../setup.ts';
import { createClients } from '../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../handler/config.ts';
import { EventValidationError } from '../../../handler/errors.ts';
import { handleEvent } from '../../../handler/index.ts';
import { createLogger } from '../../../handler/logger.ts';
import { startFaultProxy, type FaultProxy } from '../../../dev/faultProxy.ts';
import { createWorld, putObjects, type World } from '../../../dev/replicationWorld.ts';
import { eachLimit, listKeys } from '../../helpers/s3Data.ts';
import { runCommand } from '../../helpers/runCommand.ts';
import { BAD_INPUTS, type BadInput } from '../../helpers/badInputs.ts';
import { DESTINATION_BUCKET, EXTERNAL_ID, SOURCE_BUCKET, handlerEnv } from '../../helpers/fixtures.ts';

// Every bad input in the table: a thrown validation error (handler) or exit code 2 (CLI), a message
// that names the value, and no side effect — each runs against its own counting proxy in front of
// moto, which must see no request at all, and moto must hold no new bucket, no stack, no copy.
// A report of every input and its message is written when BAD_INPUT_REPORT names a file.


describe('bad input: validation errors, exit 2, a message naming the value, no side effect', function () {
  this.timeout(300_000);
  let world: World;
  let bucketsBefore: string[];
  let workDir: string;
  const results = new Map<BadInput, { message: string; exit: string; requests: number }>();

  before(async () => {
    await moto().reset();
    world = await createWorld();
    await putObjects(world.sourceAdmin, ['2024/01/01/a.csv', '2024/01/02/b.csv', '2024/02/29/c.csv'].map((Key) => ({ Bucket: SOURCE_BUCKET, Key, Body: Key })));
    bucketsBefore = ((await new S3Client({}).send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name!).sort();
    workDir = await mkdtemp(join(tmpdir(), 's3-push-bad-input-'));
    await writeFile(join(workDir, 'broken.json'), '{"dates": ["2024-01-01",]}');
    await writeFile(join(workDir, 'impossible.json'), '{"dates": ["2024-02-30"]}');

    // Run every case up front (CLI cases 3 at a time), recording what happened; the tests assert.
    const run = async (c: BadInput) => {
      const proxy: FaultProxy = await startFaultProxy({ target: moto().endpoint });
      try {
        if (c.surface === 'handler event') {
          const config = parseHandlerConfig(handlerEnv());
          // The SDK reads AWS_ENDPOINT_URL when a client first resolves its endpoint: keep it for the call.
          const saved = process.env.AWS_ENDPOINT_URL;
          process.env.AWS_ENDPOINT_URL = proxy.endpoint;
          const lines: string[] = [];
          let err: unknown;
          try {
            err = await handleEvent(c.event, config, createClients(config), { logger: createLogger([config.externalId], (l) => lines.push(l)) }).then(
              () => undefined,
              (e: unknown) => e,
            );
          } finally {
            process.env.AWS_ENDPOINT_URL = saved;
          }
          results.set(c, {
            message: err instanceof Error ? err.message : `no error (${String(err)})`,
            exit: err instanceof EventValidationError ? 'EventValidationError' : `not a validation error: ${err instanceof Error ? err.name : 'nothing thrown'}`,
            requests: proxy.counts().seen,
          });
        } else {
          const command = c.surface === 'deploy env' || c.surface === 'deploy flags' ? 'deploy' : 'invoke';
          const env = { ...c.env, ...(c.env.AWS_ENDPOINT_URL === undefined ? { AWS_ENDPOINT_URL: proxy.endpoint } : {}) };
          // Only what the case gives, plus what node needs: no credential or region leaks in from the run.
          const r = await runCommand(command, c.args, { env, baseEnv: 'minimal', cwd: workDir });
          results.set(c, { message: r.stderr.trim(), exit: `exit ${r.code}`, requests: proxy.counts().seen });
        }
      } finally {
        await proxy.close();
      }
    };
    await eachLimit(BAD_INPUTS.filter((c) => c.surface === 'handler event'), 1, run);
    await eachLimit(BAD_INPUTS.filter((c) => c.surface !== 'handler event'), 3, run);

    if (process.env.BAD_INPUT_REPORT) {
      const lines = BAD_INPUTS.map((c, i) => {
        const r = results.get(c)!;
        const shown = (k: string) => `${k}=${c.env[k] === undefined ? '(unset)' : JSON.stringify(c.env[k])}`;
        const input = c.surface === 'handler event' ? JSON.stringify(c.event) : [...c.shows.map(shown), ...c.args].join(' ');
        // The message without the usage text that follows a blank line, and without the log line.
        const message = r.message.split('\n\n')[0]!.split('\n').filter((l) => l.trim() && !l.startsWith('{"level"')).map((l) => l.trim()).join(' ');
        return `| ${i + 1} | ${c.surface} | ${c.what} | \`${input.replace(/\|/g, '\\|')}\` | ${r.exit} | ${message.replace(/\|/g, '\\|')} |`;
      });
      await writeFile(process.env.BAD_INPUT_REPORT, ['| # | surface | what | input | outcome | message |', '| --- | --- | --- | --- | --- | --- |', ...lines, ''].join('\n'));
    }
  });
  after(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it(`has at least 40 cases (${BAD_INPUTS.length})`, () => {
    expect(BAD_INPUTS.length).to.be.at.least(40);
  });

  for (const c of BAD_INPUTS) {
    it(`${c.surface}: ${c.what}`, () => {
      const r = results.get(c);
      expect(r, 'the case ran').to.not.equal(undefined);
      expect(r!.exit, r!.message).to.equal(c.surface === 'handler event' ? 'EventValidationError' : 'exit 2');
      for (const part of c.names) expect(r!.message, 'the message names the value').to.include(part);
      if (c.secret) expect(r!.message, 'the secret is not echoed').to.not.include(c.secret);
      expect(r!.message).to.not.include(EXTERNAL_ID);
      expect(r!.requests, 'no AWS request was made').to.equal(0);
    });
  }

  it('left no side effect in moto: no new bucket, no stack, nothing copied, no file written', async () => {
    expect((await readdir(workDir)).sort()).to.deep.equal(['broken.json', 'impossible.json']);
    const buckets = ((await new S3Client({}).send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name!).sort();
    expect(buckets).to.deep.equal(bucketsBefore);
    const stacks = await new CloudFormationClient({}).send(new ListStacksCommand({}));
    expect(stacks.StackSummaries ?? []).to.deep.equal([]);
    expect(await listKeys(world.destinationAdmin, DESTINATION_BUCKET)).to.deep.equal([]);
  });
});
