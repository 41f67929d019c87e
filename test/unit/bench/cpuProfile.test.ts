import { expect } from 'chai';
import { areaOf, areaTimes, asCpuProfile, meanAreas, renderAreas, STARTUP_AREA, type CallFrame, type CpuProfile, type ProfileNode } from '../../../bench/cpuProfile.ts';

const BUNDLE = 'file:///b/index.mjs';
const RUN_HANDLER = 'file:///b/runHandler.mjs';
const frame = (functionName: string, url = '', lineNumber = 0, columnNumber = 0): CallFrame => ({ functionName, url, lineNumber, columnNumber });

/**
 * A profile from a tree given as [id, parent id, frame] and samples given as [leaf id, ms]: each
 * sample lasts until the next one, as DevTools counts it, so a last sample of 0 ms closes it.
 */
function profileOf(tree: readonly (readonly [number, number | undefined, CallFrame])[], samples: readonly (readonly [number, number])[]): CpuProfile {
  const nodes: ProfileNode[] = tree.map(([id, , callFrame]) => ({ id, callFrame, children: tree.filter(([, p]) => p === id).map(([c]) => c) }));
  const timeDeltas = [0, ...samples.slice(0, -1).map(([, ms]) => ms * 1000)];
  return { nodes, startTime: 0, endTime: 0, samples: samples.map(([id]) => id), timeDeltas };
}

// Source modules of the bundle's frames, as its map would give them (by column).
const SOURCES: Record<number, string> = {
  10: '../../handler/copy/replicateDay.ts',
  20: '../../node_modules/@smithy/signature-v4/dist-es/SignatureV4.js',
  30: '../../node_modules/fast-xml-parser/src/xmlparser/OrderedObjParser.js',
  40: '../../node_modules/@aws-sdk/core/dist-es/submodules/protocols/xml/XmlShapeDeserializer.js',
  50: '../../node_modules/@aws-sdk/middleware-sdk-s3/dist-es/s3-expires-middleware.js',
};
const sourceOf = (f: CallFrame): string | undefined => (f.url === BUNDLE ? SOURCES[f.columnNumber] : undefined);
const isRunHandler = (f: CallFrame): boolean => f.url === RUN_HANDLER;

describe('bench/cpuProfile areaOf', () => {
  it('names our modules by path, the SDK by the part of a request it plays, node: modules by what they do', () => {
    const bundled = frame('x', BUNDLE);
    expect(areaOf(bundled, '../../handler/copy/replicateDay.ts')).to.equal('ours: handler/copy/replicateDay.ts');
    expect(areaOf(bundled, '../../rules/prefix.ts')).to.equal('ours: rules/prefix.ts');
    expect(areaOf(bundled, SOURCES[20])).to.equal('SDK: SigV4 signer');
    expect(areaOf(bundled, '../../node_modules/@aws-sdk/signature-v4-multi-region/dist-es/x.js')).to.equal('SDK: SigV4 signer');
    expect(areaOf(bundled, SOURCES[30])).to.equal('XML parsing (fast-xml-parser)');
    expect(areaOf(bundled, SOURCES[40])).to.equal('SDK: serializers and deserializers');
    expect(areaOf(bundled, '../../node_modules/@aws-sdk/client-s3/dist-es/schemas/schemas_0.js')).to.equal('SDK: serializers and deserializers');
    expect(areaOf(bundled, SOURCES[50])).to.equal('SDK: middleware, client and endpoints');
    expect(areaOf(bundled, '../../node_modules/@smithy/smithy-client/dist-es/client.js')).to.equal('SDK: middleware, client and endpoints');
    expect(areaOf(bundled, '../../node_modules/@smithy/node-http-handler/dist-es/node-http-handler.js')).to.equal('SDK: HTTP handler (@smithy/node-http-handler)');
    expect(areaOf(bundled, '../../node_modules/@aws-sdk/credential-provider-env/dist-es/x.js')).to.equal('SDK: other (credentials, utilities)');
    // A package nested in another's node_modules is named by its own name.
    expect(areaOf(bundled, '../../node_modules/x/node_modules/@aws-lambda-powertools/commons/lib/y.js')).to.equal('package: @aws-lambda-powertools/commons');
    expect(areaOf(bundled, '../../node_modules/p-limit/index.js')).to.equal('package: p-limit');
    expect(areaOf(frame('write', 'node:_http_outgoing'), undefined)).to.equal('node:http');
    expect(areaOf(frame('x', 'node:internal/http'), undefined)).to.equal('node:http');
    expect(areaOf(frame('onStreamRead', 'node:internal/stream_base_commons'), undefined)).to.equal('node:net (sockets)');
    expect(areaOf(frame('x', 'node:net'), undefined)).to.equal('node:net (sockets)');
    expect(areaOf(frame('x', 'node:internal/crypto/hash'), undefined)).to.equal("node:crypto (the signer's HMAC and SHA-256)");
    expect(areaOf(frame('emit', 'node:events'), undefined)).to.equal('node: events, timers, buffers, other internals');
    expect(areaOf(frame('x', 'file:///b/chunks/a.mjs'), undefined)).to.equal('unmapped: a.mjs');
  });
});

