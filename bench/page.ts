/** Writes docs/benchmarks.md from the saved results and the page's template (`--save`, `--render`). */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SAVED_RESULTS } from './options.ts';
import { renderBenchmarksPage, type SavedResults } from './report.ts';

/** The generated page; its hand-written part is {@link PAGE_TEMPLATE}. */
export const BENCHMARKS_PAGE = 'docs/benchmarks.md';
export const PAGE_TEMPLATE = 'bench/benchmarksPage.md';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The page as the saved results render it, from the files under `root` (the repository). */
export function renderSavedPage(root: string = REPO_ROOT): string {
  const results = JSON.parse(readFileSync(`${root}${SAVED_RESULTS}`, 'utf8')) as SavedResults;
  return renderBenchmarksPage(readFileSync(`${root}${PAGE_TEMPLATE}`, 'utf8'), results);
}

/** Renders the page from the saved results and writes it; returns its path. */
export function writeBenchmarksPage(root: string = REPO_ROOT): string {
  const path = `${root}${BENCHMARKS_PAGE}`;
  writeFileSync(path, renderSavedPage(root));
  return path;
}
