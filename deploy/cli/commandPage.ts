/**
 * A command's page in docs/commands/, written from the same {@link CommandSpec} as its `--help`:
 * the summary, the synopsis, a table of the flags and the notes. Pure.
 */
import { flagLabel, synopsisOf, type CommandSpec } from './commandLine.ts';

/** Prose as Markdown: `<NAME>` is a placeholder, not an HTML tag. */
function prose(text: string): string {
  return text.replace(/[<>]/g, (c) => `\\${c}`);
}

/** A Markdown table cell holds no `|` or line break. */
function cell(text: string): string {
  return prose(text).replaceAll('|', '\\|').replace(/\s+/g, ' ');
}

/**
 * The page of `spec`. `source` is the file that defines the flags, named in the page's header so
 * that an edit goes there and not into the generated file.
 */
export function commandPage(spec: CommandSpec, source: string): string {
  const flags = Object.entries(spec.flags);
  return [
    `<!-- Written by \`npm run docs\` from ${source}: edit the flags there, then run npm run docs. -->`,
    `# npm run ${spec.name}`,
    '',
    prose(spec.summary),
    '',
    '```text',
    ...synopsisOf(spec),
    '```',
    '',
    ...(flags.length === 0
      ? ['It takes no flags but `--help`.']
      : ['| Flag | What it does |', '| --- | --- |', ...flags.map(([name, flag]) => `| \`${flagLabel(name, flag)}\` | ${cell(flag.help)} |`)]),
    ...spec.notes.flatMap((note) => ['', prose(note)]),
    '',
  ].join('\n');
}
