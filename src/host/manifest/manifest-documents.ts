/**
 * Which open documents are Kubernetes manifests, and their latest validation. Each document keeps its own
 * ManifestValidator, so a change re-validates only the YAML documents (`---` sections) whose text changed.
 */
import * as vscode from 'vscode';
import { looksLikeKubernetesManifest, ManifestValidator, type LabFacts, type ValidationResult } from '../../manifest';

export interface Validated {
  version: number;
  result: ValidationResult;
}

export type LabFactsProvider = () => LabFacts | undefined;

export class ManifestDocuments {
  private readonly validators = new Map<string, { validator: ManifestValidator; facts: LabFacts | undefined }>();
  private readonly latest = new Map<string, Validated>();

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly facts: LabFactsProvider = () => undefined,
  ) {}

  isManifest(document: vscode.TextDocument): boolean {
    return document.languageId === 'yaml' && looksLikeKubernetesManifest(document.getText());
  }

  /** The validation of the document's current version (validated now if it is stale). */
  validate(document: vscode.TextDocument): Validated {
    const key = document.uri.toString();
    const cached = this.latest.get(key);
    if (cached && cached.version === document.version) return cached;
    const facts = this.facts();
    let entry = this.validators.get(key);
    if (!entry || entry.facts !== facts) {
      entry = { validator: new ManifestValidator(facts), facts };
      this.validators.set(key, entry);
    }
    const started = performance.now();
    const result = entry.validator.validate(document.getText());
    const ms = performance.now() - started;
    if (ms > 50) this.log.debug(`validated ${document.uri.fsPath} in ${ms.toFixed(1)} ms (${result.revalidated}/${result.documents.length} documents re-checked)`);
    const validated = { version: document.version, result };
    this.latest.set(key, validated);
    return validated;
  }

  forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    this.validators.delete(key);
    this.latest.delete(key);
  }
}
