import { expect } from 'chai';
import { sourcePolicySids } from '../../../rules/sourcePolicySids.ts';
import { renderDocuments, type PolicyValues, type RenderedDocuments } from '../../../deploy/config/policies.ts';
import { decide, sessionOf, type PolicyDocument, type SimRequest } from '../../helpers/iamSimulator.ts';
import { lintPolicy } from '../../helpers/policyLint.ts';
import { EXECUTION_ROLE_ARN, FUNCTION_NAME, executionRolePolicy } from '../../helpers/stackPolicies.ts';
import { DESTINATION_ACCOUNT, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, EXTERNAL_ID, SOURCE_ACCOUNT, SOURCE_BUCKET, STACK } from '../../helpers/fixtures.ts';
import { destinationKey } from '../../../rules/prefix.ts';
import { PROBE_NAME } from '../../../handler/check/check.ts';

// The permission chain, end to end, from the documents s3-push ships: the template's execution
// role policy (parameters substituted) and the three rendered documents, evaluated by an IAM
// policy simulator with AWS's same- and cross-account rules. moto evaluates none of these
// (docs/emulators.md), so this is where the chain is proven.
//
//   Lambda (execution role, account S) --sts:AssumeRole + ExternalId--> destination role (account D)
//   destination role --ListBucket/GetObject (bucket policy S3PushReadAccess)--> source bucket (account S)
//   destination role --PutObject--> destination bucket (account D)

