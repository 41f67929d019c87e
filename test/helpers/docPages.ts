/** The pages the docs tests read: README.md, CONTRIBUTING.md and every page under docs/. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root, with a trailing separator. */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Paths relative to `root`, the README first, then CONTRIBUTING, then docs/ in name order. */
export function documentedPages(root: string = REPO): string[] {
  const docs = readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((p) => p.endsWith('.md'))
    .map((p) => join('docs', p))
    .sort();
  return ['README.md', 'CONTRIBUTING.md', ...docs].filter((p) => existsSync(join(root, p)));
}
