/**
 * The editor side of manifest diagnostics: diagnostics, quick fixes, hover and completion for YAML documents that
 * look like Kubernetes manifests. Everything here is a thin adapter over src/manifest.
 *
 * Coexistence with Red Hat's YAML extension: both may validate the same file. Ours carry the source
 * "Kubernetes Lab" and a rule code linking to kubernetes.io, and add what a schema cannot express (the API
 * server's rules, lab-aware hints); our quick fixes only act on our diagnostics. Users who see schema errors twice
 * can keep Red Hat's for formatting and turn off its validation for manifests (`"yaml.validate": false`), or
 * leave both on.
 */
import * as vscode from 'vscode';
import { ManifestCodeActions } from './code-actions';
import { ManifestCompletion } from './completion';
import { ManifestDiagnostics } from './diagnostics';
import { ManifestHover } from './hover';
import { ManifestDocuments, type LabFactsProvider } from './manifest-documents';

const YAML: vscode.DocumentSelector = [{ language: 'yaml' }];

export function registerManifestFeatures(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, labFacts?: LabFactsProvider): void {
  const documents = new ManifestDocuments(log, labFacts);
  context.subscriptions.push(
    new ManifestDiagnostics(documents, log),
    vscode.languages.registerCodeActionsProvider(YAML, new ManifestCodeActions(documents), ManifestCodeActions.metadata),
    vscode.languages.registerHoverProvider(YAML, new ManifestHover(documents)),
    vscode.languages.registerCompletionItemProvider(YAML, new ManifestCompletion(documents), ...ManifestCompletion.triggerCharacters),
  );
}

export type { LabFactsProvider } from './manifest-documents';
