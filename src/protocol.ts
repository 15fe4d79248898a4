/**
 * The messages between the extension host and the request-flow webview: one discriminated union per
 * direction, a ready handshake (the webview says `ready`, the host answers with the `trace`), request/
 * response ids for questions (`requestId` echoed in the answer), and a validator for each direction that
 * the receiver runs on every message: anything unknown or malformed is refused with a reason (the
 * receiver logs it and ignores the message; nothing throws).
 *
 * No vscode, no DOM: both sides import this file.
 */
import type { LogKind } from './sim/log';
import type { Lifeline, StepDetail, StepSummary, Topology, TraceFilter, TraceView, FilterOption, TraceListItem } from './sim/trace/model';

export type { Lifeline, StepDetail, StepSummary, Topology, TraceFilter, TraceView, FilterOption, TraceListItem };

/** What the webview keeps with getState/setState and the serializer restores after a reload. */
export interface FlowState {
  source?: string;
  /** The step selected (its id, a log seq). */
  selected?: number;
  /** Steps per second when playing. */
  speed: number;
  filter: TraceFilter;
  /** Follow new steps as they arrive. */
  follow: boolean;
}

// ------------------------------------------------------------------ host → webview

export interface TraceMessage {
  type: 'trace';
  view: TraceView;
  /** Recent traces to switch to. */
  traces: TraceListItem[];
  /** A step to select (e.g. the first step of the trace that was asked for). */
  select?: number;
  /** Set when answering a webview request (openTrace, setFilter). */
  requestId?: number;
}

/** Live update: replace the visible steps from index `from` on with `steps` (new steps, or a heartbeat run that grew). */
export interface StepsMessage {
  type: 'steps';
  from: number;
  steps: StepSummary[];
  totalEntries: number;
  lifelines: Lifeline[];
  topology: Topology;
  objects: FilterOption[];
  components: FilterOption[];
}

export interface StepDetailMessage {
  type: 'stepDetail';
  requestId: number;
  /** Undefined when the step is unknown (e.g. the log dropped it). */
  detail?: StepDetail;
}

export interface ExportedMessage {
  type: 'exported';
  requestId: number;
  ok: boolean;
  message?: string;
}

export interface ErrorMessage {
  type: 'error';
  requestId?: number;
  message: string;
}

export type HostToWebview = TraceMessage | StepsMessage | StepDetailMessage | ExportedMessage | ErrorMessage;

// ------------------------------------------------------------------ webview → host

export interface ReadyMessage {
  type: 'ready';
  /** The state the webview restored (after a reload), if any. */
  state?: FlowState;
}

export interface GetStepDetailMessage {
  type: 'getStepDetail';
  requestId: number;
  id: number;
}

export interface SetFilterMessage {
  type: 'setFilter';
  requestId: number;
  filter: TraceFilter;
}

export interface OpenTraceMessage {
  type: 'openTrace';
  requestId: number;
  source: string;
}

export interface ExportMessage {
  type: 'export';
  requestId: number;
  format: 'json' | 'mermaid';
}

/** The webview drew steps (tests and the benchmark read this). */
export interface RenderedMessage {
  type: 'rendered';
  steps: number;
  selected?: number;
  /** Milliseconds the last render took. */
  ms: number;
}

export interface LogMessage {
  type: 'log';
  level: 'info' | 'warn' | 'error';
  message: string;
}

export type WebviewToHost =
  | ReadyMessage
  | GetStepDetailMessage
  | SetFilterMessage
  | OpenTraceMessage
  | ExportMessage
  | RenderedMessage
  | LogMessage;

// ------------------------------------------------------------------ validation

export type Validated<T> = { ok: true; message: T } | { ok: false; error: string };

