/**
 * One request-flow panel: projects the lab's event log for the chosen source (a trace, an object, or
 * everything live), answers the webview's questions, and streams new steps as the cluster runs.
 */
import * as vscode from 'vscode';
import type { EventLog, LogEntry } from '../../sim/log';
import type { ObjectRef } from '../../sim/api/types';
import {
  belongsTo, DEFAULT_FILTER, entriesOf, keyOfRef, LIVE_SOURCE, OBJECT_SOURCE_PREFIX, recentTraces, tailChange, traceToJson,
  traceToMermaid, TraceProjection, type HostInfo, type StepSummary, type TraceFilter,
} from '../../sim/trace';
import { validateWebviewMessage, type FlowState, type HostToWebview, type TraceListItem, type WebviewToHost } from '../../protocol';
import { flowHtml, flowWebviewOptions } from './html';

/** What the panel needs of the running cluster (src/sim/cluster.ts's Cluster satisfies it). */
export interface FlowCluster {
  readonly log: EventLog;
  /** The machines, for the topology view. */
  readonly nodes?: readonly { name: string; zone?: string; role?: string }[];
}

/** What the panel needs of the lab (F's LabController satisfies it). */
export interface FlowLab {
  readonly cluster?: FlowCluster;
  readonly onDidChangeCluster?: vscode.Event<unknown>;
}

function hostsOf(cluster: FlowCluster | undefined): HostInfo[] {
  return (cluster?.nodes ?? []).map((n) => ({ name: n.name, zone: n.zone, role: n.role === 'control-plane' ? 'control-plane' : 'worker' }));
}

export interface OpenFlowOptions {
  traceId?: string;
  objectRef?: ObjectRef;
}

/** Entries replayed when following everything: the newest ones. */
const LIVE_BACKLOG = 10_000;
/** Live updates are batched: at most this often. */
const FLUSH_MS = 150;

export function sourceOf(options: OpenFlowOptions | undefined): string | undefined {
  if (options?.traceId) return options.traceId;
  if (options?.objectRef) return `${OBJECT_SOURCE_PREFIX}${keyOfRef(options.objectRef)}`;
  return undefined;
}

