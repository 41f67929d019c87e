/**
 * The commands whose pages docs/commands/ holds, each with the file that defines its flags, and
 * the pages as `npm run docs` writes them. Pure: no file is read or written here.
 */
import { BENCH_COMMAND } from '../bench/options.ts';
import { commandPage } from '../deploy/cli/commandPage.ts';
import type { CommandSpec } from '../deploy/cli/commandLine.ts';
import { CHECK_COMMAND } from '../deploy/commands/check/args.ts';
import { DEMO_COMMAND } from '../deploy/commands/demo/args.ts';
import { DEPLOY_COMMAND } from '../deploy/commands/deploy/args.ts';
import { DESTROY_COMMAND } from '../deploy/commands/destroy/args.ts';
import { INVOKE_COMMAND } from '../deploy/commands/invoke/args.ts';
import { STATUS_COMMAND } from '../deploy/commands/status/args.ts';

/** Where the pages go, relative to the repository root. */
export const COMMAND_PAGES_DIR = 'docs/commands';

/** Every command that has a page: its spec and the file that defines it. */
export const DOCUMENTED_COMMANDS: readonly (readonly [CommandSpec, string])[] = [
  [DEPLOY_COMMAND, 'deploy/commands/deploy/args.ts'],
  [INVOKE_COMMAND, 'deploy/commands/invoke/args.ts'],
  [CHECK_COMMAND, 'deploy/commands/check/args.ts'],
  [STATUS_COMMAND, 'deploy/commands/status/args.ts'],
  [DESTROY_COMMAND, 'deploy/commands/destroy/args.ts'],
  [DEMO_COMMAND, 'deploy/commands/demo/args.ts'],
  [BENCH_COMMAND, 'bench/options.ts'],
];

/** One page: its path relative to the repository root, and its text. */
export interface CommandPageFile {
  readonly path: string;
  readonly text: string;
}

/** The pages of every documented command. */
export function commandPages(): CommandPageFile[] {
  return DOCUMENTED_COMMANDS.map(([spec, source]) => ({ path: `${COMMAND_PAGES_DIR}/${spec.name}.md`, text: commandPage(spec, source) }));
}
