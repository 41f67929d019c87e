/**
 * The IAM documents the operator applies by hand (three; a fourth, the source key policy statement,
 * with S3_REPLICATE_SOURCE_KMS_KEY_ARN), rendered from the Handlebars templates in
 * `policy-templates/`. Every value is checked against a pattern that admits no quote, backslash or
 * control character before it is rendered, so no input can break out of a JSON string; the
 * templates are compiled with `strict: true` (a missing field throws) and each output is parsed as
 * JSON before anyone writes it.
 */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { REPO_ROOT } from '../repoRoot.ts';
import { PROBE_NAME } from '../../handler/check/check.ts';
import { bucketNameProblem } from '../../rules/bucketName.ts';
import { externalIdProblem, kmsKeyArnProblem, parseRoleArn, roleArnProblem } from '../../rules/awsNames.ts';
import { DESTINATION_ROLE_POLICY_FILE, SOURCE_KEY_POLICY_FILE, SOURCE_KEY_POLICY_SID, SOURCE_POLICY_FILE, TRUST_POLICY_FILE, TRUST_POLICY_SID } from '../../rules/names.ts';
import { sourcePolicySids, type StackIdentity } from '../../rules/sourcePolicySids.ts';
import { KEY_PREFIX_PATTERN, dayPattern, dayPatterns, destinationDayPattern, destinationPrefixFormatProblems, prefixFormatProblems } from '../../rules/prefix.ts';
import { DAY_MARKER_NAME } from '../../handler/marker/manifest.ts';
import { denySizeProblem, excludeProblems, excludedResources } from '../../rules/exclude.ts';

/** What the documents are rendered from (the deploy config and the stack). */
export interface PolicyValues {
  /**
   * The stack (its name and region): the source bucket policy statements' Sids are derived from it,
   * so that each stack pushing from one source bucket has its own (rules/sourcePolicySids.ts).
   */
  readonly stack: StackIdentity;
  readonly sourceBucket: string;
  /**
   * `S3_REPLICATE_PREFIX_FORMAT`, the source prefix of one day: the documents grant the source only
   * under it, each token rendered as IAM single-character wildcards (`{YYYY}` → `????`, see
   * {@link dayPattern}), so that no key outside a day's prefix can be listed or read.
   */
  readonly prefixFormat: string;
  readonly destinationBucket: string;
  /** May be empty. */
  readonly destinationPrefix: string;
  /**
   * `S3_REPLICATE_DEST_PREFIX_FORMAT`, the destination prefix of one day (undefined: the source's
   * under `destinationPrefix`). The role writes, deletes its probe and reads the marker only under
   * the destination day pattern ({@link destinationDayPattern}).
   */
  readonly destinationPrefixFormat?: string | undefined;
  readonly destinationRoleArn: string;
  /** The function's execution role, from IAM once the stack exists. */
  readonly executionRoleArn: string;
  readonly externalId: string | undefined;
  readonly kmsKeyArn: string | undefined;
  /** S3_REPLICATE_DAY_MARKER: the role may read the day-complete markers (it writes them under WriteDestination). Default false. */
  readonly dayMarker?: boolean;
  /**
   * S3_REPLICATE_EXACT_DAYS: the role may delete objects of the destination's days (s3:DeleteObject
   * on `<destination prefix><day pattern>*` only, `DeleteDayObjects`). Default false: no such grant.
   */
  readonly exactDays?: boolean;
  /**
   * The key the source objects are encrypted with (S3_REPLICATE_SOURCE_KMS_KEY_ARN), or undefined.
   * With it the role gets kms:Decrypt on it and a fourth document, the key policy statement, is rendered.
   */
  readonly sourceKmsKeyArn?: string | undefined;
  /**
   * S3_REPLICATE_EXCLUDE's patterns (validated by the deploy config). Those IAM can say exactly
   * become a Deny of the destination role on the excluded keys of every day. Default none.
   */
  readonly exclude?: readonly string[];
}

/** The rendered documents, by file name. */
export interface RenderedDocuments {
  readonly [SOURCE_POLICY_FILE]: PolicyDocument;
  readonly [TRUST_POLICY_FILE]: PolicyDocument;
  readonly [DESTINATION_ROLE_POLICY_FILE]: PolicyDocument;
  /** Only with a source KMS key: the statement the source account adds to that key's policy. */
  readonly [SOURCE_KEY_POLICY_FILE]?: PolicyDocument;
}

