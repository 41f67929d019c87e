/**
 * The template at the extremes of what deploy accepts, validated against the CloudFormation
 * resource provider schemas (the ones cfn-lint ships, read from the installed cfn-lint at test
 * time). moto enforces no property limit, so a value too long for a resource (a Lambda Description
 * over 256 characters, a name over 64) would only fail on AWS, halfway through CreateStack, and
 * leave the stack in ROLLBACK_COMPLETE. This test fails instead.
 *
 * For each partition, deploy's own parser reads an environment with the longest value every
 * variable accepts, then one with the shortest; the parameters deploy would send are resolved into
 * every resource (Ref, Sub, Join, GetAtt, If), with physical ids shaped as CloudFormation makes
 * them, and each resolved property is checked for maxLength, minLength, pattern, enum, minimum and
 * maximum. The rules encoded, and where AWS documents them:
 * - every property limit: the resource schemas,
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-type-schemas.html;
 * - a parameter value outside its AllowedPattern/MinLength/MaxLength fails CreateChangeSet:
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html;
 * - names CloudFormation generates (queues, alarms, the rule) are `<stack>-<logical id>-<random>`
 *   shortened to the resource's limit:
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html;
 * - Lambda environment variables: 4 KB in all, keys and values
 *   (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html);
 * - IAM role inline policies: 10,240 characters in all, whitespace not counted
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 */
import { expect } from 'chai';
import { loadTemplate, type CfnTemplate } from '../../../deploy/cloudformation/template.ts';
import { stackParameters } from '../../../deploy/cloudformation/stackParameters.ts';
import { artifactKey } from '../../../deploy/aws/artifacts.ts';
import { MAX_ROLE_PATH, MAX_SCHEDULE_LENGTH, parseDeployConfig, type DeployConfig } from '../../../deploy/config/config.ts';
import { partitionOf } from '../../../rules/awsNames.ts';
import { resolve, urlSuffix } from '../../helpers/cfnResolve.ts';
import { loadProviderSchemas, schemaPattern, validateProperties, type ProviderSchemas } from '../../helpers/cfnSchemas.ts';

const { template } = loadTemplate();
const ACCOUNT = '123456789012';
const OTHER = '210987654321';
const TYPES = [...new Set(Object.values(template.Resources).map((r) => r.Type))].sort();

/** `<stack>-<logical>-<13 random>`, shortened as CloudFormation does to fit `max`. */
export function generatedName(stack: string, logical: string, max: number): string {
  const random = 'A1B2C3D4E5F6G';
  const room = max - random.length - 2;
  const s = stack.slice(0, Math.max(1, Math.ceil(room / 2)));
  const l = logical.slice(0, room - s.length);
  return `${s}-${l}-${random}`;
}

/** Ref and GetAtt values of every resource, shaped like CloudFormation's for this stack. */
function physicalIds(t: CfnTemplate, c: DeployConfig): Record<string, string> {
  const ids: Record<string, string> = {};
  const arn = (service: string, resource: string) => `arn:${c.partition}:${service}:${c.region}:${c.account}:${resource}`;
  for (const [logical, r] of Object.entries(t.Resources)) {
    switch (r.Type) {
      case 'AWS::Logs::LogGroup':
        ids[logical] = `/aws/lambda/${c.functionName}`;
        ids[`${logical}.Arn`] = arn('logs', `log-group:/aws/lambda/${c.functionName}:*`);
        break;
      case 'AWS::SQS::Queue': {
        // SQS queue names: at most 80 characters.
        const name = generatedName(c.stackName, logical, 80);
        ids[logical] = `https://sqs.${c.region}.${urlSuffix(c.partition)}/${c.account}/${name}`;
        ids[`${logical}.Arn`] = arn('sqs', name);
        ids[`${logical}.QueueName`] = name;
        ids[`${logical}.QueueUrl`] = ids[logical];
        break;
      }
      case 'AWS::IAM::Role':
        ids[logical] = c.lambdaRoleName;
        ids[`${logical}.Arn`] = `arn:${c.partition}:iam::${c.account}:role/${c.lambdaRoleName}`;
        ids[`${logical}.RoleId`] = 'AROAEXAMPLEEXAMPLE12';
        break;
      case 'AWS::Lambda::Function':
        ids[logical] = c.functionName;
        ids[`${logical}.Arn`] = arn('lambda', `function:${c.functionName}`);
        break;
      case 'AWS::Events::Rule': {
        // EventBridge rule names: at most 64 characters.
        const name = generatedName(c.stackName, logical, 64);
        ids[logical] = name;
        ids[`${logical}.Arn`] = arn('events', `rule/${name}`);
        break;
      }
      case 'AWS::CloudWatch::Alarm':
        ids[logical] = generatedName(c.stackName, logical, 255);
        ids[`${logical}.Arn`] = arn('cloudwatch', `alarm:${ids[logical]}`);
        break;
      default:
        ids[logical] = generatedName(c.stackName, logical, 64);
    }
  }
  return ids;
}

