/**
 * Activation: wiring only, kept cheap. The simulated cluster is created lazily, on "Start".
 */
import * as vscode from 'vscode';
import { LabController } from './host/lab-controller';
import { registerManifestFeatures } from './host/manifest';
import { registerRequestFlow } from './host/flow';

/** What the extension exports: used by integration tests and by other extensions. */
export interface K8sLabApi {
  /** How long activate() took, in milliseconds. */
  readonly activationMs: number;
  readonly lab: LabController;
}

export function activate(context: vscode.ExtensionContext): K8sLabApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Kubernetes Lab', { log: true });
  context.subscriptions.push(log);

  const lab = new LabController(context, log);
  context.subscriptions.push(lab);
  registerManifestFeatures(context, log);
  registerRequestFlow(context, lab);

  const activationMs = performance.now() - started;
  log.info(`Kubernetes Lab activated in ${activationMs.toFixed(1)} ms (${vscode.env.appName} ${vscode.version}, ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'})`);
  return { activationMs, lab };
}

export function deactivate(): void {}
