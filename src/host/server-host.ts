/**
 * The lab's Kubernetes HTTP API in the editor: started with the cluster (on 127.0.0.1, a free port by
 * default), a kubeconfig in the extension's storage, and KUBECONFIG set for new integrated terminals
 * (removed again when the lab stops), so `kubectl get nodes` in a terminal talks to the lab.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Cluster } from '../sim/cluster';
import type { Faults } from '../sim/faults';
import type { RealtimeDriver } from '../sim/realtime';
import { bundledSchemasDir, loadKindSchemas, startLabServer, type LabServer } from '../server';

export class LabServerHost implements vscode.Disposable {
  private server: LabServer | undefined;

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: vscode.LogOutputChannel) {}

  get info(): { url: string; kubeconfigPath: string; token: string } | undefined {
    const s = this.server;
    return s?.kubeconfigPath ? { url: s.url, kubeconfigPath: s.kubeconfigPath, token: s.token } : undefined;
  }

  async start(cluster: Cluster, driver: RealtimeDriver<unknown>, faults: Faults): Promise<void> {
    await this.stop();
    const config = vscode.workspace.getConfiguration('k8sLab.server');
    if (!config.get<boolean>('enabled', true)) return;
    const dir = (this.context.storageUri ?? this.context.globalStorageUri).fsPath;
    const kubeconfigPath = join(dir, 'kubeconfig');
    try {
      await vscode.workspace.fs.createDirectory(vscode.Uri.file(dir));
      this.server = await startLabServer(cluster, {
        port: config.get<number>('port', 0),
        kubeconfigPath,
        driver,
        faults,
        schemas: loadKindSchemas(bundledSchemasDir()),
      });
    } catch (err) {
      this.log.error(`The lab's Kubernetes API could not start: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const env = this.context.environmentVariableCollection;
    env.description = vscode.l10n.t('Points kubectl at the Kubernetes Lab cluster ({0})', this.server.url);
    env.replace('KUBECONFIG', kubeconfigPath);
    this.log.info(`Kubernetes API for kubectl at ${this.server.url}; KUBECONFIG=${kubeconfigPath} in new terminals`);
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    this.context.environmentVariableCollection.delete('KUBECONFIG');
    if (s) await s.close();
  }

  dispose(): void {
    void this.stop();
  }
}
