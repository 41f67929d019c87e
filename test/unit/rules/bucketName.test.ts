import { expect } from 'chai';
import { bucketNameProblem } from '../../../rules/bucketName.ts';
import { parseHandlerConfig } from '../../../handler/config.ts';
import { DESTINATION_BUCKET, DESTINATION_ROLE_ARN, SOURCE_BUCKET } from '../../helpers/fixtures.ts';

// S3's general purpose bucket naming rules, https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
// Regression: the handler's pattern accepted "a..b", IP addresses and the reserved prefixes/suffixes.
const BAD: [string, RegExp][] = [
  ['ab', /3 to 63/],
  ['a'.repeat(64), /3 to 63/],
  ['My_Bucket', /lower-case letters, digits, dots and hyphens/],
  ['-bucket', /begin and end with a letter or digit/],
  ['bucket-', /begin and end with a letter or digit/],
  ['my..bucket', /two adjacent dots/],
  ['192.168.5.4', /IP address/],
  ['xn--bucket', /prefix "xn--"/],
  ['sthree-bucket', /prefix "sthree-"/],
  ['amzn-s3-demo-bucket', /prefix "amzn-s3-demo-"/],
  ['bucket-s3alias', /suffix "-s3alias"/],
  ['bucket--ol-s3', /suffix "--ol-s3"/],
  ['bucket.mrap', /suffix ".mrap"/],
  ['bucket--x-s3', /suffix "--x-s3"/],
  ['bucket--table-s3', /suffix "--table-s3"/],
];
const GOOD = ['abc', 'a'.repeat(63), 'my.bucket.name', 'my-bucket-1', '192.168.5.4x', 'bucket-s3aliasx', SOURCE_BUCKET, DESTINATION_BUCKET];

describe('rules/bucketName', () => {
  for (const [name, why] of BAD) {
    it(`rejects ${JSON.stringify(name)}`, () => {
      expect(bucketNameProblem(name)).to.match(why);
    });
  }
  it('accepts names S3 accepts', () => {
    for (const name of GOOD) expect(bucketNameProblem(name), name).to.equal(undefined);
  });
  it('the handler environment applies the same rules and names the value', () => {
    const env = { SOURCE_BUCKET: 'my..bucket', DESTINATION_BUCKET: '10.0.0.1', DESTINATION_ROLE_ARN };
    expect(() => parseHandlerConfig(env)).to.throw(/SOURCE_BUCKET is "my\.\.bucket": .*two adjacent dots[\s\S]*DESTINATION_BUCKET is "10\.0\.0\.1": .*IP address/);
  });
  it('tells the length it found', () => {
    expect(bucketNameProblem('ab')).to.equal('a bucket name has 3 to 63 characters, not 2');
    expect(bucketNameProblem('a'.repeat(64))).to.equal('a bucket name has 3 to 63 characters, not 64');
  });
  it('refuses only the four-number form of an IP address, each of 1 to 3 digits', () => {
    for (const ip of ['1.2.3.4', '123.123.123.123', '0.0.0.0']) expect(bucketNameProblem(ip), ip).to.equal('a bucket name must not look like an IP address');
    for (const name of ['1.2.3', '1.2.3.4.5', 'a1.2.3.4', '1.2.3.4a', '1234.1.1.1', '1.2.3.1234']) expect(bucketNameProblem(name), name).to.equal(undefined);
  });
  it('wants a letter or digit at both ends, whatever lies between', () => {
    expect(bucketNameProblem('.abc')).to.equal('a bucket name must begin and end with a letter or digit');
    expect(bucketNameProblem('abc.')).to.equal('a bucket name must begin and end with a letter or digit');
    expect(bucketNameProblem('a-.-b')).to.equal(undefined);
    expect(bucketNameProblem('ab_c')).to.equal('a bucket name holds only lower-case letters, digits, dots and hyphens');
  });
});
