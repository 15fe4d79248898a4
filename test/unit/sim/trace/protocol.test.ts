import { strict as assert } from 'node:assert';
import { validateHostMessage, validateWebviewMessage, type HostToWebview } from '../../../../src/protocol';
import { TraceProjection, DEFAULT_FILTER } from '../../../../src/sim/trace/projection';
import { podCreationTrace } from './pod-trace';

describe('protocol', () => {
  const p = new TraceProjection({ source: 't1' });
  p.add(podCreationTrace().entries);

  it('accepts what the host really sends', () => {
    const trace: HostToWebview = { type: 'trace', view: p.view(DEFAULT_FILTER), traces: [{ source: 't1', label: 'POST pods', t: 1 }], select: 1 };
    assert.deepEqual(validateHostMessage(trace), { ok: true, message: trace });
    const roundTripped = JSON.parse(JSON.stringify({ type: 'stepDetail', requestId: 4, detail: p.detail(1) }));
    assert.equal(validateHostMessage(roundTripped).ok, true);
    assert.equal(validateHostMessage({ type: 'stepDetail', requestId: 4 }).ok, true, 'an unknown step has no detail');
  });

  it('refuses unknown and malformed messages with a reason instead of throwing', () => {
    for (const [value, error] of [
      [null, 'message must be an object'],
      ['ready', 'message must be an object'],
      [{ type: 'launchMissiles' }, 'unknown message type "launchMissiles"'],
      [{ type: 'toString' }, 'unknown message type "toString"'],
      [{ type: 'getStepDetail', requestId: 1.5, id: 3 }, 'getStepDetail.requestId must be an integer'],
      [{ type: 'export', requestId: 1, format: 'pdf' }, 'export.format must be one of json, mermaid'],
      [{ type: 'setFilter', requestId: 1, filter: { collapseHeartbeats: 'yes' } }, 'setFilter.filter.collapseHeartbeats must be a boolean'],
      [{ type: 'ready', state: { speed: 2, filter: { collapseHeartbeats: true }, follow: false, selected: 'x' } }, 'ready.state.selected must be an integer'],
    ] as const) {
      assert.deepEqual(validateWebviewMessage(value), { ok: false, error });
    }
    const broken = JSON.parse(JSON.stringify({ type: 'trace', view: p.view(), traces: [] }));
    broken.view.steps[3].kind = 'telepathy';
    assert.match((validateHostMessage(broken) as { error: string }).error, /^trace\.view\.steps\[3\]\.kind must be one of request, /);
  });

  it('accepts the webview\'s handshake with and without restored state', () => {
    assert.equal(validateWebviewMessage({ type: 'ready' }).ok, true);
    assert.equal(validateWebviewMessage({ type: 'ready', state: { source: 't1', selected: 7, speed: 4, filter: { object: 'pods/default/web', collapseHeartbeats: false }, follow: true } }).ok, true);
  });
});
