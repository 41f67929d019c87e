/**
 * Preloaded (`node --import tsx --import test/docs/parseOnly.ts <main.ts> …flags`) to check a
 * documented command's flags with the command's own parser, without running it: every command's
 * main hands its definition to `deploy/cli/runCommand.ts`, and this hook swaps that one module for
 * {@link ./parseOnlyRunCommand.ts}, which parses and stops. Nothing of the product is changed.
 */
import { register } from 'node:module';

const stub = new URL('./parseOnlyRunCommand.ts', import.meta.url).href;
const hooks = `export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  return resolved.url.endsWith('/deploy/cli/runCommand.ts') ? { ...resolved, url: ${JSON.stringify(stub)}, shortCircuit: true } : resolved;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
