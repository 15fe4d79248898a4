/**
 * Diagnostics for open Kubernetes manifests: immediate on open and save, debounced while typing, cleared when the
 * document closes.
 */
import * as vscode from 'vscode';
import { toDiagnostic } from './convert';
import type { ManifestDocuments } from './manifest-documents';

export const DEBOUNCE_MS = 250;

export class ManifestDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('k8s-lab-manifests');
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [this.collection];

  constructor(
    private readonly documents: ManifestDocuments,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.refresh(d)),
      vscode.workspace.onDidSaveTextDocument((d) => this.refresh(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.clear(d)),
    );
    for (const d of vscode.workspace.textDocuments) this.refresh(d);
  }

  /** Validates now (open, save). */
  refresh(document: vscode.TextDocument): void {
    this.cancel(document);
    if (document.isClosed) return;
    if (!this.documents.isManifest(document)) {
      this.collection.delete(document.uri);
      return;
    }
    try {
      const { result } = this.documents.validate(document);
      this.collection.set(document.uri, result.diagnostics.map(toDiagnostic));
    } catch (err) {
      this.log.error(`validating ${document.uri.toString()} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    }
  }

  /** Validates after the user pauses typing. */
  private schedule(document: vscode.TextDocument): void {
    if (document.languageId !== 'yaml') return;
    this.cancel(document);
    const key = document.uri.toString();
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.refresh(document);
      }, DEBOUNCE_MS),
    );
  }

  private cancel(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
  }

  private clear(document: vscode.TextDocument): void {
    this.cancel(document);
    this.collection.delete(document.uri);
    this.documents.forget(document);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
  }
}
