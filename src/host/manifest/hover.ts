/** Hover: a field's description and type from the official API schema, with a link to the kind's reference. */
import * as vscode from 'vscode';
import { docsUrl, hoverAt } from '../../manifest';
import type { ManifestDocuments } from './manifest-documents';

export class ManifestHover implements vscode.HoverProvider {
  constructor(private readonly documents: ManifestDocuments) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (!this.documents.isManifest(document)) return undefined;
    const { result } = this.documents.validate(document);
    const info = hoverAt(result, document.offsetAt(position));
    if (!info) return undefined;
    const kind = result.documents.find((d) => d.offset <= info.offsets.start && info.offsets.start <= d.offset + d.length)?.kind;
    const markdown = new vscode.MarkdownString(info.markdown);
    markdown.appendMarkdown(`\n\n[${vscode.l10n.t('Kubernetes API reference')}](${docsUrl('schema', kind)})`);
    return new vscode.Hover(markdown, new vscode.Range(document.positionAt(info.offsets.start), document.positionAt(info.offsets.end)));
  }
}
