/**
 * deploy/aws/bucketRegion against S3's wire answers: HeadBucket names a bucket's region in the
 * `x-amz-bucket-region` header "regardless of the permissions on the bucket"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html): 200 to its owner, 403 to
 * another account, 301 from another region's endpoint, each without a body. moto answers only its
 * own account's buckets, so a local HTTP server plays S3 here, and the real SDK client reads it.
 */
import { expect } from 'chai';
import { S3Client } from '@aws-sdk/client-s3';
import { bucketRegion } from '../../../deploy/aws/bucketRegion.ts';
import { useSigV4Server } from '../../helpers/sigv4Server.ts';
import { DESTINATION_BUCKET } from '../../helpers/fixtures.ts';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

describe('deploy/aws/bucketRegion: the destination bucket\'s region from HeadBucket, on the wire', () => {
  const local = useSigV4Server(CREDENTIALS.secretAccessKey);
  const client = (): S3Client => local.track(new S3Client({ region: 'us-east-1', endpoint: local.server.endpoint, forcePathStyle: true, credentials: CREDENTIALS, maxAttempts: 1 }));

  for (const status of [200, 403, 301]) {
    it(`reads x-amz-bucket-region from a ${status} answer`, async () => {
      local.server.answerWith(() => ({ status, headers: { 'x-amz-bucket-region': 'eu-west-1' } }));
      expect(await bucketRegion(client(), DESTINATION_BUCKET)).to.equal('eu-west-1');
      const req = local.server.requests.at(-1)!;
      expect([req.method, req.path, req.signatureValid], JSON.stringify(req)).to.deep.equal(["HEAD", `/${DESTINATION_BUCKET}/`, true]);
    });
  }

  it('is undefined when S3 does not say (404 without the header, a dropped connection)', async () => {
    const s3 = client();
    local.server.answerWith(() => ({ status: 404 }));
    expect(await bucketRegion(s3, DESTINATION_BUCKET)).to.equal(undefined);
    local.server.answerWith(() => 'drop');
    expect(await bucketRegion(s3, DESTINATION_BUCKET)).to.equal(undefined);
  });
});
