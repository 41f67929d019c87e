import type { WorkQueue } from '../../handler/aws/workQueue.ts';
import type { WorkItem } from '../../handler/fanOut/workItems.ts';

/** The URL of the fake work queue (a standard queue's shape). */
export const FAKE_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/stack-WorkQueue-ABC';

/** A work queue that records what is sent, and fails while `failing` is set. */
export function fakeQueue(url = FAKE_QUEUE_URL): WorkQueue & { sent: WorkItem[]; failing: boolean } {
  const q = {
    url,
    sent: [] as WorkItem[],
    failing: false,
    send(items: readonly WorkItem[]) {
      if (q.failing) return Promise.reject(new Error('SQS is down'));
      q.sent.push(...items);
      return Promise.resolve();
    },
  };
  return q;
}
