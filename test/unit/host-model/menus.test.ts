/**
 * The Cluster view's context menus (package.json `view/item/context`) against the rows the tree model makes: every
 * row that stands for an API object can be described, shown as YAML and deleted.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CronJob, DaemonSet, Deployment, Job, ReplicaSet, Service } from '../../../src/sim/api/types';
import { TreeModel, type Row } from '../../../src/host/tree/model';
import { defaultState, pod } from './fixtures';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8'));
const menus: { command: string; when: string }[] = pkg.contributes.menus['view/item/context'];

/** Whether a `when` clause's viewItem condition (`viewItem == x` or `viewItem =~ /re/`) holds for `contextValue`. */
function matches(when: string, contextValue: string): boolean {
  const eq = /viewItem == ([^\s&|)]+)/.exec(when);
  if (eq) return eq[1] === contextValue;
  const re = /viewItem =~ \/(.*?)\/(\s|$)/.exec(when);
  return re !== null && new RegExp(re[1]).test(contextValue);
}

function walk(model: TreeModel, ids: readonly string[] = model.roots(), out: Row[] = []): Row[] {
  for (const id of ids) {
    out.push(model.row(id)!);
    walk(model, model.children(id), out);
  }
  return out;
}

describe('Cluster view context menus', () => {
  it('offer Describe, Show YAML and Delete on every row that stands for an object', () => {
    const meta = (name: string, uid: string) => ({ name, namespace: 'default', uid, labels: { app: name } });
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web', 'd1'), spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [] } } } } as Deployment;
    const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { ...meta('web-5d4f', 'r1'), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd1', controller: true }] }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [] } } } } as ReplicaSet;
    const ds = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta('agent', 'ds1'), spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { containers: [] } } } } as DaemonSet;
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: meta('web', 's1'), spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } as Service;
    const cj = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('tick', 'c1'), spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: { spec: { containers: [] } } } } } } as unknown as CronJob;
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { ...meta('tick-1', 'j1'), ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'c1', controller: true }] }, spec: { template: { spec: { containers: [] } } }, status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } } as unknown as Job;
    const model = new TreeModel(defaultState({
      deployments: [deployment], replicaSets: [rs], daemonSets: [ds], services: [svc], cronJobs: [cj], jobs: [job],
      pods: [
        pod('web-5d4f-a', 'worker-1', 'running', { kind: 'ReplicaSet', name: 'web-5d4f', uid: 'r1' }), pod('agent-a', 'worker-2', 'running', { kind: 'DaemonSet', name: 'agent', uid: 'ds1' }),
        pod('tick-1-x', 'worker-3', 'running', { kind: 'Job', name: 'tick-1', uid: 'j1' }),
      ],
    }));
    const objectRows = walk(model).filter((r) => r.target.kind === 'object');
    const kinds = new Set(objectRows.map((r) => r.contextValue));
    assert.deepEqual([...kinds].sort(), ['cronjob', 'daemonset', 'deployment', 'job', 'pod', 'replicaset', 'service']);
    for (const contextValue of kinds) {
      for (const command of ['k8sLab.describe', 'k8sLab.showYaml', 'k8sLab.deleteObject']) {
        assert.ok(menus.some((m) => m.command === command && matches(m.when, contextValue)), `${command} is not offered on a ${contextValue} row`);
      }
    }
  });
});
