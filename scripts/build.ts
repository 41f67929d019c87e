/** `npm run build`: bundle the handler into dist/handler.zip and print its size and hash. */
import { mkdir, writeFile } from 'node:fs/promises';
import { bundleHandler, REPO_ROOT } from '../dev/bundle.ts';

try {
  const bundle = await bundleHandler();
  await mkdir(`${REPO_ROOT}dist`, { recursive: true });
  const out = `${REPO_ROOT}dist/handler.zip`;
  await writeFile(out, bundle.zip);
  console.log(`dist/handler.zip  ${(bundle.zip.length / 1024).toFixed(1)} KiB zipped, ${(bundle.jsBytes / 1024).toFixed(1)} KiB of JavaScript`);
  console.log(`sha256 ${bundle.sha256}`);
} catch (err) {
  console.error(`build failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
