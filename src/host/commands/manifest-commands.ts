/**
 * Manifests → the lab: `k8sLab.applyManifest`, `k8sLab.applyAndTrace`, `k8sLab.deleteManifest`,
 * `k8sLab.scale`, and the CodeLens "Apply to lab · Apply and trace" over each manifest document.
 *
 * Apply is kubectl apply through the simulated API (one trace per object), with one difference: every
 * document is checked first with the API server's own rules (the manifest engine), and if any has an
 * error nothing is applied — a file is never half-applied. Errors read as kubectl prints them.
 */
import * as vscode from 'vscode';
import { validateText, type ValidatedDocument } from '../../manifest';
import type { Status } from '../../sim/api/request';
import type { KubeObject, ObjectRef } from '../../sim/api/types';
import type { ApplyResult } from '../../sim/cluster';
import { resourceForKind } from '../../sim/apiserver/resources';
import type { LabController } from '../lab-controller';
import { kubectlName } from './cluster-commands';
import { objectTarget } from './targets';

const YAML: vscode.DocumentSelector = [{ language: 'yaml' }];

/** What the apply commands receive from a CodeLens (or nothing: the active editor, every document). */
export interface ManifestTarget {
  uri?: string;
  /** Only this document of the file (0-based). */
  document?: number;
}

export interface ApplyOutcome {
  results: ApplyResult[];
  /** Set when nothing was applied because a document has errors. */
  rejected?: string[];
}

function fileLabel(doc: vscode.TextDocument): string {
  return doc.uri.scheme === 'file' ? vscode.workspace.asRelativePath(doc.uri) : doc.uri.path.split('/').pop() ?? doc.uri.toString();
}

function kubeObjects(docs: readonly ValidatedDocument[]): KubeObject[] {
  return docs.filter((d) => d.object && typeof d.object.kind === 'string').map((d) => d.object as unknown as KubeObject);
}

/**
 * How kubectl prints a failed apply: `Error from server (Invalid): error when creating "web.yaml": Pod "web"
 * is invalid: ...` (or "error when patching" for an object that existed), and `error: resource mapping not
 * found ...` for a kind the server does not serve.
 */
export function applyErrorText(result: ApplyResult, file: string, existed: boolean): string {
  const status = result.error as Status;
  if (status.message.startsWith('resource mapping not found')) return `error: ${status.message}\nensure CRDs are installed first`;
  return `Error from server${status.reason ? ` (${status.reason})` : ''}: error when ${existed ? 'patching' : 'creating'} "${file}": ${status.message}`;
}

export class ManifestCommands implements vscode.Disposable, vscode.CodeLensProvider {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;