export class FlowPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly received = new vscode.EventEmitter<WebviewToHost>();
  private readonly posted = new vscode.EventEmitter<HostToWebview>();
  private readonly disposedEmitter = new vscode.EventEmitter<void>();
  /** Every valid message from the webview (tests wait on `rendered`). */
  readonly onDidReceiveMessage = this.received.event;
  /** Every message sent to the webview. */
  readonly onDidPostMessage = this.posted.event;
  readonly onDidDispose = this.disposedEmitter.event;
  private projection!: TraceProjection;
  private included = new Set<string>();
  private filter: TraceFilter = { ...DEFAULT_FILTER };
  private sent: StepSummary[] = [];
  private pending: LogEntry[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private unsubscribe: (() => void) | undefined;
  private ready = false;
  private explicitSource: boolean;
  private disposed = false;
  source: string;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly lab: FlowLab,
    private readonly log: vscode.LogOutputChannel | undefined,
    options: OpenFlowOptions | undefined,
  ) {
    const requested = sourceOf(options);
    this.explicitSource = requested !== undefined;
    this.source = requested ?? this.defaultSource();
    panel.webview.options = flowWebviewOptions(extensionUri);
    panel.webview.html = flowHtml(panel.webview, extensionUri);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'k8s-lab.svg');
    this.disposables.push(
      this.received, this.posted, this.disposedEmitter,
      panel.webview.onDidReceiveMessage((data: unknown) => this.receive(data)),
      panel.onDidDispose(() => this.dispose()),
    );
    if (lab.onDidChangeCluster) this.disposables.push(lab.onDidChangeCluster(() => this.attach(true)));
    this.attach(false);
  }

  /** Show another source (a trace or an object) in this panel. */
  show(options: OpenFlowOptions | undefined): void {
    const source = sourceOf(options);
    if (source) {
      this.explicitSource = true;
      this.source = source;
      this.attach(false);
    }
    this.panel.reveal(undefined, false);
    if (this.ready) this.sendTrace(undefined, this.projection.steps(this.filter)[0]?.id);
  }

  get stepCount(): number {
    return this.sent.length;
  }

  /** The steps last sent to the webview (after filtering and folding). */
  get steps(): readonly StepSummary[] {
    return this.sent;
  }

  private get cluster(): FlowCluster | undefined {
    return this.lab.cluster;
  }

  private defaultSource(): string {
    const log = this.cluster?.log;
    const latest = log ? recentTraces(log.all(), 1)[0] : undefined;
    return latest?.source ?? LIVE_SOURCE;
  }

  /** (Re)build the projection from the log and follow it. */
  private attach(clusterChanged: boolean): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.pending = [];
    const cluster = this.cluster;
    this.projection = new TraceProjection({ source: this.source, hosts: hostsOf(cluster), title: cluster ? undefined : vscode.l10n.t('The lab cluster is not running') });
    if (cluster) {
      const all = cluster.log.all();
      const backlog = this.source === LIVE_SOURCE ? all.slice(Math.max(0, all.length - LIVE_BACKLOG)) : all;
      const entries = entriesOf(backlog, this.source);
      this.projection.add(entries);
      this.included = new Set(entries.map((e) => e.traceId));
      this.unsubscribe = cluster.log.subscribe((entry) => this.onEntry(entry));
    }
    if (clusterChanged && this.ready) this.sendTrace();
  }

  private onEntry(entry: LogEntry): void {
    if (!belongsTo(entry, this.source, this.included)) return;
    this.included.add(entry.traceId);
    this.pending.push(entry);
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    this.flushTimer = undefined;
    if (this.disposed || this.pending.length === 0) return;
    this.projection.add(this.pending.splice(0));
    if (!this.ready) return;
    const steps = this.projection.steps(this.filter);
    const change = tailChange(this.sent, steps);
    if (change.from === this.sent.length && change.steps.length === 0) return;
    this.sent = steps;
    const view = this.projection.view(this.filter);
    this.post({
      type: 'steps', from: change.from, steps: change.steps, totalEntries: view.totalEntries, lifelines: view.lifelines,
      topology: view.topology, objects: view.objects, components: view.components,
    });
  }

  private traceList(): TraceListItem[] {
    const log = this.cluster?.log;
    const items = log ? recentTraces(log.all()) : [];
    return [{ source: LIVE_SOURCE, label: vscode.l10n.t('Everything, live'), t: 0 }, ...items];
  }

  private sendTrace(requestId?: number, select?: number): void {
    const view = this.projection.view(this.filter);
    this.sent = view.steps;
    this.post({ type: 'trace', view, traces: this.traceList(), ...(select !== undefined ? { select } : {}), ...(requestId !== undefined ? { requestId } : {}) });
  }

  private post(message: HostToWebview): void {
    if (this.disposed) return;
    void this.panel.webview.postMessage(message);
    this.posted.fire(message);
  }

  private receive(data: unknown): void {
    const result = validateWebviewMessage(data);
    if (!result.ok) {
      this.log?.warn(`Request flow: ignored a message from the webview: ${result.error}`);
      return;
    }
    const message = result.message;
    this.handle(message);
    this.received.fire(message);
  }

  private handle(message: WebviewToHost): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.restore(message.state);
        this.sendTrace(undefined, message.state?.selected ?? this.projection.steps(this.filter)[0]?.id);
        break;
      case 'getStepDetail':
        this.post({ type: 'stepDetail', requestId: message.requestId, detail: this.projection.detail(message.id, this.filter) });
        break;
      case 'setFilter':
        this.filter = { ...message.filter };
        this.sendTrace(message.requestId);
        break;
      case 'openTrace':
        this.source = message.source;
        this.explicitSource = true;
        this.attach(false);
        this.sendTrace(message.requestId, this.projection.steps(this.filter)[0]?.id);
        break;
      case 'export':
        void this.export(message.requestId, message.format);
        break;
      case 'log':
        this.log?.[message.level === 'error' ? 'error' : message.level === 'warn' ? 'warn' : 'info'](`Request flow webview: ${message.message}`);
        break;
      case 'rendered':
        break;
    }
  }

  /** After a reload the webview brings back what it showed; an explicit open() wins over it. */
  private restore(state: FlowState | undefined): void {
    if (!state) return;
    this.filter = { ...state.filter };
    if (!this.explicitSource && state.source && state.source !== this.source) {
      this.source = state.source;
      this.attach(false);
    }
  }

  private async export(requestId: number, format: 'json' | 'mermaid'): Promise<void> {
    try {
      const content = format === 'json' ? traceToJson(this.projection, this.filter) : traceToMermaid(this.projection, this.filter);
      const document = await vscode.workspace.openTextDocument({ language: format === 'json' ? 'json' : 'markdown', content });
      await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: false });
      this.post({ type: 'exported', requestId, ok: true });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log?.error(`Request flow: export failed: ${message}`);
      this.post({ type: 'exported', requestId, ok: false, message });
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.unsubscribe?.();
    clearTimeout(this.flushTimer);
    this.disposedEmitter.fire();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
