/**
 * Builds what the benchmark runs as child processes, under `.bench/build/`:
 * - `index.mjs` and its `chunks/`: the handler exactly as deployed (extracted from `bundleHandler()`'s zip), and
 *   `runHandler.mjs`, which imports it and calls `handler(event)` once, as Lambda would;
 * - `naiveSdkCopy.mjs`: the naive SDK loop, bundled with the same esbuild settings (the SDK's ES
 *   module builds; one file, as it has no lazy parts), so that every Node tool starts from bundled
 *   code and none pays for a TypeScript loader.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { build } from 'esbuild';
import { bundleHandler, type HandlerBundle } from '../deploy/build/bundle.ts';
import { REPO_ROOT } from '../deploy/repoRoot.ts';

export interface BenchBuild {
  readonly dir: string;
  /** `node <runHandler> <eventJson> <summaryFile>` runs the deployed handler code once. */
  readonly runHandler: string;
  /** The bundled handler module. */
  readonly handlerModule: string;
  /** `node <naiveSdkCopy> …` (see naiveSdkCopy.ts for its arguments). */
  readonly naiveSdkCopy: string;
  /** `node <s3SyncClientCopy> …`, the same arguments (see s3SyncClientCopy.ts). */
  readonly s3SyncClientCopy: string;
  readonly bundle: HandlerBundle;
}

const RUN_HANDLER = `// Written by bench/build.ts: runs the bundled handler once, as Lambda would.
import { writeFileSync } from 'node:fs';
import { handler } from './index.mjs';
const [eventJson, summaryFile] = process.argv.slice(2);
const context = { awsRequestId: 'bench', functionName: 's3-push-bench', getRemainingTimeInMillis: () => 900000 };
try {
  const summary = await handler(JSON.parse(eventJson), context);
  writeFileSync(summaryFile, JSON.stringify(summary));
} catch (err) {
  console.error('handler failed:', err && err.message ? err.message : err);
  process.exitCode = 1;
}
`;

export interface BenchBuildOptions {
  /**
   * Write each bundle file's source map beside it (`index.mjs.map`…), to read a CPU profile of the
   * handler by source module (scripts/cpuProfileAreas.ts). The code is the deployed code; only the
   * chunks' hashed names differ. Default false: the files are exactly those of the deployed zip.
   */
  readonly sourceMaps?: boolean;
}

/** Bundles the handler and the naive loop into `dir` (default `.bench/build`). */
export async function buildBenchTools(dir = `${REPO_ROOT}.bench/build`, options: BenchBuildOptions = {}): Promise<BenchBuild> {
  await mkdir(dir, { recursive: true });
  const bundle = await bundleHandler({ sourceMaps: options.sourceMaps ?? false });
  const handlerModule = `${dir}/index.mjs`;
  for (const name of bundle.files.keys()) {
    await mkdir(dirname(`${dir}/${name}`), { recursive: true });
    await writeFile(`${dir}/${name}`, unzipOnly(bundle.zip, name));
  }
  for (const [name, map] of bundle.sourceMaps ?? []) await writeFile(`${dir}/${name}.map`, map);
  const runHandler = `${dir}/runHandler.mjs`;
  await writeFile(runHandler, RUN_HANDLER);
  const naiveSdkCopy = `${dir}/naiveSdkCopy.mjs`;
  const s3SyncClientCopy = `${dir}/s3SyncClientCopy.mjs`;
  for (const [entry, outfile] of [['naiveSdkCopy.ts', naiveSdkCopy], ['s3SyncClientCopy.ts', s3SyncClientCopy]] as const) {
    await build({
      entryPoints: [`${REPO_ROOT}bench/${entry}`],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      mainFields: ['module', 'main'],
      minify: true,
      legalComments: 'none',
      banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);" },
      logLevel: 'silent',
    });
  }
  return { dir, runHandler, handlerModule, naiveSdkCopy, s3SyncClientCopy, bundle };
}

/**
 * The content of one entry of a zip written by yazl (local headers carry the sizes: no data
 * descriptor). Enough for our own bundle; not a general unzip.
 */
export function unzipOnly(zip: Buffer, name: string): Buffer {
  let offset = 0;
  while (offset + 30 <= zip.length && zip.readUInt32LE(offset) === 0x04034b50) {
    const flags = zip.readUInt16LE(offset + 6);
    const method = zip.readUInt16LE(offset + 8);
    let compressedSize = zip.readUInt32LE(offset + 18);
    const nameLength = zip.readUInt16LE(offset + 26);
    const extraLength = zip.readUInt16LE(offset + 28);
    const entryName = zip.toString('utf8', offset + 30, offset + 30 + nameLength);
    const dataStart = offset + 30 + nameLength + extraLength;
    if (flags & 0x08) {
      // Sizes follow the data (data descriptor): find them in the central directory instead.
      compressedSize = centralDirectorySize(zip, entryName);
    }
    if (entryName === name) {
      const data = zip.subarray(dataStart, dataStart + compressedSize);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return inflateRawSync(data);
      throw new Error(`unzipOnly: ${name} uses compression method ${method}`);
    }
    offset = dataStart + compressedSize + (flags & 0x08 ? 16 : 0);
  }
  throw new Error(`unzipOnly: no entry ${name} in the zip`);
}

function centralDirectorySize(zip: Buffer, name: string): number {
  for (let i = zip.length - 22; i >= 0; i--) {
    if (zip.readUInt32LE(i) !== 0x06054b50) continue;
    let p = zip.readUInt32LE(i + 16);
    const entries = zip.readUInt16LE(i + 10);
    for (let e = 0; e < entries; e++) {
      const size = zip.readUInt32LE(p + 20);
      const n = zip.readUInt16LE(p + 28);
      const m = zip.readUInt16LE(p + 30);
      const k = zip.readUInt16LE(p + 32);
      if (zip.toString('utf8', p + 46, p + 46 + n) === name) return size;
      p += 46 + n + m + k;
    }
  }
  throw new Error(`unzipOnly: ${name} not in the central directory`);
}
