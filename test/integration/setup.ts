/**
 * Mocha root hooks for the integration suites: one moto server for the whole run, on a free
 * loopback port, reached by the real code only through AWS_ENDPOINT_URL. Suites call
 * `moto().reset()` in their own `before` so that they do not see each other's resources.
 * A missing moto fails the run loudly; it never skips.
 */
import { startMoto, type MotoServer } from '../../dev/motoServer.ts';
import { SOURCE_ACCOUNT } from '../helpers/fixtures.ts';

let server: MotoServer | undefined;

/** The running moto server; only valid inside integration tests. */
export function moto(): MotoServer {
  if (!server) throw new Error('moto is not running: integration tests must be run with --require test/integration/setup.ts');
  return server;
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(60_000);
    server = await startMoto();
    process.env.AWS_ENDPOINT_URL = server.endpoint;
    process.env.AWS_REGION = 'us-east-1';
    process.env.AWS_DEFAULT_REGION = 'us-east-1';
    // moto acts in account 123456789012 for plain keys; assumed-role credentials act in the role's account.
    process.env.AWS_ACCESS_KEY_ID = 'testing';
    process.env.AWS_SECRET_ACCESS_KEY = 'testing';
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    process.env.AWS_ACCOUNT = SOURCE_ACCOUNT;
  },
  async afterAll() {
    await server?.stop();
    server = undefined;
  },
};
