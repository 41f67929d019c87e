import { expect } from 'chai';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { CopyObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { createClients, S3_MAX_ATTEMPTS } from '../../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { handlerEnv } from '../../../helpers/fixtures.ts';

/** A server that accepts every connection, reads the request and never answers. */
async function silentServer(): Promise<{ server: Server; endpoint: string; requests: () => string[]; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const seen: string[] = [];
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk) => {
      const line = chunk.toString('latin1').split('\r\n')[0]!;
      if (/^[A-Z]+ \//.test(line)) seen.push(line);
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => seen,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

describe('handler clients: a request that is never answered times out and is retried', function () {
  this.timeout(30_000);
  let silent: Awaited<ReturnType<typeof silentServer>>;
  const NAMES = ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'] as const;
  let saved: Record<string, string | undefined>;
  beforeEach(async () => {
    silent = await silentServer();
    saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]));
    for (const n of NAMES) delete process.env[n];
    Object.assign(process.env, { AWS_ENDPOINT_URL: silent.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });
  });
  afterEach(async () => {
    for (const n of NAMES) {
      if (saved[n] === undefined) delete process.env[n];
      else process.env[n] = saved[n];
    }
    await silent.close();
  });

  const clientsWith = (timeout: string) => createClients(parseHandlerConfig({ ...handlerEnv(), REQUEST_TIMEOUT_MS: timeout }));

  it('the source client: each attempt ends with a TimeoutError, every attempt is made', async () => {
    const { sourceS3 } = clientsWith('150');
    const err = await sourceS3.send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' })).then(() => undefined, (e: unknown) => e as Error & { $metadata?: { attempts?: number } });
    expect(err?.name).to.equal('TimeoutError');
    expect(err?.$metadata?.attempts ?? S3_MAX_ATTEMPTS).to.equal(S3_MAX_ATTEMPTS);
    expect(silent.requests().filter((r) => r.startsWith('HEAD /'))).to.have.length(S3_MAX_ATTEMPTS);
  });

  it('the destination client: its AssumeRole (STS) times out on every attempt and the copy fails with that cause', async () => {
    const { destinationS3 } = clientsWith('150');
    const err = await destinationS3.send(new CopyObjectCommand({ Bucket: 'd', Key: 'k', CopySource: 's/k' })).then(() => undefined, (e: unknown) => e as Error);
    const causes: string[] = [];
    for (let e: unknown = err; e instanceof Error; e = e.cause) causes.push(e.name);
    expect(causes).to.include('TimeoutError');
    expect(silent.requests().filter((r) => r.startsWith('POST /')).length).to.be.at.least(S3_MAX_ATTEMPTS);
  });
});
