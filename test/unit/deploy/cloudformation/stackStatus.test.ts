import { expect } from 'chai';
import { decideStackAction, formatChanges, isNoChangeReason, isSuccess, isInProgress } from '../../../../deploy/cloudformation/stackStatus.ts';
import { NO_CHANGE_MESSAGES } from '../../../helpers/errors.ts';

describe('deploy/cloudformation/stackStatus', () => {
  const table: [string | undefined, string][] = [
    [undefined, 'create'],
    ['REVIEW_IN_PROGRESS', 'create'],
    ['CREATE_COMPLETE', 'update'],
    ['UPDATE_COMPLETE', 'update'],
    ['UPDATE_ROLLBACK_COMPLETE', 'update'],
    ['IMPORT_COMPLETE', 'update'],
    ['UPDATE_FAILED', 'update'],
    ['ROLLBACK_COMPLETE', 'recreate'],
    ['CREATE_IN_PROGRESS', 'wait'],
    ['UPDATE_IN_PROGRESS', 'wait'],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'wait'],
    ['UPDATE_ROLLBACK_IN_PROGRESS', 'wait'],
    ['ROLLBACK_IN_PROGRESS', 'wait'],
    ['DELETE_IN_PROGRESS', 'wait'],
    ['UPDATE_ROLLBACK_FAILED', 'stuck'],
    ['ROLLBACK_FAILED', 'stuck'],
    ['DELETE_FAILED', 'stuck'],
    ['CREATE_FAILED', 'stuck'],
  ];
  for (const [status, kind] of table) {
    it(`${status ?? 'no stack'} → ${kind}`, () => expect(decideStackAction('s', status).kind).to.equal(kind));
  }

  it('gives UPDATE_ROLLBACK_FAILED the command that unsticks it', () => {
    const a = decideStackAction('replicate-to-x', 'UPDATE_ROLLBACK_FAILED');
    expect(a.kind === 'stuck' && a.fix).to.include('aws cloudformation continue-update-rollback --stack-name replicate-to-x');
  });

  it('gives a stack that must be deleted the delete command', () => {
    const a = decideStackAction('replicate-to-x', 'DELETE_FAILED');
    expect(a.kind === 'stuck' && a.fix).to.include('aws cloudformation delete-stack --stack-name replicate-to-x');
  });

  it('knows both of CloudFormation\'s "no changes" messages, and nothing else', () => {
    for (const m of NO_CHANGE_MESSAGES) expect(isNoChangeReason(m)).to.equal(true);
    expect(isNoChangeReason('Template format error: Unresolved resource dependencies')).to.equal(false);
    expect(isNoChangeReason(undefined)).to.equal(false);
  });

  it('tells success from failure and progress', () => {
    expect(isSuccess('UPDATE_COMPLETE')).to.equal(true);
    expect(isSuccess('UPDATE_ROLLBACK_COMPLETE')).to.equal(false);
    expect(isSuccess('ROLLBACK_COMPLETE')).to.equal(false);
    expect(isInProgress('REVIEW_IN_PROGRESS')).to.equal(false);
    expect(isInProgress('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')).to.equal(true);
  });

  it('formats changes with a sign per action, the replacement and the properties', () => {
    expect(formatChanges([
      { action: 'Add', logicalId: 'Queue', type: 'AWS::SQS::Queue' },
      { action: 'Modify', logicalId: 'PushFunction', type: 'AWS::Lambda::Function', replacement: 'False', details: ['Code'] },
      { action: 'Modify', logicalId: 'ExecutionRole', type: 'AWS::IAM::Role', replacement: 'True', details: ['RoleName'] },
      { action: 'Remove', logicalId: 'Old', type: 'AWS::SNS::Topic' },
    ])).to.deep.equal([
      '+ Add    Queue          AWS::SQS::Queue',
      '~ Modify PushFunction   AWS::Lambda::Function  [Code]',
      '~ Modify ExecutionRole  AWS::IAM::Role  (REPLACED)  [RoleName]',
      '- Remove Old            AWS::SNS::Topic',
    ]);
  });
});