describe('bench/cpuProfile areaTimes', () => {
  // root ─┬ (idle), (garbage collector), (program)
  //       ├ module top level of the bundle (import) ─ our module's top level
  //       ├ runHandler.mjs ─ handler (ours)
  //       └ processTicksAndRejections (node) ─┬ sign (SDK) ─ digest (native) ; parse (JSON) ; runMicrotasks
  //                                           └ write (node:_http_outgoing) ─ writeLatin1String (native)
  const tree = [
    [1, undefined, frame('(root)')],
    [2, 1, frame('(idle)')],
    [3, 1, frame('(garbage collector)')],
    [4, 1, frame('(program)')],
    [5, 1, frame('', BUNDLE, 0, 0)],
    [6, 5, frame('a', BUNDLE, 0, 10)],
    [7, 1, frame('', RUN_HANDLER)],
    [8, 7, frame('h', BUNDLE, 0, 10)],
    [9, 1, frame('processTicksAndRejections', 'node:internal/process/task_queues')],
    [10, 9, frame('s', BUNDLE, 0, 20)],
    [11, 10, frame('digest')],
    [12, 9, frame('parse')],
    [13, 9, frame('runMicrotasks')],
    [14, 9, frame('write', 'node:_http_outgoing')],
    [15, 14, frame('writeLatin1String')],
  ] as const;

  it('counts what ran before the handler as start-up, the rest by area, and leaves idle time out', () => {
    const profile = profileOf(tree, [
      [6, 5], [3, 2], [2, 7], // import (our top level), GC during it, idle: before the marker
      [8, 1], // the handler starts: the marker
      [10, 3], [11, 2], // the signer, then a native digest it called
      [12, 1], [13, 1], [3, 4], [4, 1], [2, 100],
      [15, 2], [14, 0.5], [6, 0],
    ]);
    const t = areaTimes(profile, sourceOf, isRunHandler);
    expect(t.startupMs).to.equal(7);
    expect(t.idleMs).to.equal(107);
    expect(Object.fromEntries(t.areas)).to.deep.equal({
      'ours: handler/copy/replicateDay.ts': 1,
      'SDK: SigV4 signer': 5,
      JSON: 1,
      'promise jobs (V8 microtasks)': 1,
      GC: 4,
      'V8 and native code outside any script': 1,
      'node:http': 2.5,
    });
  });

  it('refuses a profile that never reached the start marker, and a node it does not hold', () => {
    expect(() => areaTimes(profileOf(tree, [[6, 1], [3, 0]]), sourceOf, isRunHandler)).to.throw(/no sample ran the start marker/);
    expect(() => areaTimes(profileOf(tree, [[8, 1], [99, 0]]), sourceOf, isRunHandler)).to.throw('sample 1 names node 99');
  });
});

describe('bench/cpuProfile asCpuProfile', () => {
  it('takes a profile and names a file that is not one', () => {
    const p = profileOf([[1, undefined, frame('(root)')]], [[1, 0]]);
    expect(asCpuProfile(JSON.parse(JSON.stringify(p)), 'a.cpuprofile')).to.deep.equal(p);
    for (const bad of [null, [], { nodes: [] }, { ...p, timeDeltas: [] }, { ...p, nodes: [{ id: 'x' }] }]) {
      expect(() => asCpuProfile(bad, 'b.cpuprofile'), JSON.stringify(bad)).to.throw('b.cpuprofile is not a V8 CPU profile');
    }
  });
});

describe('bench/cpuProfile meanAreas and renderAreas', () => {
  const run = (startupMs: number, areas: Record<string, number>) => ({ startupMs, idleMs: 10, areas: new Map(Object.entries(areas)) });

  it('averages the runs, start-up first then largest first, and sums the small areas into one row', () => {
    const summary = meanAreas([run(100, { GC: 40, 'ours: a.ts': 10, tiny: 0.2 }), run(80, { GC: 60, 'node:http': 50, other: 0.4 })], 0.005);
    expect(summary.totalMs).to.equal(90 + 50 + 5 + 25 + 0.3);
    expect(summary.idleMs).to.equal(10);
    expect(summary.rows.map((r) => [r.area, r.msPerRun])).to.deep.equal([
      [STARTUP_AREA, 90],
      ['GC', 50],
      ['node:http', 25],
      ['ours: a.ts', 5],
      ['2 other areas, each under 0.5 %', 0.30000000000000004],
    ]);
    expect(summary.rows.reduce((s, r) => s + r.share, 0)).to.be.closeTo(1, 1e-9);
    expect(() => meanAreas([])).to.throw('no profile to summarise');
  });

  it('renders ms per run and share, and ms per copy when the copies are given', () => {
    const summary = meanAreas([run(30, { GC: 70 })]);
    expect(renderAreas(summary, undefined).split('\n')).to.deep.equal([
      '| area | ms per run | share |',
      '| --- | ---: | ---: |',
      `| ${STARTUP_AREA} | 30.0 | 30.0 % |`,
      '| GC | 70.0 | 70.0 % |',
      '| **sampled, idle excluded** | **100.0** | 100 % |',
    ]);
    expect(renderAreas(summary, 200).split('\n')[3]).to.equal('| GC | 70.0 | 0.350 | 70.0 % |');
    // Scaled to the run's measured CPU: each area its share of it.
    const scaled = renderAreas(summary, 200, 50).split('\n');
    expect(scaled[0]).to.equal('| area | CPU ms per run | CPU ms per copy | share |');
    expect(scaled.slice(2)).to.deep.equal([`| ${STARTUP_AREA} | 15.0 | 0.075 | 30.0 % |`, '| GC | 35.0 | 0.175 | 70.0 % |', "| **the run's CPU** | **50.0** | **0.250** | 100 % |"]);
  });
});
