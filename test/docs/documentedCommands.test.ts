/**
 * Every documented command is a test (docs/testing.md, "The docs test"): the shell blocks of
 * README.md, CONTRIBUTING.md and docs/**.md are read, the `npm run` lines of the blocks that can run
 * without AWS are run against a moto server holding the examples' two accounts, and the others are
 * checked for syntax: the script exists and the command's own parser takes the flags.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DESTINATION_BUCKET, DESTINATION_ROLE_ARN, MOTO_CREDENTIALS, REGION, SOURCE_BUCKET } from '../../dev/accounts.ts';
import { startMoto, type MotoServer } from '../../dev/motoServer.ts';
import { createWorld, putObjects } from '../../dev/replicationWorld.ts';
import { documentedPages, REPO } from '../helpers/docPages.ts';
import { docItems, isNpmNotRun, npmRunOf, scriptArgv, type DocItem, type NpmRun, type ShellBlock } from '../helpers/docBlocks.ts';

const ROOT = REPO;
const SCRIPTS = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
/** A script run through tsx, whose flags its main parses: `tsx deploy/commands/x/main.ts`. */
const TSX_SCRIPT = /^(?:tsx|node --import tsx) (\S+\.ts)$/;
const COMMAND_TIMEOUT_MS = 240_000;

interface Located {
  readonly page: string;
  readonly line: number;
  readonly text: string;
}

/** What a page asks: lines to run in order (with the files they need), lines to check for syntax, and what is wrong with it as written. */
interface PagePlan {
  readonly steps: ({ kind: 'file'; line: number; name: string; content: string } | { kind: 'env'; values: readonly (readonly [string, string])[] } | ({ kind: 'run'; run: NpmRun; env: readonly (readonly [string, string])[] } & Located))[];
  readonly syntax: ({ run: NpmRun } & Located)[];
  readonly problems: string[];
}

function scriptProblem(run: NpmRun): string | undefined {
  if (SCRIPTS[run.script] === undefined) return `npm has no script "${run.script}" (package.json scripts: ${Object.keys(SCRIPTS).join(', ')})`;
  if (run.args.length > 0 && run.args[0] !== '--') return `"${run.args[0]}" goes to npm, not to the command: put the command's flags after "--"`;
  return undefined;
}

function planPage(page: string, items: readonly DocItem[]): PagePlan {
  const plan: PagePlan = { steps: [], syntax: [], problems: [] };
  for (const item of items) {
    if (item.kind === 'file') {
      plan.steps.push({ kind: 'file', line: item.line, name: item.name, content: item.content });
      continue;
    }
    planBlock(page, item, plan);
  }
  return plan;
}

function planBlock(page: string, block: ShellBlock, plan: PagePlan): void {
  if (block.markerProblem) plan.problems.push(`${page}:${block.markerProblem}`);
  for (const l of block.lines) {
    const at = `${page}:${l.line}: \`${l.text}\``;
    const run = npmRunOf(l.words);
    if (block.marker || block.markerProblem) {
      if (run) {
        const p = scriptProblem(run);
        if (p) plan.problems.push(`${at}: ${p}`);
        else plan.syntax.push({ page, line: l.line, text: l.text, run });
      }
      continue;
    }
    if (l.problem) {
      plan.problems.push(`${at}: ${l.problem}; mark the block (first line "# needs AWS: <why>" or "# not run by the docs test: <why>") or write it without`);
      continue;
    }
    if (l.isExport) plan.steps.push({ kind: 'env', values: l.assignments });
    else if (run) {
      const p = scriptProblem(run);
      if (p) plan.problems.push(`${at}: ${p}`);
      else plan.steps.push({ kind: 'run', page, line: l.line, text: l.text, run, env: l.assignments });
    } else if (l.words.length > 0 && !isNpmNotRun(l.words)) {
      plan.problems.push(`${at}: "${l.words[0]}" is not an npm command the docs test runs: mark the block (first line "# needs AWS: <why>" or "# not run by the docs test: <why>")`);
    } else if (l.words.length === 0 && l.assignments.length > 0) {
      plan.problems.push(`${at}: a plain assignment sets nothing for the commands: write "export ${l.text}"`);
    }
  }
}

