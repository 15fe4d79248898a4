/** The flow webview's page: a strict CSP with a nonce, local resources only (dist/webview and media). */
import * as vscode from 'vscode';

export const FLOW_VIEW_TYPE = 'k8sLab.requestFlow';

export function newNonce(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

export function flowWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function flowHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = newNonce();
  const uri = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${nonce}" href="${uri('media', 'flow.css')}">
<title>${vscode.l10n.t('Request flow')}</title>
</head>
<body>
<div id="flow"></div>
<script type="module" nonce="${nonce}" src="${uri('dist', 'webview', 'vscode-elements.js')}"></script>
<script type="module" nonce="${nonce}" src="${uri('dist', 'webview', 'flow.js')}"></script>
</body>
</html>`;
}
