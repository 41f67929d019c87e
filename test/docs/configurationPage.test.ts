/**
 * docs/configuration.md against the two parsers: each variable `handler/config.ts` or
 * `deploy/config/config.ts` reads has a row in its table, and each row names a variable its parser
 * reads. What a parser reads is observed, not listed: it runs on an environment that records every
 * name it looks up, and a name it finds only by walking the environment (`AWS_ENDPOINT_URL_<SERVICE>`)
 * counts as read when a bad value of it changes the parser's answer.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { deployEnv, handlerEnv } from '../../dev/accounts.ts';
import { parseDeployConfig } from '../../deploy/config/config.ts';
import { parseHandlerConfig } from '../../handler/config.ts';

const PAGE = 'docs/configuration.md';
type Env = Record<string, string | undefined>;
type Parser = (env: Env) => unknown;

/** The first-column variable names of the table under `heading` (`` `NAME` `` cells). */
export function tableVariables(markdown: string, heading: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) throw new Error(`${PAGE} has no heading "${heading}"`);
  const names: string[] = [];
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (/^#{1,6} /.test(line)) break;
    if (!line.startsWith('|')) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    const first = line.split('|')[1]!.trim();
    const m = /^`([A-Z][A-Z0-9_<>]*)`$/.exec(first);
    if (m) names.push(m[1]!);
  }
  return names;
}

/** The (deploy variable, handler variable) pairs of the mapping table. */
export function mappingPairs(markdown: string, heading: string): [string, string][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) throw new Error(`${PAGE} has no heading "${heading}"`);
  const pairs: [string, string][] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^#{1,6} /.test(line)) break;
    const cells = line.split('|').map((c) => c.trim());
    const from = /^`([A-Z][A-Z0-9_]*)`$/.exec(cells[1] ?? '');
    const to = /^`([A-Z][A-Z0-9_]*)`/.exec(cells[2] ?? '');
    if (from && to) pairs.push([from[1]!, to[1]!]);
  }
  return pairs;
}

/** The names `parse` looks up in `env` (a complete valid environment, so that every branch runs). */
function namesLookedUp(parse: Parser, env: Env): Set<string> {
  const read = new Set<string>();
  const recording = new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string') read.add(name);
      return target[name as string];
    },
  });
  try {
    parse(recording);
  } catch {
    // A ConfigError still read what it read.
  }
  return read;
}

/** Whether a documented name is read: looked up, or, for a pattern row, a bad value of an instance changes the answer. */
function isRead(parse: Parser, valid: Env, lookedUp: ReadonlySet<string>, name: string): boolean {
  if (lookedUp.has(name)) return true;
  const instance = name.replace(/<[A-Z]+>/g, 'S3');
  const answer = (env: Env): string => {
    try {
      return JSON.stringify(parse(env));
    } catch (err) {
      return `threw ${(err as Error).message}`;
    }
  };
  return answer(valid) !== answer({ ...valid, [instance]: 'http://198.51.100.7:9000' });
}

describe(`${PAGE}: one row per variable the parsers read`, () => {
  const page = readFileSync(new URL(`../../${PAGE}`, import.meta.url), 'utf8');
  const cases: { table: string; source: string; parse: Parser; valid: () => Env }[] = [
    { table: '## Deploy variables', source: 'deploy/config/config.ts', parse: parseDeployConfig, valid: () => deployEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' }) },
    { table: '## Handler variables', source: 'handler/config.ts', parse: parseHandlerConfig, valid: () => handlerEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' }) },
  ];

  for (const c of cases) {
    it(`"${c.table.slice(3)}" has a row for every variable ${c.source} reads, and no other`, () => {
      const rows = tableVariables(page, c.table);
      const lookedUp = namesLookedUp(c.parse, c.valid());
      const missing = [...lookedUp].filter((name) => /^[A-Z][A-Z0-9_]+$/.test(name) && !rows.includes(name));
      const unread = rows.filter((name) => !isRead(c.parse, c.valid(), lookedUp, name));
      expect(missing, `read by ${c.source} but without a row in ${PAGE} "${c.table.slice(3)}"`).to.deep.equal([]);
      expect(unread, `rows of ${PAGE} "${c.table.slice(3)}" that ${c.source} does not read`).to.deep.equal([]);
      expect(new Set(rows).size, 'each variable has one row').to.equal(rows.length);
    });
  }

  it('maps only deploy variables to handler variables, each pair once', () => {
    const pairs = mappingPairs(page, '## Deploy variables and the handler variables they set');
    const deployRows = tableVariables(page, '## Deploy variables');
    const handlerRows = tableVariables(page, '## Handler variables');
    expect(pairs.length).to.be.greaterThan(5);
    for (const [from, to] of pairs) {
      expect(deployRows, `${from} (mapping)`).to.include(from);
      expect(handlerRows, `${to} (mapping)`).to.include(to);
    }
    expect(new Set(pairs.map(([from]) => from)).size).to.equal(pairs.length);
  });

  it('reads the tables it checks (a table without rows would pass anything)', () => {
    expect(tableVariables('## T\n\n| variable | x |\n| --- | --- |\n| `A_B` | 1 |\n| `C<D>` | 2 |\n| b | 4 |\n\n## U\n| `E` | 3 |\n', '## T')).to.deep.equal(['A_B', 'C<D>']);
    expect(tableVariables(page, '## Deploy variables')).to.include.members(['S3_ROOT_BUCKET', 'AWS_ENDPOINT_URL_<SERVICE>']);
  });
});
