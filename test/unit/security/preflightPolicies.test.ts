import { expect } from 'chai';
import { PROBE_NAME } from '../../../handler/check/check.ts';
import { renderPrefix, staticLead } from '../../../rules/prefix.ts';
import { parseIsoDate } from '../../../rules/dates.ts';
import { renderDocuments, type RenderedDocuments } from '../../../deploy/config/policies.ts';
import { decide, sessionOf, type PolicyDocument } from '../../helpers/iamSimulator.ts';
import { DESTINATION_ACCOUNT, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, EXECUTION_ROLE_ARN, EXTERNAL_ID, SOURCE_ACCOUNT, SOURCE_BUCKET, STACK } from '../../helpers/fixtures.ts';

// Each request the preflight makes (handler/check/check.ts) is allowed by the documents deploy renders,
// as AWS evaluates them — cross-account, so the identity side and the resource side must both
// allow — and the probe's delete reaches that one key only. moto evaluates none of this.
const FORMAT = 'events/{YYYY}/{MM}/{DD}/';
const DEST_PREFIX = 'incoming/';
let rolePolicy: PolicyDocument;
let bucketPolicy: PolicyDocument;
let trust: PolicyDocument;
// The template's AssumeDestinationRole statement of the execution role.
const executionPolicy: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: DESTINATION_ROLE_ARN }] };
const role = sessionOf(DESTINATION_ROLE_ARN, 's3-push');
// The preflight's day (2024-01-01 below): its destination prefix holds the probe.
const DEST_DAY = `${DEST_PREFIX}events/2024/01/01/`;
const probe = `arn:aws:s3:::${DESTINATION_BUCKET}/${DEST_DAY}${PROBE_NAME}`;

describe('preflight requests against the rendered IAM documents (iam-simulate)', () => {
  // Rendered in a beforeEach, not while the file loads: code run at load belongs to no test, and
  // mutation testing (npm run test:mutation) could then only run its mutants against every test.
  beforeEach(() => {
    const docs: RenderedDocuments = renderDocuments({
      stack: STACK,
      sourceBucket: SOURCE_BUCKET,
      prefixFormat: FORMAT,
      destinationBucket: DESTINATION_BUCKET,
      destinationPrefix: DEST_PREFIX,
      destinationRoleArn: DESTINATION_ROLE_ARN,
      executionRoleArn: EXECUTION_ROLE_ARN,
      externalId: EXTERNAL_ID,
      kmsKeyArn: undefined,
    });
    rolePolicy = docs['roleDefinitionDestinationExample.json.tmp'];
    bucketPolicy = docs['sourceBucketPolicy.json.tmp'];
    trust = docs['trustRelationshipExample.json.tmp'];
  });
  it('link 1: the execution role may assume the destination role with the external id, not with another', async () => {
    const request = { principal: sessionOf(EXECUTION_ROLE_ARN, 'replicate'), action: 'sts:AssumeRole', resource: DESTINATION_ROLE_ARN };
    expect(await decide({ ...request, context: { 'sts:ExternalId': EXTERNAL_ID } }, { identity: [executionPolicy], resource: trust })).to.equal('Allowed');
    expect(await decide({ ...request, context: { 'sts:ExternalId': 'wrong' } }, { identity: [executionPolicy], resource: trust })).not.to.equal('Allowed');
  });

  it('links 2 and 3: the role may list the source under the day\'s prefix the preflight lists and read an object there', async () => {
    const policies = { identity: [rolePolicy], resource: bucketPolicy };
    const day = renderPrefix(FORMAT, parseIsoDate('2024-01-01')!);
    expect(day).to.equal('events/2024/01/01/');
    expect(await decide({ principal: role, action: 's3:ListBucket', resource: `arn:aws:s3:::${SOURCE_BUCKET}`, resourceAccount: SOURCE_ACCOUNT, context: { 's3:prefix': day } }, policies)).to.equal('Allowed');
    expect(await decide({ principal: role, action: 's3:GetObject', resource: `arn:aws:s3:::${SOURCE_BUCKET}/${day}a b.csv`, resourceAccount: SOURCE_ACCOUNT }, policies)).to.equal('Allowed');
    // The fixed lead alone (what the preflight listed before issue 15) is no longer a listing the role may make.
    expect(await decide({ principal: role, action: 's3:ListBucket', resource: `arn:aws:s3:::${SOURCE_BUCKET}`, resourceAccount: SOURCE_ACCOUNT, context: { 's3:prefix': staticLead(FORMAT) } }, policies)).not.to.equal('Allowed');
    // Without the bucket policy, the cross-account read is refused: the fix link 2 names.
    expect(await decide({ principal: role, action: 's3:ListBucket', resource: `arn:aws:s3:::${SOURCE_BUCKET}`, resourceAccount: SOURCE_ACCOUNT, context: { 's3:prefix': day } }, { identity: [rolePolicy] })).not.to.equal('Allowed');
  });

  it('link 4: the role may list the day\'s destination prefix, write the probe and delete the probe — and delete nothing else', async () => {
    const policies = { identity: [rolePolicy] };
    const dest = { resourceAccount: DESTINATION_ACCOUNT, principal: role };
    expect(await decide({ ...dest, action: 's3:ListBucket', resource: `arn:aws:s3:::${DESTINATION_BUCKET}`, context: { 's3:prefix': DEST_DAY } }, policies)).to.equal('Allowed');
    // The destination prefix alone is shorter than a day: no longer a listing the role needs or may make.
    expect(await decide({ ...dest, action: 's3:ListBucket', resource: `arn:aws:s3:::${DESTINATION_BUCKET}`, context: { 's3:prefix': DEST_PREFIX } }, policies)).not.to.equal('Allowed');
    expect(await decide({ ...dest, action: 's3:PutObject', resource: probe }, policies)).to.equal('Allowed');
    expect(await decide({ ...dest, action: 's3:DeleteObject', resource: probe }, policies)).to.equal('Allowed');
    expect(await decide({ ...dest, action: 's3:DeleteObject', resource: `arn:aws:s3:::${DESTINATION_BUCKET}/${DEST_PREFIX}2024/01/01/a.csv` }, policies)).not.to.equal('Allowed');
    expect(await decide({ ...dest, action: 's3:DeleteObject', resource: `arn:aws:s3:::${DESTINATION_BUCKET}/${PROBE_NAME}` }, policies)).not.to.equal('Allowed');
    expect(await decide({ ...dest, action: 's3:DeleteObject', resource: `arn:aws:s3:::${DESTINATION_BUCKET}/${DEST_PREFIX}${PROBE_NAME}` }, policies)).not.to.equal('Allowed');
  });
});
