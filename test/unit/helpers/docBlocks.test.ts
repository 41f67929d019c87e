import { expect } from 'chai';
import { docItems, isNpmNotRun, npmRunOf, readLine, scriptArgv, type ShellBlock } from '../../helpers/docBlocks.ts';

const shell = (markdown: string): ShellBlock[] => docItems(markdown).filter((i): i is ShellBlock => i.kind === 'shell');

describe('test/helpers/docBlocks: the shell blocks of a page, as the docs test runs them', () => {
  it('finds sh, bash and shell blocks with their page lines, and no other language', () => {
    const page = ['# T', '', '```sh', 'npm run demo', '```', '', '```text', 'npm run nope', '```', '```bash', 'npm run a', '```', '~~~shell', 'npm run b', '~~~', '```json', '{}', '```'].join('\n');
    const blocks = shell(page);
    expect(blocks.map((b) => [b.line, b.language, b.lines.map((l) => [l.line, l.words.join(' ')])])).to.deep.equal([
      [3, 'sh', [[4, 'npm run demo']]],
      [10, 'bash', [[11, 'npm run a']]],
      [13, 'shell', [[14, 'npm run b']]],
    ]);
  });

  it('reads a block indented in a list item, and a longer fence around a shorter one', () => {
    const blocks = shell(['1. step', '', '   ```sh', '   npm run check', '   ```', '````sh', '```', 'npm run x', '````'].join('\n'));
    expect(blocks[0]!.lines.map((l) => l.text)).to.deep.equal(['npm run check']);
    expect(blocks[1]!.lines.map((l) => l.text)).to.deep.equal(['```', 'npm run x']);
  });

  it('takes the visible marker of the first line, with its reason, and refuses one without a reason', () => {
    const [aws, notRun, bare, none] = shell(
      ['```sh', '# needs AWS: the deployed function', 'npm run check', '```', '```sh', '', '# not run by the docs test: it asks', 'npm run destroy', '```', '```sh', '# needs AWS', 'npm run x', '```', '```sh', 'npm run y', '# needs AWS: too late', '```'].join('\n'),
    );
    expect(aws!.marker).to.deep.equal({ kind: 'needsAws', reason: 'the deployed function' });
    expect(notRun!.marker).to.deep.equal({ kind: 'notRun', reason: 'it asks' });
    expect(bare!.marker).to.equal(undefined);
    expect(bare!.markerProblem).to.match(/^line 11: "# needs AWS" names no reason/);
    expect(none!.marker).to.equal(undefined);
  });

  it('turns a directive before a block into a file for the page, whatever the language', () => {
    const items = docItems(['<!-- docs-test: file event.json -->', '```json', '{"a": 1}', '```', '```sh', 'npm run invoke -- --event event.json', '```'].join('\n'));
    expect(items[0]).to.deep.equal({ kind: 'file', line: 2, name: 'event.json', content: '{"a": 1}\n' });
    expect(items[1]!.kind).to.equal('shell');
    expect(docItems('<!-- docs-test: file x -->\n\ntext between\n```json\n{}\n```\n')).to.deep.equal([]);
  });

  it('splits words as sh does: quotes, backslashes, comments, continuations', () => {
    expect(readLine(1, `npm run invoke -- --event 'a b.json' --x "c d" e\\ f   # a comment`).words).to.deep.equal(['npm', 'run', 'invoke', '--', '--event', 'a b.json', '--x', 'c d', 'e f']);
    expect(readLine(1, 'npm run deploy -- --out "#here"').words).to.deep.equal(['npm', 'run', 'deploy', '--', '--out', '#here']);
    const [block] = shell(['```sh', 'npm run invoke -- \\', '  --dates 2024-01-01', 'npm run demo', '```'].join('\n'));
    expect(block!.lines.map((l) => [l.line, l.words.join(' ')])).to.deep.equal([[2, 'npm run invoke -- --dates 2024-01-01'], [4, 'npm run demo']]);
  });

  it('reads exports and leading assignments as the environment', () => {
    expect(readLine(1, 'export A=1 B="two words" C=')).to.deep.include({ isExport: true, words: [], assignments: [['A', '1'], ['B', 'two words'], ['C', '']] });
    expect(readLine(1, 'X=true npm run deploy -- --plan')).to.deep.include({ isExport: false, words: ['npm', 'run', 'deploy', '--', '--plan'], assignments: [['X', 'true']] });
    expect(readLine(1, 'export A').problem).to.equal('"export A" sets no value');
  });

  it('names the shell syntax it does not run', () => {
    expect(readLine(1, 'npm run x -- --y $HOME').problem).to.equal('"$" (shell syntax the docs test does not run)');
    expect(readLine(1, 'npm run x | jq .').problem).to.equal('"|" (shell syntax the docs test does not run)');
    expect(readLine(1, 'npm run x && npm run y').problem).to.match(/^"&"/);
    expect(readLine(1, 'npm run x -- "$(date)"').problem).to.equal('"$" inside double quotes (a shell expansion)');
    expect(readLine(1, "npm run x -- 'unclosed").problem).to.equal('an unclosed single quote');
    expect(readLine(1, "npm run x -- '$HOME'").problem).to.equal(undefined);
  });

  it('recognises npm run and the npm lines it does not run', () => {
    expect(npmRunOf(['npm', 'run', 'deploy', '--', '--plan'])).to.deep.equal({ script: 'deploy', args: ['--', '--plan'] });
    expect(npmRunOf(['npm', 'run'])).to.equal(undefined);
    expect(npmRunOf(['npx', 'mocha'])).to.equal(undefined);
    expect(scriptArgv({ script: 'x', args: ['--', '--a', '--', 'b'] })).to.deep.equal(['--a', '--', 'b']);
    expect(scriptArgv({ script: 'x', args: [] })).to.deep.equal([]);
    expect(['npm ci', 'npm test', 'npm install', 'npm run x', 'npx y'].map((l) => isNpmNotRun(l.split(' ')))).to.deep.equal([true, true, true, false, false]);
  });
});
