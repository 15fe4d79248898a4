/** Quick fixes for our diagnostics: the engine's fixes as code actions (one preferred where it is clearly right). */
import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE, sameDiagnostic, toRange } from './convert';
import type { ManifestDocuments } from './manifest-documents';

export class ManifestCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly documents: ManifestDocuments) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
    if (ours.length === 0 || !this.documents.isManifest(document)) return [];
    const { result } = this.documents.validate(document);
    const actions: vscode.CodeAction[] = [];
    for (const shown of ours) {
      const diagnostic = result.diagnostics.find((d) => sameDiagnostic(shown, d));
      if (!diagnostic) continue;
      for (const fix of diagnostic.fixes) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        const edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) edit.replace(document.uri, toRange(e.range), e.newText);
        action.edit = edit;
        action.diagnostics = [shown];
        action.isPreferred = fix.isPreferred === true;
        actions.push(action);
      }
    }
    return actions;
  }
}
