/**
 * The request-flow panel's registration: the `k8sLab.openRequestFlow` command, a serializer that
 * brings the panel back after a window reload, and `open()` for F's "Apply and trace" and the pod's
 * "Trace" menu.
 */
import * as vscode from 'vscode';
import { FlowPanel, type FlowLab, type OpenFlowOptions } from './flow-panel';
import { FLOW_VIEW_TYPE, flowWebviewOptions } from './html';

export { FlowPanel, type FlowLab, type FlowCluster, type OpenFlowOptions } from './flow-panel';
export { FLOW_VIEW_TYPE } from './html';

export interface RequestFlow extends vscode.Disposable {
  /** Open the panel (or reveal it) on a trace, on everything about an object, or on the latest trace. */
  open(options?: OpenFlowOptions): FlowPanel;
  /** The open panel, if any. */
  readonly panel: FlowPanel | undefined;
}

/** Anything with a traceId or an objectRef (a command argument, a tree item) becomes open options. */
function optionsFrom(arg: unknown): OpenFlowOptions | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const { traceId, objectRef } = arg as { traceId?: unknown; objectRef?: unknown };
  if (typeof traceId === 'string') return { traceId };
  if (objectRef && typeof objectRef === 'object' && typeof (objectRef as { name?: unknown }).name === 'string') {
    return { objectRef: objectRef as OpenFlowOptions['objectRef'] };
  }
  return undefined;
}

export function registerRequestFlow(
  context: vscode.ExtensionContext,
  lab: FlowLab & { readonly log?: vscode.LogOutputChannel },
): RequestFlow {
  let current: FlowPanel | undefined;
  const adopt = (panel: FlowPanel): FlowPanel => {
    current = panel;
    panel.onDidDispose(() => {
      if (current === panel) current = undefined;
    });
    return panel;
  };
  const open = (options?: OpenFlowOptions): FlowPanel => {
    if (current) {
      current.show(options);
      return current;
    }
    const panel = vscode.window.createWebviewPanel(
      FLOW_VIEW_TYPE,
      vscode.l10n.t('Request flow'),
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      flowWebviewOptions(context.extensionUri),
    );
    return adopt(new FlowPanel(panel, context.extensionUri, lab, lab.log, options));
  };
  const disposables: vscode.Disposable[] = [
    vscode.commands.registerCommand('k8sLab.openRequestFlow', (arg?: unknown) => open(optionsFrom(arg))),
    vscode.window.registerWebviewPanelSerializer(FLOW_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
        // The webview sends its saved state with `ready`; the panel restores the source and filter from it.
        current?.dispose();
        adopt(new FlowPanel(panel, context.extensionUri, lab, lab.log, undefined));
      },
    }),
  ];
  const flow: RequestFlow = {
    open,
    get panel() {
      return current;
    },
    dispose() {
      current?.dispose();
      for (const d of disposables.splice(0)) d.dispose();
    },
  };
  context.subscriptions.push(flow);
  return flow;
}
