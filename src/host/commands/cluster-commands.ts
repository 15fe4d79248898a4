/**
 * The Cluster view's context-menu commands (also in the palette, where they ask what to act on):
 * describe / show YAML / logs / delete / trace an object; stop, start, cordon, uncordon and drain a node;
 * fail and restore a zone; stop and start a control-plane member; reset the lab and choose a preset.
 * Changes go through the simulated API (as kubectl sends them) or the fault API — never by editing objects.
 */
import * as vscode from 'vscode';
import type { Status } from '../../sim/api/request';
import type { KubeObject, ObjectRef, Pod } from '../../sim/api/types';
import { resourceFor } from '../../sim/apiserver/resources';
import { logsUri, objectUri } from '../documents';
import type { FaultKind } from '../faults';
import type { LabController } from '../lab-controller';
import { PRESETS, type PresetName } from '../lab-cluster';
import { COMPONENT_LABELS } from '../tree/model';
import { componentTarget, nodeTarget, objectTarget, zoneTarget } from './targets';

const DESCRIBABLE = ['pods', 'nodes', 'deployments', 'replicasets', 'services'];

/** "deployment.apps/web", "pod/web" — how kubectl names an object in its output. */
export function kubectlName(ref: ObjectRef): string {
  const def = resourceFor('v1', ref.resource) ?? resourceFor('apps/v1', ref.resource);
  const kind = def ? `${def.kind.toLowerCase()}${def.group ? `.${def.group}` : ''}` : ref.resource;
  return `${kind}/${ref.name}`;
}

function apiVersionOf(resource: string): string {
  return resourceFor('v1', resource) ? 'v1' : 'apps/v1';
}

