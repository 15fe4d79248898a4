/**
 * Which event-log entries reach the "Kubernetes Lab" output channel, and at what level: faults, leader
 * changes, load-balancer rotation, node health and evictions at info; FailedScheduling and server errors as warnings; etcd
 * refusing writes as errors; controller decisions and container-runtime calls at debug; every message on
 * the wire (requests, watch deliveries, etcd replication) at trace. Pure: no vscode import.
 */
import type { LogEntry } from '../sim/log';

export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** Numeric order, as vscode.LogLevel numbers them (Trace = 1 … Error = 5). */
export const LEVEL_ORDER: Record<Level, number> = { trace: 1, debug: 2, info: 3, warn: 4, error: 5 };

export interface FormattedLine {
  level: Level;
  text: string;
}

function detail<T>(entry: LogEntry, key: string): T | undefined {
  return entry.detail?.[key] as T | undefined;
}

export function levelOf(entry: LogEntry): Level {
  switch (entry.kind) {
    case 'fault':
      return 'info';
    case 'etcd-error':
      return 'error';
    case 'note':
      return detail<boolean>(entry, 'timeout') ? 'warn' : 'info';
    case 'cri':
      return 'debug';
    case 'response': {
      const code = detail<number>(entry, 'code') ?? 0;
      return code >= 500 ? 'warn' : 'trace';
    }
    case 'decision': {
      if (entry.from.startsWith('kube-scheduler') && detail(entry, 'pod') !== undefined) {
        return detail(entry, 'selected') === undefined ? 'warn' : 'debug';
      }
      if (detail(entry, 'lease') !== undefined || detail(entry, 'term') !== undefined) return 'info';
      if (detail(entry, 'backend') !== undefined) return detail<boolean>(entry, 'healthy') ? 'info' : 'warn';
      const controller = detail<string>(entry, 'controller');
      // Node health and evictions are what a learner watches for; routine reconciles are debug.
      if (controller === 'node-lifecycle-controller' || controller === 'taint-eviction-controller') return 'info';
      if (controller !== undefined) return 'debug';
      return 'info';
    }
    default:
      return 'trace';
  }
}

/** "T+1m02.345s" for a virtual time in ms. */
export function stamp(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const seconds = ((ms % 60_000) / 1000).toFixed(3).padStart(6, '0');
  return `T+${minutes}m${seconds}s`;
}

/** The output line for an entry, or undefined when its level is below `minLevel` (nothing is formatted then). */
export function formatEntry(entry: LogEntry, minLevel: number): FormattedLine | undefined {
  const level = levelOf(entry);
  if (LEVEL_ORDER[level] < minLevel) return undefined;
  const who = entry.from === entry.to ? entry.from : `${entry.from} → ${entry.to}`;
  const prefix = entry.kind === 'decision' && entry.from.startsWith('kube-scheduler') && level === 'warn' ? 'FailedScheduling ' : '';
  return { level, text: `[${stamp(entry.t)}] ${who}: ${prefix}${entry.summary}` };
}
