import { strict as assert } from 'node:assert';
import { startCluster } from '../controllers/helpers';
import { call, message } from '../support/harness';
import type { DaemonSet } from '../../../../src/sim/api/types';
import { renderFieldError, validateObject } from '../../../../src/manifest';

function dsBody(name: string, spec: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'agent', image: 'busybox:1.36' }], ...podSpec } },
      ...spec,
    },
  };
}

const create = (cluster: ReturnType<typeof startCluster>, body: Record<string, unknown>) =>
  call(cluster, { verb: 'create', apiVersion: 'apps/v1', resource: 'daemonsets', namespace: 'default', body });

const patch = (cluster: ReturnType<typeof startCluster>, name: string, body: unknown) =>
  call(cluster, { verb: 'patch', apiVersion: 'apps/v1', resource: 'daemonsets', namespace: 'default', name, patchType: 'application/merge-patch+json', body });

describe('DaemonSets: the API server (daemonset strategy and apps validation)', () => {
  it('defaults RollingUpdate with maxUnavailable 1 and maxSurge 0, revisionHistoryLimit 10, the template pod spec, generation 1', () => {
    const cluster = startCluster();
    const res = create(cluster, dsBody('a'));
    assert.equal(res.code, 201, message(res));
    const ds = res.body as DaemonSet;
    assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal(ds.spec.revisionHistoryLimit, 10);
    assert.equal(ds.spec.template.spec.restartPolicy, 'Always');
    assert.equal(ds.spec.template.spec.dnsPolicy, 'ClusterFirst');
    assert.equal(ds.metadata.generation, 1);
    assert.equal(ds.metadata.annotations?.['deprecated.daemonset.template.generation'], '1');
    const onDelete = create(cluster, dsBody('b', { updateStrategy: { type: 'OnDelete' } }));
    assert.equal(onDelete.code, 201, message(onDelete));
    assert.deepEqual((onDelete.body as DaemonSet).spec.updateStrategy, { type: 'OnDelete' });
  });

  it('bumps generation on a spec change and the template generation on a template change; the selector is immutable', () => {
    const cluster = startCluster();
    assert.equal(create(cluster, dsBody('c')).code, 201);
    const image = patch(cluster, 'c', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'busybox:1.37' }] } } } });
    assert.equal(image.code, 200, message(image));
    assert.equal((image.body as DaemonSet).metadata.generation, 2);
    assert.equal((image.body as DaemonSet).metadata.annotations?.['deprecated.daemonset.template.generation'], '2');
    const history = patch(cluster, 'c', { spec: { revisionHistoryLimit: 3 } });
    assert.equal((history.body as DaemonSet).metadata.generation, 3);
    assert.equal((history.body as DaemonSet).metadata.annotations?.['deprecated.daemonset.template.generation'], '2', 'not a template change');
    const forged = patch(cluster, 'c', { metadata: { annotations: { 'deprecated.daemonset.template.generation': '9' } } });
    assert.equal((forged.body as DaemonSet).metadata.annotations?.['deprecated.daemonset.template.generation'], '2', 'the server keeps its own');
    const selector = patch(cluster, 'c', { spec: { selector: { matchLabels: { app: 'c', tier: 'x' } }, template: { metadata: { labels: { app: 'c', tier: 'x' } } } } });
    assert.equal(selector.code, 422);
    assert.match(message(selector), /^DaemonSet\.apps "c" is invalid: spec\.selector: Invalid value: .*"tier".*: field is immutable$/);
  });

  it("refuses what upstream's apps validation refuses, with located messages", () => {
    const cluster = startCluster();
    const never = create(cluster, dsBody('d', {}, { restartPolicy: 'Never' }));
    assert.equal(never.code, 422);
    assert.equal(message(never), 'DaemonSet.apps "d" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"');
    const mismatch = create(cluster, { ...dsBody('d'), spec: { ...(dsBody('d').spec as object), selector: { matchLabels: { app: 'other' } } } });
    assert.equal(message(mismatch), 'DaemonSet.apps "d" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"d"}: `selector` does not match template `labels`');
    const noSelector = create(cluster, { ...dsBody('d'), spec: { template: (dsBody('d').spec as { template: unknown }).template } });
    assert.equal(message(noSelector), 'DaemonSet.apps "d" is invalid: spec.selector: Required value');
    const both = create(cluster, dsBody('d', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } }));
    assert.equal(message(both), 'DaemonSet.apps "d" is invalid: spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero');
    const neither = create(cluster, dsBody('d', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } } }));
    assert.equal(message(neither), 'DaemonSet.apps "d" is invalid: spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0');
    const surge = create(cluster, dsBody('d', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '20%' } } }));
    assert.equal(surge.code, 201, message(surge));
  });

  it('the editor gets the same rules from the manifest layer', () => {
    const errs = validateObject(dsBody('e', { minReadySeconds: -1, updateStrategy: { type: 'Sometimes' } }, { activeDeadlineSeconds: 5 }));
    assert.deepEqual(errs.map(renderFieldError), [
      'spec.template.spec.activeDeadlineSeconds: Invalid value: 5: activeDeadlineSeconds in DaemonSet is not Supported',
      'spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.updateStrategy.type: Unsupported value: "Sometimes": supported values: "RollingUpdate", "OnDelete"',
    ]);
  });
});
