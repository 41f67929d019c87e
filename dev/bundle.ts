/**
 * Bundles the Lambda handler with esbuild into a deterministic zip: the same sources and lockfile
 * give a byte-identical zip, so its SHA-256 can key the artifact in S3 and an unchanged handler is
 * never uploaded twice.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import yazl from 'yazl';

/** Repository root (this file lives in `dev/`). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The Lambda runtime the bundle targets; the template's `Runtime` must match. */
export const LAMBDA_RUNTIME = 'nodejs22.x';
/** The handler setting for the template: `index.mjs` exporting `handler`. */
export const LAMBDA_HANDLER = 'index.handler';

// Zip entries carry a timestamp; a fixed one keeps the archive byte-identical across builds.
const FIXED_MTIME = new Date('2000-01-01T00:00:00Z');

export interface HandlerBundle {
  /** The zip archive holding `index.mjs`. */
  readonly zip: Buffer;
  /** Hex SHA-256 of the zip. */
  readonly sha256: string;
  /** Base64 SHA-256 of the zip, the form Lambda reports as `CodeSha256`. */
  readonly codeSha256: string;
  /** Size of the bundled JavaScript before zipping. */
  readonly jsBytes: number;
}

export interface BundleOptions {
  /** Entry point. Default `handler/index.ts` in the repository. */
  entry?: string;
  /** Minify the bundle. Default true (smaller zip, faster cold start). */
  minify?: boolean;
}

/** Bundles the handler (the AWS SDK included, so the code does not depend on the runtime's copy). */
export async function bundleHandler(options: BundleOptions = {}): Promise<HandlerBundle> {
  const entry = options.entry ?? `${REPO_ROOT}handler/index.ts`;
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: options.minify ?? true,
    write: false,
    legalComments: 'none',
    sourcemap: false,
    // Some CommonJS dependencies call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __s3pushCreateRequire } from 'node:module'; const require = __s3pushCreateRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  const js = result.outputFiles[0];
  if (!js) throw new Error('esbuild produced no output');
  const zip = await zipOne('index.mjs', Buffer.from(js.contents));
  return {
    zip,
    sha256: createHash('sha256').update(zip).digest('hex'),
    codeSha256: createHash('sha256').update(zip).digest('base64'),
    jsBytes: js.contents.byteLength,
  };
}

async function zipOne(name: string, content: Buffer): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(content, name, { mtime: FIXED_MTIME, mode: 0o100644, compress: true });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
