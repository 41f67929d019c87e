import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { REPO_ROOT } from '../../../deploy/repoRoot.ts';
import { usageOf } from '../../../deploy/cli/commandLine.ts';
import { COMMAND_PAGES_DIR, commandPages, DOCUMENTED_COMMANDS } from '../../../scripts/commandPages.ts';

const read = (path: string): string | undefined => {
  try {
    return readFileSync(`${REPO_ROOT}${path}`, 'utf8');
  } catch {
    return undefined;
  }
};

describe('docs/commands: one page per command, written from its flags', () => {
  for (const page of commandPages()) {
    const name = page.path.slice(COMMAND_PAGES_DIR.length + 1, -'.md'.length);
    it(`${page.path} is what npm run docs writes for ${name}`, () => {
      const onDisk = read(page.path);
      expect(onDisk !== undefined, `${page.path} is missing: the page of npm run ${name}; run npm run docs`).to.equal(true);
      // Not a deep diff: the message says what to do.
      expect(onDisk === page.text, `${page.path} is stale: the flags or help of npm run ${name} changed; run npm run docs`).to.equal(true);
    });
  }

  it('holds no page of a command that is gone', () => {
    const wanted = new Set(commandPages().map((p) => p.path));
    const leftOver = readdirSync(`${REPO_ROOT}${COMMAND_PAGES_DIR}`).map((f) => `${COMMAND_PAGES_DIR}/${f}`).filter((p) => !wanted.has(p));
    expect(leftOver, 'pages no command writes: run npm run docs').to.deep.equal([]);
  });

  it('covers every operator command and the bench', () => {
    expect(DOCUMENTED_COMMANDS.map(([spec]) => spec.name)).to.have.members(['deploy', 'invoke', 'check', 'status', 'destroy', 'demo', 'bench']);
    const scripts = (JSON.parse(read('package.json')!) as { scripts: Record<string, string> }).scripts;
    for (const [spec] of DOCUMENTED_COMMANDS) expect(scripts[spec.name], `npm run ${spec.name}`).to.be.a('string');
  });

  for (const [spec, source] of DOCUMENTED_COMMANDS) {
    it(`${spec.name}: every flag has its help, and the texts name only flags the command has (${source})`, () => {
      const own = new Set([...Object.keys(spec.flags).map((f) => `--${f}`), '--help']);
      for (const [flag, def] of Object.entries(spec.flags)) expect(def.help.trim(), `--${flag}`).to.not.equal('');
      const texts = [spec.summary, ...spec.notes, ...Object.values(spec.flags).map((f) => f.help)];
      const named = texts.flatMap((t) => t.match(/(?<![\w-])--[a-z][a-z-]*/g) ?? []);
      expect(named.filter((f) => !own.has(f)), 'flags named in the help that the command does not take').to.deep.equal([]);
      // The page and the usage tell the same: every flag's help appears in both.
      const page = commandPages().find((p) => p.path.endsWith(`/${spec.name}.md`))!.text;
      const usage = usageOf(spec).replace(/\s+/g, ' ');
      for (const [flag, def] of Object.entries(spec.flags)) {
        expect(usage, `--${flag} in --help`).to.include(def.help.replace(/\s+/g, ' '));
        expect(page.includes(`| \`--${flag}`) || page.includes(`--${flag}\` |`), `--${flag} on the page`).to.equal(true);
      }
    });
  }
});
