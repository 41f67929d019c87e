/**
 * The one AWS mock set-up of the unit tests: real SDK clients (region and dummy keys given, so no
 * credential chain or network is ever consulted) mocked at `send()` with aws-sdk-client-mock,
 * each mock reset after every test of the describe that calls the helper. Call the helpers inside
 * a `describe` callback.
 */
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client, type GetObjectCommandOutput, type S3ClientResolvedConfig, type ServiceInputTypes as S3Inputs, type ServiceOutputTypes as S3Outputs } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient, type STSClientResolvedConfig, type ServiceInputTypes as StsInputs, type ServiceOutputTypes as StsOutputs } from '@aws-sdk/client-sts';
import type { AwsClients } from '../../deploy/aws/clients.ts';
import { REGION } from './fixtures.ts';

/** Client options that never reach the credential chain: a region and dummy keys. */
export const OFFLINE = { region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } } as const;

type Resettable = { reset(): unknown };

function resetAfterEach(mocks: readonly Resettable[]): void {
  afterEach(() => {
    for (const m of mocks) m.reset();
  });
}

/**
 * The handler's two S3 clients — the source (the function's own credentials) and the destination
 * (the destination role's) — as `clients` for replicateDay, runEvent and handleEvent, with their mocks.
 */
export function mockReplicationClients() {
  const sourceS3 = new S3Client(OFFLINE);
  const destinationS3 = new S3Client(OFFLINE);
  const src = mockClient(sourceS3);
  const dst = mockClient(destinationS3);
  resetAfterEach([src, dst]);
  return { clients: { sourceS3, destinationS3 }, src, dst };
}

/** The operator commands' clients (deploy/aws/clients.ts), each with its mock. */
export function mockCommandClients() {
  const clients: AwsClients = {
    sts: new STSClient(OFFLINE),
    s3: new S3Client(OFFLINE),
    cfn: new CloudFormationClient(OFFLINE),
    iam: new IAMClient(OFFLINE),
    lambda: new LambdaClient(OFFLINE),
    sns: new SNSClient(OFFLINE),
  };
  const mocks = {
    sts: mockClient(clients.sts),
    s3: mockClient(clients.s3),
    cfn: mockClient(clients.cfn),
    iam: mockClient(clients.iam),
    lambda: mockClient(clients.lambda),
    sns: mockClient(clients.sns),
  };
  resetAfterEach(Object.values(mocks));
  return { clients, ...mocks };
}

/** The class-level STS and S3 mocks of {@link mockClientClasses}; set once its `before` hook ran. */
export interface ClassMocks {
  sts: AwsStub<StsInputs, StsOutputs, STSClientResolvedConfig>;
  s3: AwsStub<S3Inputs, S3Outputs, S3ClientResolvedConfig>;
}

/**
 * Mocks every STSClient and S3Client, for code that builds its own clients (the handler's
 * createClients, as the preflight does). Made in `before()` and restored in `after()`, so they do
 * not meet other files' instance mocks; read `sts` and `s3` inside tests and hooks only.
 */
export function mockClientClasses(): ClassMocks {
  const mocks = {} as ClassMocks;
  before(() => {
    mocks.sts = mockClient(STSClient);
    mocks.s3 = mockClient(S3Client);
  });
  after(() => {
    mocks.sts.restore();
    mocks.s3.restore();
  });
  return mocks;
}

/** The part of GetObject's body stream the handler reads, holding `text`. */
export function s3Body(text: string): GetObjectCommandOutput['Body'] {
  return { transformToByteArray: () => Promise.resolve(Buffer.from(text)) } as unknown as GetObjectCommandOutput['Body'];
}
