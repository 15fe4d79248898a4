import { strict as assert } from 'node:assert';
import { exportTrace, mermaidText, traceToJson, traceToMermaid } from '../../../../src/sim/trace/export';
import { DEFAULT_FILTER, TraceProjection } from '../../../../src/sim/trace/projection';
import { leaseRenewal, podCreationTrace } from './pod-trace';

function projection(): TraceProjection {
  const b = podCreationTrace();
  leaseRenewal(b, 'l3', 'worker-3', 17);
  const p = new TraceProjection({ source: 't1' });
  p.add(b.entries);
  return p;
}

describe('trace/export', () => {
  it('exports the visible steps and every log entry behind them as JSON', () => {
    const p = projection();
    const parsed = JSON.parse(traceToJson(p, DEFAULT_FILTER));
    assert.equal(parsed.source, 't1');
    assert.equal(parsed.steps.length, p.steps(DEFAULT_FILTER).length);
    assert.equal(parsed.entries.length, p.size, 'collapsed heartbeats expand back into their entries');
    assert.deepEqual(parsed.entries.map((e: { seq: number }) => e.seq), p.entries().map((e) => e.seq));
    const onlyPod = exportTrace(p, { object: 'pods/default/web', collapseHeartbeats: true });
    assert.ok(onlyPod.entries.every((e) => e.traceId === 't1'));
  });

  it('writes a Mermaid sequence diagram with one participant per lifeline used and one arrow per step', () => {
    const p = projection();
    const md = traceToMermaid(p, { collapseHeartbeats: true });
    const lines = md.split('\n');
    assert.equal(lines[0], '# POST /api/v1/namespaces/default/pods · pod/web');
    assert.ok(lines.includes('```mermaid'));
    assert.ok(lines.includes('sequenceDiagram'));
    assert.ok(lines.includes('  participant P1 as kubectl'));
    assert.ok(lines.includes('  participant P2 as lb'));
    assert.ok(!md.includes('apiserver@master-9'));
    const arrows = lines.filter((l) => /^ {2}P\d+(->>|-->>|-\)|--x)P\d+: /.test(l));
    assert.equal(arrows.length, p.steps({ collapseHeartbeats: true }).length);
    assert.match(arrows[0], /^ {2}P1->>P2: \+0\.001s POST \/api\/v1\/namespaces\/default\/pods$/);
    assert.ok(arrows.some((a) => /-\)P\d+: .*ADDED pod default\/web/.test(a)), 'watch events are async arrows');
    assert.ok(arrows.some((a) => /-->>P1: .*201 Created/.test(a)), 'responses are dashed');
  });

  it('escapes what Mermaid would read as syntax', () => {
    assert.equal(mermaidText('a;b #1 <x>\nnext'), 'a#59;b #35;1 #lt;x#gt; next');
  });
});
