import { expect } from 'chai';
import fc from 'fast-check';
import { ConfigError } from '../../../rules/errors.ts';
import { parseDeployConfig } from '../../../deploy/config/config.ts';
import { PolicyValueError, renderDocuments, type PolicyValues, type RenderedDocuments } from '../../../deploy/config/policies.ts';
import { dayPattern, dayPatterns } from '../../../rules/prefix.ts';
import { DEPLOY_ENV } from '../../helpers/badInputs.ts';
import { DESTINATION_ACCOUNT, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, EXTERNAL_ID, SOURCE_BUCKET, STACK } from '../../helpers/fixtures.ts';
import { EXECUTION_ROLE_ARN } from '../../helpers/stackPolicies.ts';

// Hostile values through validation and rendering: every generated value is either rejected with
// a validation error, or lands intact — byte for byte, in the field it belongs to — in documents
// that are valid JSON. Nothing can break out of a JSON string or a Handlebars expression.

const BASE: PolicyValues = {
  stack: STACK,
  sourceBucket: SOURCE_BUCKET,
  prefixFormat: 'exports/{YYYY}/{MM}/{DD}/',
  destinationBucket: DESTINATION_BUCKET,
  destinationPrefix: 'from-acme/',
  destinationRoleArn: DESTINATION_ROLE_ARN,
  executionRoleArn: EXECUTION_ROLE_ARN,
  externalId: EXTERNAL_ID,
  kmsKeyArn: `arn:aws:kms:us-east-1:${DESTINATION_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  sourceKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/5678abcd-12ab-34cd-56ef-1234567890ab',
};

/** Characters that break JSON, Handlebars, IAM wildcards or terminals, mixed with plain ones. */
const hostileChar = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('"', '\\', '\n', '\r', '\t', '\u0000', '\u2028', '{', '}', '{{', '}}', '*', '?', '$', '`', "'", '<', '>', '&', '/', '%', ' ') },
  { weight: 3, arbitrary: fc.constantFrom('a', 'z', '0', '9', '-', '.', '_', '=', '+', ',', '@', ':') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 2 }) },
  { weight: 1, arbitrary: fc.constantFrom('{{constructor}}', '{{{x}}}', '{{#if x}}', '"},{"Effect":"Allow","Action":"*","Resource":"*', 'é', '✓', '😀', '\u202e') },
);
const hostile = fc.array(hostileChar, { minLength: 0, maxLength: 12 }).map((parts) => parts.join(''));
/** Plain values, so that the shapes below also produce valid ones and the property is not vacuous. */
const plain = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,8}[a-z0-9]$/);

/** The string-valued fields (dayMarker and exactDays are switches, tested in policies.test.ts and exactDaysPolicies.test.ts; exclude a list, in excludedKeysPolicy.test.ts). */
type StringField = Exclude<keyof PolicyValues, 'dayMarker' | 'exactDays' | 'stack' | 'exclude'>;

