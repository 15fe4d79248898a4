/** Completion of field names (from the schema of the object being written) and of enum values. */
import * as vscode from 'vscode';
import { completionsAt } from '../../manifest';
import type { ManifestDocuments } from './manifest-documents';

export class ManifestCompletion implements vscode.CompletionItemProvider {
  static readonly triggerCharacters = [' ', ':'];

  constructor(private readonly documents: ManifestDocuments) {}

  provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] {
    if (document.languageId !== 'yaml') return [];
    const { result } = this.documents.validate(document);
    const text = document.getText();
    return completionsAt(result, text, document.offsetAt(position)).map((c) => {
      const item = new vscode.CompletionItem(c.label, c.kind === 'field' ? vscode.CompletionItemKind.Field : vscode.CompletionItemKind.EnumMember);
      item.insertText = c.insertText;
      item.range = new vscode.Range(document.positionAt(c.replace.start), document.positionAt(c.replace.end));
      if (c.detail) item.detail = c.detail;
      if (c.documentation) item.documentation = new vscode.MarkdownString(c.documentation);
      item.sortText = `${c.required ? '0' : '1'}${c.label}`;
      return item;
    });
  }
}