type Check = (value: unknown, path: string) => string | undefined;

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const string: Check = (v, p) => (typeof v === 'string' ? undefined : `${p} must be a string`);
const number: Check = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? undefined : `${p} must be a finite number`);
const integer: Check = (v, p) => (Number.isSafeInteger(v) ? undefined : `${p} must be an integer`);
const boolean: Check = (v, p) => (typeof v === 'boolean' ? undefined : `${p} must be a boolean`);
const optional = (check: Check): Check => (v, p) => (v === undefined ? undefined : check(v, p));
const oneOf = (...values: string[]): Check => (v, p) => (typeof v === 'string' && values.includes(v) ? undefined : `${p} must be one of ${values.join(', ')}`);
const arrayOf = (check: Check): Check => (v, p) => {
  if (!Array.isArray(v)) return `${p} must be an array`;
  for (let i = 0; i < v.length; i++) {
    const error = check(v[i], `${p}[${i}]`);
    if (error) return error;
  }
  return undefined;
};
const object = (shape: Record<string, Check>): Check => (v, p) => {
  if (!isRecord(v)) return `${p} must be an object`;
  for (const [key, check] of Object.entries(shape)) {
    const error = check(v[key], `${p}.${key}`);
    if (error) return error;
  }
  return undefined;
};

const LOG_KINDS: LogKind[] = ['request', 'response', 'forward', 'etcd-propose', 'etcd-append', 'etcd-ack', 'etcd-commit', 'etcd-error', 'watch', 'cri', 'decision', 'fault', 'note'];

const filter = object({ object: optional(string), component: optional(string), collapseHeartbeats: boolean });
const step = object({ id: integer, t: number, from: string, to: string, kind: oneOf(...LOG_KINDS), stage: string, title: string, traceId: string, collapsed: optional(integer) });
const lifeline = object({ id: string, kind: string, host: string, label: string });
const topology = object({ zones: arrayOf(string), hosts: arrayOf(object({ name: string, role: oneOf('client', 'lb', 'control-plane', 'worker'), zone: optional(string), lifelines: arrayOf(string) })) });
const option = object({ value: string, label: string, count: number });
const view = object({
  source: string, title: string, lifelines: arrayOf(lifeline), topology, steps: arrayOf(step), totalEntries: integer, filter,
  objects: arrayOf(option), components: arrayOf(option),
});
const traceItem = object({ source: string, label: string, t: number });
const detail = object({ id: integer, summary: step, explanation: string, reality: optional(string), objectYaml: optional(string) });
const state = object({ source: optional(string), selected: optional(integer), speed: number, filter, follow: boolean });

const HOST_MESSAGES: Record<HostToWebview['type'], Check> = {
  trace: object({ view, traces: arrayOf(traceItem), select: optional(integer), requestId: optional(integer) }),
  steps: object({ from: integer, steps: arrayOf(step), totalEntries: integer, lifelines: arrayOf(lifeline), topology, objects: arrayOf(option), components: arrayOf(option) }),
  stepDetail: object({ requestId: integer, detail: optional(detail) }),
  exported: object({ requestId: integer, ok: boolean, message: optional(string) }),
  error: object({ requestId: optional(integer), message: string }),
};

const WEBVIEW_MESSAGES: Record<WebviewToHost['type'], Check> = {
  ready: object({ state: optional(state) }),
  getStepDetail: object({ requestId: integer, id: integer }),
  setFilter: object({ requestId: integer, filter }),
  openTrace: object({ requestId: integer, source: string }),
  export: object({ requestId: integer, format: oneOf('json', 'mermaid') }),
  rendered: object({ steps: integer, selected: optional(integer), ms: number }),
  log: object({ level: oneOf('info', 'warn', 'error'), message: string }),
};

function validate<T>(checks: Record<string, Check>, value: unknown): Validated<T> {
  if (!isRecord(value)) return { ok: false, error: 'message must be an object' };
  const type = value.type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(checks, type)) {
    return { ok: false, error: `unknown message type ${JSON.stringify(type)}` };
  }
  const error = checks[type](value, type);
  return error ? { ok: false, error } : { ok: true, message: value as T };
}

/** Run by the webview on every message from the host. */
export function validateHostMessage(value: unknown): Validated<HostToWebview> {
  return validate<HostToWebview>(HOST_MESSAGES, value);
}

/** Run by the host on every message from the webview. */
export function validateWebviewMessage(value: unknown): Validated<WebviewToHost> {
  return validate<WebviewToHost>(WEBVIEW_MESSAGES, value);
}

export const DEFAULT_FLOW_STATE: FlowState = Object.freeze({ speed: 2, filter: Object.freeze({ collapseHeartbeats: true }), follow: false }) as FlowState;