/** The field each value must land in, read back from the rendered documents. */
const landed: Record<StringField, (docs: RenderedDocuments, v: PolicyValues) => boolean> = {
  sourceBucket: (d, v) => d['sourceBucketPolicy.json.tmp'].Statement[1]!.Resource === `arn:aws:s3:::${v.sourceBucket}`,
  // The format lands as its day patterns (each token as its pinned digits and "?" wildcards), in the
  // object ARNs and the s3:prefix condition alike, and as its broad pattern in the role document.
  prefixFormat: (d, v) =>
    JSON.stringify(d['sourceBucketPolicy.json.tmp'].Statement[0]!.Resource) === JSON.stringify(dayPatterns(v.prefixFormat).map((p) => `arn:aws:s3:::${v.sourceBucket}/${p}*`)) &&
    JSON.stringify(d['sourceBucketPolicy.json.tmp'].Statement[1]!.Condition?.StringLike?.['s3:prefix']) === JSON.stringify(dayPatterns(v.prefixFormat).map((p) => `${p}*`)) &&
    d['roleDefinitionDestinationExample.json.tmp'].Statement.some((s) => s.Resource === `arn:aws:s3:::${v.sourceBucket}/${dayPattern(v.prefixFormat)}*`),
  destinationBucket: (d, v) => d['roleDefinitionDestinationExample.json.tmp'].Statement.some((s) => s.Resource === `arn:aws:s3:::${v.destinationBucket}`),
  // The destination keys' pattern: the prefix, then the day pattern of the destination format (the source's without one).
  destinationPrefix: (d, v) => d['roleDefinitionDestinationExample.json.tmp'].Statement.some((s) => s.Resource === `arn:aws:s3:::${v.destinationBucket}/${v.destinationPrefix}${dayPattern(v.prefixFormat)}*`),
  destinationPrefixFormat: (d, v) => d['roleDefinitionDestinationExample.json.tmp'].Statement.some((s) => s.Resource === `arn:aws:s3:::${v.destinationBucket}/${dayPattern(v.destinationPrefixFormat!)}*`),
  destinationRoleArn: (d, v) => JSON.stringify(d['sourceBucketPolicy.json.tmp'].Statement[0]!.Principal) === JSON.stringify({ AWS: v.destinationRoleArn }),
  executionRoleArn: (d, v) => JSON.stringify(d['trustRelationshipExample.json.tmp'].Statement[0]!.Principal) === JSON.stringify({ AWS: v.executionRoleArn }),
  externalId: (d, v) => d['trustRelationshipExample.json.tmp'].Statement[0]!.Condition?.StringEquals?.['sts:ExternalId'] === v.externalId,
  kmsKeyArn: (d, v) => d['roleDefinitionDestinationExample.json.tmp'].Statement.some((s) => s.Resource === v.kmsKeyArn),
  sourceKmsKeyArn: (d, v) => d['roleDefinitionDestinationExample.json.tmp'].Statement.some((s) => s.Sid === 'DecryptSourceObjects' && s.Resource === v.sourceKmsKeyArn),
};

/** A hostile value in a field, inside the shape that field expects (so some of them pass validation). */
const shapes: Record<StringField, (s: string) => string> = {
  sourceBucket: (s) => `acme-${s}-data`,
  prefixFormat: (s) => `exports/${s}/{YYYY}/{MM}/{DD}/`,
  destinationBucket: (s) => `partner-${s}`,
  destinationPrefix: (s) => `from-${s}/`,
  destinationPrefixFormat: (s) => `acme-${s}/dt={YYYY}-{MM}-{DD}/`,
  destinationRoleArn: (s) => `arn:aws:iam::${DESTINATION_ACCOUNT}:role/${s}`,
  executionRoleArn: (s) => `arn:aws:iam::123456789012:role/${s}`,
  externalId: (s) => `ext-${s}`,
  kmsKeyArn: (s) => `arn:aws:kms:us-east-1:${DESTINATION_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-${s}`,
  sourceKmsKeyArn: (s) => `arn:aws:kms:us-east-1:123456789012:key/5678abcd-12ab-34cd-56ef-${s}`,
};
/** Plain values of each field's shape; a KMS key id ends in 12 hex digits. */
const plainOf = (field: keyof PolicyValues) => (field === 'kmsKeyArn' || field === 'sourceKmsKeyArn' ? fc.stringMatching(/^[0-9a-f]{12}$/) : plain);

function renderOrReject(values: PolicyValues): { docs: RenderedDocuments } | { rejected: Error } {
  try {
    return { docs: renderDocuments(values) };
  } catch (err) {
    // Only the validation error is acceptable: a JSON or template error would mean a value got through.
    if (!(err instanceof PolicyValueError) || /rendered invalid JSON|did not render/.test(err.message)) throw err;
    return { rejected: err };
  }
}

