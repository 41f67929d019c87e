/**
 * `npm run docs`: writes docs/commands/<command>.md for every command from the flags it parses
 * (scripts/commandPages.ts), and removes a page whose command is gone. `--check` writes nothing
 * and exits 1 naming every page that is stale.
 */
import { readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { REPO_ROOT } from '../deploy/repoRoot.ts';
import { parseCommandLine, throwIfProblems, usageOf, type CommandSpec } from '../deploy/cli/commandLine.ts';
import { runCommand } from '../deploy/cli/runCommand.ts';
import { COMMAND_PAGES_DIR, commandPages } from './commandPages.ts';

const DOCS_COMMAND = {
  name: 'docs',
  summary: `Writes ${COMMAND_PAGES_DIR}/<command>.md for every command from the help of its flags, the same text --help prints, and removes the page of a command that is gone.`,
  flags: {
    check: { type: 'boolean', help: 'write nothing; exit 1 naming every page that is missing, stale or left over' },
  },
  notes: ['Exit 0 when the pages are written (or, with --check, up to date), 1 otherwise, 2 on bad arguments.'],
} as const satisfies CommandSpec;

async function readOrUndefined(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
}

await runCommand({
  name: 'docs',
  usage: usageOf(DOCS_COMMAND),
  parse: (argv) => {
    const { values, problems } = parseCommandLine(argv, DOCS_COMMAND.flags);
    throwIfProblems(problems);
    return values;
  },
  run: async ({ check }) => {
    const pages = commandPages();
    const dir = `${REPO_ROOT}${COMMAND_PAGES_DIR}`;
    const wanted = new Set(pages.map((p) => p.path));
    const leftOver = (await readdir(dir).catch(() => [] as string[])).map((f) => `${COMMAND_PAGES_DIR}/${f}`).filter((p) => p.endsWith('.md') && !wanted.has(p));
    const stale: string[] = [];
    for (const page of pages) if ((await readOrUndefined(`${REPO_ROOT}${page.path}`)) !== page.text) stale.push(page.path);
    if (check) {
      for (const path of [...stale, ...leftOver]) console.error(`${path} is ${leftOver.includes(path) ? 'left over (no command has this page)' : 'stale'}: run npm run docs`);
      return stale.length + leftOver.length === 0 ? 0 : 1;
    }
    await mkdir(dir, { recursive: true });
    for (const page of pages) if (stale.includes(page.path)) await writeFile(`${REPO_ROOT}${page.path}`, page.text);
    for (const path of leftOver) await rm(`${REPO_ROOT}${path}`);
    console.log(`${COMMAND_PAGES_DIR}: ${pages.length} page(s), ${stale.length} written, ${leftOver.length} removed`);
    return 0;
  },
});