interface Outcome {
  readonly code: number | null;
  readonly output: string;
}

function spawnCollect(command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-6000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => resolve({ code: null, output: `${output}\n${err.message}` }));
    child.on('close', (code, signal) => resolve({ code: code ?? null, output: signal ? `${output}\nkilled by ${signal} (over ${timeoutMs / 1000} s?)` : output }));
  });
}

/** The environment of every documented command: this one without AWS or s3-push settings, pointed at moto. */
function baseEnv(endpoint: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const handlerNames = /^(SOURCE_|DESTINATION_|EXTERNAL_ID$|PREFIX_FORMAT$|LAG_DAYS$|KMS_KEY_ARN$|COPY_CONCURRENCY$|COPY_CONCURRENCY_START$|MULTIPART_THRESHOLD_BYTES$|PART_SIZE_BYTES$|WORK_QUEUE_URL$|DAY_MARKER$)/;
  for (const [name, value] of Object.entries(process.env)) {
    if (/^AWS_/.test(name) || (/^S3_/.test(name) && name !== 'S3_PUSH_VENV') || handlerNames.test(name)) continue;
    env[name] = value;
  }
  return { ...env, ...MOTO_CREDENTIALS, AWS_ENDPOINT_URL: endpoint, NO_COLOR: '1' };
}

/** A few days of objects under the default prefix format, in the source bucket of the examples. */
async function seedExamplesWorld(): Promise<void> {
  const world = await createWorld({ source: SOURCE_BUCKET, destination: DESTINATION_BUCKET }, DESTINATION_ROLE_ARN);
  const objects = ['2024/01/01/a.json', '2024/01/01/b.json', '2024/01/02/a.json', '2024/03/01/a.json'];
  await putObjects(world.sourceAdmin, objects.map((Key) => ({ Bucket: SOURCE_BUCKET, Key, Body: `{"key": "${Key}", "padding": "0123456789"}` })));
}

/**
 * Deploy writes its documents (`*.json.tmp`) into the working directory, the repository's root
 * under npm run: yours are set aside while a page runs and put back after, and whatever the page's
 * commands leave there (those documents, the build's `dist/` when it was not there) is removed.
 */
function setAsideDocuments(): () => void {
  const aside = mkdtempSync(join(tmpdir(), 'docs-test-documents-'));
  const documents = readdirSync(ROOT).filter((f) => f.endsWith('.json.tmp'));
  // Copied, not renamed: the temporary folder may be on another file system.
  for (const f of documents) {
    copyFileSync(join(ROOT, f), join(aside, f));
    rmSync(join(ROOT, f));
  }
  const hadDist = existsSync(join(ROOT, 'dist'));
  return () => {
    for (const f of readdirSync(ROOT).filter((f) => f.endsWith('.json.tmp'))) rmSync(join(ROOT, f), { force: true });
    if (!hadDist) rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
    for (const f of documents) copyFileSync(join(aside, f), join(ROOT, f));
    rmSync(aside, { recursive: true, force: true });
  };
}

const pages = documentedPages();
/** Command lines with their environment that exited 0. */
const done = new Set<string>();
const plans = new Map(pages.map((page) => [page, planPage(page, docItems(readFileSync(join(ROOT, page), 'utf8')))]));

