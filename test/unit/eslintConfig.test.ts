/**
 * The import layers eslint.config.js enforces, checked against the rule as ESLint resolves it for
 * each file (calculateConfigForFile), on a one-line import: fast, no type information needed.
 */
import { expect } from 'chai';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';

const eslint = new ESLint();

async function importProblems(file: string, from: string): Promise<string[]> {
  const config = (await eslint.calculateConfigForFile(file)) as { rules?: Record<string, Linter.RuleEntry> };
  const rule = config.rules?.['no-restricted-imports'];
  if (rule === undefined) return [];
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(`import { x } from '${from}';\nexport const y = x;\n`, [
    { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, rules: { 'no-restricted-imports': rule } },
  ], file);
  return messages.map((m) => m.message);
}

describe('eslint.config.js import layers', function () {
  this.timeout(30_000);

  for (const file of ['deploy/commands/deploy/deploy.ts', 'deploy/commands/invoke/main.ts', 'deploy/config/policies.ts', 'deploy/cloudformation/template.ts', 'deploy/local/localWorkers.ts']) {
    it(`refuses an import of dev/ in ${file}`, async () => {
      const problems = await importProblems(file, '../../../dev/motoServer.ts');
      expect(problems).to.have.length(1);
      expect(problems[0]).to.include('Operator commands do not import dev/');
    });
  }

  it('lets the demo import dev/ (it starts moto), and still refuses test code there', async () => {
    expect(await importProblems('deploy/commands/demo/main.ts', '../../../dev/motoServer.ts')).to.deep.equal([]);
    expect(await importProblems('deploy/commands/demo/main.ts', '../../../test/helpers/fixtures.ts')).to.have.length(1);
  });

  it('lets the commands import their own layers', async () => {
    expect(await importProblems('deploy/commands/deploy/deploy.ts', '../../build/bundle.ts')).to.deep.equal([]);
    expect(await importProblems('deploy/commands/invoke/main.ts', '../../local/localWorkers.ts')).to.deep.equal([]);
  });

  it('keeps dev/ and scripts/ free to import dev/', async () => {
    expect(await importProblems('scripts/build.ts', '../dev/motoServer.ts')).to.deep.equal([]);
    expect(await importProblems('dev/replicationWorld.ts', './accounts.ts')).to.deep.equal([]);
  });
});