  constructor(private readonly lab: LabController) {
    this.disposables.push(
      this.lensesChanged,
      vscode.commands.registerCommand('k8sLab.applyManifest', (target?: ManifestTarget) => this.apply(target, false)),
      vscode.commands.registerCommand('k8sLab.applyAndTrace', (target?: ManifestTarget) => this.apply(target, true)),
      vscode.commands.registerCommand('k8sLab.deleteManifest', (target?: ManifestTarget) => this.delete(target)),
      vscode.commands.registerCommand('k8sLab.scale', (arg?: unknown, replicas?: number) => this.scale(arg, replicas)),
      vscode.languages.registerCodeLensProvider(YAML, this),
    );
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const text = document.getText();
    if (!/^\s*kind\s*:/m.test(text) || !/^\s*apiVersion\s*:/m.test(text)) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const d of validateText(text).documents) {
      if (!d.object || typeof d.object.kind !== 'string') continue;
      const start = document.positionAt(d.offset + leadingTrivia(text, d.offset));
      const range = new vscode.Range(start, start);
      const target: ManifestTarget = { uri: document.uri.toString(), document: d.index };
      const what = `${d.kind ?? ''}${d.name ? ` ${d.name}` : ''}`;
      lenses.push(
        new vscode.CodeLens(range, { title: vscode.l10n.t('Apply to lab'), command: 'k8sLab.applyManifest', arguments: [target], tooltip: vscode.l10n.t('kubectl apply this {0} to the lab cluster', what) }),
        new vscode.CodeLens(range, { title: vscode.l10n.t('Apply and trace'), command: 'k8sLab.applyAndTrace', arguments: [target], tooltip: vscode.l10n.t('Apply, then follow the request hop by hop') }),
      );
    }
    return lenses;
  }

  private async document(target: ManifestTarget | undefined): Promise<vscode.TextDocument | undefined> {
    if (target?.uri) return vscode.workspace.openTextDocument(vscode.Uri.parse(target.uri));
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc) void vscode.window.showWarningMessage(vscode.l10n.t('Open a manifest (a YAML file with Kubernetes objects) first.'));
    return doc;
  }

  /** Apply the target's documents; returns what happened (also for tests). */
  async apply(target: ManifestTarget | undefined, trace: boolean): Promise<ApplyOutcome | undefined> {
    const doc = await this.document(target);
    if (!doc) return undefined;
    const file = fileLabel(doc);
    const text = doc.getText();
    const validation = validateText(text);
    const chosen = validation.documents.filter((d) => target?.document === undefined || d.index === target.document);
    const errors = validation.diagnostics.filter((d) => d.severity === 'error' && chosen.some((c) => c.index === d.document));
    if (errors.length > 0) {
      const lines = errors.map((e) => `${file}:${e.range.start.line + 1}:${e.range.start.character + 1}: ${e.message}`);
      for (const l of lines) this.lab.log.error(l);
      const problems = vscode.l10n.t('Show Problems');
      void vscode.window.showErrorMessage(vscode.l10n.t('Nothing was applied: {0} has {1} error(s). {2}', file, errors.length, lines[0]), problems).then((c) => {
        if (c === problems) void vscode.commands.executeCommand('workbench.actions.view.problems');
      });
      return { results: [], rejected: lines };
    }
    const objects = kubeObjects(chosen);
    if (objects.length === 0) {
      void vscode.window.showWarningMessage(vscode.l10n.t('{0} has no Kubernetes objects to apply.', file));
      return { results: [] };
    }
    await this.lab.start();
    const existed = new Set(objects.filter((o) => this.exists(o)));
    const results = await this.lab.apply(objects);
    const errorText = (r: ApplyResult) => applyErrorText(r, file, existed.has(objects[results.indexOf(r)]));
    const failed = results.filter((r) => r.action === 'failed');
    for (const r of results) {
      if (r.action === 'failed') this.lab.log.error(errorText(r));
      else this.lab.log.info(`${r.ref} ${r.action}`);
    }
    if (failed.length > 0) {
      const show = vscode.l10n.t('Show Output');
      void vscode.window.showErrorMessage(errorText(failed[0]), show).then((c) => c === show && this.lab.log.show(true));
    } else {
      void vscode.window.setStatusBarMessage(results.map((r) => `${r.ref} ${r.action}`).join(', '), 5000);
    }
    if (trace && results.length > 0) {
      const first = results.find((r) => r.action !== 'failed') ?? results[0];
      await vscode.commands.executeCommand('k8sLab.openRequestFlow', { traceId: first.traceId });
    }
    return { results };
  }

  private exists(obj: KubeObject): boolean {
    const def = resourceForKind(String(obj.apiVersion), String(obj.kind));
    if (!def || !obj.metadata?.name) return false;
    return this.lab.get({ resource: def.resource, namespace: def.namespaced ? obj.metadata.namespace ?? 'default' : undefined, name: obj.metadata.name }) !== undefined;
  }

  /** kubectl delete -f: every object of the target, last first. */
  async delete(target: ManifestTarget | undefined): Promise<string[] | undefined> {
    const doc = await this.document(target);
    if (!doc || !this.lab.isRunning) {
      if (doc) void vscode.window.showWarningMessage(vscode.l10n.t('The lab cluster is not running.'));
      return undefined;
    }
    const chosen = validateText(doc.getText()).documents.filter((d) => target?.document === undefined || d.index === target.document);
    const lines: string[] = [];
    for (const obj of kubeObjects(chosen).reverse()) {
      const def = resourceForKind(String(obj.apiVersion), String(obj.kind));
      const name = obj.metadata?.name ?? '';
      if (!def) {
        lines.push(`error: resource mapping not found for name: "${name}": no matches for kind "${obj.kind}" in version "${obj.apiVersion}"`);
        continue;
      }
      const namespace = def.namespaced ? obj.metadata.namespace ?? 'default' : undefined;
      const { response } = await this.lab.request({ verb: 'delete', apiVersion: def.apiVersion, resource: def.resource, namespace, name, query: { propagationPolicy: 'Background' } });
      const ref: ObjectRef = { resource: def.resource, namespace, name };
      if (response.code >= 400) {
        const s = response.body as Status;
        lines.push(`Error from server${s.reason ? ` (${s.reason})` : ''}: error when deleting "${fileLabel(doc)}": ${s.message}`);
      } else {
        lines.push(`${kubectlName(ref).split('/')[0]} "${name}" deleted`);
      }
    }
    const isError = (l: string) => l.startsWith('Error') || l.startsWith('error');
    for (const l of lines) {
      if (isError(l)) this.lab.log.error(l);
      else this.lab.log.info(l);
    }
    const errorLine = lines.find(isError);
    if (errorLine) void vscode.window.showErrorMessage(errorLine);
    else void vscode.window.setStatusBarMessage(lines.join(', '), 5000);
    return lines;
  }

  /** kubectl scale: PATCH the scale subresource of a Deployment or ReplicaSet. */
  async scale(arg: unknown, replicas?: number): Promise<boolean> {
    const ref = await objectTarget(this.lab, arg, ['deployments', 'replicasets'], vscode.l10n.t('Scale which Deployment or ReplicaSet?'));
    if (!ref) return false;
    if (replicas === undefined) {
      const current = (this.lab.get(ref) as { spec?: { replicas?: number } } | undefined)?.spec?.replicas ?? 1;
      const input = await vscode.window.showInputBox({
        title: vscode.l10n.t('Replicas for {0}', kubectlName(ref)), value: String(current),
        validateInput: (v) => (/^\d+$/.test(v.trim()) ? undefined : vscode.l10n.t('A whole number of replicas, 0 or more')),
      });
      if (input === undefined) return false;
      replicas = Number(input.trim());
    }
    const { response } = await this.lab.request({
      verb: 'patch', apiVersion: 'apps/v1', resource: ref.resource, namespace: ref.namespace, name: ref.name, subresource: 'scale',
      patchType: 'application/merge-patch+json', body: { spec: { replicas } },
    });
    if (response.code >= 400) {
      const s = response.body as Status;
      void vscode.window.showErrorMessage(`Error from server${s.reason ? ` (${s.reason})` : ''}: ${s.message}`);
      return false;
    }
    this.lab.log.info(`${kubectlName(ref)} scaled`);
    void vscode.window.setStatusBarMessage(`${kubectlName(ref)} scaled`, 4000);
    return true;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Characters of `---` lines, comments and blank lines at the start of a document (the lens goes on its first content line). */
function leadingTrivia(text: string, offset: number): number {
  const re = /(?:[ \t]*(?:---[^\n]*|#[^\n]*)?\r?\n)*/y;
  re.lastIndex = offset;
  const m = re.exec(text);
  return m ? m[0].length : 0;
}
