/**
 * The lab's state survives a reload: a snapshot in the extension's storage, written atomically, restored
 * on the next start; a corrupt snapshot is set aside with a clear message and a fresh cluster starts.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { K8sLabApi } from '../../src/extension';
import type { KubeObject } from '../../src/sim/api/types';
import { activateLab } from './lab';

const configMap = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { saved: 'yes' } });

describe('persistence (integration)', function () {
  this.timeout(120_000);
  let api: K8sLabApi;

  before(async () => {
    api = await activateLab();
    await api.lab.reset('default');
  });

  after(async () => {
    await api.lab.stop(true);
  });

  it('restores the same objects, revisions and time after a stop and start', async () => {
    const [created] = await api.lab.apply([configMap('kept')]);
    assert.equal(created.action, 'created');
    await api.lab.runFor(5_000);
    await api.lab.stop();
    const file = api.lab.persistence.file;
    assert.ok(existsSync(file), `snapshot at ${file}`);
    assert.ok(!readdirSync(api.lab.persistence.dir).some((f) => f.endsWith('.tmp')), 'no temporary file left behind');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { time: number; etcd: { revision: number } };
    assert.equal(api.lab.cluster, undefined);

    await api.lab.start();
    const restored = api.lab.get({ resource: 'configmaps', namespace: 'default', name: 'kept' });
    assert.ok(restored, 'the ConfigMap survived');
    assert.equal(restored.metadata.uid, created.object!.metadata.uid);
    assert.equal(restored.metadata.resourceVersion, created.object!.metadata.resourceVersion);
    assert.ok(api.lab.cluster!.clock.now() >= saved.time, 'virtual time goes on from the saved time');
    assert.equal(api.lab.list('nodes').length, 6);
    const [again] = await api.lab.apply([configMap('after')]);
    assert.ok(Number(again.object!.metadata.resourceVersion) > saved.etcd.revision);
  });

  it('saves on its own while the cluster changes (debounced)', async () => {
    const before = api.lab.persistence.saves;
    await api.lab.apply([configMap('debounced')]);
    const deadline = Date.now() + 15_000;
    while (api.lab.persistence.saves === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.ok(api.lab.persistence.saves > before, 'a save happened');
    console.log(`snapshot: ${(api.lab.persistence.lastSaveBytes / 1024).toFixed(0)} KiB in ${api.lab.persistence.lastSaveMs.toFixed(1)} ms`);
  });

  it('sets a corrupt snapshot aside, says so, and starts fresh', async () => {
    await api.lab.stop();
    writeFileSync(api.lab.persistence.file, '{"format": "k8s-lab-snapshot", "version": 1, "topology": {"preset": "default", "seed": 1}, "time": 5, "etcd": {"revision": 3, "kvs": [{"key": "/registry/pods/default/x", "value": 7');
    await api.lab.start();
    assert.equal(api.lab.get({ resource: 'configmaps', namespace: 'default', name: 'kept' }), undefined, 'a fresh cluster');
    assert.equal(api.lab.list('nodes').length, 6);
    const aside = readdirSync(api.lab.persistence.dir).filter((f) => /^lab-snapshot\.corrupt-.*\.json$/.test(f));
    assert.equal(aside.length, 1, 'the unreadable file was kept aside');
    assert.ok(!existsSync(api.lab.persistence.file) || JSON.parse(readFileSync(api.lab.persistence.file, 'utf8')).format === 'k8s-lab-snapshot');
    await vscode.commands.executeCommand('k8sLab.showOutput');
  });
});
