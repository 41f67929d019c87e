import { expect } from 'chai';
import { parseDeployConfig } from '../../../../deploy/config/config.ts';
import { stackParameters } from '../../../../deploy/cloudformation/stackParameters.ts';
import { loadTemplate } from '../../../../deploy/cloudformation/template.ts';
import { deployEnv } from '../../../helpers/fixtures.ts';

describe('deploy/cloudformation/stackParameters', () => {
  const { template } = loadTemplate();
  // Built in a beforeEach, not while the file loads: code run at load belongs to no test, and
  // mutation testing (npm run test:mutation) could then only run its mutants against every test.
  let config: ReturnType<typeof parseDeployConfig>;
  let params: ReturnType<typeof stackParameters>;
  beforeEach(() => {
    config = parseDeployConfig(deployEnv({ AWS_DEFAULT_REGION: undefined, S3_REPLICATE_EXTERNAL_ID: undefined, S3_REPLICATE_PREFIX_FORMAT: 'exports/{YYYY}/{MM}/{DD}/' }));
    params = stackParameters(config, { bucket: 'artifacts', key: 's3-push/ab.zip' });
  });

  it('sets every parameter the template requires, and only parameters it declares', () => {
    const required = Object.entries(template.Parameters).filter(([, p]) => p.Default === undefined).map(([k]) => k);
    expect(Object.keys(params)).to.include.members(required);
    expect(Object.keys(template.Parameters)).to.include.members(Object.keys(params));
  });

  it('satisfies every AllowedPattern and length of the template (a valid config never fails at validation)', () => {
    for (const [key, value] of Object.entries(params)) {
      const p = template.Parameters[key]!;
      if (p.AllowedPattern) expect(new RegExp(p.AllowedPattern).test(value), `${key}=${value}`).to.equal(true);
      if (p.MaxLength !== undefined) expect(value.length, key).to.be.at.most(p.MaxLength);
      if (p.MinLength !== undefined) expect(value.length, key).to.be.at.least(p.MinLength);
    }
  });

  it('passes the fixed part of the prefix format for the IAM narrowing', () => {
    expect(params.SourceKeyPrefix).to.equal('exports/');
    expect(params.ExternalId).to.equal('');
    expect(params.ArtifactKey).to.equal('s3-push/ab.zip');
  });

  it('always sends PushOnWrite, false unless S3_REPLICATE_PUSH_ON_WRITE=true, within the allowed values', () => {
    expect(params.PushOnWrite).to.equal('false');
    const on = stackParameters({ ...config, pushOnWrite: true }, { bucket: 'artifacts', key: 's3-push/ab.zip' });
    expect(on.PushOnWrite).to.equal('true');
    expect(template.Parameters.PushOnWrite!.AllowedValues).to.include.members(['true', 'false']);
  });
});
