/**
 * Every relative link of the README, CONTRIBUTING and docs/ points to a file that exists and, with a
 * `#fragment`, to a heading of that page (GitHub's anchors): a page moved or a heading renamed
 * breaks no link unnoticed.
 */
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { documentedPages, REPO as ROOT } from '../helpers/docPages.ts';

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The text of a page outside its fenced blocks. */
function prose(markdown: string): string {
  return markdown.replace(/^\s*(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\s*\1\s*$/gm, '');
}

function anchors(markdown: string): Set<string> {
  return new Set([...prose(markdown).matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]!)));
}

describe('the links of the docs', () => {
  it('anchors headings the way GitHub does', () => {
    expect(anchorOf('Preflight check: `npm run check`')).to.equal('preflight-check-npm-run-check');
    expect(anchorOf('On AWS: 365 days × 100,000 objects, estimated')).to.equal('on-aws-365-days--100000-objects-estimated');
  });

  it('point to files that exist and to headings those pages have', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const page of documentedPages()) {
      const text = prose(readFileSync(join(ROOT, page), 'utf8'));
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const link = m[1]!;
        if (/^[a-z]+:/i.test(link)) continue;
        checked++;
        const [path, fragment] = link.split('#') as [string, string | undefined];
        const target = path === '' ? page : normalize(join(dirname(page), path));
        if (!existsSync(join(ROOT, target))) {
          broken.push(`${page}: ${link}: no file ${target}`);
          continue;
        }
        if (fragment && target.endsWith('.md') && !anchors(readFileSync(join(ROOT, target), 'utf8')).has(fragment)) {
          broken.push(`${page}: ${link}: ${target} has no heading with the anchor #${fragment}`);
        }
      }
    }
    expect(checked).to.be.greaterThan(50);
    expect(broken, broken.join('\n')).to.deep.equal([]);
  });

  it('lists every page of docs/ in the README, so that a new page is found from the front door', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const linked = new Set([...readme.matchAll(/\]\((docs\/[^)#\s]+\.md)(#[^)]*)?\)/g)].map((m) => m[1]!));
    const pages = documentedPages().filter((p) => /^docs\/[^/]+\.md$/.test(p));
    expect(pages.length).to.be.greaterThan(5);
    expect(pages.filter((p) => !linked.has(p)), 'pages of docs/ the README does not link').to.deep.equal([]);
  });

  it('name only files and folders of the repository that exist', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const page of documentedPages()) {
      const text = readFileSync(join(ROOT, page), 'utf8');
      for (const m of text.matchAll(/`((?:handler|deploy|rules|dev|test|scripts|bench|templates|policy-templates|docs)\/[^`\s<>*]*)`/g)) {
        for (const path of expandBraces(m[1]!)) {
          checked++;
          if (!existsSync(join(ROOT, path))) missing.push(`${page}: \`${m[1]}\`: no ${path}`);
        }
      }
    }
    expect(checked).to.be.greaterThan(50);
    expect(missing, missing.join('\n')).to.deep.equal([]);
  });
});

/** `a/{b,c}.ts` → `a/b.ts`, `a/c.ts` (one level, as the docs write it). */
export function expandBraces(path: string): string[] {
  const m = /^(.*)\{([^{}]*)\}(.*)$/.exec(path);
  return m ? m[2]!.split(',').flatMap((part) => expandBraces(`${m[1]}${part}${m[3]}`)) : [path];
}