export class ClusterCommands implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly lab: LabController) {
    const reg = (id: string, fn: (arg?: unknown) => unknown) => this.disposables.push(vscode.commands.registerCommand(id, fn));
    reg('k8sLab.describe', (arg) => this.open('describe', arg));
    reg('k8sLab.showYaml', (arg) => this.open('yaml', arg));
    reg('k8sLab.showLogs', (arg) => this.logs(arg));
    reg('k8sLab.deleteObject', (arg) => this.delete(arg));
    reg('k8sLab.tracePod', (arg) => this.trace(arg));
    reg('k8sLab.stopNode', (arg) => this.nodeFault(arg, 'stop'));
    reg('k8sLab.startNode', (arg) => this.nodeFault(arg, 'start'));
    reg('k8sLab.cordonNode', (arg) => this.cordon(arg, true));
    reg('k8sLab.uncordonNode', (arg) => this.cordon(arg, false));
    reg('k8sLab.drainNode', (arg) => this.drain(arg));
    reg('k8sLab.failZone', (arg) => this.zoneFault(arg, 'stop'));
    reg('k8sLab.restoreZone', (arg) => this.zoneFault(arg, 'start'));
    reg('k8sLab.stopComponent', (arg) => this.componentFault(arg, 'stop'));
    reg('k8sLab.startComponent', (arg) => this.componentFault(arg, 'start'));
    reg('k8sLab.reset', () => this.reset());
    reg('k8sLab.usePreset', (arg) => this.preset(arg));
  }

  private async open(view: 'describe' | 'yaml', arg: unknown): Promise<vscode.TextEditor | undefined> {
    const ref = await objectTarget(this.lab, arg, DESCRIBABLE, view === 'describe' ? vscode.l10n.t('Describe which object?') : vscode.l10n.t('Show the YAML of which object?'));
    if (!ref) return undefined;
    let doc = await vscode.workspace.openTextDocument(objectUri(view, ref));
    if (view === 'yaml') doc = await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
    return vscode.window.showTextDocument(doc, { preview: true });
  }

  private async logs(arg: unknown): Promise<vscode.TextEditor | undefined> {
    const ref = await objectTarget(this.lab, arg, ['pods'], vscode.l10n.t('Show the logs of which pod?'));
    if (!ref) return undefined;
    const pod = this.lab.get(ref) as Pod | undefined;
    const containers = pod?.spec.containers.map((c) => c.name) ?? [];
    const container = containers.length > 1 ? await vscode.window.showQuickPick(containers, { title: vscode.l10n.t('Which container?') }) : containers[0];
    if (!container || !ref.namespace) return undefined;
    const doc = await vscode.workspace.openTextDocument(logsUri(ref.namespace, ref.name, container));
    return vscode.window.showTextDocument(doc, { preview: true });
  }

  private async delete(arg: unknown): Promise<void> {
    const ref = await objectTarget(this.lab, arg, ['pods', 'deployments', 'replicasets', 'services'], vscode.l10n.t('Delete which object?'));
    if (!ref) return;
    const { response } = await this.lab.request({ verb: 'delete', apiVersion: apiVersionOf(ref.resource), resource: ref.resource, namespace: ref.namespace, name: ref.name });
    if (response.code >= 400) return this.fail(response.body as Status);
    const kind = kubectlName(ref).split('/')[0];
    this.tell(`${kind} "${ref.name}" deleted`);
  }

  private async trace(arg: unknown): Promise<void> {
    const ref = await objectTarget(this.lab, arg, ['pods'], vscode.l10n.t('Trace which pod?'));
    if (ref) await vscode.commands.executeCommand('k8sLab.openRequestFlow', { objectRef: ref });
  }

  private async nodeFault(arg: unknown, action: 'stop' | 'start'): Promise<void> {
    const name = await nodeTarget(this.lab, arg, action === 'stop' ? vscode.l10n.t('Stop which node?') : vscode.l10n.t('Start which node?'));
    if (name) this.fault(action, 'node', name);
  }

  private async zoneFault(arg: unknown, action: 'stop' | 'start'): Promise<void> {
    const zone = await zoneTarget(this.lab, arg, action === 'stop' ? vscode.l10n.t('Fail which zone?') : vscode.l10n.t('Restore which zone?'));
    if (zone) this.fault(action, 'zone', zone);
  }

  private async componentFault(arg: unknown, action: 'stop' | 'start'): Promise<void> {
    const target = await componentTarget(this.lab, arg, action === 'stop' ? vscode.l10n.t('Stop which control-plane member?') : vscode.l10n.t('Start which control-plane member?'));
    if (target) this.fault(action, target.component, target.host, vscode.l10n.t('{0} on {1}', COMPONENT_LABELS[target.component], target.host));
  }

  private fault(action: 'stop' | 'start', kind: FaultKind, name: string, what = `${kind} ${name}`): void {
    try {
      this.lab.fault(action, kind, name);
      this.lab.log.info(`Fault: ${action} ${what}`);
      void vscode.window.setStatusBarMessage(action === 'stop' ? vscode.l10n.t('Stopped {0}', what) : vscode.l10n.t('Started {0}', what), 4000);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      void vscode.window.showErrorMessage(action === 'stop' ? vscode.l10n.t('Could not stop {0}: {1}', what, reason) : vscode.l10n.t('Could not start {0}: {1}', what, reason));
    }
  }

  /** kubectl cordon / uncordon: a strategic merge patch of spec.unschedulable. */
  async cordon(arg: unknown, on: boolean): Promise<boolean> {
    const name = await nodeTarget(this.lab, arg, on ? vscode.l10n.t('Cordon which node?') : vscode.l10n.t('Uncordon which node?'));
    if (!name) return false;
    const { response } = await this.lab.request({
      verb: 'patch', apiVersion: 'v1', resource: 'nodes', name, patchType: 'application/strategic-merge-patch+json',
      body: { spec: { unschedulable: on ? true : null } },
    });
    if (response.code >= 400) {
      this.fail(response.body as Status);
      return false;
    }
    this.tell(`node/${name} ${on ? 'cordoned' : 'uncordoned'}`);
    return true;
  }

  /**
   * kubectl drain: cordon, then evict every pod on the node (DaemonSet pods are left, as with
   * --ignore-daemonsets) through the pods/eviction subresource, as kubectl does: each pod stops
   * gracefully and its controller replaces it elsewhere.
   */
  private async drain(arg: unknown): Promise<void> {
    const name = await nodeTarget(this.lab, arg, vscode.l10n.t('Drain which node?'));
    if (!name || !(await this.cordon({ resource: 'nodes', name }, true))) return;
    const pods = this.lab.list<Pod>('pods').filter((p) => p.spec.nodeName === name && !p.metadata.deletionTimestamp);
    const daemon = (p: KubeObject) => p.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet');
    for (const pod of pods.filter((p) => !daemon(p))) {
      const { namespace, name: podName } = pod.metadata;
      const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: podName, namespace } };
      const { response } = await this.lab.request({ verb: 'create', apiVersion: 'v1', resource: 'pods', namespace, name: podName, subresource: 'eviction', body: eviction });
      if (response.code >= 400 && response.code !== 404) return this.fail(response.body as Status);
      this.lab.log.info(`pod/${podName} evicted`);
    }
    this.tell(`node/${name} drained`);
  }

  private async reset(): Promise<void> {
    const ok = vscode.l10n.t('Reset');
    const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Reset the lab cluster? Every object you created is deleted and a fresh cluster starts.'), { modal: true }, ok);
    if (choice === ok) await this.lab.reset();
  }

  private async preset(arg: unknown): Promise<void> {
    let preset = typeof arg === 'string' && (PRESETS as readonly string[]).includes(arg) ? (arg as PresetName) : undefined;
    if (!preset) {
      const items = [
        { label: 'default', description: vscode.l10n.t('3 masters + 3 workers across us-east-2a/b/c'), preset: 'default' as const },
        { label: 'large', description: vscode.l10n.t('3 masters + 1,000 workers across us-east-2a/b/c'), preset: 'large' as const },
      ];
      preset = (await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Start a fresh lab cluster with which preset?') }))?.preset;
    }
    if (preset) await this.lab.reset(preset);
  }

  private tell(message: string): void {
    this.lab.log.info(message);
    void vscode.window.setStatusBarMessage(message, 4000);
  }

  private fail(status: Status): void {
    const message = `Error from server${status.reason ? ` (${status.reason})` : ''}: ${status.message}`;
    this.lab.log.error(message);
    void vscode.window.showErrorMessage(message);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

