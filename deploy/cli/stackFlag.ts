/** The `--stack NAME` flag that `check` and `destroy` share. Pure. */

/**
 * When `argv[i]` is `--stack NAME` or `--stack=NAME`, reads the name into `state.stack` (or a
 * problem into `problems`) and returns the index of the last argument used; otherwise returns
 * undefined and touches nothing.
 */
export function readStackFlag(argv: readonly string[], i: number, state: { stack: string | undefined }, problems: string[]): number | undefined {
  const arg = argv[i]!;
  if (arg !== '--stack' && !arg.startsWith('--stack=')) return undefined;
  const last = arg === '--stack' ? i + 1 : i;
  const value = arg === '--stack' ? argv[last] : arg.slice('--stack='.length);
  if (value === undefined || value === '' || value.startsWith('--')) problems.push('--stack needs a stack name: --stack NAME');
  else if (state.stack !== undefined) problems.push('--stack is given twice');
  else state.stack = value;
  return last;
}
