/**
 * Every ARN deploy builds is in the partition of the region (issue 11, item 4). ARNs begin with
 * `arn:aws` in the commercial regions, `arn:aws-cn` in China and `arn:aws-us-gov` in GovCloud
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html), and S3 refuses a bucket
 * policy whose Resource names another partition (MalformedPolicy, "Policy has invalid resource").
 * moto accepts any ARN, so the rule is encoded here, per partition.
 */
import { expect } from 'chai';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ensureArtifactBucket } from '../../../../deploy/aws/artifacts.ts';
import { parseDeployConfig } from '../../../../deploy/config/config.ts';
import { partitionOf } from '../../../../rules/awsNames.ts';
import { renderDocuments } from '../../../../deploy/config/policies.ts';
import { DEPLOY_ENV } from '../../../helpers/badInputs.ts';
import { awsError } from '../../../helpers/errors.ts';

const PARTITIONS = [
  { region: 'us-east-1', partition: 'aws' },
  { region: 'cn-northwest-1', partition: 'aws-cn' },
  { region: 'us-gov-west-1', partition: 'aws-us-gov' },
] as const;

/** Every `arn:<partition>:` in a JSON document. */
function partitionsIn(json: string): string[] {
  return [...json.matchAll(/arn:([a-z-]+):/g)].map((m) => m[1]!);
}

describe('deploy: ARNs in the partition of the region', () => {
  let s3: AwsClientStub<S3Client>;
  beforeEach(() => {
    s3 = mockClient(S3Client);
  });
  afterEach(() => s3.restore());

  it('knows the partition of each region', () => {
    expect(PARTITIONS.map((p) => partitionOf(p.region))).to.deep.equal(PARTITIONS.map((p) => p.partition));
    expect(partitionOf('us-iso-east-1')).to.equal('aws-iso');
    expect(partitionOf('us-isob-east-1')).to.equal('aws-iso-b');
  });

  for (const { region, partition } of PARTITIONS) {
    it(`writes the artifact bucket's TLS-only policy with arn:${partition}:s3::: resources in ${region}`, async () => {
      s3.on(HeadBucketCommand).rejects(awsError('NotFound', 404, 'Not Found'));
      s3.on(CreateBucketCommand).resolves({});
      s3.on(PutPublicAccessBlockCommand).resolves({});
      s3.on(PutBucketEncryptionCommand).resolves({});
      s3.on(PutBucketLifecycleConfigurationCommand).resolves({});
      s3.on(PutBucketPolicyCommand).resolves({});
      await ensureArtifactBucket(new S3Client({ region }), 'artifacts-bucket', region, '123456789012');
      const [put] = s3.commandCalls(PutBucketPolicyCommand);
      const policy = JSON.parse(put!.args[0].input.Policy!) as { Statement: { Resource: string[] }[] };
      expect(policy.Statement[0]!.Resource).to.deep.equal([`arn:${partition}:s3:::artifacts-bucket`, `arn:${partition}:s3:::artifacts-bucket/*`]);
    });

    it(`renders the three IAM documents with arn:${partition} ARNs only, in ${region}`, () => {
      const env = {
        ...DEPLOY_ENV,
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        S3_REPLICATE_OTHER_ROLE_ARN: `arn:${partition}:iam::210987654321:role/s3-push-writer`,
        S3_REPLICATE_KMS_KEY_ARN: `arn:${partition}:kms:${region}:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      };
      const c = parseDeployConfig(env);
      expect(c.partition).to.equal(partition);
      const docs = renderDocuments({
        stack: { stackName: c.stackName, region: c.region },
        sourceBucket: c.sourceBucket,
        prefixFormat: c.prefixFormat,
        destinationBucket: c.destinationBucket,
        destinationPrefix: c.destinationPrefix,
        destinationRoleArn: c.destinationRoleArn,
        executionRoleArn: `arn:${partition}:iam::123456789012:role/${c.lambdaRoleName}`,
        externalId: c.externalId,
        kmsKeyArn: c.kmsKeyArn,
      });
      const found = partitionsIn(JSON.stringify(docs));
      expect(found.length).to.be.greaterThan(5);
      expect(new Set(found)).to.deep.equal(new Set([partition]));
    });
  }
});