describe('security: hostile values through validation and rendering (fast-check)', function () {
  // Thousands of renderings of eight-pattern policies: seconds on a loaded machine.
  this.timeout(60_000);
  for (const field of Object.keys(shapes) as StringField[]) {
    it(`${field}: rejected, or intact in valid JSON`, () => {
      let accepted = 0;
      fc.assert(
        fc.property(fc.oneof(hostile, hostile.map(shapes[field]), plainOf(field).map(shapes[field])), (raw) => {
          // A destination format replaces the destination prefix (both at once are refused).
          const values = { ...BASE, ...(field === 'destinationPrefixFormat' ? { destinationPrefix: '' } : {}), [field]: raw };
          const out = renderOrReject(values);
          if ('rejected' in out) {
            if (field !== 'externalId') expect(out.rejected.message).to.include(field);
            else if (raw.length > 3) expect(out.rejected.message).to.not.include(raw);
            return;
          }
          accepted++;
          for (const doc of Object.values(out.docs)) expect(JSON.parse(JSON.stringify(doc))).to.deep.equal(doc);
          expect(landed[field](out.docs, values), `${field} ${JSON.stringify(raw)} landed intact`).to.equal(true);
          // No value may add a statement or an action.
          expect(out.docs['sourceBucketPolicy.json.tmp'].Statement).to.have.length(2);
          expect(out.docs['trustRelationshipExample.json.tmp'].Statement).to.have.length(1);
          expect(JSON.stringify(out.docs)).to.not.match(/"Action":\s*"\*"/);
        }),
        { numRuns: 300, seed: 6 },
      );
      // The shapes make sure the property is not vacuous: some values pass and are rendered.
      expect(accepted, 'some generated values were valid and rendered').to.be.greaterThan(0);
    });
  }

  it('the deploy environment: every S3_* value is rejected with a ConfigError, or reaches the documents intact', () => {
    const variables: [string, StringField, (s: string) => string][] = [
      ['S3_ROOT_BUCKET', 'sourceBucket', shapes.sourceBucket],
      ['S3_REPLICATE_BUCKET_NAME', 'destinationBucket', shapes.destinationBucket],
      ['S3_REPLICATE_DEST_PREFIX', 'destinationPrefix', shapes.destinationPrefix],
      ['S3_REPLICATE_PREFIX_FORMAT', 'prefixFormat', shapes.prefixFormat],
      ['S3_REPLICATE_DEST_PREFIX_FORMAT', 'destinationPrefixFormat', shapes.destinationPrefixFormat],
      ['S3_REPLICATE_EXTERNAL_ID', 'externalId', shapes.externalId],
      ['S3_REPLICATE_OTHER_ROLE_ARN', 'destinationRoleArn', shapes.destinationRoleArn],
    ];
    for (const [name, field, shape] of variables) {
      fc.assert(
        fc.property(fc.oneof(hostile, hostile.map(shape), plain.map(shape)), (raw) => {
          let config;
          try {
            config = parseDeployConfig({ ...DEPLOY_ENV, [name]: raw });
          } catch (err) {
            expect(err, `${name} ${JSON.stringify(raw)}`).to.be.instanceOf(ConfigError);
            return;
          }
          const values: PolicyValues = {
            stack: STACK,
            sourceBucket: config.sourceBucket,
            prefixFormat: config.prefixFormat,
            destinationBucket: config.destinationBucket,
            destinationPrefix: config.destinationPrefix,
            destinationPrefixFormat: config.destinationPrefixFormat,
            destinationRoleArn: config.destinationRoleArn,
            executionRoleArn: EXECUTION_ROLE_ARN,
            externalId: config.externalId,
            kmsKeyArn: config.kmsKeyArn,
          };
          const out = renderOrReject(values);
          if ('rejected' in out) expect.fail(`${name} ${JSON.stringify(raw)} passed the deploy validation but not the rendering: ${out.rejected.message}`);
          // An empty or blank value means "unset" for the optional variables.
          if (raw.trim() !== '') expect(landed[field](out.docs, values), `${name} ${JSON.stringify(raw)}`).to.equal(true);
        }),
        { numRuns: 200, seed: 7 },
      );
    }
  });
});
