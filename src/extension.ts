/**
 * Activation: wiring only, kept cheap. The simulated cluster is created lazily, on "Start" (or, when the
 * lab was running as the window closed, restored from its snapshot just after activation).
 */
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { ClusterCommands } from './host/commands/cluster-commands';
import { ManifestCommands } from './host/commands/manifest-commands';
import { ObjectDocuments } from './host/documents';
import { registerRequestFlow, type RequestFlow } from './host/flow';
import { LabController } from './host/lab-controller';
import { labFactsProvider } from './host/lab-facts';
import { LessonsHost } from './host/lessons/lessons-host';
import { registerManifestFeatures } from './host/manifest';
import { ServiceCommands } from './host/services/service-commands';
import { LabStatusBar } from './host/status-bar';
import { ClusterTreeView } from './host/tree/cluster-tree';

/** What the extension exports: used by integration tests and by other extensions. */
export interface K8sLabApi {
  /** How long activate() took, in milliseconds. */
  readonly activationMs: number;
  readonly lab: LabController;
  readonly tree: ClusterTreeView;
  readonly documents: ObjectDocuments;
  readonly manifests: ManifestCommands;
  readonly statusBar: LabStatusBar;
  readonly flow: RequestFlow;
  readonly lessons: LessonsHost;
  readonly services: ServiceCommands;
}

export function activate(context: vscode.ExtensionContext): K8sLabApi {
  const started = performance.now();
  // The Cluster view's pure model (src/host/tree) localizes through @vscode/l10n, which cannot see VS Code's
  // l10n: give it the bundle VS Code loaded for the display language (none for English: the source text is used).
  if (vscode.l10n.bundle) l10n.config({ contents: vscode.l10n.bundle });
  const log = vscode.window.createOutputChannel('Kubernetes Lab', { log: true });
  context.subscriptions.push(log);

  const lab = new LabController(context, log);
  context.subscriptions.push(lab);
  const tree = new ClusterTreeView(lab);
  const documents = new ObjectDocuments(lab);
  const manifests = new ManifestCommands(lab);
  const statusBar = new LabStatusBar(lab);
  context.subscriptions.push(tree, documents, new ClusterCommands(lab), manifests, statusBar);
  registerManifestFeatures(context, log, labFactsProvider(lab));
  const flow = registerRequestFlow(context, lab);
  const services = new ServiceCommands(lab, log);
  const lessons = new LessonsHost(context, lab, log);
  context.subscriptions.push(services, lessons);

  const activationMs = performance.now() - started;
  log.info(`Kubernetes Lab activated in ${activationMs.toFixed(1)} ms (${vscode.env.appName} ${vscode.version}, ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'})`);
  if (lab.wasRunning) setTimeout(() => void lab.start().catch((err) => log.error(`Could not restore the lab cluster: ${String(err)}`)), 0);
  return { activationMs, lab, tree, documents, manifests, statusBar, flow, lessons, services };
}

export function deactivate(): void {}
