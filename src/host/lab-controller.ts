/**
 * Owns the lab cluster's lifecycle in the editor: the Start / Stop commands and the `k8sLab.running`
 * context key that switches the Cluster view between its welcome content and the live tree.
 */
import * as vscode from 'vscode';

export class LabController implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly onDidChangeRunningEmitter = new vscode.EventEmitter<boolean>();
  readonly onDidChangeRunning = this.onDidChangeRunningEmitter.event;
  private running = false;

  constructor(
    readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.onDidChangeRunningEmitter,
      vscode.commands.registerCommand('k8sLab.start', () => this.start()),
      vscode.commands.registerCommand('k8sLab.stop', () => this.stop()),
      vscode.commands.registerCommand('k8sLab.showOutput', () => log.show(true)),
    );
    void this.setRunning(false);
  }

  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.log.info('Starting the lab cluster');
    await this.setRunning(true);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.log.info('Stopping the lab cluster');
    await this.setRunning(false);
  }

  private async setRunning(running: boolean): Promise<void> {
    this.running = running;
    await vscode.commands.executeCommand('setContext', 'k8sLab.running', running);
    this.onDidChangeRunningEmitter.fire(running);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