const KEY_ID = 'mrk-0123456789abcdef0123456789abcdef';

/** The environments of `npm run deploy` with the longest and the shortest value of every variable. */
function environments(region: string): { longest: Record<string, string>; shortest: Record<string, string> } {
  const p = partitionOf(region);
  const bucket = (c: string, n: number) => c.repeat(n);
  // The role: IAM's longest path (its leading slash is the one after "role") and longest name.
  const name = 'n'.repeat(64);
  const path = `${'p'.repeat(MAX_ROLE_PATH - 2)}/`;
  // The longest schedule deploy accepts: fields as lists of values, up to EventBridge's limit. It
  // must still run every day (a schedule with a longer gap has no deadline alarm and is refused):
  // every day of the week and month first, then the hours, then as many minutes as fit.
  const fields = [[0, 59], [0, 23], null, [1, 12], [1, 7], null] as const;
  const lists: string[][] = fields.map((f, i) => (f ? [String(f[0])] : [i === 2 ? '?' : '*']));
  const text = () => `cron(${lists.map((l) => l.join(',')).join(' ')})`;
  for (const i of [4, 3, 1, 0]) {
    const f = fields[i];
    if (!f) continue;
    for (let v = f[0] + 1; v <= f[1]; v++) {
      lists[i]!.push(String(v));
      if (text().length > MAX_SCHEDULE_LENGTH) {
        lists[i]!.pop();
        break;
      }
    }
  }
  const schedule = text();
  // The longest prefix format: every character before the tokens, so the SourceKeyPrefix is long too.
  const tokens = '{YYYY}/{MM}/{DD}/';
  const base = { AWS_REGION: region, AWS_DEFAULT_REGION: region, AWS_ACCOUNT: ACCOUNT, S3_REPLICATE_OTHER_ACCOUNT: OTHER };
  return {
    longest: {
      ...base,
      S3_ROOT_BUCKET: bucket('s', 63),
      S3_REPLICATE_BUCKET_NAME: bucket('d', 63),
      S3_REPLICATE_OTHER_ROLE_ARN: `arn:${p}:iam::${OTHER}:role/${path}${name}`,
      S3_REPLICATE_EXTERNAL_ID: 'e'.repeat(1224),
      S3_REPLICATE_PREFIX_FORMAT: `${'x'.repeat(512 - tokens.length)}${tokens}`,
      S3_REPLICATE_DEST_PREFIX: 'y'.repeat(512),
      S3_REPLICATE_SCHEDULE: schedule,
      S3_REPLICATE_LAG_DAYS: '3650',
      S3_REPLICATE_KMS_KEY_ARN: `arn:${p}:kms:${region}:${OTHER}:key/${KEY_ID}`,
      S3_ARTIFACT_BUCKET: bucket('a', 63),
      S3_REPLICATE_STACK_NAME: `S${'t'.repeat(127)}`,
    },
    shortest: {
      ...base,
      S3_ROOT_BUCKET: 's3s',
      S3_REPLICATE_BUCKET_NAME: 'd3d',
      S3_REPLICATE_OTHER_ROLE_ARN: `arn:${p}:iam::${OTHER}:role/r`,
      S3_REPLICATE_PREFIX_FORMAT: '{YYYY}{MM}{DD}',
      S3_REPLICATE_SCHEDULE: 'rate(1 day)',
      S3_REPLICATE_LAG_DAYS: '0',
      S3_ARTIFACT_BUCKET: 'a3a',
      S3_REPLICATE_STACK_NAME: 'S',
    },
  };
}

