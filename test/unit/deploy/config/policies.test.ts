import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { sourcePolicySids } from '../../../../rules/sourcePolicySids.ts';
import { DOCUMENTS, PolicyValueError, renderDocuments, validatePolicyValues, type PolicyDocument, type PolicyValues, type RenderedDocuments } from '../../../../deploy/config/policies.ts';
import { decide, sessionOf } from '../../../helpers/iamSimulator.ts';
import { DESTINATION_BUCKET, DESTINATION_ROLE_ARN, EXTERNAL_ID, SOURCE_ACCOUNT, SOURCE_BUCKET, STACK } from '../../../helpers/fixtures.ts';

const EXEC_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/replicate-to-partner-landing-zone-lambda`;
const KMS = 'arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const base: PolicyValues = {
  stack: STACK,
  sourceBucket: SOURCE_BUCKET,
  prefixFormat: '{YYYY}/{MM}/{DD}/',
  destinationBucket: DESTINATION_BUCKET,
  destinationPrefix: '',
  destinationRoleArn: DESTINATION_ROLE_ARN,
  executionRoleArn: EXEC_ROLE,
  externalId: undefined,
  kmsKeyArn: undefined,
};

/** The day patterns of a format as the bucket policy writes them: `20??`, month `0?`/`1?`, day `0?`–`3?`, sorted. */
const narrowed = (format: string): string[] =>
  ['0?', '1?'].flatMap((mm) => ['0?', '1?', '2?', '3?'].map((dd) => `${format.replace('{YYYY}', '20??').replace('{MM}', mm).replace('{DD}', dd)}*`)).sort();

describe('deploy/config/policies renderDocuments', () => {
  it('renders the source bucket policy for the destination role under the stack\'s own Sids: read on the day pattern\'s objects, list only with an s3:prefix of the day pattern', () => {
    const doc = renderDocuments(base)['sourceBucketPolicy.json.tmp'];
    expect(doc).to.deep.equal({
      Version: '2012-10-17',
      Statement: [{
        Sid: sourcePolicySids(STACK).Read,
        Effect: 'Allow',
        Principal: { AWS: DESTINATION_ROLE_ARN },
        Action: ['s3:GetObject', 's3:GetObjectTagging'],
        Resource: narrowed('{YYYY}/{MM}/{DD}/').map((p) => `arn:aws:s3:::${SOURCE_BUCKET}/${p}`),
      }, {
        Sid: sourcePolicySids(STACK).List,
        Effect: 'Allow',
        Principal: { AWS: DESTINATION_ROLE_ARN },
        Action: 's3:ListBucket',
        Resource: `arn:aws:s3:::${SOURCE_BUCKET}`,
        Condition: { StringLike: { 's3:prefix': narrowed('{YYYY}/{MM}/{DD}/') } },
      }],
    });
  });

  it('renders the trust policy for the execution role, without a condition when there is no external id', () => {
    expect(renderDocuments(base)['trustRelationshipExample.json.tmp']).to.deep.equal({
      Version: '2012-10-17',
      Statement: [{ Sid: 'S3PushFunction', Effect: 'Allow', Principal: { AWS: EXEC_ROLE }, Action: 'sts:AssumeRole' }],
    });
  });

  it('demands the external id in the trust policy when one is set', () => {
    const stmt = renderDocuments({ ...base, externalId: EXTERNAL_ID })['trustRelationshipExample.json.tmp'].Statement[0];
    expect(stmt?.Condition).to.deep.equal({ StringEquals: { 'sts:ExternalId': EXTERNAL_ID } });
  });

  it('renders the destination role: list and write the destination, list and read the source, delete only the preflight probe', () => {
    expect(renderDocuments(base)['roleDefinitionDestinationExample.json.tmp'].Statement).to.deep.equal([
      // Every destination key is under a day's destination prefix: the listing, the writes and the probe too.
      { Sid: 'ListDestination', Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${DESTINATION_BUCKET}`, Condition: { StringLike: { 's3:prefix': '????/??/??/*' } } },
      { Sid: 'WriteDestination', Effect: 'Allow', Action: ['s3:PutObject', 's3:PutObjectTagging', 's3:AbortMultipartUpload'], Resource: `arn:aws:s3:::${DESTINATION_BUCKET}/????/??/??/*` },
      { Sid: 'ReadDestinationEncryption', Effect: 'Allow', Action: 's3:GetEncryptionConfiguration', Resource: `arn:aws:s3:::${DESTINATION_BUCKET}` },
      { Sid: 'DeletePreflightProbe', Effect: 'Allow', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${DESTINATION_BUCKET}/????/??/??/s3-push-preflight-probe.txt` },
      { Sid: 'ListSource', Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${SOURCE_BUCKET}`, Condition: { StringLike: { 's3:prefix': '????/??/??/*' } } },
      { Sid: 'ReadSource', Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectTagging'], Resource: `arn:aws:s3:::${SOURCE_BUCKET}/????/??/??/*` },
    ]);
  });

  it('narrows every resource and listing to the prefixes when they are set, and adds the KMS key when set', () => {
    const docs = renderDocuments({ ...base, prefixFormat: 'exports/dt={YYYY}-{MM}-{DD}/', destinationPrefix: 'from-acme/', kmsKeyArn: KMS });
    const role = docs['roleDefinitionDestinationExample.json.tmp'].Statement;
    expect(role.find((s) => s.Sid === 'ListDestination')?.Condition).to.deep.equal({ StringLike: { 's3:prefix': 'from-acme/exports/dt=????-??-??/*' } });
    expect(role.find((s) => s.Sid === 'WriteDestination')?.Resource).to.equal(`arn:aws:s3:::${DESTINATION_BUCKET}/from-acme/exports/dt=????-??-??/*`);
    expect(role.find((s) => s.Sid === 'DeletePreflightProbe')?.Resource).to.equal(`arn:aws:s3:::${DESTINATION_BUCKET}/from-acme/exports/dt=????-??-??/s3-push-preflight-probe.txt`);
    expect(role.find((s) => s.Sid === 'ListSource')?.Condition).to.deep.equal({ StringLike: { 's3:prefix': 'exports/dt=????-??-??/*' } });
    expect(role.find((s) => s.Sid === 'ReadSource')?.Resource).to.equal(`arn:aws:s3:::${SOURCE_BUCKET}/exports/dt=????-??-??/*`);
    expect(role.find((s) => s.Sid === 'EncryptCopiesWithKmsKey')).to.deep.equal({ Sid: 'EncryptCopiesWithKmsKey', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: KMS });
    expect(docs['sourceBucketPolicy.json.tmp'].Statement[0]?.Resource).to.deep.equal(narrowed('exports/dt={YYYY}-{MM}-{DD}/').map((p) => `arn:aws:s3:::${SOURCE_BUCKET}/${p}`));
    expect(docs['sourceBucketPolicy.json.tmp'].Statement[1]?.Condition).to.deep.equal({ StringLike: { 's3:prefix': narrowed('exports/dt={YYYY}-{MM}-{DD}/') } });
  });

  it('with a destination format, narrows the listing, the writes, the probe and the marker to the destination day pattern', () => {
    const docs = renderDocuments({ ...base, prefixFormat: 'exports/{YYYY}/{MM}/{DD}/', destinationPrefixFormat: 'acme/dt={DD}-{MM}-{YYYY}/', dayMarker: true });
    const role = docs['roleDefinitionDestinationExample.json.tmp'].Statement;
    expect(role.find((s) => s.Sid === 'ListDestination')?.Condition).to.deep.equal({ StringLike: { 's3:prefix': 'acme/dt=??-??-????/*' } });
    expect(role.find((s) => s.Sid === 'WriteDestination')?.Resource).to.equal(`arn:aws:s3:::${DESTINATION_BUCKET}/acme/dt=??-??-????/*`);
    expect(role.find((s) => s.Sid === 'DeletePreflightProbe')?.Resource).to.equal(`arn:aws:s3:::${DESTINATION_BUCKET}/acme/dt=??-??-????/s3-push-preflight-probe.txt`);
    expect(role.find((s) => s.Sid === 'ReadDayMarker')?.Resource).to.equal(`arn:aws:s3:::${DESTINATION_BUCKET}/acme/dt=??-??-????/_S3PUSH_COMPLETE.json`);
    // The source side keeps the source format.
    expect(role.find((s) => s.Sid === 'ReadSource')?.Resource).to.equal(`arn:aws:s3:::${SOURCE_BUCKET}/exports/????/??/??/*`);
  });

  it('refuses a destination format with a destination prefix, or one that repeats a token', () => {
    expect(() => validatePolicyValues({ ...base, destinationPrefix: 'acme/', destinationPrefixFormat: 'dt={YYYY}-{MM}-{DD}/' })).to.throw(PolicyValueError, /destinationPrefix and destinationPrefixFormat/);
    expect(() => validatePolicyValues({ ...base, destinationPrefixFormat: '{YYYY}/{YYYY}{MM}{DD}/' })).to.throw(PolicyValueError, /destinationPrefixFormat "\{YYYY\}\/\{YYYY\}\{MM\}\{DD\}\/": \{YYYY\} more than once/);
    expect(() => validatePolicyValues({ ...base, destinationPrefixFormat: 'a*/{YYYY}{MM}{DD}/' })).to.throw(PolicyValueError, /destinationPrefixFormat "a\*\/\{YYYY\}\{MM\}\{DD\}\/": expected/);
  });

  it('has no KMS statement without a key', () => {
    const sids = renderDocuments(base)['roleDefinitionDestinationExample.json.tmp'].Statement.map((s) => s.Sid);
    expect(sids).to.not.include('EncryptCopiesWithKmsKey');
  });

  // Values that would break out of a JSON string, or change the policy's meaning, are refused before rendering.
  const hostile: [keyof PolicyValues, string][] = [
    ['sourceBucket', 'acme"},{"Effect":"Allow'],
    ['destinationBucket', 'a\\b'],
    ['prefixFormat', 'x"*{YYYY}/{MM}/{DD}/'],
    ['prefixFormat', '*/{YYYY}/{MM}/{DD}/'],
    ['prefixFormat', '?{YYYY}/{MM}/{DD}/'],
    ['prefixFormat', 'exports/'],
    ['prefixFormat', '{YYYY}/{MM}/{DD}/{hh}'],
    ['destinationPrefix', 'line\nbreak/'],
    ['destinationRoleArn', 'arn:aws:iam::210987654321:role/x","Principal":"*'],
    ['executionRoleArn', '*'],
    ['externalId', 'ext"id'],
    ['externalId', 'ext\\u0022id'],
    ['kmsKeyArn', 'arn:aws:kms:us-east-1:210987654321:key/1"'],
  ];
  for (const [field, value] of hostile) {
    it(`refuses ${field} ${JSON.stringify(value)}`, () => {
      expect(() => renderDocuments({ ...base, [field]: value })).to.throw(PolicyValueError, field);
    });
  }

  it('never puts the external id into an error message', () => {
    const secret = 'secret with spaces';
    expect(() => renderDocuments({ ...base, externalId: secret })).to.throw(PolicyValueError).that.satisfies((e: Error) => !e.message.includes(secret));
  });

  describe('evaluated by an IAM policy simulator (what moto cannot prove)', () => {
    // Built in a beforeEach, not while the file loads: code run at load belongs to no test, and
    // mutation testing (npm run test:mutation) can then only run its mutants against every test.
    let bucketPolicy: RenderedDocuments['sourceBucketPolicy.json.tmp'];
    let roleDoc: RenderedDocuments['roleDefinitionDestinationExample.json.tmp'];
    let trust: RenderedDocuments['trustRelationshipExample.json.tmp'];
    beforeEach(() => {
      const docs = renderDocuments({ ...base, externalId: EXTERNAL_ID, prefixFormat: 'exports/{YYYY}/{MM}/{DD}/' });
      bucketPolicy = docs['sourceBucketPolicy.json.tmp'];
      roleDoc = docs['roleDefinitionDestinationExample.json.tmp'];
      trust = docs['trustRelationshipExample.json.tmp'];
    });
    const session = sessionOf(DESTINATION_ROLE_ARN);

    it('lets the destination role read a source object across accounts (bucket policy and role policy)', async () => {
      expect(await decide({ principal: session, action: 's3:GetObject', resource: `arn:aws:s3:::${SOURCE_BUCKET}/exports/2024/01/01/a.csv`, resourceAccount: SOURCE_ACCOUNT }, { identity: [roleDoc], resource: bucketPolicy })).to.equal('Allowed');
    });

    it('does not let it read outside the prefix, or write the source', async () => {
      expect(await decide({ principal: session, action: 's3:GetObject', resource: `arn:aws:s3:::${SOURCE_BUCKET}/private/a.csv`, resourceAccount: SOURCE_ACCOUNT }, { identity: [roleDoc], resource: bucketPolicy })).to.not.equal('Allowed');
      expect(await decide({ principal: session, action: 's3:PutObject', resource: `arn:aws:s3:::${SOURCE_BUCKET}/exports/a.csv`, resourceAccount: SOURCE_ACCOUNT }, { identity: [roleDoc], resource: bucketPolicy })).to.not.equal('Allowed');
    });

    it('lets the execution role assume the destination role only with the external id', async () => {
      const req = { principal: EXEC_ROLE, action: 'sts:AssumeRole', resource: DESTINATION_ROLE_ARN };
      const identity = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: 'sts:AssumeRole', Resource: DESTINATION_ROLE_ARN }] }];
      expect(await decide({ ...req, context: { 'sts:ExternalId': EXTERNAL_ID } }, { identity, resource: trust })).to.equal('Allowed');
      expect(await decide({ ...req, context: { 'sts:ExternalId': 'wrong' } }, { identity, resource: trust })).to.not.equal('Allowed');
      expect(await decide(req, { identity, resource: trust })).to.not.equal('Allowed');
    });
  });

  /** Every ARN anywhere in the rendered documents (principals, resources), whatever their nesting. */
  function arnsIn(value: unknown): string[] {
    if (typeof value === 'string') return value.startsWith('arn:') ? [value] : [];
    if (Array.isArray(value)) return value.flatMap(arnsIn);
    if (value && typeof value === 'object') return Object.values(value).flatMap(arnsIn);
    return [];
  }

  for (const partition of ['aws-cn', 'aws-us-gov']) {
    it(`renders every ARN of the three documents in the ${partition} partition when the roles are there`, () => {
      const values: PolicyValues = {
        ...base,
        prefixFormat: 'exports/{YYYY}/{MM}/{DD}/',
        destinationPrefix: 'in/',
        destinationRoleArn: `arn:${partition}:iam::210987654321:role/s3-push-writer`,
        executionRoleArn: `arn:${partition}:iam::${SOURCE_ACCOUNT}:role/replicate-lambda`,
        externalId: EXTERNAL_ID,
        kmsKeyArn: `arn:${partition}:kms:${partition === 'aws-cn' ? 'cn-north-1' : 'us-gov-west-1'}:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      };
      const docs = renderDocuments(values);
      for (const [file, doc] of Object.entries(docs)) {
        const arns = arnsIn(doc);
        expect(arns, file).to.not.be.empty;
        for (const arn of arns) expect(arn, `${file}: ${arn}`).to.match(new RegExp(`^arn:${partition}:`));
      }
      expect(docs['sourceBucketPolicy.json.tmp'].Statement.map((st) => st.Resource)).to.deep.equal([narrowed('exports/{YYYY}/{MM}/{DD}/').map((p) => `arn:${partition}:s3:::${SOURCE_BUCKET}/${p}`), `arn:${partition}:s3:::${SOURCE_BUCKET}`]);
      expect(docs['roleDefinitionDestinationExample.json.tmp'].Statement.find((st) => st.Sid === 'WriteDestination')?.Resource).to.equal(`arn:${partition}:s3:::${DESTINATION_BUCKET}/in/exports/????/??/??/*`);
    });
  }

  it('accepts the role and key ARNs of the three partitions, and refuses others', () => {
    for (const partition of ['aws', 'aws-cn', 'aws-us-gov']) {
      const region = partition === 'aws-cn' ? 'cn-north-1' : partition === 'aws-us-gov' ? 'us-gov-west-1' : 'us-east-1';
      expect(() => validatePolicyValues({ ...base, destinationRoleArn: `arn:${partition}:iam::210987654321:role/w`, kmsKeyArn: `arn:${partition}:kms:${region}:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab` })).to.not.throw();
    }
    for (const arn of ['arn:aws-moon:iam::210987654321:role/w', 'arn:aws:iam::21098765432:role/w', 'arn:aws:iam::210987654321:user/w', 'arn:aws:iam::210987654321:role/', `arn:aws:iam::210987654321:role/${'r'.repeat(513)}`, ' arn:aws:iam::210987654321:role/w', 'arn:aws:iam::210987654321:role/w ']) {
      expect(() => validatePolicyValues({ ...base, destinationRoleArn: arn }), arn).to.throw(PolicyValueError, `destinationRoleArn ${JSON.stringify(arn)}: expected an IAM role ARN`);
    }
    for (const key of ['arn:aws:kms:us-east-1:210987654321:alias/k', `arn:aws:kms:us-east-1:210987654321:key/${'k'.repeat(65)}`, 'arn:aws:kms:US:210987654321:key/k', 'arn:aws:kms:us-east-1:210987654321:key/k ']) {
      expect(() => validatePolicyValues({ ...base, kmsKeyArn: key }), key).to.throw(PolicyValueError, `kmsKeyArn ${JSON.stringify(key)}: expected a KMS key ARN`);
    }
  });

  it('accepts prefixes of up to 512 characters and external ids of 2 to 1,224, and names every bad value at once', () => {
    expect(() => validatePolicyValues({ ...base, prefixFormat: `${'p'.repeat(498)}{YYYY}{MM}{DD}`, destinationPrefix: 'q'.repeat(512), externalId: 'ab' })).to.not.throw();
    expect(() => validatePolicyValues({ ...base, externalId: 'x'.repeat(1224) })).to.not.throw();
    let message = '';
    try {
      validatePolicyValues({ ...base, sourceBucket: 'ab', destinationBucket: 'a..b', prefixFormat: `${'p'.repeat(499)}{YYYY}{MM}{DD}`, destinationPrefix: 'a b', executionRoleArn: 'x', externalId: 'x' });
    } catch (err) {
      message = (err as Error).message;
    }
    const lines = message.split('\n');
    expect(lines.map((line) => line.split(/[ :]/).filter(Boolean)[0])).to.deep.equal(['cannot', 'sourceBucket', 'destinationBucket', 'prefixFormat', 'destinationPrefix', 'executionRoleArn', 'externalId']);
    expect(lines[1]).to.match(/^ {2}sourceBucket "ab": .*3/);
    expect(lines[2]).to.match(/^ {2}destinationBucket "a\.\.b": .*dots/);
    expect(lines[3]).to.match(new RegExp(`^ {2}prefixFormat "p{499}\\{YYYY\\}\\{MM\\}\\{DD\\}": expected at most 512 letters, digits and / _ \\. = - besides the tokens`));
    expect(lines[4]).to.match(/^ {2}destinationPrefix "a b": expected .*letters, digits and \/ _ \. = -/);
    expect(lines[5]).to.match(/^ {2}executionRoleArn "x": expected an IAM role ARN/);
    expect(lines[6]).to.match(/^ {2}externalId: .*expected 2.1224 letters/);
    expect(message).to.not.include('"x" :');
    expect(() => validatePolicyValues({ ...base, externalId: 'x'.repeat(1225) })).to.throw(PolicyValueError, 'externalId');
  });

  it('gives every statement of every document a Sid IAM accepts (ASCII letters and digits), unique within its document', () => {
    // IAM: "The Sid element supports ASCII uppercase letters (A-Z), lowercase letters (a-z), and
    // numbers (0-9)", and "In IAM, the Sid value must be unique within a JSON policy"
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html); for
    // S3, "Each statement in a policy must have a unique statement ID (sid)"
    // (https://docs.aws.amazon.com/AmazonS3/latest/dev/AccessPolicyLanguage_SpecialInfo.html).
    // moto checks neither.
    const IAM_SID = /^[A-Za-z0-9]+$/;
    // Every optional statement rendered: both KMS keys, the day marker, a stack name with hyphens.
    const docs = renderDocuments({ ...base, kmsKeyArn: KMS, sourceKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/5678abcd-12ab-34cd-56ef-1234567890ab', dayMarker: true, externalId: EXTERNAL_ID });
    expect(Object.keys(docs)).to.have.length(4);
    for (const [name, doc] of Object.entries(docs) as [string, PolicyDocument][]) {
      const sids = doc.Statement.map((s) => s.Sid);
      for (const sid of sids) expect(sid, `${name}: ${String(sid)}`).to.be.a('string').and.match(IAM_SID);
      expect(new Set(sids).size, name).to.equal(sids.length);
    }
  });

  it('stays within AWS\'s size limits at the longest values deploy accepts: bucket policy 20 KB, role inline policy 10,240 characters, trust policy 2,048', () => {
    // Longest values: 63-character buckets, a 512-character prefix format and destination prefix,
    // a role ARN with a 512-character path and name, the longest partition, a KMS key and the day marker.
    const role = (account: string, name: string) => `arn:aws-us-gov:iam::${account}:role/${'p/'.repeat(224)}${name.padEnd(64, 'r')}`;
    const values: PolicyValues = {
      stack: STACK,
      sourceBucket: 's'.repeat(63),
      prefixFormat: `${'a/'.repeat(248)}{YYYY}/{MM}/{DD}`,
      destinationBucket: 'd'.repeat(63),
      destinationPrefix: 'q'.repeat(512),
      destinationRoleArn: role('210987654321', 'writer'),
      executionRoleArn: role(SOURCE_ACCOUNT, 'lambda'),
      externalId: 'x'.repeat(1224),
      kmsKeyArn: 'arn:aws-us-gov:kms:us-gov-west-1:210987654321:key/mrk-0123456789abcdef0123456789abcdef',
      dayMarker: true,
    };
    expect(values.prefixFormat).to.have.length(512);
    const docs = renderDocuments(values);
    // S3: "Bucket policies are limited to 20 KB in size"
    // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-iam-policies.html). Our
    // statements share that with whatever the bucket's policy already holds: with eight day
    // patterns each (the partner's reach narrowed), they take at most half of it (10,330 bytes
    // here; the role document, which keeps the one broad pattern, 5,194 characters).
    const bucketPolicy = JSON.stringify(docs['sourceBucketPolicy.json.tmp']);
    expect(Buffer.byteLength(bucketPolicy)).to.be.at.most(10 * 1024 + 256);
    // IAM: a role's inline policies total at most 10,240 characters, whitespace not counted
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
    expect(JSON.stringify(docs['roleDefinitionDestinationExample.json.tmp']).length).to.be.at.most(10_240);
    // A role's trust policy: 2,048 characters unless the account asked for more (same page). 1,954 here.
    expect(JSON.stringify(docs['trustRelationshipExample.json.tmp']).length).to.be.at.most(2048);
  });

  describe('guards on what the templates render', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 's3-push-templates-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** Writes the three templates, `broken` replacing the one named. */
    function templates(name: string, broken: string): void {
      for (const hbs of Object.values(DOCUMENTS)) {
        writeFileSync(join(dir, hbs), hbs === name ? broken : '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:{{partition}}:s3:::{{sourceBucket}}/*"}]}');
      }
    }

    it('renders templates from the directory it is given', () => {
      templates('sourceBucketPolicy.json.hbs', '{"Version": "2012-10-17", "Statement": [{"Sid": "{{destinationBucket}}", "Effect": "Allow", "Action": "s3:GetObject"}]}');
      const docs = renderDocuments(base, dir);
      expect(docs['sourceBucketPolicy.json.tmp'].Statement[0]?.Sid).to.equal(DESTINATION_BUCKET);
      expect(docs['trustRelationshipExample.json.tmp'].Statement[0]?.Resource).to.equal(`arn:aws:s3:::${SOURCE_BUCKET}/*`);
    });

    it('refuses a template that renders invalid JSON, naming it', () => {
      templates('trustRelationshipExample.json.hbs', '{"Version": "2012-10-17", "Statement": [}');
      expect(() => renderDocuments(base, dir)).to.throw(PolicyValueError, /^trustRelationshipExample\.json\.hbs rendered invalid JSON: /);
    });

    it('refuses JSON that is not a policy document: another Version, no Statement list, an empty one', () => {
      for (const doc of ['{"Version": "2008-10-17", "Statement": [{}]}', '{"Version": "2012-10-17"}', '{"Version": "2012-10-17", "Statement": {}}', '{"Version": "2012-10-17", "Statement": []}', '[]']) {
        templates('roleDefinitionDestinationExample.json.hbs', doc);
        expect(() => renderDocuments(base, dir), doc).to.throw(PolicyValueError, 'roleDefinitionDestinationExample.json.hbs did not render a policy document (Version 2012-10-17 and a Statement list)');
      }
    });

    it('refuses a template naming a field it is not given (strict mode)', () => {
      templates('sourceBucketPolicy.json.hbs', '{"Version": "2012-10-17", "Statement": [{"Sid": "{{noSuchField}}"}]}');
      expect(() => renderDocuments(base, dir)).to.throw(/noSuchField/);
    });
  });
});
