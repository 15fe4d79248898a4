/**
 * Scenario helpers for the controller, HA and fault tests: a real Cluster of a preset, manifests,
 * and waiting in virtual time for conditions on committed state.
 */
import { strict as assert } from 'node:assert';
import { Cluster, type ClusterOptions } from '../../../../src/sim/cluster';
import { presetOptions, type ControlPlaneOptions } from '../../../../src/sim/presets';
import type { Deployment, Node, Pod, ReplicaSet, Service } from '../../../../src/sim/api/types';
import { isPodReady } from '../../../../src/sim/controllers/pods';

export function startCluster(overrides: ClusterOptions & ControlPlaneOptions = {}): Cluster {
  const cluster = new Cluster(presetOptions('default', { seed: 7, ...overrides }));
  cluster.start();
  return cluster;
}

export function deployment(name: string, replicas: number, image = 'nginx:1.26', extra: Partial<Deployment['spec']> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 80, name: 'http' }], resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
      },
      ...extra,
    },
  };
}

export function service(name: string, selector: Record<string, string>, port = 80, targetPort: number | string = 'http'): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector, ports: [{ name: 'http', port, targetPort }] } };
}

export function podsOf(cluster: Cluster, app: string): Pod[] {
  return cluster.read.list<Pod>('pods', 'default').filter((p) => p.metadata.labels?.app === app);
}

export function readyPods(cluster: Cluster, app: string): Pod[] {
  return podsOf(cluster, app).filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && isPodReady(p));
}

export function replicaSetsOf(cluster: Cluster, app: string): ReplicaSet[] {
  return cluster.read.list<ReplicaSet>('replicasets', 'default').filter((rs) => rs.metadata.labels?.app === app);
}

export function zoneOf(cluster: Cluster, nodeName: string | undefined): string | undefined {
  return cluster.read.get<Node>('nodes', undefined, nodeName ?? '')?.metadata.labels?.['topology.kubernetes.io/zone'];
}

/** Run the clock until `cond` holds; fail with `what` after `maxMs` of virtual time. */
export function waitFor(cluster: Cluster, what: string, cond: () => boolean, maxMs = 120_000): void {
  const ok = cluster.clock.runUntilCondition(cond, maxMs);
  assert.ok(ok, `timed out after ${maxMs / 1000}s of virtual time waiting for ${what}`);
}

export function applyOk(cluster: Cluster, ...objects: Parameters<Cluster['applyAndWait']>[0]): void {
  const results = cluster.applyAndWait(objects);
  for (const r of results) assert.notEqual(r.action, 'failed', `${r.ref}: ${r.error?.message}`);
}
