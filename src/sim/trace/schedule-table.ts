/**
 * The scheduler's per-node table — filter results and scores — read from its `decision` entry.
 *
 * Accepted shapes of `detail` (the scheduler records one of them):
 *   nodes: [{ node | name, feasible?, status? | filter? | filters?, scores?, total? | score? }]
 *   or filter: { [node]: Status }, scores: { [node]: { [plugin]: number } } | [{ name, score }]
 * with selected | node | nodeName, message, evaluated, numNodes.
 * A Status is { code, reasons?, plugin? }.
 */
import type { LogEntry } from '../log';
import type { FilterCell, ScheduleRow, ScheduleTable } from './model';

type Rec = Record<string, unknown>;

function rec(value: unknown): Rec | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Rec) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function cell(value: unknown): FilterCell | undefined {
  const r = rec(value);
  if (!r) return undefined;
  const code = text(r.code) ?? 'Success';
  const reasons = Array.isArray(r.reasons) ? r.reasons.filter((x): x is string => typeof x === 'string') : text(r.reason) ? [r.reason as string] : [];
  return { plugin: text(r.plugin) ?? '', code, reasons };
}

function cells(value: unknown): FilterCell[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map(cell).filter((c): c is FilterCell => !!c && c.code !== 'Success' && c.code !== 'Skip');
}

function scoreMap(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      const r = rec(item);
      const plugin = text(r?.plugin) ?? text(r?.name);
      const score = count(r?.score);
      if (plugin && score !== undefined) out[plugin] = score;
    }
    return out;
  }
  const r = rec(value);
  if (r) for (const [plugin, score] of Object.entries(r)) if (typeof score === 'number') out[plugin] = score;
  return out;
}

function sum(scores: Record<string, number>): number | undefined {
  const values = Object.values(scores);
  return values.length ? values.reduce((a, b) => a + b, 0) : undefined;
}

function rowsFromNodes(nodes: unknown[]): ScheduleRow[] {
  const rows: ScheduleRow[] = [];
  for (const item of nodes) {
    const r = rec(item);
    const node = text(r?.node) ?? text(r?.name);
    if (!r || !node) continue;
    const filters = cells(r.filters ?? r.filter ?? r.status);
    const scores = scoreMap(r.scores ?? r.pluginScores);
    const feasible = typeof r.feasible === 'boolean' ? r.feasible : filters.length === 0;
    rows.push({ node, feasible, filters, scores, total: count(r.total) ?? count(r.score) ?? sum(scores), chosen: false });
  }
  return rows;
}

function rowsFromMaps(filter: Rec | undefined, scores: unknown): ScheduleRow[] {
  const rows = new Map<string, ScheduleRow>();
  const row = (node: string): ScheduleRow => {
    let r = rows.get(node);
    if (!r) rows.set(node, (r = { node, feasible: true, filters: [], scores: {}, chosen: false }));
    return r;
  };
  for (const [node, status] of Object.entries(filter ?? {})) {
    const r = row(node);
    r.filters = cells(status);
    r.feasible = r.filters.length === 0;
  }
  if (Array.isArray(scores)) {
    for (const item of scores) {
      const s = rec(item);
      const node = text(s?.name) ?? text(s?.node);
      if (!s || !node) continue;
      const r = row(node);
      r.scores = scoreMap(s.scores ?? s.plugins);
      r.total = count(s.score) ?? count(s.total) ?? sum(r.scores);
    }
  } else {
    for (const [node, perPlugin] of Object.entries(rec(scores) ?? {})) {
      const r = row(node);
      if (typeof perPlugin === 'number') r.total = perPlugin;
      else {
        r.scores = scoreMap(perPlugin);
        r.total = sum(r.scores);
      }
    }
  }
  return [...rows.values()];
}

/** The table of a scheduler `decision` entry, or undefined when the entry carries none. */
export function scheduleTableOf(entry: LogEntry): ScheduleTable | undefined {
  const d = entry.detail;
  if (!d) return undefined;
  const rows = Array.isArray(d.nodes) ? rowsFromNodes(d.nodes) : rec(d.filter) || d.scores ? rowsFromMaps(rec(d.filter), d.scores) : [];
  if (rows.length === 0 && !text(d.message)) return undefined;
  const selected = text(d.selected) ?? text(d.selectedNode) ?? text(d.nodeName) ?? text(d.node);
  const scorePlugins: string[] = [];
  for (const row of rows) {
    row.chosen = row.node === selected;
    for (const plugin of Object.keys(row.scores)) if (!scorePlugins.includes(plugin)) scorePlugins.push(plugin);
  }
  rows.sort((a, b) => Number(b.feasible) - Number(a.feasible) || (b.total ?? -1) - (a.total ?? -1) || a.node.localeCompare(b.node, 'en', { numeric: true }));
  const pod = text(d.pod) ?? (entry.objectRef ? `${entry.objectRef.namespace ?? ''}/${entry.objectRef.name}`.replace(/^\//, '') : undefined);
  return {
    pod,
    selected,
    message: text(d.message),
    scorePlugins,
    rows,
    evaluated: count(d.evaluated) ?? count(d.evaluatedNodes),
    nodes: count(d.numNodes) ?? count(d.allNodes),
  };
}