/** An IAM policy document as rendered. */
export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export { SOURCE_KEY_POLICY_FILE };

/** The documents' file names, with their template names. */
export const DOCUMENTS = {
  [SOURCE_POLICY_FILE]: 'sourceBucketPolicy.json.hbs',
  [TRUST_POLICY_FILE]: 'trustRelationshipExample.json.hbs',
  [DESTINATION_ROLE_POLICY_FILE]: 'roleDefinitionDestinationExample.json.hbs',
  [SOURCE_KEY_POLICY_FILE]: 'sourceKeyPolicyStatement.json.hbs',
} as const;

const KEY_PREFIX = new RegExp(KEY_PREFIX_PATTERN);

/** Thrown when a value would not render into a sound document. */
export class PolicyValueError extends Error {
  override name = 'PolicyValueError';
}

/** Every value checked; throws a PolicyValueError naming each bad one (never echoing the external id). */
export function validatePolicyValues(v: PolicyValues): void {
  const problems: string[] = [];
  for (const [name, value] of [['sourceBucket', v.sourceBucket], ['destinationBucket', v.destinationBucket]] as const) {
    const p = bucketNameProblem(value);
    if (p) problems.push(`${name} ${JSON.stringify(value)}: ${p}`);
  }
  const formats: [string, string | undefined, (f: string) => string[]][] = [['prefixFormat', v.prefixFormat, prefixFormatProblems], ['destinationPrefixFormat', v.destinationPrefixFormat, destinationPrefixFormatProblems]];
  // The Deny's size is measured on the source's day pattern: only once that format is sound.
  let sourceFormatFaults = 0;
  for (const [name, format, rules] of formats) {
    if (format === undefined) continue;
    const formatFaults = rules(format);
    // The fixed text lands in the documents as it is: no IAM wildcard, no quote.
    if (!KEY_PREFIX.test(format.replace(/\{(YYYY|MM|DD)\}/g, '')) || format.length > 512) formatFaults.push('expected at most 512 letters, digits and / _ . = - besides the tokens');
    for (const p of formatFaults) problems.push(`${name} ${JSON.stringify(format)}: ${p}`);
    if (name === 'prefixFormat') sourceFormatFaults = formatFaults.length;
  }
  if (v.destinationPrefixFormat !== undefined && v.destinationPrefix !== '') problems.push('destinationPrefix and destinationPrefixFormat: expected one of the two');
  if (!KEY_PREFIX.test(v.destinationPrefix) || v.destinationPrefix.length > 512) problems.push(`destinationPrefix ${JSON.stringify(v.destinationPrefix)}: expected at most 512 letters, digits and / _ . = - only`);
  for (const [name, value] of [['destinationRoleArn', v.destinationRoleArn], ['executionRoleArn', v.executionRoleArn]] as const) {
    const p = roleArnProblem(value);
    if (p) problems.push(`${name} ${JSON.stringify(value)}: ${p}`);
  }
  const externalIdFault = v.externalId === undefined ? undefined : externalIdProblem(v.externalId);
  if (externalIdFault) problems.push(`externalId: ${externalIdFault}`);
  const kmsFault = v.kmsKeyArn === undefined ? undefined : kmsKeyArnProblem(v.kmsKeyArn);
  if (kmsFault) problems.push(`kmsKeyArn ${JSON.stringify(v.kmsKeyArn)}: ${kmsFault}`);
  const sourceKmsFault = v.sourceKmsKeyArn === undefined ? undefined : kmsKeyArnProblem(v.sourceKmsKeyArn);
  if (sourceKmsFault) problems.push(`sourceKmsKeyArn ${JSON.stringify(v.sourceKmsKeyArn)}: ${sourceKmsFault}`);
  const excludeFaults = excludeProblems('exclude', v.exclude === undefined ? undefined : v.exclude.join(','));
  problems.push(...excludeFaults);
  const denySize = excludeFaults.length > 0 || sourceFormatFaults > 0 ? undefined : denySizeProblem('exclude', excludedResources(v.exclude ?? [], `arn:aws-us-gov:s3:::${v.sourceBucket}/${dayPattern(v.prefixFormat)}`));
  if (denySize) problems.push(denySize);
  if (problems.length > 0) throw new PolicyValueError(`cannot render the IAM documents:\n  ${problems.join('\n  ')}`);
}

