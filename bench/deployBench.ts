/**
 * Deploy benchmark: a no-op rerun of `npm run deploy` against moto, its wall time and its AWS API
 * calls by operation (counted by the same proxy, in front of moto).
 */
import { existsSync } from 'node:fs';
import { REPO_ROOT } from '../deploy/bundle.ts';
import type { Spread } from './stats.ts';

export type DeployBenchResult =
  | { readonly skipped: string }
  | { readonly wallSeconds: Spread; readonly cpuSeconds: Spread; readonly calls: Record<string, number>; readonly firstDeploySeconds: number };

/** Measures the no-op rerun `rounds` times; skipped when the deploy command is not there yet. */
// eslint-disable-next-line @typescript-eslint/require-await
export async function measureDeploy(_rounds: number): Promise<DeployBenchResult> {
  if (!existsSync(`${REPO_ROOT}deploy/deployMain.ts`)) return { skipped: 'not measured: deploy/deployMain.ts (issue 3) is not on this branch yet' };
  return { skipped: 'not measured yet' };
}
