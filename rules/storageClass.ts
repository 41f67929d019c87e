/**
 * DESTINATION_STORAGE_CLASS: the storage class every copy is written in. Pure.
 *
 * CopyObject's and CreateMultipartUpload's `x-amz-storage-class` take, by S3's API reference
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html), STANDARD |
 * REDUCED_REDUNDANCY | STANDARD_IA | ONEZONE_IA | INTELLIGENT_TIERING | GLACIER | DEEP_ARCHIVE |
 * OUTPOSTS | GLACIER_IR | SNOW | EXPRESS_ONEZONE | FSX_OPENZFS | FSX_ONTAP. Of those, a general
 * purpose bucket in a Region, the only kind s3-push writes, stores the ones below: OUTPOSTS is S3 on
 * Outposts' only class, SNOW a Snow device's, EXPRESS_ONEZONE a directory bucket's, the FSX ones an
 * FSx file system's (and the SDK's AWS_BACKUP_* are AWS Backup's); S3 refuses them here with 400
 * InvalidStorageClass, on every copy of every run. Without the header S3 stores the copy in
 * STANDARD ("If the x-amz-storage-class header is not used, the copied object will be stored in the
 * STANDARD Storage Class by default").
 */

/** The classes a copy into a general purpose bucket can be written in. */
export const COPY_STORAGE_CLASSES = [
  'STANDARD',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER_IR',
  'GLACIER',
  'DEEP_ARCHIVE',
  // AWS recommends against it (S3 Standard costs less), but S3 still stores it.
  'REDUCED_REDUNDANCY',
] as const;

export type CopyStorageClass = (typeof COPY_STORAGE_CLASSES)[number];

/**
 * The values S3's API lists that no copy into a general purpose bucket can use, each with why; a
 * test holds this list and {@link COPY_STORAGE_CLASSES} against the SDK's, so a class S3 adds is
 * decided on, not silently refused.
 */
export const NOT_COPY_STORAGE_CLASSES: Readonly<Record<string, string>> = {
  OUTPOSTS: 'S3 on Outposts buckets only',
  SNOW: 'Snow Family devices only',
  EXPRESS_ONEZONE: 'directory buckets only',
  FSX_OPENZFS: 'FSx for OpenZFS access points only',
  FSX_ONTAP: 'FSx for NetApp ONTAP access points only',
  AWS_BACKUP_WARM: 'AWS Backup only',
  AWS_BACKUP_LOW_COST_WARM: 'AWS Backup only',
};

/** What DESTINATION_STORAGE_CLASS expects, for messages. */
export const STORAGE_CLASS_EXPECTED = `one of ${COPY_STORAGE_CLASSES.join(', ')} (S3's classes of a general purpose bucket; unset: STANDARD, S3's default for a copy)`;

/** Why a value is not a class a copy can be written in, or undefined when it is one. */
export function storageClassProblem(value: string): string | undefined {
  if ((COPY_STORAGE_CLASSES as readonly string[]).includes(value)) return undefined;
  const elsewhere = NOT_COPY_STORAGE_CLASSES[value];
  if (elsewhere !== undefined) return `${value} is a storage class of ${elsewhere}; expected ${STORAGE_CLASS_EXPECTED}`;
  const upper = value.toUpperCase().replace(/-/g, '_');
  // A class is refused above only in another spelling: its upper-case form is then a class.
  const hint = (COPY_STORAGE_CLASSES as readonly string[]).includes(upper) ? ` (storage classes are upper case: ${upper})` : '';
  return `expected ${STORAGE_CLASS_EXPECTED}${hint}`;
}

