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

/** "namespace/name", or "name" for cluster-scoped objects: the key work queues carry. */
export function objectKey(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name}` : `${name}`;
}
