/** `npm run build`: bundle the handler into dist/handler.zip and print its size and hash. */
import { mkdir, writeFile } from 'node:fs/promises';
import { bundleHandler } from '../deploy/build/bundle.ts';
import { REPO_ROOT } from '../deploy/repoRoot.ts';
import { parseCommandLine, throwIfProblems } from '../deploy/cli/commandLine.ts';
import { runCommand } from '../deploy/cli/runCommand.ts';

const USAGE = `usage: npm run build
  bundles the handler (esbuild) into dist/handler.zip, the zip npm run deploy uploads, and prints
  its size and SHA-256`;

await runCommand({
  name: 'build',
  usage: USAGE,
  parse: (argv) => throwIfProblems(parseCommandLine(argv, {}).problems),
  run: async () => {
    const bundle = await bundleHandler();
    await mkdir(`${REPO_ROOT}dist`, { recursive: true });
    const out = `${REPO_ROOT}dist/handler.zip`;
    await writeFile(out, bundle.zip);
    console.log(`dist/handler.zip  ${(bundle.zip.length / 1024).toFixed(1)} KiB zipped, ${(bundle.jsBytes / 1024).toFixed(1)} KiB of JavaScript`);
    console.log(`sha256 ${bundle.sha256}`);
  },
});
