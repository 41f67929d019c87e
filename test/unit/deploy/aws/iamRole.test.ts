import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { GetRoleCommand, IAMClient, IAMServiceException, NoSuchEntityException } from '@aws-sdk/client-iam';
import { waitForRole } from '../../../../deploy/aws/iamRole.ts';
import { DeployError } from '../../../../deploy/cli/errors.ts';

describe('deploy/aws/iamRole waitForRole', () => {
  const iam = new IAMClient({ region: 'us-east-1' });
  const mock = mockClient(iam);
  afterEach(() => mock.reset());

  it('gives up at its deadline with what to do', async () => {
    mock.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: 'not found', $metadata: {} }));
    let clock = 0;
    const err = await waitForRole(iam, 'r', { pollIntervalMs: 2000, timeoutMs: 10_000, now: () => clock, sleep: (ms) => { clock += ms; return Promise.resolve(); } }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DeployError);
    expect((err as Error).message).to.include('not visible in IAM after 10 s');
    expect(mock.commandCalls(GetRoleCommand)).to.have.length(6);
  });

  it('reports AccessDenied at once instead of waiting', async () => {
    mock.on(GetRoleCommand).rejects(new IAMServiceException({ name: 'AccessDenied', message: 'not authorized to perform iam:GetRole', $fault: 'client', $metadata: {} }));
    const err = await waitForRole(iam, 'r', { sleep: () => Promise.resolve() }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DeployError);
    expect((err as Error).message).to.include('AccessDenied');
    expect(mock.commandCalls(GetRoleCommand)).to.have.length(1);
  });
});