/**
 * The extremes of a parameter deploy leaves at its default that has only a pattern (an optional
 * number as text, empty when unset): [shortest, longest], each checked against the pattern below.
 */
const PATTERN_EXTREMES: Readonly<Record<string, readonly [string, string]>> = { CopyConcurrencyStart: ['', '256'] };

/** The parameters deploy sends, plus the extreme of every parameter deploy leaves at its default. */
function parametersOf(config: DeployConfig, extreme: 'longest' | 'shortest'): Record<string, string> {
  const sent = stackParameters(config, { bucket: config.artifactBucket, key: artifactKey('f'.repeat(64)) });
  const out: Record<string, string> = { ...sent };
  for (const [name, p] of Object.entries(template.Parameters)) {
    if (name in sent) continue;
    if (p.AllowedValues) out[name] = String(extreme === 'longest' ? p.AllowedValues[p.AllowedValues.length - 1] : p.AllowedValues[0]);
    else if (p.MinValue !== undefined && p.MaxValue !== undefined) out[name] = String(extreme === 'longest' ? p.MaxValue : p.MinValue);
    else if (name in PATTERN_EXTREMES) out[name] = PATTERN_EXTREMES[name]![extreme === 'longest' ? 1 : 0];
    else throw new Error(`parameter ${name}: not set by deploy and without bounds to test`);
  }
  return out;
}

/** What CloudFormation checks of a parameter value before anything is created. */
function parameterProblems(values: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [name, p] of Object.entries(template.Parameters)) {
    const v = values[name] ?? (p.Default === undefined ? undefined : String(p.Default));
    if (v === undefined) {
      problems.push(`${name}: no value and no default`);
      continue;
    }
    if (p.MaxLength !== undefined && v.length > p.MaxLength) problems.push(`${name}: ${v.length} characters, MaxLength ${p.MaxLength}`);
    if (p.MinLength !== undefined && v.length < p.MinLength) problems.push(`${name}: ${v.length} characters, MinLength ${p.MinLength}`);
    // AllowedPattern must match the whole value.
    if (p.AllowedPattern !== undefined && !new RegExp(`^(?:${p.AllowedPattern})$`).test(v)) problems.push(`${name}: ${JSON.stringify(v.slice(0, 80))} does not match AllowedPattern ${p.AllowedPattern}`);
    if (p.AllowedValues !== undefined && !p.AllowedValues.map(String).includes(v)) problems.push(`${name}: ${v} is not an AllowedValue`);
    if (p.MinValue !== undefined && Number(v) < p.MinValue) problems.push(`${name}: ${v} below MinValue ${p.MinValue}`);
    if (p.MaxValue !== undefined && Number(v) > p.MaxValue) problems.push(`${name}: ${v} above MaxValue ${p.MaxValue}`);
  }
  return problems;
}

