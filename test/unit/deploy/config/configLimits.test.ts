/**
 * Limits AWS enforces that deploy must check before the first call (issue 11, item 3): a value
 * deploy accepted but CloudFormation or a resource refuses fails halfway through a stack create.
 */
import { expect } from 'chai';
import { MAX_ROLE_PATH, MAX_SCHEDULE_LENGTH, parseDeployConfig } from '../../../../deploy/config/config.ts';
import { DEPLOY_ENV } from '../../../helpers/badInputs.ts';
import { DESTINATION_ACCOUNT } from '../../../helpers/fixtures.ts';

describe('deploy config: AWS limits', () => {
  // AWS::Events::Rule ScheduleExpression: maxLength 256 (the resource schema; EventBridge PutRule).
  it(`refuses a schedule over ${MAX_SCHEDULE_LENGTH} characters, saying how long it is`, () => {
    const minutes = Array.from({ length: 60 }, (_, i) => i).join(',');
    const hours = Array.from({ length: 24 }, (_, i) => i).join(',');
    const days = Array.from({ length: 31 }, (_, i) => i + 1).join(',');
    const long = `cron(${minutes} ${hours} ${days} * ? *)`;
    expect(long.length).to.be.greaterThan(MAX_SCHEDULE_LENGTH);
    expect(() => parseDeployConfig({ ...DEPLOY_ENV, S3_REPLICATE_SCHEDULE: long })).to.throw(new RegExp(`S3_REPLICATE_SCHEDULE is .*at most ${MAX_SCHEDULE_LENGTH} characters.*it has ${long.length}`));
  });

  // IAM: a role path of at most 512 characters, its slashes included
  // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
  it(`refuses a destination role whose path exceeds ${MAX_ROLE_PATH} characters`, () => {
    const arn = (path: string) => `arn:aws:iam::${DESTINATION_ACCOUNT}:role/${path}writer`;
    // In the ARN the path's leading slash is the one after "role".
    const fits = `${'p'.repeat(MAX_ROLE_PATH - 2)}/`;
    expect(parseDeployConfig({ ...DEPLOY_ENV, S3_REPLICATE_OTHER_ROLE_ARN: arn(fits) }).destinationRoleArn).to.equal(arn(fits));
    expect(() => parseDeployConfig({ ...DEPLOY_ENV, S3_REPLICATE_OTHER_ROLE_ARN: arn(`p${fits}`) })).to.throw(/S3_REPLICATE_OTHER_ROLE_ARN has a path of 513 characters: expected at most 512/);
  });
});
