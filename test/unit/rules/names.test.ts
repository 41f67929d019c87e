import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import * as names from '../../../rules/names.ts';

const exportsEndingIn = (suffix: string): [string, string][] =>
  Object.entries(names as Record<string, unknown>).filter((entry): entry is [string, string] => entry[0].endsWith(suffix) && typeof entry[1] === 'string');

describe('rules/names', () => {
  it('gives every handler log line its own message, the one docs/contract.md tells operators to look for', () => {
    const contract = readFileSync(new URL('../../../docs/contract.md', import.meta.url), 'utf8');
    const documented = new Set([...contract.matchAll(/`(s3-push [^`]+)`/g)].map((m) => m[1]));
    const messages = exportsEndingIn('_LOG_MESSAGE');
    expect(messages.length).to.be.greaterThan(0);
    for (const [name, message] of messages) expect(documented, `${name} = ${JSON.stringify(message)} in docs/contract.md`).to.include(message);
    expect(new Set(messages.map(([, message]) => message)).size, 'two log lines share a message').to.equal(messages.length);
  });

  it('names each IAM document deploy writes after its template in policy-templates/ (.json.hbs → .json.tmp)', () => {
    const templates = readdirSync(new URL('../../../policy-templates/', import.meta.url)).filter((f) => f.endsWith('.json.hbs'));
    const files = exportsEndingIn('_FILE').map(([, file]) => file);
    expect(files.map((f) => f.replace(/\.tmp$/, '.hbs')).sort()).to.deep.equal(templates.sort());
    for (const file of files) expect(file).to.match(/^[A-Za-z]+\.json\.tmp$/);
  });

  it("gives s3-push's policy statements distinct Sids of ASCII letters and digits only, as IAM allows", () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
    const sids = exportsEndingIn('_SID');
    expect(sids.length).to.be.greaterThan(0);
    for (const [name, sid] of sids) expect(sid, name).to.match(/^[A-Za-z0-9]+$/);
    expect(new Set(sids.map(([, sid]) => sid)).size, 'two statements share a Sid').to.equal(sids.length);
  });
});
