/**
 * Services on the data path: show a node's kube-proxy rules (like `iptables-save -t nat`), and send a request
 * to a Service from a pod on a node — resolved through that node's rules to a ready endpoint, as the kernel
 * would. Rules documents are read-only virtual documents (scheme `k8s-lab-proxy`) refreshed as kube-proxy syncs.
 */
import * as vscode from 'vscode';
import { proxyOn, sendToService } from '../../sim/proxy';
import type { Service } from '../../sim/api/types';
import type { LabController } from '../lab-controller';
import { nodeTarget, objectTarget, requireLab } from '../commands/targets';

export const PROXY_SCHEME = 'k8s-lab-proxy';

export function proxyRulesUri(node: string): vscode.Uri {
  return vscode.Uri.from({ scheme: PROXY_SCHEME, path: `/${encodeURIComponent(node)}/iptables-nat.rules` });
}

export class ServiceCommands implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly shown = new Map<string, string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly lab: LabController, private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      this.changed,
      vscode.workspace.registerTextDocumentContentProvider(PROXY_SCHEME, this),
      vscode.commands.registerCommand('k8sLab.showProxyRules', (arg?: unknown) => this.showRules(arg)),
      vscode.commands.registerCommand('k8sLab.sendServiceRequest', (arg?: unknown, fromNode?: string) => this.sendRequest(arg, fromNode)),
      lab.onDidChangeState(() => this.refresh()),
      vscode.workspace.onDidCloseTextDocument((d) => this.shown.delete(d.uri.toString())),
    );
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const text = this.render(decodeURIComponent(uri.path.split('/')[1] ?? ''));
    this.shown.set(uri.toString(), text);
    return text;
  }

  private render(node: string): string {
    const cluster = this.lab.cluster;
    if (!cluster) return vscode.l10n.t('# The lab cluster is not running.');
    const proxy = proxyOn(cluster, node);
    if (!proxy) return vscode.l10n.t('# No kube-proxy runs on node {0}.', node);
    const header = [
      `# kube-proxy rules on ${node} (iptables mode, nat table, simplified)`,
      `# ${proxy.running ? 'kube-proxy is running' : 'kube-proxy is stopped: these rules stay in the kernel until it comes back'}`,
      `# Virtual time ${cluster.clock.iso()}`,
      '',
    ];
    return header.join('\n') + proxy.iptablesSave();
  }

  private refresh(): void {
    for (const [key, before] of this.shown) {
      const uri = vscode.Uri.parse(key);
      const text = this.render(decodeURIComponent(uri.path.split('/')[1] ?? ''));
      if (text !== before) {
        this.shown.set(key, text);
        this.changed.fire(uri);
      }
    }
  }

  async showRules(arg?: unknown): Promise<vscode.TextEditor | undefined> {
    const node = await nodeTarget(this.lab, arg, vscode.l10n.t('Show the kube-proxy rules of which node?'));
    if (!node) return undefined;
    const document = await vscode.workspace.openTextDocument(proxyRulesUri(node));
    return vscode.window.showTextDocument(document, { preview: false });
  }

  /** Sends a request to a Service from a pod on `fromNode` (asked for when not given); returns what happened. */
  async sendRequest(arg?: unknown, fromNode?: string): Promise<ReturnType<typeof sendToService> | undefined> {
    if (!requireLab(this.lab)) return undefined;
    const ref = await objectTarget(this.lab, arg, ['services'], vscode.l10n.t('Send a request to which Service?'));
    if (!ref || ref.resource !== 'services') return undefined;
    const node = fromNode ?? (await nodeTarget(this.lab, undefined, vscode.l10n.t('From a pod on which node?')));
    if (!node) return undefined;
    const result = this.lab.external((cluster) => sendToService(cluster, node, { namespace: ref.namespace, name: ref.name }));
    const svc = this.lab.get(ref) as Service | undefined;
    const target = `${ref.namespace ?? 'default'}/${ref.name} (${svc?.spec.clusterIP ?? '?'})`;
    if (result.ok) {
      const message = vscode.l10n.t('Request from {0} to {1} → {2} on {3}, via {4}', node, target, `${result.pod} ${result.endpoint}`, result.node, result.chains.join(' → '));
      this.log.info(message);
      void vscode.window.showInformationMessage(message);
    } else {
      const message = vscode.l10n.t('Request from {0} to {1} failed: {2}', node, target, result.error);
      this.log.warn(message);
      void vscode.window.showWarningMessage(message);
    }
    return result;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
