/**
 * Keys of cached objects by an index value (an owner's uid, a node's name), resolved through the
 * informer's cache when asked for. As client-go's indexers, it keeps keys, not objects: the objects
 * read are always the cache's latest versions, so an update that keeps the indexed value (nearly
 * every pod event: status changes) need not touch the index at all.
 */
import type { KubeObject } from '../api/types';
import type { Informer } from '../api/informer';

export class KeyIndex<T extends KubeObject> {
  private readonly byValue = new Map<string, Set<string>>();

  constructor(private readonly cache: Pick<Informer<T>, 'get'>) {}

  insert(value: string, key: string): void {
    let keys = this.byValue.get(value);
    if (!keys) this.byValue.set(value, (keys = new Set()));
    keys.add(key);
  }

  remove(value: string, key: string): void {
    const keys = this.byValue.get(value);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) this.byValue.delete(value);
  }

  /** The cached objects indexed under `value` (latest versions), in the order they were first indexed there. */
  objects(value: string | undefined): T[] {
    const keys = value ? this.byValue.get(value) : undefined;
    if (!keys) return [];
    const out: T[] = [];
    for (const key of keys) {
      const obj = this.cache.get(key);
      if (obj) out.push(obj);
    }
    return out;
  }

  count(value: string): number {
    return this.byValue.get(value)?.size ?? 0;
  }

  clear(): void {
    this.byValue.clear();
  }
}
