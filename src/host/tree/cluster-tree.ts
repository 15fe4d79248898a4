/**
 * The Cluster view: a TreeDataProvider over the pure TreeModel (model.ts). Elements are the rows' stable
 * ids. On every (throttled) change of the cluster's committed state it builds a new model and fires
 * onDidChangeTreeData only for the rows the view has shown whose content or children changed, so
 * selection, expansion and scroll position survive and a 1,000-pod cluster stays responsive.
 */
import * as vscode from 'vscode';
import type { LabController } from '../lab-controller';
import { Throttle } from '../throttle';
import { healthLabel, simulatedTime, TreeModel, type Row } from './model';

export const CLUSTER_VIEW_ID = 'k8sLab.cluster';

/**
 * VS Code debounces onDidChangeTreeData by 200 ms (a new event restarts the wait), so a view that fires
 * more often than that is never redrawn while the cluster runs in fast-forward. Fire at most this often.
 */
export const TREE_REFRESH_MS = 400;

function signature(row: Row): string {
  return JSON.stringify(row);
}

export class ClusterTreeView implements vscode.TreeDataProvider<string>, vscode.Disposable {
  readonly view: vscode.TreeView<string>;
  private readonly changed = new vscode.EventEmitter<string | string[] | undefined | void>();
  readonly onDidChangeTreeData = this.changed.event;
  private model: TreeModel | undefined;
  /** Rows the view has rendered, with what it was given (to refresh only what changed). */
  private readonly shown = new Map<string, string>();
  /** Children lists the view has fetched ("" = the roots). */
  private readonly fetched = new Map<string, string>();
  private readonly disposables: vscode.Disposable[] = [];
  /** How many elements the last update refreshed (for tests and the log). */
  lastRefreshCount = 0;
  private readonly refreshSoon = new Throttle(() => this.update(), TREE_REFRESH_MS);

  constructor(private readonly lab: LabController) {
    this.view = vscode.window.createTreeView(CLUSTER_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.changed,
      lab.onDidChangeCluster(() => this.resetAll()),
      lab.onDidChangeState(() => this.refreshSoon.schedule()),
      { dispose: () => this.refreshSoon.dispose() },
    );
    this.resetAll();
  }

  /** The model the view currently shows. */
  get current(): TreeModel | undefined {
    return this.model;
  }

  getTreeItem(id: string): vscode.TreeItem {
    const row = this.model?.row(id);
    if (!row) return new vscode.TreeItem(id, vscode.TreeItemCollapsibleState.None);
    this.shown.set(id, signature(row));
    return toTreeItem(row);
  }

  getChildren(id?: string): string[] {
    if (!this.model) return [];
    const ids = id === undefined ? this.model.roots() : this.model.children(id);
    this.fetched.set(id ?? '', ids.join('\n'));
    return ids;
  }

  getParent(id: string): string | undefined {
    return this.model?.parent(id);
  }

  /** Reveal (select and show) a pod's row under its node. */
  async revealPod(namespace: string, name: string): Promise<boolean> {
    const id = this.model?.podRowId(namespace, name);
    if (!id) return false;
    await this.view.reveal(id, { select: true, focus: false, expand: false });
    return true;
  }

  async revealNode(name: string): Promise<boolean> {
    const id = this.model?.nodeRowId(name);
    if (!id) return false;
    await this.view.reveal(id, { select: true, focus: false, expand: true });
    return true;
  }

  private resetAll(): void {
    this.shown.clear();
    this.fetched.clear();
    this.model = this.lab.model();
    this.updateBadge();
    this.changed.fire();
  }

  private update(): void {
    const next = this.lab.model();
    if (!next || !this.model) return this.resetAll();
    this.model = next;
    const refresh = new Set<string>();
    for (const [id, before] of this.shown) {
      const row = next.row(id);
      if (!row) {
        this.shown.delete(id);
        this.fetched.delete(id);
      } else if (signature(row) !== before) {
        refresh.add(id);
      }
    }
    for (const [id, before] of this.fetched) {
      if (id !== '' && !next.row(id)) continue;
      const now = (id === '' ? next.roots() : next.children(id)).join('\n');
      if (now === before) continue;
      if (id === '') {
        this.lastRefreshCount = -1;
        return this.resetAll();
      }
      refresh.add(id);
    }
    // Refreshing a row makes VS Code fetch its whole (expanded) subtree again: drop rows whose ancestor is refreshed.
    const outermost = [...refresh].filter((id) => {
      for (let p = next.parent(id); p !== undefined; p = next.parent(p)) if (refresh.has(p)) return false;
      return true;
    });
    this.updateBadge();
    this.lastRefreshCount = outermost.length;
    if (outermost.length > 0) this.changed.fire(outermost);
  }

  private updateBadge(): void {
    const pending = this.model?.pendingPods ?? 0;
    this.view.badge = pending > 0 ? { value: pending, tooltip: vscode.l10n.t('{0} pod(s) waiting to be scheduled', pending) } : undefined;
    this.view.description = this.model ? `${healthLabel(this.model.health)} · ${simulatedTime(this.model.state.now)}` : undefined;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

const COLLAPSIBLE: Record<Row['collapsible'], vscode.TreeItemCollapsibleState> = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
};

export function toTreeItem(row: Row): vscode.TreeItem {
  const item = new vscode.TreeItem(row.label, COLLAPSIBLE[row.collapsible]);
  item.id = row.id;
  item.description = row.description;
  item.iconPath = new vscode.ThemeIcon(row.icon.id, row.icon.color ? new vscode.ThemeColor(row.icon.color) : undefined);
  const tooltip = new vscode.MarkdownString(row.tooltip);
  tooltip.supportThemeIcons = false;
  item.tooltip = tooltip;
  item.contextValue = row.contextValue;
  item.accessibilityInformation = { label: `${row.label}${row.description ? `, ${row.description}` : ''}` };
  return item;
}
