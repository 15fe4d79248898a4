/**
 * Server-side printing: the meta.k8s.io/v1 Table kubectl asks for on `get`
 * (Accept: application/json;as=Table;v=v1;g=meta.k8s.io). Each resource has a printer with the columns
 * upstream's pkg/printers/internalversion registers; priority 1 columns appear only with `-o wide`.
 */
import { formatLabelSelector } from '../../sim/api/labels';
import type { KubeObject, LabelSelector, PodTemplateSpec } from '../../sim/api/types';

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export interface TableRow {
  cells: unknown[];
  object?: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumn[];
  rows: TableRow[];
}

export interface Printer<T extends KubeObject = KubeObject> {
  columns: TableColumn[];
  /** One row's cells, in column order; `now` is the virtual wall time in ms since the Unix epoch. */
  cells(obj: T, now: number): unknown[];
}

export function column(name: string, description: string, priority = 0, type: TableColumn['type'] = 'string', format = ''): TableColumn {
  return { name, type, format, description, priority };
}

export const NAME_COLUMN = column('Name', 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names', 0, 'string', 'name');
export const AGE_COLUMN = column('Age', 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata');

/** Upstream's duration.HumanDuration: "45s", "3m20s", "15m", "5h8m", "3d4h", "2y10d". */
/** The `-o wide` columns of a workload with a pod template: CONTAINERS IMAGES SELECTOR (the selector's description is the kind's own). */
export function templateWideColumns(selectorDescription: string): TableColumn[] {
  return [
    column('Containers', 'Names of each container in the template.', 1),
    column('Images', 'Images referenced by each container in the template.', 1),
    column('Selector', selectorDescription, 1),
  ];
}

/** The cells of templateWideColumns, as upstream's layoutContainerCells and the selector. */
export function templateWideCells(template: PodTemplateSpec | undefined, selector: LabelSelector | undefined | null): string[] {
  const containers = template?.spec?.containers ?? [];
  return [containers.map((c) => c.name).join(','), containers.map((c) => c.image ?? '').join(','), formatLabelSelector(selector)];
}

export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    return dy === 0 ? `${Math.trunc(hours / 24 / 365)}y` : `${Math.trunc(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** Upstream's translateTimestampSince: "<unknown>" for a missing timestamp. */
export function since(timestamp: string | undefined | null, now: number): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(now - t);
}

export function age(obj: KubeObject, now: number): string {
  return since(obj.metadata.creationTimestamp, now);
}

/** "<none>" for empty values, as upstream prints them. */
export function orNone(value: string | undefined | null): string {
  return value ? value : '<none>';
}

/** Labels as "a=b,c=d" sorted by key (labels.FormatLabels). */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels![k]}`).join(',');
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

function rowObject(obj: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function toTable(printer: Printer, objects: readonly KubeObject[], now: number, include: IncludeObject, metadata: Table['metadata'], withColumns = true): Table {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: withColumns ? printer.columns : [],
    rows: objects.map((obj) => {
      const row: TableRow = { cells: printer.cells(obj, now) };
      const embedded = rowObject(obj, include);
      if (embedded !== undefined) row.object = embedded;
      return row;
    }),
  };
}
