/**
 * The shapes of API requests and responses inside the simulation. The simulated API server handles
 * exactly these; in-cluster components send them through an `ApiClient`, and the HTTP server
 * (src/server) translates real HTTP requests into them, so every path ends in the same handler.
 */
import type { TraceContext } from '../log';
import type { ExecStream } from './exec';
import type { KubeObject } from './types';

export type Verb = 'create' | 'get' | 'list' | 'watch' | 'update' | 'patch' | 'delete' | 'deletecollection';

export type PatchType =
  | 'application/merge-patch+json'
  | 'application/strategic-merge-patch+json'
  | 'application/json-patch+json'
  | 'application/apply-patch+yaml';

export interface ApiRequest {
  verb: Verb;
  /** Group/version, e.g. "v1", "apps/v1", "coordination.k8s.io/v1". */
  apiVersion: string;
  /** Plural resource, e.g. "pods". */
  resource: string;
  namespace?: string;
  name?: string;
  /** "binding", "status", "log", "scale", "eviction" ... */
  subresource?: string;
  body?: unknown;
  patchType?: PatchType;
  /**
   * A non-resource URL the API server serves itself ("/readyz", "/livez/etcd"), as upstream's request
   * info with IsResourceRequest false. Set with verb "get"; apiVersion and resource are then "".
   */
  nonResourcePath?: string;
  query?: {
    labelSelector?: string;
    fieldSelector?: string;
    resourceVersion?: string;
    limit?: number;
    continue?: string;
    gracePeriodSeconds?: number;
    propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
    dryRun?: boolean;
    fieldManager?: string;
    fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
    force?: boolean;
    /** logs */
    container?: string;
    follow?: boolean;
    tailLines?: number;
    previous?: boolean;
    timestamps?: boolean;
    /** exec: the command (repeated `command` parameters) and the streams wanted */
    command?: string[];
    stdin?: boolean;
    stdout?: boolean;
    stderr?: boolean;
    tty?: boolean;
    /** health endpoints: list every check (`?verbose`), skip some (`?exclude=etcd`) */
    verbose?: boolean;
    exclude?: string[];
  };
  /** Who sends it: "kubectl", "kube-scheduler", "kubelet/worker-1" ... (the User-Agent). */
  client: string;
}

/** The Kubernetes `Status` object returned for errors (and some successful deletes). */
export interface Status {
  apiVersion: 'v1';
  kind: 'Status';
  metadata: Record<string, never> | { resourceVersion?: string };
  status: 'Success' | 'Failure';
  message: string;
  reason?: 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'Gone' | 'Expired' | 'MethodNotAllowed' | 'UnsupportedMediaType' | 'RequestEntityTooLarge' | 'ServiceUnavailable' | 'InternalError' | 'Timeout' | 'TooManyRequests' | string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
    retryAfterSeconds?: number;
  };
  code: number;
}

export interface ListObject<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

export interface ApiResponse {
  code: number;
  body: KubeObject | ListObject | Status | string;
  /** With 101 Switching Protocols (pods/exec): the session the upgraded connection carries. */
  stream?: ExecStream;
  /** Warnings, as the `Warning` header carries them. */
  warnings?: string[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  /** The object (a Status for ERROR). */
  object: T | Status;
}

/** A live watch; `stop()` ends it from the client side. */
export interface WatchHandle {
  stop(): void;
}

export type ResponseCallback = (response: ApiResponse, ctx: TraceContext) => void;

/**
 * How an in-cluster component or a client talks to the API. Every call is asynchronous in virtual
 * time: the callback runs when the response arrives over the simulated network. `ctx` links the
 * request to whatever caused it (the watch event or timer), and the callback receives the context of
 * the response entry so further requests chain causally.
 */
export interface ApiClient {
  /** The client's identity as it appears in the log and User-Agent. */
  readonly name: string;
  request(req: Omit<ApiRequest, 'client'>, ctx: TraceContext, done: ResponseCallback): void;
  /**
   * Start a watch. `onEvent` runs for every event delivered (with the context of the delivery entry);
   * `onClose` runs when the server ends the watch (410 Gone after compaction, API server down): the
   * client is expected to relist, as client-go's reflector does.
   */
  watch(
    req: Omit<ApiRequest, 'client' | 'verb'>,
    ctx: TraceContext,
    onEvent: (event: WatchEvent, ctx: TraceContext) => void,
    onClose: (reason: Status) => void,
  ): WatchHandle;
}
