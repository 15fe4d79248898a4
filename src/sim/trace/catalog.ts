/**
 * The traces worth replaying: each action a person started (kubectl, an HTTP client outside the
 * cluster) or a fault, newest first, labelled by its first message and object.
 */
import type { LogEntry } from '../log';
import { displayKey, objectKeyOf } from './entry-facts';
import type { TraceListItem } from './model';

/** Sources that are not a single traceId. */
export const LIVE_SOURCE = 'live';
export const OBJECT_SOURCE_PREFIX = 'object:';

/** Clients outside the machines (no "@host"), except the load balancer and the control plane's own bootstrap clients. */
function startedByPerson(entry: LogEntry): boolean {
  if (entry.kind === 'fault') return true;
  const from = entry.from;
  return entry.kind === 'request' && from !== '' && !from.includes('@') && from !== 'lb' && !from.startsWith('kube-') && !from.startsWith('system:');
}

export function recentTraces(entries: Iterable<LogEntry>, limit = 50): TraceListItem[] {
  const seen = new Set<string>();
  const items: TraceListItem[] = [];
  for (const entry of entries) {
    if (seen.has(entry.traceId)) continue;
    seen.add(entry.traceId);
    if (!startedByPerson(entry)) continue;
    const key = objectKeyOf(entry);
    items.push({ source: entry.traceId, label: `+${(entry.t / 1000).toFixed(1)}s ${entry.summary}${key ? ` · ${displayKey(key)}` : ''}`, t: entry.t });
  }
  return items.reverse().slice(0, limit);
}

/** The entries a source shows, in log order: one trace, every trace touching an object, or all of them. */
export function entriesOf(entries: readonly LogEntry[], source: string): LogEntry[] {
  if (source === LIVE_SOURCE) return entries.slice();
  if (source.startsWith(OBJECT_SOURCE_PREFIX)) {
    const key = source.slice(OBJECT_SOURCE_PREFIX.length);
    const traces = new Set<string>();
    for (const entry of entries) if (objectKeyOf(entry) === key) traces.add(entry.traceId);
    return entries.filter((e) => traces.has(e.traceId));
  }
  return entries.filter((e) => e.traceId === source);
}

/** Whether a new entry belongs to a source, given the traces already in it. */
export function belongsTo(entry: LogEntry, source: string, traces: ReadonlySet<string>): boolean {
  if (source === LIVE_SOURCE || traces.has(entry.traceId)) return true;
  if (source.startsWith(OBJECT_SOURCE_PREFIX)) return objectKeyOf(entry) === source.slice(OBJECT_SOURCE_PREFIX.length);
  return entry.traceId === source;
}
