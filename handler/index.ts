/** Lambda entry point. The replication handler is built on this skeleton (issue 2). */
export function handler(): Promise<never> {
  return Promise.reject(new Error('s3-push handler: not built yet'));
}