const EXEC_SESSION = sessionOf(EXECUTION_ROLE_ARN, FUNCTION_NAME); // Lambda names the session after the function
const DEST_SESSION = sessionOf(DESTINATION_ROLE_ARN, 's3-push');
const SRC = `arn:aws:s3:::${SOURCE_BUCKET}`;
const DST = `arn:aws:s3:::${DESTINATION_BUCKET}`;
const KMS_KEY = `arn:aws:kms:us-east-1:${DESTINATION_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** An identity policy that allows everything: the worst an unrelated principal could hold. */
const ADMIN: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
/**
 * The destination role's policy as the partner may write it: the partner owns that role, so the
 * rendered role document is only a suggestion and the bucket policy is the one guard of the source.
 */
const PARTNER: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };

interface Setup {
  label: string;
  values: PolicyValues;
  templateParameters: Record<string, string>;
  /** s3:prefix of one day's listing. */
  dayPrefix: string;
  /** One object of one day. */
  dayObject: string;
  /** Keys and listing prefixes that are not under any day's prefix (the partner must reach none of them). */
  outside: { keys: string[]; prefixes: string[] };
  /** Destination keys outside every destination day prefix (the role may write none of them). */
  outsideDestination: string[];
}

const SETUPS: Setup[] = [
  {
    label: 'with an external id, whole bucket',
    values: {
      stack: STACK,
      sourceBucket: SOURCE_BUCKET,
      prefixFormat: '{YYYY}/{MM}/{DD}/',
      destinationBucket: DESTINATION_BUCKET,
      destinationPrefix: '',
      destinationRoleArn: DESTINATION_ROLE_ARN,
      executionRoleArn: EXECUTION_ROLE_ARN,
      externalId: EXTERNAL_ID,
      kmsKeyArn: undefined,
    },
    templateParameters: { ExternalId: EXTERNAL_ID },
    dayPrefix: '2024/01/01/',
    dayObject: '2024/01/01/a.csv',
    outside: {
      keys: ['private/secret.csv', 'README.txt', '2024/01/a.csv', '2024/01/01', 'x/2024/01/01/a.csv'],
      prefixes: ['', 'private/', '2024/', '2024/01/', '2024/01/01'],
    },
    outsideDestination: ['their-own/report.csv', '2024/01/a.csv', '2024/01/01', 'x/2024/01/01/a.csv'],
  },
  {
    label: 'with an external id, a key prefix, a destination prefix and a KMS key',
    values: {
      stack: STACK,
      sourceBucket: SOURCE_BUCKET,
      prefixFormat: 'exports/daily/{YYYY}/{MM}/{DD}/',
      destinationBucket: DESTINATION_BUCKET,
      destinationPrefix: 'from-acme/',
      destinationRoleArn: DESTINATION_ROLE_ARN,
      executionRoleArn: EXECUTION_ROLE_ARN,
      externalId: EXTERNAL_ID,
      kmsKeyArn: KMS_KEY,
    },
    templateParameters: { ExternalId: EXTERNAL_ID, SourceKeyPrefix: 'exports/daily/', PrefixFormat: 'exports/daily/{YYYY}/{MM}/{DD}/', DestinationPrefix: 'from-acme/', KmsKeyArn: KMS_KEY },
    dayPrefix: 'exports/daily/2024/01/01/',
    dayObject: 'exports/daily/2024/01/01/a.csv',
    outside: {
      keys: ['private/secret.csv', 'exports/daily/README.txt', 'exports/daily/2024/01/a.csv', 'exports/monthly/2024/01/01/a.csv', '2024/01/01/a.csv'],
      prefixes: ['', 'exports/', 'exports/daily/', 'exports/daily/2024/01/', 'private/'],
    },
    outsideDestination: ['from-acme/report.csv', 'from-acme/exports/daily/2024/01/a.csv', 'elsewhere/exports/daily/2024/01/01/a.csv', 'exports/daily/2024/01/01/a.csv'],
  },
  {
    label: 'with the partner\'s own day layout (a destination format that reorders the day)',
    values: {
      sourceBucket: SOURCE_BUCKET,
      prefixFormat: 'exports/{YYYY}/{MM}/{DD}/',
      destinationBucket: DESTINATION_BUCKET,
      destinationPrefix: '',
      destinationPrefixFormat: 'acme/dt={DD}-{MM}-{YYYY}/',
      stack: STACK,
      destinationRoleArn: DESTINATION_ROLE_ARN,
      executionRoleArn: EXECUTION_ROLE_ARN,
      externalId: EXTERNAL_ID,
      kmsKeyArn: undefined,
    },
    templateParameters: { ExternalId: EXTERNAL_ID, SourceKeyPrefix: 'exports/', PrefixFormat: 'exports/{YYYY}/{MM}/{DD}/', DestinationPrefixFormat: 'acme/dt={DD}-{MM}-{YYYY}/' },
    dayPrefix: 'exports/2024/01/31/',
    dayObject: 'exports/2024/01/31/nested/deeper/a.csv',
    outside: {
      keys: ['private/secret.csv', 'exports/README.txt', 'exports/2024/01/a.csv', 'acme/dt=31-01-2024/a.csv'],
      prefixes: ['', 'exports/', 'exports/2024/01/', 'acme/'],
    },
    // The source layout at the destination, the lead alone, a month, another partner's folder.
    outsideDestination: ['acme/report.csv', 'acme/dt=2024-01-31/a.csv', 'acme/dt=01-2024/a.csv', 'exports/2024/01/31/a.csv', 'other/dt=31-01-2024/a.csv', `acme/${PROBE_NAME}`],
  },
];

describe('security: the permission chain (template + rendered documents, IAM simulator)', () => {
  for (const setup of SETUPS) {
    describe(setup.label, () => {
      const execPolicy = executionRolePolicy(setup.templateParameters);
      // Rendered in a beforeEach, not while the file loads: code run at load belongs to no test,
      // and mutation testing (npm run test:mutation) could then only run its mutants against every test.
      let trust: RenderedDocuments['trustRelationshipExample.json.tmp'];
      let destRolePolicy: RenderedDocuments['roleDefinitionDestinationExample.json.tmp'];
      let bucketPolicy: RenderedDocuments['sourceBucketPolicy.json.tmp'];
      beforeEach(() => {
        const docs = renderDocuments(setup.values);
        trust = docs['trustRelationshipExample.json.tmp'];
        destRolePolicy = docs['roleDefinitionDestinationExample.json.tmp'];
        bucketPolicy = docs['sourceBucketPolicy.json.tmp'];
      });
      // Through the one mapping the function uses (rules/prefix.ts).
      const destKey = (sourceKey: string) => destinationKey(setup.values, sourceKey);
      const withId = { 'sts:ExternalId': EXTERNAL_ID };

      const assume = (principal: string, context: Record<string, string> = withId, role = DESTINATION_ROLE_ARN): SimRequest => ({ principal, action: 'sts:AssumeRole', resource: role, context });
      const s3 = (principal: string, action: string, resource: string, resourceAccount: string, context: Record<string, string> = {}): SimRequest => ({
        principal,
        action,
        resource,
        resourceAccount,
        context,
      });

      describe('link 1: the execution role assumes the destination role', () => {
        it('is allowed with the external id', async () => {
          expect(await decide(assume(EXEC_SESSION), { identity: [execPolicy], resource: trust })).to.equal('Allowed');
        });
        it('is denied with a wrong external id, or none', async () => {
          expect(await decide(assume(EXEC_SESSION, { 'sts:ExternalId': `${EXTERNAL_ID}x` }), { identity: [execPolicy], resource: trust })).to.not.equal('Allowed');
          expect(await decide(assume(EXEC_SESSION, { 'sts:ExternalId': EXTERNAL_ID.toUpperCase() }), { identity: [execPolicy], resource: trust })).to.not.equal('Allowed');
          expect(await decide(assume(EXEC_SESSION, {}), { identity: [execPolicy], resource: trust })).to.not.equal('Allowed');
        });
        it('is denied when the trust policy is left out, or the execution role policy', async () => {
          expect(await decide(assume(EXEC_SESSION), { identity: [execPolicy] })).to.not.equal('Allowed');
          expect(await decide(assume(EXEC_SESSION), { identity: [], resource: trust })).to.not.equal('Allowed');
        });
        const others: [string, string][] = [
          ['another role of the source account', `arn:aws:sts::${SOURCE_ACCOUNT}:assumed-role/analytics/s`],
          ['a user of the source account', `arn:aws:iam::${SOURCE_ACCOUNT}:user/alice`],
          ['a role of the destination account', `arn:aws:sts::${DESTINATION_ACCOUNT}:assumed-role/ops/s`],
          ['a role with the same name in a third account', `arn:aws:sts::999999999999:assumed-role/${EXECUTION_ROLE_ARN.split('/').pop()}/s`],
        ];
        for (const [who, principal] of others) {
          it(`is denied to ${who}, even holding an allow-everything policy and the external id`, async () => {
            expect(await decide(assume(principal), { identity: [ADMIN], resource: trust })).to.not.equal('Allowed');
          });
        }
        it('lets the execution role assume no other role, even one whose trust names it', async () => {
          const other = `arn:aws:iam::${DESTINATION_ACCOUNT}:role/admin`;
          const trustingTrust: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: EXECUTION_ROLE_ARN }, Action: 'sts:AssumeRole' }] };
          expect(await decide(assume(EXEC_SESSION, withId, other), { identity: [execPolicy], resource: trustingTrust })).to.not.equal('Allowed');
        });
        it('gives the execution role nothing in the destination account but the AssumeRole', async () => {
          for (const [action, resource] of [
            ['s3:PutObject', `${DST}/${destKey(setup.dayObject)}`],
            ['s3:ListBucket', DST],
            ['s3:GetObject', `${DST}/${destKey(setup.dayObject)}`],
            ['s3:DeleteObject', `${DST}/${destKey(setup.dayObject)}`],
          ] as const) {
            expect(await decide(s3(EXEC_SESSION, action, resource, DESTINATION_ACCOUNT), { identity: [execPolicy] }), `${action} ${resource}`).to.not.equal('Allowed');
          }
        });
        it('gives the execution role no read of the source objects (the destination role reads them), only the listing', async () => {
          expect(await decide(s3(EXEC_SESSION, 's3:ListBucket', SRC, SOURCE_ACCOUNT, { 's3:prefix': setup.dayPrefix }), { identity: [execPolicy] })).to.equal('Allowed');
          for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']) {
            expect(await decide(s3(EXEC_SESSION, action, `${SRC}/${setup.dayObject}`, SOURCE_ACCOUNT), { identity: [execPolicy] }), action).to.not.equal('Allowed');
          }
        });
      });

      describe('link 2: the destination role reads the source bucket', () => {
        const all = () => ({ identity: [destRolePolicy], resource: bucketPolicy });
        it('may list the day and read its objects and tags', async () => {
          expect(await decide(s3(DEST_SESSION, 's3:ListBucket', SRC, SOURCE_ACCOUNT, { 's3:prefix': setup.dayPrefix }), all())).to.equal('Allowed');
          expect(await decide(s3(DEST_SESSION, 's3:GetObject', `${SRC}/${setup.dayObject}`, SOURCE_ACCOUNT), all())).to.equal('Allowed');
          expect(await decide(s3(DEST_SESSION, 's3:GetObjectTagging', `${SRC}/${setup.dayObject}`, SOURCE_ACCOUNT), all())).to.equal('Allowed');
        });
        it('only because of the rendered bucket policy: without it, denied', async () => {
          expect(await decide(s3(DEST_SESSION, 's3:GetObject', `${SRC}/${setup.dayObject}`, SOURCE_ACCOUNT), { identity: [destRolePolicy] })).to.not.equal('Allowed');
          expect(await decide(s3(DEST_SESSION, 's3:ListBucket', SRC, SOURCE_ACCOUNT, { 's3:prefix': setup.dayPrefix }), { identity: [destRolePolicy] })).to.not.equal('Allowed');
        });
        it('and only with the role definition applied: without it, denied', async () => {
          expect(await decide(s3(DEST_SESSION, 's3:GetObject', `${SRC}/${setup.dayObject}`, SOURCE_ACCOUNT), { identity: [], resource: bucketPolicy })).to.not.equal('Allowed');
        });
        it('may not write, delete or re-permission anything in the source bucket', async () => {
          for (const action of ['s3:PutObject', 's3:DeleteObject', 's3:PutObjectAcl', 's3:PutObjectTagging']) {
            expect(await decide(s3(DEST_SESSION, action, `${SRC}/${setup.dayObject}`, SOURCE_ACCOUNT), all()), action).to.not.equal('Allowed');
          }
          for (const action of ['s3:PutBucketPolicy', 's3:DeleteBucket']) {
            expect(await decide(s3(DEST_SESSION, action, SRC, SOURCE_ACCOUNT), all()), action).to.not.equal('Allowed');
          }
        });
        describe('whatever the partner puts in its own role\'s policy (s3:* on *): the bucket policy alone', () => {
          const partner = () => ({ identity: [PARTNER], resource: bucketPolicy });
          it('still lets it list the day (with the day as s3:prefix) and read the day\'s objects and tags', async () => {
            expect(await decide(s3(DEST_SESSION, 's3:ListBucket', SRC, SOURCE_ACCOUNT, { 's3:prefix': setup.dayPrefix }), partner())).to.equal('Allowed');
            expect(await decide(s3(DEST_SESSION, 's3:ListBucket', SRC, SOURCE_ACCOUNT, { 's3:prefix': `${setup.dayPrefix}part-` }), partner())).to.equal('Allowed');
            for (const action of ['s3:GetObject', 's3:GetObjectTagging']) {
              expect(await decide(s3(DEST_SESSION, action, `${SRC}/${setup.dayObject}`, SOURCE_ACCOUNT), partner()), action).to.equal('Allowed');
            }
          });
          it('denies every read outside a day\'s prefix', async () => {
            for (const key of setup.outside.keys) {
              for (const action of ['s3:GetObject', 's3:GetObjectTagging', 's3:GetObjectVersion', 's3:GetObjectAcl']) {
                expect(await decide(s3(DEST_SESSION, action, `${SRC}/${key}`, SOURCE_ACCOUNT), partner()), `${action} ${key}`).to.not.equal('Allowed');
              }
            }
          });
          it('denies a listing of the whole bucket, of the fixed lead, of a month, of anything shorter than a day', async () => {
            // No Prefix parameter at all: the s3:prefix key is absent, and StringLike on an absent key is false.
            expect(await decide(s3(DEST_SESSION, 's3:ListBucket', SRC, SOURCE_ACCOUNT), partner()), 'no prefix').to.not.equal('Allowed');
            for (const prefix of setup.outside.prefixes) {
              expect(await decide(s3(DEST_SESSION, 's3:ListBucket', SRC, SOURCE_ACCOUNT, { 's3:prefix': prefix }), partner()), `prefix ${JSON.stringify(prefix)}`).to.not.equal('Allowed');
            }
            for (const action of ['s3:ListBucketVersions', 's3:ListBucketMultipartUploads', 's3:GetBucketPolicy', 's3:GetBucketAcl']) {
              expect(await decide(s3(DEST_SESSION, action, SRC, SOURCE_ACCOUNT, { 's3:prefix': setup.dayPrefix }), partner()), action).to.not.equal('Allowed');
            }
          });
          it('denies every write, delete or re-permission of the day\'s objects and of the bucket', async () => {
            for (const action of ['s3:PutObject', 's3:DeleteObject', 's3:PutObjectAcl', 's3:PutObjectTagging', 's3:RestoreObject']) {
              expect(await decide(s3(DEST_SESSION, action, `${SRC}/${setup.dayObject}`, SOURCE_ACCOUNT), partner()), action).to.not.equal('Allowed');
            }
            for (const action of ['s3:PutBucketPolicy', 's3:DeleteBucket', 's3:PutBucketAcl']) {
              expect(await decide(s3(DEST_SESSION, action, SRC, SOURCE_ACCOUNT), partner()), action).to.not.equal('Allowed');
            }
          });
        });
        it('grants nobody else a read through the bucket policy, even holding an allow-everything policy', async () => {
          for (const principal of [
            `arn:aws:sts::${DESTINATION_ACCOUNT}:assumed-role/ops/s`,
            `arn:aws:sts::999999999999:assumed-role/${DESTINATION_ROLE_ARN.split('/').pop()}/s`,
            `arn:aws:iam::${DESTINATION_ACCOUNT}:user/bob`,
          ]) {
            expect(await decide(s3(principal, 's3:GetObject', `${SRC}/${setup.dayObject}`, SOURCE_ACCOUNT), { identity: [ADMIN], resource: bucketPolicy }), principal).to.not.equal('Allowed');
          }
        });
      });

      describe('link 3: the destination role writes the destination bucket', () => {
        const own = () => ({ identity: [destRolePolicy] });
        it('may list its prefix and write the copies (CopyObject, multipart, tags)', async () => {
          expect(await decide(s3(DEST_SESSION, 's3:ListBucket', DST, DESTINATION_ACCOUNT, { 's3:prefix': destKey(setup.dayPrefix) }), own())).to.equal('Allowed');
          for (const action of ['s3:PutObject', 's3:PutObjectTagging', 's3:AbortMultipartUpload']) {
            expect(await decide(s3(DEST_SESSION, action, `${DST}/${destKey(setup.dayObject)}`, DESTINATION_ACCOUNT), own()), action).to.equal('Allowed');
          }
        });
        it('may delete only the preflight probe, nothing it copied', async () => {
          // The probe lies under the checked day's destination prefix (handler/check/check.ts).
          expect(await decide(s3(DEST_SESSION, 's3:DeleteObject', `${DST}/${destKey(setup.dayPrefix + PROBE_NAME)}`, DESTINATION_ACCOUNT), own())).to.equal('Allowed');
          expect(await decide(s3(DEST_SESSION, 's3:DeleteObject', `${DST}/${destKey(setup.dayObject)}`, DESTINATION_ACCOUNT), own())).to.not.equal('Allowed');
        });
        it('may list, write or delete nothing outside the destination day prefixes', async () => {
          for (const key of setup.outsideDestination) {
            for (const action of ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload']) {
              expect(await decide(s3(DEST_SESSION, action, `${DST}/${key}`, DESTINATION_ACCOUNT), own()), `${action} ${key}`).to.not.equal('Allowed');
            }
            expect(await decide(s3(DEST_SESSION, 's3:ListBucket', DST, DESTINATION_ACCOUNT, { 's3:prefix': key }), own()), `list ${key}`).to.not.equal('Allowed');
          }
        });
        it('may write no other bucket', async () => {
          expect(await decide(s3(DEST_SESSION, 's3:PutObject', `arn:aws:s3:::another-bucket/${setup.dayObject}`, DESTINATION_ACCOUNT), own())).to.not.equal('Allowed');
          expect(await decide(s3(DEST_SESSION, 's3:PutObject', `arn:aws:s3:::another-bucket/${setup.dayObject}`, '999999999999'), own())).to.not.equal('Allowed');
        });
        if (setup.values.destinationPrefix) {
          it('may write only under the destination prefix', async () => {
            expect(await decide(s3(DEST_SESSION, 's3:PutObject', `${DST}/elsewhere/${setup.dayObject}`, DESTINATION_ACCOUNT), own())).to.not.equal('Allowed');
          });
        }
        if (setup.values.kmsKeyArn) {
          // KMS needs the key policy too; the default key policy hands the decision to IAM.
          const defaultKeyPolicy: PolicyDocument = {
            Version: '2012-10-17',
            Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DESTINATION_ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
          };
          it('may encrypt (and, for multipart, decrypt) with the one KMS key and no other', async () => {
            for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
              expect(await decide({ principal: DEST_SESSION, action, resource: KMS_KEY }, { identity: [destRolePolicy], resource: defaultKeyPolicy }), action).to.equal('Allowed');
            }
            const otherKey = KMS_KEY.replace('1234abcd', '9999abcd');
            expect(await decide({ principal: DEST_SESSION, action: 'kms:GenerateDataKey', resource: otherKey }, { identity: [destRolePolicy], resource: defaultKeyPolicy })).to.not.equal('Allowed');
            expect(await decide({ principal: DEST_SESSION, action: 'kms:Encrypt', resource: KMS_KEY }, { identity: [destRolePolicy], resource: defaultKeyPolicy })).to.not.equal('Allowed');
          });
        }
      });

      it('every rendered document passes the least-privilege lint', async () => {
        const problems = [
          ...(await lintPolicy('sourceBucketPolicy', bucketPolicy, 'resource')),
          ...(await lintPolicy('trustRelationshipExample', trust, 'trust')),
          ...(await lintPolicy('roleDefinitionDestinationExample', destRolePolicy, 'identity')),
        ];
        expect(problems).to.deep.equal([]);
      });

      it('the trust policy demands the external id, exactly (StringEquals, not a pattern)', () => {
        expect(trust.Statement).to.have.length(1);
        expect(trust.Statement[0]!.Condition).to.deep.equal({ StringEquals: { 'sts:ExternalId': EXTERNAL_ID } });
        expect(trust.Statement[0]!.Principal).to.deep.equal({ AWS: EXECUTION_ROLE_ARN });
      });

      it('the bucket policy is the stack\'s read (objects of the day pattern) and list (the listing, with an s3:prefix of the day pattern) statements: read and list only, denying nothing', () => {
        expect(bucketPolicy.Statement.map((st) => st.Sid)).to.deep.equal([sourcePolicySids(STACK).Read, sourcePolicySids(STACK).List]);
        for (const st of bucketPolicy.Statement) {
          expect(st.Effect).to.equal('Allow');
          for (const a of ([] as string[]).concat(st.Action)) expect(a, a).to.match(/^s3:(Get|List)[A-Za-z]+$/);
          expect(st.Principal).to.deep.equal({ AWS: DESTINATION_ROLE_ARN });
        }
        // The year's century and the first digit of month and day written out: 1 × 2 × 4 patterns.
        const patterns = ['0?', '1?'].flatMap((mm) => ['0?', '1?', '2?', '3?'].map((dd) => `${setup.values.prefixFormat.replace('{YYYY}', '20??').replace('{MM}', mm).replace('{DD}', dd)}*`)).sort();
        expect(bucketPolicy.Statement[0]!.Resource).to.deep.equal(patterns.map((p) => `${SRC}/${p}`));
        expect(bucketPolicy.Statement[1]!).to.deep.include({ Action: 's3:ListBucket', Resource: SRC, Condition: { StringLike: { 's3:prefix': patterns } } });
      });
    });
  }

  it('without an external id configured, the trust policy has no condition and deploy passes none', () => {
    const docs = renderDocuments({ ...SETUPS[0]!.values, externalId: undefined });
    const trust = docs['trustRelationshipExample.json.tmp'];
    expect(trust.Statement[0]!.Condition).to.equal(undefined);
    expect(JSON.stringify(docs)).to.not.include('ExternalId');
  });

  // What the partner's role (s3:* on *) can still read and list under the bucket policy: IAM's
  // wildcards are `?` and `*` only (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html),
  // so the policy pins the characters it can write out (the year's `20`, the first digit of the
  // month and of the day) and leaves one `?` for each other digit. With the single `????/??/??/`
  // pattern of before, every key of this table but the last was within the partner's reach.
  describe('the partner\'s reach (issue 22): allowed and denied keys, GetObject and a listing with the key as s3:prefix', () => {
    const REACH: { format: string; allowed: string[]; denied: string[] }[] = [
      {
        format: '{YYYY}/{MM}/{DD}/',
        allowed: ['2024/03/01/part-0001.json', '2000/01/01/a', '2099/12/31/a', '2024/19/39/not-a-day', '20ab/0c/3d/letters-where-digits-go', '20///0//1//slashes-where-digits-go'],
        denied: ['home/jo/hn/.ssh/id_rsa', 'prod/db/v1/dump.sql', 'logs/us/ny/app.log', '1999/12/31/a', '2100/01/01/a', '2024/20/01/a', '2024/01/40/a', 'private/secret.csv', '2024/03/01'],
      },
      {
        format: 'events/{YYYY}/{MM}/{DD}/',
        allowed: ['events/2024/03/01/part-0001.json', 'events/2024/13/32/not-a-day', 'events/20/x/0//1//dump.sql'],
        denied: ['events/pii//pw/db/dump.sql', 'events/home/jo/hn/id_rsa', 'events/2024/03/01', 'home/jo/hn/.ssh/id_rsa', 'events/1999/12/31/a'],
      },
    ];
    for (const { format, allowed, denied } of REACH) {
      describe(format, () => {
        let bucketPolicy: PolicyDocument;
        beforeEach(() => {
          bucketPolicy = renderDocuments({ ...SETUPS[0]!.values, prefixFormat: format })['sourceBucketPolicy.json.tmp'];
        });
        const reach = async (key: string): Promise<[string, string]> => {
          const policies = { identity: [PARTNER], resource: bucketPolicy };
          const get = await decide({ principal: DEST_SESSION, action: 's3:GetObject', resource: `${SRC}/${key}`, resourceAccount: SOURCE_ACCOUNT }, policies);
          const list = await decide({ principal: DEST_SESSION, action: 's3:ListBucket', resource: SRC, resourceAccount: SOURCE_ACCOUNT, context: { 's3:prefix': key } }, policies);
          return [get, list];
        };
        for (const key of allowed) {
          it(`allowed: ${key}`, async () => {
            expect(await reach(key)).to.deep.equal(['Allowed', 'Allowed']);
          });
        }
        for (const key of denied) {
          it(`denied: ${key}`, async () => {
            const [get, list] = await reach(key);
            expect(get, 'GetObject').to.not.equal('Allowed');
            expect(list, 'ListBucket').to.not.equal('Allowed');
          });
        }
      });
    }
  });
});
