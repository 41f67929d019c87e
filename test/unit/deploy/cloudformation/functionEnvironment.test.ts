import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { functionEnvironment, handlerEnvironmentProblems, handlerSettings } from '../../../../deploy/cloudformation/functionEnvironment.ts';
import { stackParameters } from '../../../../deploy/cloudformation/stackParameters.ts';
import { loadTemplate, type CfnTemplate } from '../../../../deploy/cloudformation/template.ts';
import { parseDeployConfig } from '../../../../deploy/config/config.ts';
import { REPO_ROOT } from '../../../../deploy/repoRoot.ts';
import { deployEnv, SOURCE_ACCOUNT } from '../../../helpers/fixtures.ts';

describe('deploy/cloudformation/functionEnvironment: the handler\'s environment as the stack sets it', () => {
  const { template } = loadTemplate();
  const build = (overrides: Record<string, string | undefined> = {}) => {
    const config = parseDeployConfig(deployEnv(overrides));
    return functionEnvironment(template, stackParameters(config, { bucket: config.artifactBucket, key: 'k' }), config.account);
  };

  it('maps each deploy variable to the handler\'s, through the template', () => {
    const rows = Object.fromEntries(handlerSettings(template).map((s) => [s.handler, s.deploy]));
    expect(rows).to.deep.equal({
      SOURCE_BUCKET: 'S3_ROOT_BUCKET',
      DESTINATION_BUCKET: 'S3_REPLICATE_BUCKET_NAME',
      DESTINATION_ROLE_ARN: 'S3_REPLICATE_OTHER_ROLE_ARN',
      SOURCE_ACCOUNT_ID: 'AWS_ACCOUNT',
      EXTERNAL_ID: 'S3_REPLICATE_EXTERNAL_ID',
      PREFIX_FORMAT: 'S3_REPLICATE_PREFIX_FORMAT',
      DESTINATION_PREFIX: 'S3_REPLICATE_DEST_PREFIX',
      DESTINATION_PREFIX_FORMAT: 'S3_REPLICATE_DEST_PREFIX_FORMAT',
      DESTINATION_STORAGE_CLASS: 'S3_REPLICATE_DEST_STORAGE_CLASS',
      LAG_DAYS: 'S3_REPLICATE_LAG_DAYS',
      KMS_KEY_ARN: 'S3_REPLICATE_KMS_KEY_ARN',
      SOURCE_KMS_KEY_ARN: 'S3_REPLICATE_SOURCE_KMS_KEY_ARN',
      COPY_CONCURRENCY: undefined,
      COPY_CONCURRENCY_START: undefined,
      MULTIPART_THRESHOLD_BYTES: undefined,
      PART_SIZE_BYTES: undefined,
      WORK_QUEUE_URL: undefined,
      DAY_MARKER: 'S3_REPLICATE_DAY_MARKER',
      EXCLUDE: 'S3_REPLICATE_EXCLUDE',
      SOURCE_READY_KEY: 'S3_REPLICATE_SOURCE_READY_KEY',
      LOOKBACK_DAYS: 'S3_REPLICATE_LOOKBACK_DAYS',
      EXACT_DAYS: 'S3_REPLICATE_EXACT_DAYS',
      EXACT_DAYS_MAX_DELETES: 'S3_REPLICATE_EXACT_DAYS_MAX_DELETES',
    });
  });

  it('names only variables the two configs read', () => {
    const handlerSource = readFileSync(`${REPO_ROOT}handler/config.ts`, 'utf8');
    const deploySource = readFileSync(`${REPO_ROOT}deploy/config/config.ts`, 'utf8');
    for (const { handler, deploy } of handlerSettings(template)) {
      expect(handlerSource, handler).to.include(`'${handler}'`);
      if (deploy) expect(deploySource, deploy).to.include(`'${deploy}'`);
    }
  });

  it('resolves the parameters, the account and the template defaults; leaves out what the stack leaves out', () => {
    const env = build({ S3_REPLICATE_EXTERNAL_ID: undefined, S3_REPLICATE_LAG_DAYS: '4' });
    // A parameter deploy does not send takes the template's default, whatever it is.
    const copyConcurrency = String(template.Parameters.CopyConcurrency!.Default);
    expect(env).to.deep.include({ SOURCE_ACCOUNT_ID: SOURCE_ACCOUNT, LAG_DAYS: '4', COPY_CONCURRENCY: copyConcurrency, DAY_MARKER: 'false', DESTINATION_PREFIX: '' });
    // !If [HasExternalId, …, AWS::NoValue], and the work queue is a resource known only once deployed.
    expect(env).to.not.have.any.keys('EXTERNAL_ID', 'KMS_KEY_ARN', 'SOURCE_KMS_KEY_ARN', 'WORK_QUEUE_URL', 'COPY_CONCURRENCY_START');
    expect(build()).to.have.property('EXTERNAL_ID');
  });

  describe('handlerEnvironmentProblems: what the handler would refuse, before deploy sends anything', () => {
    const withDefaults = (defaults: Record<string, string | number>): CfnTemplate => ({
      ...template,
      Parameters: Object.fromEntries(Object.entries(template.Parameters).map(([name, p]) => [name, name in defaults ? { ...p, Default: defaults[name]! } : p])),
    });
    const problemsOf = (t: CfnTemplate) => {
      const config = parseDeployConfig(deployEnv());
      return handlerEnvironmentProblems(t, stackParameters(config, { bucket: config.artifactBucket, key: 'k' }), config.account);
    };

    it('finds none in the template as it is', () => {
      expect(problemsOf(template)).to.deep.equal([]);
    });

    it('names a CopyConcurrencyStart default above CopyConcurrency, which CloudFormation cannot compare, with its parameter', () => {
      expect(problemsOf(withDefaults({ CopyConcurrencyStart: '100' }))).to.deep.equal([
        'COPY_CONCURRENCY_START is "100": expected a whole number from 1 to COPY_CONCURRENCY (62) (unset: 16) (template parameter CopyConcurrencyStart)',
      ]);
      expect(problemsOf(withDefaults({ CopyConcurrency: 8, CopyConcurrencyStart: '9' }))[0]).to.match(/^COPY_CONCURRENCY_START is "9": .*COPY_CONCURRENCY \(8\)/);
      expect(problemsOf(withDefaults({ CopyConcurrency: 8, CopyConcurrencyStart: '8' }))).to.deep.equal([]);
    });

    it('sets COPY_CONCURRENCY_START on the function from the parameter when it is not empty', () => {
      expect(functionEnvironment(withDefaults({ CopyConcurrencyStart: '32' }), {}, SOURCE_ACCOUNT)).to.include({ COPY_CONCURRENCY_START: '32', COPY_CONCURRENCY: '62' });
    });
  });

  it('refuses an intrinsic it cannot resolve, rather than guess', () => {
    const odd: CfnTemplate = {
      ...template,
      Resources: { ...template.Resources, PushFunction: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { X: { 'Fn::Sub': '${AWS::Region}' } } } } } },
    };
    expect(() => functionEnvironment(odd, {}, SOURCE_ACCOUNT)).to.throw(/does not resolve/);
  });

  it('docs/configuration.md maps the two names of each setting as the stack does', () => {
    const page = readFileSync(`${REPO_ROOT}docs/configuration.md`, 'utf8');
    // The table under the heading that names both: | `S3_ROOT_BUCKET` | `SOURCE_BUCKET` | …
    const section = page.split(/^## /m).find((s) => /deploy variables/i.test(s.split('\n')[0]!) && /handler variables/i.test(s.split('\n')[0]!));
    expect(section, 'docs/configuration.md has a section "Deploy variables and the handler variables they set"').to.be.a('string');
    const rows = section!.split('\n').filter((l) => l.startsWith('|') && !/^\|\s*-/.test(l)).slice(1).map((l) => l.split('|').slice(1, -1));
    // The names of a cell, not those of a remark in parentheses.
    const names = (cell: string) => [...cell.replace(/\([^)]*\)/g, '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!);
    const documented = rows.flatMap(([deploy = '', handler = '']) => names(handler).map((h) => `${names(deploy)[0] ?? '(none)'} -> ${h}`));
    const actual = handlerSettings(template).map((s) => `${s.deploy ?? '(none)'} -> ${s.handler}`);
    expect(documented.sort()).to.deep.equal(actual.sort());
  });
});

