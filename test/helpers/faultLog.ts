/** Reading the fault proxy's request log: retries, requests that ran out of attempts, a summary line. */
import { S3_MAX_ATTEMPTS } from '../../handler/aws/clients.ts';
import type { ProxyCounts, ProxyLogEntry } from '../../dev/faultProxy.ts';

/** Distinct requests the run needed (method, URL, copy source, body), and how many were sent. */
export function retryFigures(counts: ProxyCounts, log: readonly ProxyLogEntry[]): { unique: number; retries: number } {
  const unique = new Set(log.filter((e) => e.attempt === 0).map((e) => `${e.method} ${e.url} ${e.copySource}`)).size;
  return { unique, retries: counts.seen - log.filter((e) => e.attempt === 0).length };
}

/**
 * Requests that failed on every attempt the handler's S3 client makes (S3_MAX_ATTEMPTS), by
 * identity: the SDK gave up on them. With a fault rate p each request has a p^6 chance of this.
 */
export function exhaustedRequests(log: readonly ProxyLogEntry[]): Map<string, ProxyLogEntry[]> {
  const byIdentity = new Map<string, ProxyLogEntry[]>();
  for (const e of log) {
    const id = `${e.method} ${e.url} ${e.copySource}`;
    byIdentity.set(id, [...(byIdentity.get(id) ?? []), e]);
  }
  const failedForGood = (entries: ProxyLogEntry[]) => {
    const last = entries.at(-1)!;
    return last.attempt === S3_MAX_ATTEMPTS - 1 && last.fault !== undefined && last.fault !== 'slow';
  };
  return new Map([...byIdentity].filter(([, entries]) => failedForGood(entries)));
}

/** One line of the proxy's figures, appended to a test's title. */
export function describeCounts(counts: ProxyCounts, log: readonly ProxyLogEntry[]): string {
  const { unique, retries } = retryFigures(counts, log);
  const f = counts.faulted;
  return (
    `seen ${counts.seen}, forwarded ${counts.forwarded}, faulted ${counts.faultedTotal} ` +
    `(slowDown ${f.slowDown}, internalError ${f.internalError}, drop ${f.drop}, lostResponse ${f.lostResponse}, slow ${f.slow}), ` +
    `unique requests ${unique}, retries ${retries}`
  );
}