describe('the documented commands (README.md, CONTRIBUTING.md, docs/)', function () {
  this.timeout(COMMAND_TIMEOUT_MS * 4);
  let moto: MotoServer | undefined;
  const saved = { ...process.env };

  before(async function () {
    this.timeout(90_000);
    moto = await startMoto();
    Object.assign(process.env, MOTO_CREDENTIALS, { AWS_ENDPOINT_URL: moto.endpoint, AWS_REGION: REGION });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
  });

  after(async () => {
    await moto?.stop();
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it('are written so that the test can read them: scripts that exist, markers with reasons, no shell syntax in what runs', () => {
    const problems = [...plans.values()].flatMap((p) => p.problems);
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('that need AWS or cannot run here parse with their own command line', async function () {
    const checks = [...plans.values()].flatMap((p) => p.syntax);
    expect(checks.length, 'syntax checks').to.be.greaterThan(0);
    const failures: string[] = [];
    const parsed: { check: (typeof checks)[number]; entry: string; argv: string[] }[] = [];
    for (const c of checks) {
      const argv = scriptArgv(c.run);
      const tsx = TSX_SCRIPT.exec(SCRIPTS[c.run.script]!);
      if (tsx) parsed.push({ check: c, entry: tsx[1]!, argv });
      else if (argv.length > 0) failures.push(`${c.page}:${c.line}: \`${c.text}\`: "${c.run.script}" is not a command whose flags the test can parse; document it without flags or mark it`);
    }
    const input = JSON.stringify(parsed.map((p) => ({ entry: p.entry, argv: p.argv })));
    const out = await spawnCollect(process.execPath, ['--import', 'tsx', '--import', './test/docs/parseOnly.ts', 'test/docs/parseCommandLines.ts', input], { ...process.env, NO_COLOR: '1' }, 120_000);
    const line = out.output.split('\n').find((l) => l.startsWith('parsed: '));
    expect(line, `the parse-only run printed no result (exit ${out.code}): ${out.output}`).to.be.a('string');
    const outcomes = JSON.parse(line!.slice('parsed: '.length)) as { code: number; message?: string }[];
    expect(outcomes).to.have.length(parsed.length);
    parsed.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o.code !== 0) failures.push(`${p.check.page}:${p.check.line}: \`${p.check.text}\`: its flags do not parse (exit ${o.code}): ${o.message ?? ''}`);
    });
    expect(failures, failures.join('\n')).to.deep.equal([]);
  });

  it('the parse-only check fails a flag the command does not take, naming it, and passes one it does', async () => {
    const input = JSON.stringify([{ entry: 'deploy/commands/deploy/main.ts', argv: ['--plan', '--bogus'] }, { entry: 'deploy/commands/deploy/main.ts', argv: ['--plan'] }]);
    const out = await spawnCollect(process.execPath, ['--import', 'tsx', '--import', './test/docs/parseOnly.ts', 'test/docs/parseCommandLines.ts', input], { ...process.env }, 120_000);
    const outcomes = JSON.parse(out.output.split('\n').find((l) => l.startsWith('parsed: '))!.slice('parsed: '.length)) as { code: number; message?: string }[];
    expect(outcomes.map((o) => o.code)).to.deep.equal([2, 0]);
    expect(outcomes[0]!.message).to.include('--bogus');
  });

  for (const page of pages) {
    const plan = plans.get(page)!;
    if (!plan.steps.some((s) => s.kind === 'run')) continue;
    it(`${page}: each npm run line runs against moto and exits 0`, async function () {
      await moto!.reset();
      await seedExamplesWorld();
      const restore = setAsideDocuments();
      const written: string[] = [];
      const env: NodeJS.ProcessEnv = baseEnv(moto!.endpoint);
      const failures: string[] = [];
      try {
        for (const step of plan.steps) {
          if (step.kind === 'file') {
            const path = join(ROOT, step.name);
            if (existsSync(path)) throw new Error(`${page}:${step.line}: the file ${step.name} exists already in the repository; the test will not overwrite it`);
            writeFileSync(path, step.content);
            written.push(path);
          } else if (step.kind === 'env') {
            for (const [name, value] of step.values) env[name] = value;
          } else {
            const commandEnv = { ...env, ...Object.fromEntries(step.env) };
            // A command already proven with the same environment (on this page or another) is not run twice.
            const words = ['run', step.run.script, ...step.run.args];
            const key = JSON.stringify([words, Object.entries(commandEnv).sort()]);
            if (done.has(key)) continue;
            const out = await spawnCollect('npm', words, commandEnv, COMMAND_TIMEOUT_MS);
            if (out.code === 0) done.add(key);
            else failures.push(`${step.page}:${step.line}: \`${step.text}\` exited ${out.code}:\n${out.output.trim().split('\n').slice(-15).join('\n')}`);
          }
        }
      } finally {
        for (const path of written) rmSync(path, { force: true });
        restore();
      }
      expect(failures, failures.join('\n\n')).to.deep.equal([]);
    });
  }
});
