/**
 * Bundles the Lambda handler with esbuild into a deterministic zip: the same sources and lockfile
 * give a byte-identical zip, so its SHA-256 can key the artifact in S3 and an unchanged handler is
 * never uploaded twice.
 */
import { createHash } from 'node:crypto';
import { relative, resolve, sep } from 'node:path';
import { build, type Metafile } from 'esbuild';
import yazl from 'yazl';
import { REPO_ROOT } from '../repoRoot.ts';

/** The Lambda runtime the bundle targets; the template's `Runtime` must match. */
export const LAMBDA_RUNTIME = 'nodejs22.x';
/** The handler setting for the template: `index.mjs` exporting `handler`. */
export const LAMBDA_HANDLER = 'index.handler';

// Zip entries carry a timestamp; a fixed one keeps the archive byte-identical across builds.
const FIXED_MTIME = new Date('2000-01-01T00:00:00Z');

export interface HandlerBundle {
  /** The zip archive: `index.mjs`, then the chunks it loads (`chunks/*.mjs`), in name order. */
  readonly zip: Buffer;
  /** Hex SHA-256 of the zip. */
  readonly sha256: string;
  /** Base64 SHA-256 of the zip, the form Lambda reports as `CodeSha256`. */
  readonly codeSha256: string;
  /** Size of the bundled JavaScript before zipping, every file. */
  readonly jsBytes: number;
  /** The part of it an import of `index.mjs` loads: the entry and the chunks it imports statically. */
  readonly startJsBytes: number;
  /** The files of the zip by name, as written into it. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /**
   * With {@link BundleOptions.sourceMaps}: the source map of each file of the zip, by the file's
   * name (`index.mjs` → its map), kept out of the zip. Undefined otherwise.
   */
  readonly sourceMaps?: ReadonlyMap<string, Uint8Array>;
}

export interface BundleOptions {
  /** Entry point. Default `handler/index.ts` in the repository. */
  entry?: string;
  /** Minify the bundle. Default true (smaller zip, faster cold start). */
  minify?: boolean;
  /**
   * Also return a source map of each file, outside the zip, so that a CPU profile of the bundle can
   * be read by source module. The code is the same; only the chunks' hashed names differ (esbuild
   * hashes the maps in). Default false.
   */
  sourceMaps?: boolean;
}

/**
 * Bundles the handler (the AWS SDK included, so the code does not depend on the runtime's copy).
 *
 * What each run pays before its first request is mostly loading this code, so the bundle is cut
 * to what a run needs (docs/benchmarks.md measures it: the handler bundle's zip size and import time,
 * most of the fixed cost of a warm rerun):
 * - `mainFields: module, main`: the SDK's ES module builds (`dist-es`) rather than its CommonJS
 *   ones, which esbuild can tree-shake (package.json `sideEffects: false`) and whose modules are
 *   not each wrapped and evaluated at import; esbuild's default for `platform: node` is `main`
 *   first (https://esbuild.github.io/api/#main-fields);
 * - `splitting`: what is only reached through `import()` becomes a chunk of its own, loaded when
 *   first used: the credential providers the Lambda's environment credentials never reach (SSO,
 *   profiles, web identity and their STS and OIDC clients), the browser user-agent parser, and the
 *   handler's own lazy parts (the SQS client of the work queue).
 */
export async function bundleHandler(options: BundleOptions = {}): Promise<HandlerBundle> {
  const entry = options.entry ?? `${REPO_ROOT}handler/index.ts`;
  const outdir = `${REPO_ROOT}dist/bundle`;
  const result = await build({
    entryPoints: { index: entry },
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    splitting: true,
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    minify: options.minify ?? true,
    write: false,
    metafile: true,
    legalComments: 'none',
    // `external`: the maps are written apart and the code carries no comment naming them.
    sourcemap: options.sourceMaps ? 'external' : false,
    // Some CommonJS dependencies call require(); give each ESM file one.
    banner: { js: "import { createRequire as __s3pushCreateRequire } from 'node:module'; const require = __s3pushCreateRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  const files = new Map<string, Uint8Array>();
  const sourceMaps = new Map<string, Uint8Array>();
  for (const file of result.outputFiles) {
    const name = relative(outdir, file.path).split(sep).join('/');
    if (name.endsWith('.map')) sourceMaps.set(name.slice(0, -'.map'.length), file.contents);
    else files.set(name, file.contents);
  }
  if (!files.has('index.mjs')) throw new Error('esbuild produced no index.mjs');
  const names = ['index.mjs', ...[...files.keys()].filter((n) => n !== 'index.mjs').sort()];
  const zip = await zipFiles(names.map((name) => [name, Buffer.from(files.get(name)!)] as const));
  // The metafile names files relative to absWorkingDir; the zip, relative to outdir.
  const inZip = (path: string): string => relative(outdir, resolve(REPO_ROOT, path)).split(sep).join('/');
  const outputs = new Map(Object.entries(result.metafile.outputs).map(([path, output]) => [inZip(path), output]));
  return {
    zip,
    sha256: createHash('sha256').update(zip).digest('hex'),
    codeSha256: createHash('sha256').update(zip).digest('base64'),
    jsBytes: [...files.values()].reduce((sum, f) => sum + f.byteLength, 0),
    startJsBytes: [...staticallyLoaded('index.mjs', outputs, inZip)].reduce((sum, name) => sum + (files.get(name)?.byteLength ?? 0), 0),
    files,
    ...(options.sourceMaps ? { sourceMaps } : {}),
  };
}

/** The output files an import of `name` loads before it runs: itself and its static imports, transitively. */
function staticallyLoaded(name: string, outputs: ReadonlyMap<string, Metafile['outputs'][string]>, inZip: (path: string) => string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  seen.add(name);
  for (const imported of outputs.get(name)?.imports ?? []) {
    if (imported.kind === 'import-statement' && !imported.external) staticallyLoaded(inZip(imported.path), outputs, inZip, seen);
  }
  return seen;
}

async function zipFiles(files: readonly (readonly [string, Buffer])[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of files) zip.addBuffer(content, name, { mtime: FIXED_MTIME, mode: 0o100644, compress: true });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
