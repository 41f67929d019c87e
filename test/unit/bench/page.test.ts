import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { BENCHMARKS_PAGE, PAGE_TEMPLATE, renderSavedPage } from '../../../bench/page.ts';
import { SAVED_RESULTS } from '../../../bench/options.ts';
import { renderBenchmarksPage, RESULTS_MARKER, type SavedResults } from '../../../bench/report.ts';

const root = new URL('../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

describe('bench/page: docs/benchmarks.md', () => {
  it('is what npm run bench -- --save renders from the committed results (npm run bench -- --render writes it)', () => {
    const committed = read(BENCHMARKS_PAGE);
    expect(committed === renderSavedPage(), `${BENCHMARKS_PAGE} differs from what ${SAVED_RESULTS} and ${PAGE_TEMPLATE} render: run npm run bench -- --render`).to.equal(true);
  });

  it('holds the saved run: its command, its date and a row for every tool it measured', () => {
    const results = JSON.parse(read(SAVED_RESULTS)) as SavedResults;
    const page = read(BENCHMARKS_PAGE);
    expect(page).to.include(`\`${results.command}\``);
    expect(page).to.include(results.generatedAt.slice(0, 10));
    for (const tool of results.tools) expect(page, tool.label).to.include(`| ${tool.label} |`);
    expect(page).not.to.include(RESULTS_MARKER);
  });

  it('replaces the one marker line of the template and keeps the rest as written', () => {
    const results = JSON.parse(read(SAVED_RESULTS)) as SavedResults;
    const page = renderBenchmarksPage(`# Title\n\nBefore.\n\n${RESULTS_MARKER}\n\nAfter.\n`, results);
    expect(page.startsWith('# Title\n\nBefore.\n\nMeasured ')).to.equal(true);
    expect(page.endsWith('\n\nAfter.\n')).to.equal(true);
  });

  it('replaces each further marker with its section, and refuses a template that lacks one or holds it twice', () => {
    const results = JSON.parse(read(SAVED_RESULTS)) as SavedResults;
    const page = renderBenchmarksPage(`${RESULTS_MARKER}\n\n<!-- goals -->\n\nEnd.\n`, results, { '<!-- goals -->': '| goal |\n| --- |' });
    expect(page).to.include('\n\n| goal |\n| --- |\n\nEnd.\n');
    expect(() => renderBenchmarksPage(`${RESULTS_MARKER}\n`, results, { '<!-- goals -->': 'x' })).to.throw('must hold the line <!-- goals --> once; it holds it 0 times');
    expect(() => renderBenchmarksPage(`${RESULTS_MARKER}\n<!-- goals -->\n<!-- goals -->\n`, results, { '<!-- goals -->': 'x' })).to.throw('it holds it 2 times');
  });

  it('refuses a template without the marker, or with it twice', () => {
    const results = JSON.parse(read(SAVED_RESULTS)) as SavedResults;
    expect(() => renderBenchmarksPage('# no marker\n', results)).to.throw(`must hold the line ${RESULTS_MARKER} once; it holds it 0 times`);
    expect(() => renderBenchmarksPage(`${RESULTS_MARKER}\n${RESULTS_MARKER}\n`, results)).to.throw('it holds it 2 times');
  });
});
