import { expect } from 'chai';
import { decideStackAction, formatChanges, isNoChangeReason, isSuccess, isInProgress, operationProgress } from '../../../../deploy/cloudformation/stackStatus.ts';
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
    ['DELETE_COMPLETE', 'create'],
    ['IMPORT_ROLLBACK_COMPLETE', 'update'],
    ['IMPORT_IN_PROGRESS', 'wait'],
    ['IMPORT_ROLLBACK_IN_PROGRESS', 'wait'],
    ['IMPORT_ROLLBACK_FAILED', 'stuck'],
    ['ROLLBACK_SOMETHING_NEW', 'stuck'],
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

  // Every stack status CloudFormation documents (StackStatus in the DescribeStacks API reference).
  const ALL = [
    'CREATE_IN_PROGRESS', 'CREATE_FAILED', 'CREATE_COMPLETE', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_FAILED', 'ROLLBACK_COMPLETE',
    'DELETE_IN_PROGRESS', 'DELETE_FAILED', 'DELETE_COMPLETE', 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
    'UPDATE_COMPLETE', 'UPDATE_FAILED', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_FAILED',
    'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE', 'REVIEW_IN_PROGRESS', 'IMPORT_IN_PROGRESS',
    'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_IN_PROGRESS', 'IMPORT_ROLLBACK_FAILED', 'IMPORT_ROLLBACK_COMPLETE',
  ];

  it('counts only CREATE/UPDATE/IMPORT_COMPLETE as success: never a *_FAILED, a rollback, a deletion or a status in progress', () => {
    expect(ALL.filter(isSuccess)).to.deep.equal(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);
    for (const failed of ALL.filter((s) => s.endsWith('_FAILED'))) expect(isSuccess(failed), failed).to.equal(false);
    expect(isSuccess('DELETE_COMPLETE')).to.equal(false);
  });

  it('counts every *_IN_PROGRESS as in progress except REVIEW_IN_PROGRESS (a change set never executed)', () => {
    expect(ALL.filter(isInProgress)).to.deep.equal(ALL.filter((s) => s.endsWith('_IN_PROGRESS') && s !== 'REVIEW_IN_PROGRESS'));
    expect(isInProgress('CREATE_COMPLETE')).to.equal(false);
    expect(isInProgress('IN_PROGRESS_CREATE')).to.equal(false);
  });

  it('names the stack and its state in every stuck answer, with the command that shows or fixes it', () => {
    const rollback = decideStackAction('replicate-to-x', 'UPDATE_ROLLBACK_FAILED');
    expect(rollback).to.deep.equal({
      kind: 'stuck',
      why: 'stack replicate-to-x is UPDATE_ROLLBACK_FAILED: an update failed and so did its rollback; CloudFormation accepts no update until the rollback is finished',
      fix: 'aws cloudformation continue-update-rollback --stack-name replicate-to-x   (then rerun npm run deploy; see its --resources-to-skip if a resource cannot roll back)',
    });
    for (const status of ['IMPORT_ROLLBACK_FAILED', 'ROLLBACK_FAILED', 'CREATE_FAILED', 'DELETE_FAILED']) {
      expect(decideStackAction('replicate-to-x', status), status).to.deep.equal({
        kind: 'stuck',
        why: `stack replicate-to-x is ${status}: it cannot be updated and must be deleted first`,
        fix: 'aws cloudformation delete-stack --stack-name replicate-to-x   (then rerun npm run deploy; the source and destination buckets are not part of the stack)',
      });
    }
    expect(decideStackAction('replicate-to-x', 'SOMETHING_NEW')).to.deep.equal({
      kind: 'stuck',
      why: 'stack replicate-to-x is in the unexpected state SOMETHING_NEW',
      fix: 'aws cloudformation describe-stack-events --stack-name replicate-to-x',
    });
  });

  it('recognises a "no changes" message inside a longer reason, and not an empty one', () => {
    expect(isNoChangeReason(`ValidationError: ${NO_CHANGE_MESSAGES[1]}`)).to.equal(true);
    expect(isNoChangeReason("The submitted information didn't contain changes.")).to.equal(true);
    expect(isNoChangeReason('')).to.equal(false);
  });

  it('formats imports, dynamic and conditional replacements, unknown actions, and no changes', () => {
    expect(formatChanges([])).to.deep.equal([]);
    expect(formatChanges([
      { action: 'Import', logicalId: 'B', type: 'AWS::S3::Bucket', details: [] },
      { action: 'Dynamic', logicalId: 'Fn', type: 'AWS::Lambda::Function', replacement: 'Conditional', details: ['A', 'B'] },
      { action: 'Other', logicalId: 'X', type: 'T' },
    ])).to.deep.equal([
      '> Import B   AWS::S3::Bucket',
      '? Dynamic Fn  AWS::Lambda::Function  (may be replaced)  [A, B]',
      '? Other  X   T',
    ]);
  });

  describe('operationProgress: whether an operation just requested has ended', () => {
    const before = { status: 'UPDATE_COMPLETE', lastUpdatedTime: 1000 };
    const cases: [string, Parameters<typeof operationProgress>[0], string][] = [
      ['a new stack still REVIEW_IN_PROGRESS: not started', { before: { status: 'REVIEW_IN_PROGRESS' }, now: { status: 'REVIEW_IN_PROGRESS' } }, 'waiting'],
      ['REVIEW_IN_PROGRESS even with a stale EXECUTE_COMPLETE: waiting for the stack to show it', { before: { status: 'REVIEW_IN_PROGRESS' }, now: { status: 'REVIEW_IN_PROGRESS' }, executionStatus: 'EXECUTE_COMPLETE' }, 'waiting'],
      ['a new stack CREATE_COMPLETE: ended', { before: { status: 'REVIEW_IN_PROGRESS' }, now: { status: 'CREATE_COMPLETE' } }, 'ended'],
      ['running: waiting', { before, now: { status: 'UPDATE_IN_PROGRESS', lastUpdatedTime: 2000 } }, 'waiting'],
      ['the previous UPDATE_COMPLETE, same time, nothing else: ask the change set', { before, now: before }, 'ask-change-set'],
      ['the previous UPDATE_COMPLETE, change set AVAILABLE: not started', { before, now: before, executionStatus: 'AVAILABLE' }, 'waiting'],
      ['the previous UPDATE_COMPLETE, change set EXECUTE_IN_PROGRESS: a stale read, waiting', { before, now: before, executionStatus: 'EXECUTE_IN_PROGRESS' }, 'waiting'],
      ['the previous UPDATE_COMPLETE, change set EXECUTE_COMPLETE: ended there', { before, now: before, executionStatus: 'EXECUTE_COMPLETE' }, 'ended'],
      ['the previous UPDATE_ROLLBACK_COMPLETE, change set EXECUTE_FAILED: ended there', { before: { status: 'UPDATE_ROLLBACK_COMPLETE' }, now: { status: 'UPDATE_ROLLBACK_COMPLETE' }, executionStatus: 'EXECUTE_FAILED' }, 'ended'],
      ['UPDATE_COMPLETE with a new LastUpdatedTime: ended', { before, now: { status: 'UPDATE_COMPLETE', lastUpdatedTime: 2000 } }, 'ended'],
      ['UPDATE_COMPLETE with its own stack event UPDATE_COMPLETE: ended', { before, now: before, ownStackEvent: 'UPDATE_COMPLETE' }, 'ended'],
      ['its own stack event still UPDATE_IN_PROGRESS, the stack read stale: ask', { before, now: before, ownStackEvent: 'UPDATE_IN_PROGRESS' }, 'ask-change-set'],
      ['rolled back: ended', { before, now: { status: 'UPDATE_ROLLBACK_COMPLETE', lastUpdatedTime: 2000 } }, 'ended'],
      ['a delete: DELETE_COMPLETE ended', { before, now: { status: 'DELETE_COMPLETE', lastUpdatedTime: 1000 } }, 'ended'],
      ['a delete that has not started: ask (deletes have no change set, so the caller waits)', { before, now: before }, 'ask-change-set'],
    ];
    for (const [what, signals, expected] of cases) it(`${what} → ${expected}`, () => expect(operationProgress(signals)).to.equal(expected));
  });
});
