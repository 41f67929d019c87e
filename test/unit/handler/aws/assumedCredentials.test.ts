import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { assumedRoleCredentials } from '../../../../handler/aws/assumedCredentials.ts';
import { AwsCallError } from '../../../../handler/errors.ts';
import { DESTINATION_ROLE_ARN, EXTERNAL_ID } from '../../../helpers/fixtures.ts';

describe('handler/aws/assumedCredentials', () => {
  const sts = new STSClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const mock = mockClient(sts);
  let clock = 0;
  let issued = 0;
  beforeEach(() => {
    clock = Date.parse('2024-01-02T06:00:00Z');
    issued = 0;
    // Each AssumeRole returns new keys valid for one hour from the fake clock.
    mock.on(AssumeRoleCommand).callsFake(() => {
      issued++;
      return { Credentials: { AccessKeyId: `AKIA${issued}`, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(clock + 3600_000) } };
    });
  });
  afterEach(() => mock.reset());

  it('assumes the role with the external id and caches the credentials', async () => {
    const creds = assumedRoleCredentials({ sts, roleArn: DESTINATION_ROLE_ARN, externalId: EXTERNAL_ID, now: () => clock });
    expect((await creds()).accessKeyId).to.equal('AKIA1');
    clock += 50 * 60_000;
    expect((await creds()).accessKeyId).to.equal('AKIA1');
    expect(mock.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).to.deep.equal([
      { RoleArn: DESTINATION_ROLE_ARN, RoleSessionName: 's3-push', DurationSeconds: 3600, ExternalId: EXTERNAL_ID },
    ]);
  });

  it('refreshes before expiry, and concurrent callers share one AssumeRole', async () => {
    const creds = assumedRoleCredentials({ sts, roleArn: DESTINATION_ROLE_ARN, now: () => clock, refreshMarginMs: 5 * 60_000 });
    await creds();
    clock += 55 * 60_000 + 1; // less than 5 minutes left
    const all = await Promise.all([creds(), creds(), creds()]);
    expect(all.map((c) => c.accessKeyId)).to.deep.equal(['AKIA2', 'AKIA2', 'AKIA2']);
    expect(mock.commandCalls(AssumeRoleCommand)).to.have.length(2);
    expect(mock.commandCalls(AssumeRoleCommand)[1]!.args[0].input).not.to.have.property('ExternalId');
    clock += 10 * 60_000;
    expect((await creds()).accessKeyId).to.equal('AKIA2');
  });

  it('points at the trust policy when AssumeRole is denied, and tries again on the next call', async () => {
    mock.on(AssumeRoleCommand).rejectsOnce(Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }));
    const creds = assumedRoleCredentials({ sts, roleArn: DESTINATION_ROLE_ARN, externalId: EXTERNAL_ID, now: () => clock });
    const err = await creds().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(AwsCallError);
    expect((err as Error).message).to.match(/^assuming the destination role arn:aws:iam::210987654321:role\/s3-push-writer failed: AccessDenied: User is not authorized.*trustRelationshipExample\.json\.tmp/);
    expect((err as Error).message).not.to.include(EXTERNAL_ID);
    mock.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'AKIA9', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(clock + 3600_000) } });
    expect((await creds()).accessKeyId).to.equal('AKIA9');
  });

  // Regression: every failure pointed at the trust policy, a throttle that outlived the retries too.
  it('does not blame the trust policy for a throttle', async () => {
    mock.on(AssumeRoleCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    const creds = assumedRoleCredentials({ sts, roleArn: DESTINATION_ROLE_ARN, now: () => clock });
    const err = await creds().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(AwsCallError);
    expect((err as Error).message).to.include('Throttling: Rate exceeded');
    expect((err as Error).message).not.to.include('trust');
  });
});
