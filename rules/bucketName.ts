/**
 * S3's naming rules for general purpose buckets, checked before a name reaches an API call or a
 * policy document. Pure.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */

/**
 * The shape of a bucket name: the template's AllowedPattern of its bucket parameters. The rules
 * below it (adjacent dots, IP form, reserved names) are checked by {@link bucketNameProblem}.
 */
export const BUCKET_NAME_PATTERN = '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$';

/** What a message about a missing bucket name expects. */
export const BUCKET_NAME_EXPECTED = '3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit';

const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
// Suffixes S3 keeps for access point, Object Lambda, Multi-Region, directory and table bucket aliases.
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** What breaks S3's bucket naming rules in `name`, or undefined when S3 accepts it. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `a bucket name has 3 to 63 characters, not ${name.length}`;
  if (!/^[a-z0-9.-]+$/.test(name)) return 'a bucket name holds only lower-case letters, digits, dots and hyphens';
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return 'a bucket name must begin and end with a letter or digit';
  if (name.includes('..')) return 'a bucket name must not contain two adjacent dots';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'a bucket name must not look like an IP address';
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `a bucket name must not start with the reserved prefix "${prefix}"`;
  const suffix = RESERVED_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) return `a bucket name must not end with the reserved suffix "${suffix}"`;
  return undefined;
}