interface Run {
  readonly label: string;
  readonly config: DeployConfig;
  readonly parameters: Record<string, string>;
  readonly resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

function runs(schemas: ProviderSchemas): Run[] {
  const out: Run[] = [];
  for (const region of Object.values(schemas.longestRegion)) {
    const envs = environments(region);
    for (const extreme of ['longest', 'shortest'] as const) {
      const config = parseDeployConfig(envs[extreme]);
      const parameters = parametersOf(config, extreme);
      const resources = resolve(template.Resources, {
        template,
        parameters,
        account: config.account,
        region: config.region,
        partition: config.partition,
        stackName: config.stackName,
        physical: physicalIds(template, config),
      }) as Run['resources'];
      out.push({ label: `${extreme} values in ${region}`, config, parameters, resources });
    }
  }
  return out;
}

describe('templates/pushS3Template.yml against the CloudFormation resource schemas', function () {
  this.timeout(60_000);
  // Read once for the whole suite, in a hook: code run while the file loads would make every
  // mutant it reaches static in `npm run test:mutation` (docs/testing.md, "Mutation testing").
  let schemas: ProviderSchemas | undefined;
  let loadError: Error | undefined;
  let all: Run[] = [];
  let reports: { run: Run; errors: string[]; checked: number }[] = [];
  before(() => {
    try {
      schemas = loadProviderSchemas(TYPES);
      all = runs(schemas);
    } catch (err) {
      loadError = err as Error;
    }
    reports = all.map((run) => {
      const errors: string[] = [];
      let checked = 0;
      for (const [logical, r] of Object.entries(run.resources)) {
        const schema = schemas!.schemas[run.config.region]?.[r.Type];
        if (!schema) {
          errors.push(`${logical}: cfn-lint has no schema for ${r.Type} in ${run.config.region}`);
          continue;
        }
        const report = validateProperties(logical, r.Properties ?? {}, schema);
        errors.push(...report.errors);
        checked += report.checked.length;
      }
      return { run, errors, checked };
    });
  });

  it('reads the schemas of every resource type from the installed cfn-lint', () => {
    if (loadError) throw loadError;
    expect(Object.keys(schemas!.longestRegion).sort()).to.deep.equal(['aws', 'aws-cn', 'aws-us-gov']);
    for (const region of Object.values(schemas!.longestRegion)) expect(Object.keys(schemas!.schemas[region] ?? {}).sort()).to.deep.equal(TYPES);
  });

  it('checks every resolved property (maxLength, minLength, pattern, enum, minimum, maximum) of the 6 stacks: each one within its schema', function () {
    if (loadError) throw loadError;
    expect(all).to.have.length(6);
    for (const r of reports) expect(r.errors, r.run.label).to.deep.equal([]);
    // Each run must have checked something in every resource (a resolver that dropped everything would pass).
    for (const r of reports) expect(r.checked, r.run.label).to.be.greaterThan(Object.keys(template.Resources).length);
    // The report says how many: the title is printed when the test ends (computed here, not at load,
    // so that `npm run test:mutation` sees no static mutant).
    const total = reports.reduce((n, r) => n + r.checked, 0);
    this.test!.title = `checks ${total} resolved properties (maxLength, minLength, pattern, enum, minimum, maximum) of the ${all.length} stacks: each one within its schema`;
  });

  it('gives CloudFormation parameter values within every AllowedPattern, MinLength, MaxLength and value range', () => {
    for (const { run } of reports) expect(parameterProblems(run.parameters), run.label).to.deep.equal([]);
  });

  it('names what it derives from the stack name within their limits at the longest stack name deploy accepts (128)', () => {
    const longest = reports.filter((r) => r.run.label.startsWith('longest'));
    expect(longest).to.not.have.length(0);
    for (const { run } of longest) {
      expect(run.config.stackName).to.have.length(128);
      const fn = run.resources.PushFunction!.Properties!;
      expect((fn.FunctionName as string).length).to.be.at.most(64);
      expect((run.resources.ExecutionRole!.Properties!.RoleName as string).length).to.be.at.most(64);
      expect((run.resources.LogGroup!.Properties!.LogGroupName as string).length).to.be.at.most(512);
      // Lambda's own rule for a Description: 256 characters (CreateFunction, Description).
      expect((fn.Description as string).length).to.be.at.most(256);
    }
  });

  it('keeps the function environment under Lambda\'s 4 KB and the inline policy under IAM\'s 10,240 characters', () => {
    for (const { run } of reports) {
      const vars = (run.resources.PushFunction!.Properties!.Environment as { Variables: Record<string, string> }).Variables;
      const bytes = Object.entries(vars).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
      expect(bytes, run.label).to.be.at.most(4096);
      const policies = run.resources.ExecutionRole!.Properties!.Policies as { PolicyDocument: unknown }[];
      const chars = policies.reduce((n, p) => n + JSON.stringify(p.PolicyDocument).replace(/\s/g, '').length, 0);
      expect(chars, run.label).to.be.at.most(10_240);
    }
  });

  it('finds a Description of 257 characters (the check can fail)', () => {
    if (loadError) throw loadError;
    const region = schemas!.longestRegion.aws;
    const report = validateProperties('PushFunction', { Description: 'x'.repeat(257), Role: 'r', Code: {} }, schemas!.schemas[region]!['AWS::Lambda::Function']!);
    expect(report.errors.join('\n')).to.match(/Description: 257 characters, at most 256/);
  });

  it('reads the schemas\' Python patterns as JavaScript', () => {
    expect(schemaPattern('^[.\\-_/#A-Za-z0-9]{1,512}\\Z').test('/aws/lambda/x')).to.equal(true);
    expect(schemaPattern('^[.\\-_/#A-Za-z0-9]{1,512}\\Z').test('/aws/lambda/x y')).to.equal(false);
  });
});