/**
 * The Deny's resources: each exclusion pattern IAM can say exactly ({@link iamExclusionForms}),
 * after the day pattern. One loose day pattern (`????/??/??/`, not the eight of the grants) is
 * enough and keeps the policy small: a day's prefix has a fixed length, so for a key of any day the
 * Deny matches exactly when the form matches the rest of the key. A JSON list, or "" for none.
 */
function denyResources(values: PolicyValues, partition: string): string {
  const resources = excludedResources(values.exclude ?? [], `arn:${partition}:s3:::${values.sourceBucket}/${dayPattern(values.prefixFormat)}`);
  return resources.length === 0 ? '' : JSON.stringify(resources);
}

const compiled = new Map<string, Handlebars.TemplateDelegate>();

function template(name: string, dir: string): Handlebars.TemplateDelegate {
  const path = `${dir}/${name}`;
  let t = compiled.get(path);
  if (!t) {
    // noEscape: HTML escaping would turn "=" into "&#x3D;"; the values were validated instead.
    t = Handlebars.compile(readFileSync(path, 'utf8'), { strict: true, noEscape: true });
    compiled.set(path, t);
  }
  return t;
}

/**
 * Renders the documents (the fourth only with a source KMS key). Validates the values first, parses each output as JSON, and checks
 * it is a policy document (Version and a Statement list).
 *
 * @param templateDir where the `.hbs` files are. Default `policy-templates/` in the repository.
 */
export function renderDocuments(values: PolicyValues, templateDir = `${REPO_ROOT}policy-templates`): RenderedDocuments {
  validatePolicyValues(values);
  const partition = parseRoleArn(values.destinationRoleArn)?.partition ?? 'aws';
  const sids = sourcePolicySids(values.stack);
  // probeName: the preflight check ({"check": true}) writes and deletes this one key in the destination.
  const context = {
    ...values,
    partition,
    // The source bucket policy is shared by every stack that pushes from the bucket: Sids of this stack's own.
    sourcePolicySid: sids.Read,
    sourceListPolicySid: sids.List,
    sourceDenyPolicySid: sids.Deny,
    // "" when no pattern can be said in IAM: the template then renders no Deny.
    excludedResources: denyResources(values, partition),
    sourceDayPattern: dayPattern(values.prefixFormat),
    // The bucket policy, the partner's only bound, takes the narrow patterns (JSON lists); the
    // destination role's document keeps the one broad pattern (the partner's to write, and 10,240
    // characters at most).
    sourceDayResources: JSON.stringify(dayPatterns(values.prefixFormat).map((p) => `arn:${partition}:s3:::${values.sourceBucket}/${p}*`)),
    sourceDayPrefixes: JSON.stringify(dayPatterns(values.prefixFormat).map((p) => `${p}*`)),
    destinationDayPattern: destinationDayPattern(values),
    sourceKeyPolicySid: SOURCE_KEY_POLICY_SID,
    trustPolicySid: TRUST_POLICY_SID,
    probeName: PROBE_NAME,
    dayMarkerName: DAY_MARKER_NAME,
    dayMarker: values.dayMarker ?? false,
    exactDays: values.exactDays ?? false,
    externalId: values.externalId ?? '',
    kmsKeyArn: values.kmsKeyArn ?? '',
    sourceKmsKeyArn: values.sourceKmsKeyArn ?? '',
    // kms:ViaService names S3's endpoint in the key's region (the source bucket's).
    sourceKmsRegion: values.sourceKmsKeyArn?.split(':')[3] ?? '',
    urlSuffix: partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
  };
  const out: Record<string, PolicyDocument> = {};
  for (const [file, hbs] of Object.entries(DOCUMENTS)) {
    if (file === SOURCE_KEY_POLICY_FILE && values.sourceKmsKeyArn === undefined) continue;
    const text = template(hbs, templateDir)(context);
    let doc: PolicyDocument;
    try {
      doc = JSON.parse(text) as PolicyDocument;
    } catch (err) {
      throw new PolicyValueError(`${hbs} rendered invalid JSON: ${(err as Error).message}`);
    }
    if (doc.Version !== '2012-10-17' || !Array.isArray(doc.Statement) || doc.Statement.length === 0) {
      throw new PolicyValueError(`${hbs} did not render a policy document (Version 2012-10-17 and a Statement list)`);
    }
    out[file] = doc;
  }
  return out as unknown as RenderedDocuments;
}
