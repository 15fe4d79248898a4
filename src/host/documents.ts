/**
 * Read-only virtual documents of the live cluster, scheme `k8s-lab`:
 *   k8s-lab:/yaml/<resource>/<namespace>/<name>.yaml      the object as `kubectl get -o yaml` shows it
 *   k8s-lab:/describe/<resource>/<namespace>/<name>.txt   `kubectl describe`
 *   k8s-lab:/logs/<namespace>/<pod>/<container>.log        `kubectl logs` (fetched through the API)
 * Cluster-scoped objects have no namespace segment. Open YAML and describe documents refresh when the
 * object changes (onDidChange fires only when the text differs).
 */
import * as vscode from 'vscode';
import { stringify } from 'yaml';
import type { ApiResponse, Status } from '../sim/api/request';
import type { CoreEvent, Endpoints, ObjectRef, Pod, ReplicaSet } from '../sim/api/types';
import { describeObject } from './describe';
import type { LabController } from './lab-controller';

export const SCHEME = 'k8s-lab';

type View = 'yaml' | 'describe';

export function objectUri(view: View, ref: ObjectRef): vscode.Uri {
  const ns = ref.namespace ? `/${encodeURIComponent(ref.namespace)}` : '';
  return vscode.Uri.from({ scheme: SCHEME, path: `/${view}/${ref.resource}${ns}/${encodeURIComponent(ref.name)}.${view === 'yaml' ? 'yaml' : 'txt'}` });
}

export function logsUri(namespace: string, pod: string, container: string): vscode.Uri {
  return vscode.Uri.from({ scheme: SCHEME, path: `/logs/${encodeURIComponent(namespace)}/${encodeURIComponent(pod)}/${encodeURIComponent(container)}.log` });
}

export function parseObjectUri(uri: vscode.Uri): { view: View | 'logs'; ref: ObjectRef; container?: string } | undefined {
  const parts = uri.path.split('/').slice(1).map(decodeURIComponent);
  const view = parts[0];
  const strip = (s: string) => s.replace(/\.(yaml|txt|log)$/, '');
  if (view === 'logs' && parts.length === 4) return { view, ref: { resource: 'pods', namespace: parts[1], name: parts[2] }, container: strip(parts[3]) };
  if (view !== 'yaml' && view !== 'describe') return undefined;
  if (parts.length === 4) return { view, ref: { resource: parts[1], namespace: parts[2], name: strip(parts[3]) } };
  if (parts.length === 3) return { view, ref: { resource: parts[1], name: strip(parts[2]) } };
  return undefined;
}

export class ObjectDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly shown = new Map<string, string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly lab: LabController) {
    this.disposables.push(
      this.changed,
      vscode.workspace.registerTextDocumentContentProvider(SCHEME, this),
      lab.onDidChangeState(() => this.refresh()),
      lab.onDidChangeCluster(() => this.refresh()),
      vscode.workspace.onDidCloseTextDocument((doc) => this.shown.delete(doc.uri.toString())),
    );
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const text = await this.render(uri);
    if (!uri.path.startsWith('/logs/')) this.shown.set(uri.toString(), text);
    return text;
  }

  /** The text of a YAML or describe document for the current state. */
  renderNow(uri: vscode.Uri): string {
    const parsed = parseObjectUri(uri);
    if (!parsed || parsed.view === 'logs') return '';
    const state = this.lab.state();
    if (!this.lab.isRunning || !state) return vscode.l10n.t('# The lab cluster is not running.\n');
    const obj = this.lab.get(parsed.ref);
    if (!obj) return `Error from server (NotFound): ${parsed.ref.resource} "${parsed.ref.name}" not found\n`;
    if (parsed.view === 'yaml') return stringify(obj, { lineWidth: 0 });
    return describeObject(obj, {
      now: state.now,
      epochMs: state.epochMs,
      events: this.lab.list<CoreEvent>('events', obj.metadata.namespace),
      pods: this.lab.list<Pod>('pods'),
      replicaSets: this.lab.list<ReplicaSet>('replicasets', obj.metadata.namespace),
      endpoints: this.lab.list<Endpoints>('endpoints', obj.metadata.namespace),
    }) ?? stringify(obj, { lineWidth: 0 });
  }

  private async render(uri: vscode.Uri): Promise<string> {
    const parsed = parseObjectUri(uri);
    if (parsed?.view !== 'logs') return this.renderNow(uri);
    if (!this.lab.isRunning) return vscode.l10n.t('The lab cluster is not running.\n');
    const { response } = await this.lab.request({
      verb: 'get', apiVersion: 'v1', resource: 'pods', subresource: 'log', namespace: parsed.ref.namespace, name: parsed.ref.name,
      query: { container: parsed.container },
    });
    return logText(response);
  }

  private refresh(): void {
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    for (const [key, before] of this.shown) {
      if (!open.has(key)) continue;
      const uri = vscode.Uri.parse(key);
      const now = this.renderNow(uri);
      if (now !== before) {
        this.shown.set(key, now);
        this.changed.fire(uri);
      }
    }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** A pods/log response as `kubectl logs` prints it (the text, or "Error from server ..."). */
export function logText(response: ApiResponse): string {
  if (response.code === 200) return typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  const status = response.body as Status;
  return `Error from server${status.reason ? ` (${status.reason})` : ''}: ${status.message}\n`;
}

