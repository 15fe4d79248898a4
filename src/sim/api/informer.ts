/**
 * client-go's shared-informer pattern, as the simulated components use it: list, then watch from the
 * list's resourceVersion, keep a local cache, and call handlers. Handlers must only enqueue keys;
 * objects from the cache are shared and must never be mutated (clone first).
 * On 410 Gone or a closed watch the informer relists by itself (the reflector's behaviour).
 */
import type { TraceContext } from '../log';
import type { KubeObject } from './types';

export interface InformerHandlers<T extends KubeObject> {
  onAdd?(obj: T, ctx: TraceContext): void;
  onUpdate?(oldObj: T, newObj: T, ctx: TraceContext): void;
  onDelete?(obj: T, ctx: TraceContext): void;
}

export interface InformerOptions {
  apiVersion: string;
  resource: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface Informer<T extends KubeObject> {
  /** List and start watching. */
  start(ctx: TraceContext): void;
  /** Stop watching and drop the cache (a crashed process loses its memory). */
  stop(): void;
  /** True once the initial list has arrived. */
  hasSynced(): boolean;
  /** Cached objects. */
  list(): T[];
  /** Cached object by key "namespace/name" (or "name" for cluster-scoped resources). */
  get(key: string): T | undefined;
  addHandlers(handlers: InformerHandlers<T>): void;
}

/**
 * Where the API server keeps a stored object's key on its metadata: a symbol, non-enumerable, so JSON,
 * spreads, Object.keys and comparisons never see it.
 */
const KEPT_KEY = Symbol('objectKey');

/**
 * "namespace/name", or "name" for cluster-scoped objects: the key caches and work queues use. For an
 * object the API server stored it is one string kept on the metadata and shared by every version and
 * every cache (informers, indexes, queues), not one copy per map per component.
 */
export function objectKey(obj: KubeObject): string {
  const meta = obj.metadata;
  const kept = (meta as { [KEPT_KEY]?: string })[KEPT_KEY];
  if (kept !== undefined) return kept;
  return meta.namespace ? `${meta.namespace}/${meta.name}` : `${meta.name}`;
}

/** Keep `key` (which must be objectKey's answer for it) on metadata about to be frozen. */
export function keepObjectKey(meta: KubeObject['metadata'], key: string): void {
  Object.defineProperty(meta, KEPT_KEY, { value: key });
}
