import { expect } from 'chai';
import { DEFAULT_COPY_CONCURRENCY, parseHandlerConfig } from '../../../handler/config.ts';
import { handlerEnv } from '../../helpers/fixtures.ts';
import { loadTemplate } from '../../../deploy/cloudformation/template.ts';
import { EXTERNAL_ID_PATTERN, externalIdProblem, KMS_KEY_ARN_PATTERN, kmsKeyArnProblem, ROLE_ARN_PATTERN, roleArnProblem } from '../../../rules/awsNames.ts';
import { BUCKET_NAME_PATTERN } from '../../../rules/bucketName.ts';
import { DEFAULT_LAG_DAYS, MAX_LAG_DAYS } from '../../../rules/dates.ts';
import { KEY_PREFIX_PATTERN } from '../../../rules/prefix.ts';

// The template's AllowedPatterns cannot import rules/: they are copies of its patterns, held equal
// here, and tried on the same values, so that CloudFormation and the commands accept the same input.

const { template } = loadTemplate();
const parameters = template.Parameters as Record<string, { AllowedPattern?: string; Default?: unknown; MinValue?: number; MaxValue?: number }>;
const allowed = (name: string): string => {
  const p = parameters[name]?.AllowedPattern;
  if (p === undefined) expect.fail(`parameter ${name} has no AllowedPattern`);
  return p;
};
/** An optional parameter: empty, or the rule. */
const orEmpty = (pattern: string): string => `^(${pattern.slice(1, -1)})?$`;

describe('templates: parameter patterns agree with rules/', () => {
  it('uses the rules\' patterns, made optional where the parameter may be empty', () => {
    expect(allowed('DestinationRoleArn')).to.equal(ROLE_ARN_PATTERN);
    expect(allowed('KmsKeyArn')).to.equal(orEmpty(KMS_KEY_ARN_PATTERN));
    expect(allowed('ExternalId')).to.equal(orEmpty(EXTERNAL_ID_PATTERN));
    for (const bucket of ['SourceBucket', 'DestinationBucket', 'ArtifactBucket']) expect(allowed(bucket), bucket).to.equal(BUCKET_NAME_PATTERN);
    for (const prefix of ['SourceKeyPrefix', 'DestinationPrefix']) expect(allowed(prefix), prefix).to.equal(KEY_PREFIX_PATTERN);
  });

  it('has the rules\' LAG_DAYS default and range', () => {
    expect(parameters.LagDays).to.deep.include({ Default: DEFAULT_LAG_DAYS, MinValue: 0, MaxValue: MAX_LAG_DAYS });
  });

  it('deploys the handler\'s COPY_CONCURRENCY default and range', () => {
    expect(parameters.CopyConcurrency).to.deep.include({ Default: DEFAULT_COPY_CONCURRENCY, MinValue: 1, MaxValue: 256 });
  });

  it('CopyConcurrencyStart: empty (the handler\'s own start) by default; CloudFormation and the handler accept the same numbers under the largest cap', () => {
    expect(parameters.CopyConcurrencyStart!.Default).to.equal('');
    const pattern = new RegExp(allowed('CopyConcurrencyStart'));
    const handlerTakes = (v: string) => {
      try {
        return parseHandlerConfig(handlerEnv({ COPY_CONCURRENCY: '256', COPY_CONCURRENCY_START: v })).copyConcurrencyStart === Number(v);
      } catch {
        return false;
      }
    };
    expect(pattern.test('')).to.equal(true);
    for (const v of ['0', '00', '000', '01', '007', '099', '0001', '0256', '257', '300', '999', '1000', '-1', '1.5', ' 1', 'x', ...Array.from({ length: 256 }, (_, i) => String(i + 1))]) {
      expect(pattern.test(v), v).to.equal(handlerTakes(v));
    }
  });

  const cases: [string, (v: string) => string | undefined, string[]][] = [
    ['DestinationRoleArn', roleArnProblem, [
      'arn:aws:iam::210987654321:role/s3-push-writer', 'arn:aws-cn:iam::210987654321:role/x', 'arn:aws-us-gov:iam::210987654321:role/team/x',
      'arn:aws-iso-b:iam::210987654321:role/x', 'arn:aws-eusc:iam::210987654321:role/x',
      'arn:awsx:iam::210987654321:role/x', 'arn:aws:iam::2109876543:role/x', 'arn:aws:iam::210987654321:user/x', 'arn:aws:iam::210987654321:role/',
      'arn:aws:iam::210987654321:role/x/', 'arn:aws:iam::210987654321:role//x', `arn:aws:iam::210987654321:role/${'r'.repeat(65)}`, 'arn:aws:iam::210987654321:role/a"b',
    ]],
    ['KmsKeyArn', kmsKeyArnProblem, [
      'arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab', 'arn:aws-cn:kms:cn-north-1:210987654321:key/mrk-1234abcd12ab34cd56ef1234567890ab',
      'arn:aws-eusc:kms:eusc-de-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'arn:aws:kms:us-east-1:210987654321:alias/s3-push', 'arn:aws:kms:us-east-1:210987654321:key/abc', 'arn:aws-moon:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'arn:aws:kms:Frankfurt:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    ]],
    ['ExternalId', externalIdProblem, ['ext-7f3c9a2e', 'a:b/c=d@e', 'x', 'with space', 'quote"', 'e'.repeat(1224), 'e'.repeat(1225)]],
  ];
  for (const [parameter, problem, values] of cases) {
    it(`${parameter}: CloudFormation and rules/ accept the same values`, () => {
      const pattern = new RegExp(allowed(parameter));
      let accepted = 0;
      for (const v of values) {
        const ok = problem(v) === undefined;
        if (ok) accepted++;
        expect(pattern.test(v), `${parameter} ${JSON.stringify(v)}`).to.equal(ok);
      }
      // Both answers occur, so the comparison is not vacuous.
      expect(accepted).to.be.within(1, values.length - 1);
    });
  }
});
