/** Writes docs/benchmarks.md from the saved results and the page's template (`--save`, `--render`). */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readGoals, renderGoals } from './goals.ts';
import { memoryRows, recommendMemory, renderMemoryTable } from './memoryTable.ts';
import { LAMBDA_CPU_QUOTA, SAVED_RESULTS } from './options.ts';
import { renderBenchmarksPage, renderResults, type SavedResults } from './report.ts';

/** The generated page; its hand-written part is {@link PAGE_TEMPLATE}. */
export const BENCHMARKS_PAGE = 'docs/benchmarks.md';
export const PAGE_TEMPLATE = 'bench/benchmarksPage.md';

/** The template's lines replaced by the Lambda envelope's results, the goals of both profiles, and the memory table. */
export const LAMBDA_MARKER = '<!-- lambda results -->';
export const GOALS_MARKER = '<!-- goals -->';
export const MEMORY_MARKER = '<!-- memory -->';

/** Days the memory table recommends a memory size for. */
export const DAY_SIZES = [10_000, 100_000, 1_000_000];

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every saved Lambda envelope run under `root`, by its quota. */
function lambdaRuns(root: string): { cpuQuota: number; results: SavedResults }[] {
  const dir = `${root}bench/results`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^lambda-\d+\.\d\d\.json$/.test(name))
    .map((name) => {
      const results = JSON.parse(readFileSync(`${dir}/${name}`, 'utf8')) as SavedResults;
      return { cpuQuota: results.envelope?.cpuQuota ?? Number(name.slice('lambda-'.length, -'.json'.length)), results };
    })
    .sort((a, b) => a.cpuQuota - b.cpuQuota);
}

/** The page as the saved results render it, from the files under `root` (the repository). */
export function renderSavedPage(root: string = REPO_ROOT): string {
  const results = JSON.parse(readFileSync(`${root}${SAVED_RESULTS}`, 'utf8')) as SavedResults;
  const runs = lambdaRuns(root);
  const lambda = runs.find((r) => r.cpuQuota === LAMBDA_CPU_QUOTA)?.results;
  const labels = Object.fromEntries([...results.tools, ...(lambda?.tools ?? [])].map((t) => [t.id, t.label]));
  const rows = memoryRows(runs.flatMap((r) => {
    const small = r.results.datasets.find((d) => d.dataset === 'small');
    return small === undefined ? [] : [{ cpuQuota: r.cpuQuota, summary: small }];
  }));
  const notYet = (command: string): string => `Not measured yet: \`${command}\` writes it.`;
  return renderBenchmarksPage(readFileSync(`${root}${PAGE_TEMPLATE}`, 'utf8'), results, {
    [LAMBDA_MARKER]: lambda === undefined ? notYet(`npm run bench -- --lambda --save`) : renderResults(lambda),
    [GOALS_MARKER]: renderGoals(readGoals(lambda, results), labels),
    [MEMORY_MARKER]: rows.length === 0 ? notYet('npm run bench -- --lambda --cpu-quota F --save') : renderMemoryTable(rows, recommendMemory(rows, DAY_SIZES)),
  });
}

/** Renders the page from the saved results and writes it; returns its path. */
export function writeBenchmarksPage(root: string = REPO_ROOT): string {
  const path = `${root}${BENCHMARKS_PAGE}`;
  writeFileSync(path, renderSavedPage(root));
  return path;
}

