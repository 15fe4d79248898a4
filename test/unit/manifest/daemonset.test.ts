import { strict as assert } from 'node:assert';
import { hoverAt, validateText } from '../../../src/manifest';
import { brief } from './helpers';

const DAEMONSET = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  minReadySecs: 5
  updateStrategy:
    rollingUpdate: {maxUnavailable: 1, maxSurge: 1}
  template:
    metadata:
      labels: {app: agnt}
    spec:
      containers:
      - name: agent
        image: nginx:1.27
`;

describe('manifest: DaemonSets get diagnostics and hovers like Deployments', () => {
  it('reports an unknown field, the selector mismatch and the rolling update, and hovers the schema', () => {
    const result = validateText(DAEMONSET);
    const found = result.diagnostics.map((d) => ({ ...brief(DAEMONSET, d), message: d.message }));
    assert.ok(found.some((d) => d.rule === 'unknown-field' && d.text === 'minReadySecs'), JSON.stringify(found));
    assert.ok(found.some((d) => d.rule === 'selector-mismatch' && d.message.includes('`selector` does not match template `labels`')), JSON.stringify(found));
    assert.ok(found.some((d) => d.message.includes('spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero') && d.text === '1'), JSON.stringify(found));
    assert.equal(hoverAt(result, DAEMONSET.indexOf('updateStrategy'))?.type, 'DaemonSetUpdateStrategy');
    const fixed = DAEMONSET.replace('  minReadySecs: 5\n', '  minReadySeconds: 5\n').replace('app: agnt', 'app: agent').replace(', maxSurge: 1', '');
    assert.deepEqual(validateText(fixed).diagnostics.map((d) => d.message), []);
  });
});
