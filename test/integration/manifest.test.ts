/**
 * Manifest diagnostics in the real VS Code: open a manifest with mistakes → our diagnostics at the expected
 * ranges; apply a quick fix → the expected text; hover → the field's description. Needs registerManifestFeatures
 * wired into activate() (src/extension.ts).
 */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { activateLab } from './lab';

const MANIFEST = `apiVersion: v1
kind: Pod
metadata:
  name: Web
spec:
  contianers: []
  containers:
  - name: web
    image: nginx:1.27
    imagePullPolicy: always
    ports:
    - containerPort: "80"
`;

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Kubernetes Lab');
}

function ruleOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

async function openManifest(text: string): Promise<vscode.TextDocument> {
  await activateLab();
  const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: text });
  await vscode.window.showTextDocument(doc);
  return doc;
}

describe('manifest diagnostics in the editor', () => {
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('shows each mistake at its exact range, with a rule code linking to kubernetes.io', async () => {
    const doc = await openManifest(MANIFEST);
    const diagnostics = await waitFor('diagnostics', () => (ours(doc.uri).length >= 4 ? ours(doc.uri) : undefined));
    const shown = diagnostics.map((d) => ({ rule: ruleOf(d), text: doc.getText(d.range) })).sort((a, b) => a.rule.localeCompare(b.rule));
    assert.deepEqual(shown, [
      { rule: 'invalid-name', text: 'Web' },
      { rule: 'invalid-type', text: '"80"' },
      { rule: 'unknown-field', text: 'contianers' },
      { rule: 'unsupported-value', text: 'always' },
    ]);
    for (const d of diagnostics) {
      assert.ok(typeof d.code === 'object' && d.code.target.toString().startsWith('https://kubernetes.io/docs/'));
    }
    const unknown = diagnostics.find((d) => ruleOf(d) === 'unknown-field')!;
    assert.equal(unknown.message, 'unknown field "spec.contianers" (did you mean "containers"?)');
    assert.equal(unknown.severity, vscode.DiagnosticSeverity.Error);
  });

  it('applies the preferred quick fix', async () => {
    const doc = await openManifest(MANIFEST);
    const diagnostic = await waitFor('the pull policy diagnostic', () => ours(doc.uri).find((d) => ruleOf(d) === 'unsupported-value'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
    const preferred = actions.find((a) => a.isPreferred && a.title === 'Change to "Always"');
    assert.ok(preferred?.edit, `a preferred fix among: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(preferred.edit));
    assert.match(doc.getText(), /imagePullPolicy: Always\n/);
    await waitFor('the diagnostic to go', () => (ours(doc.uri).some((d) => ruleOf(d) === 'unsupported-value') ? undefined : true));
  });

  it('hovers a field with its description and type from the official schema', async () => {
    const doc = await openManifest(MANIFEST);
    const position = doc.positionAt(doc.getText().indexOf('imagePullPolicy') + 3);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, position);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /\*\*imagePullPolicy\*\* `<string>`/);
    assert.match(text, /Image pull policy\. One of Always, Never, IfNotPresent/);
  });

  it('clears diagnostics when the document closes', async () => {
    const doc = await openManifest(MANIFEST);
    await waitFor('diagnostics', () => (ours(doc.uri).length > 0 ? true : undefined));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await waitFor('diagnostics to clear', () => (ours(doc.uri).length === 0 ? true : undefined));
  });
});
