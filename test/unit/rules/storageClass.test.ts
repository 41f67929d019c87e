import { expect } from 'chai';
import { StorageClass } from '@aws-sdk/client-s3';
import { COPY_STORAGE_CLASSES, NOT_COPY_STORAGE_CLASSES, STORAGE_CLASS_EXPECTED, storageClassProblem } from '../../../rules/storageClass.ts';

describe('rules/storageClass', () => {
  it('decides on every class the SDK knows: a copy into a general purpose bucket takes it, or it is named as another kind of storage\'s', () => {
    // A class S3 adds comes with a new SDK: this fails until it is put on one side or the other.
    const decided = [...COPY_STORAGE_CLASSES, ...Object.keys(NOT_COPY_STORAGE_CLASSES)].sort();
    expect(decided).to.deep.equal(Object.values(StorageClass).sort());
    expect(COPY_STORAGE_CLASSES.filter((c) => c in NOT_COPY_STORAGE_CLASSES)).to.deep.equal([]);
  });

  it('accepts each class a copy can be written in, exactly as S3 spells it', () => {
    for (const c of ['STANDARD', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE']) expect(storageClassProblem(c), c).to.equal(undefined);
  });

  it('refuses other spellings and other kinds of storage, saying what is expected', () => {
    expect(storageClassProblem('glacier_ir')).to.match(/^expected one of STANDARD, .*DEEP_ARCHIVE.* \(storage classes are upper case: GLACIER_IR\)$/);
    expect(storageClassProblem('standard-ia')).to.match(/upper case: STANDARD_IA\)$/);
    expect(storageClassProblem('EXPRESS_ONEZONE')).to.match(/^EXPRESS_ONEZONE is a storage class of directory buckets only; expected one of STANDARD/);
    expect(storageClassProblem('OUTPOSTS')).to.match(/S3 on Outposts buckets only/);
    expect(storageClassProblem('GLACIER_DEEP')).to.match(/^expected one of /);
    // A hint only where the value is a class in another case or with hyphens, never for a made-up name.
    for (const v of ['GLACIER_DEEP', 'glacier_deep', 'Standard-Infrequent']) expect(storageClassProblem(v), v).to.equal(`expected ${STORAGE_CLASS_EXPECTED}`);
    // Each kind of storage a copy cannot use is named with where its class belongs.
    expect(storageClassProblem('SNOW')).to.match(/^SNOW is a storage class of Snow Family devices only;/);
    expect(storageClassProblem('FSX_OPENZFS')).to.match(/^FSX_OPENZFS is a storage class of FSx for OpenZFS access points only;/);
    expect(storageClassProblem('FSX_ONTAP')).to.match(/^FSX_ONTAP is a storage class of FSx for NetApp ONTAP access points only;/);
    expect(storageClassProblem('AWS_BACKUP_WARM')).to.match(/^AWS_BACKUP_WARM is a storage class of AWS Backup only;/);
    expect(storageClassProblem('AWS_BACKUP_LOW_COST_WARM')).to.match(/^AWS_BACKUP_LOW_COST_WARM is a storage class of AWS Backup only;/);
    expect(storageClassProblem('')).to.match(/^expected one of /);
    expect(storageClassProblem(' STANDARD')).to.match(/^expected one of /);
  });
});
