/**
 * What the EndpointSlice controller wrote and whether its cache shows it yet (upstream's endpointSliceTracker).
 * Its informer may lag its own writes: a sync right after creating a slice could see none and create another. So
 * it remembers the resourceVersion each write produced (0 for a deletion), per Service, and plans again only
 * once the cache has delivered that version or a later one (or, for a deletion, no longer has the slice). A write
 * the cache never shows within `giveUpMs` was superseded unseen (created and deleted again between two of its
 * events) and stops holding the Service back.
 */
export class SliceWriteTracker {
  /** Per Service key, the resourceVersion each of its slice writes produced (0: deleted) and when. */
  private readonly written = new Map<string, Map<string, { rv: number; at: number }>>();
  /** The resourceVersion of each cached slice, as the informer delivered it. */
  private readonly observed = new Map<string, number>();

  constructor(private readonly giveUpMs: number) {}

  /** This controller's write to `sliceKey` for `serviceKey` produced `rv` (0: it deleted the slice) at `at`. */
  wrote(serviceKey: string, sliceKey: string, rv: number, at: number): void {
    let writes = this.written.get(serviceKey);
    if (!writes) this.written.set(serviceKey, (writes = new Map()));
    writes.set(sliceKey, { rv, at });
  }

  /** The informer delivered `sliceKey` at `rv`. */
  observe(sliceKey: string, rv: number): void {
    this.observed.set(sliceKey, rv);
  }

  /** The informer delivered the slice's deletion: whatever was last written to it has been seen and superseded. */
  observeDeleted(sliceKey: string, serviceKey: string | undefined): void {
    this.observed.delete(sliceKey);
    if (serviceKey) this.written.get(serviceKey)?.delete(sliceKey);
  }

  /** Whether the cache shows every write made for the Service; `cached(sliceKey)` says whether the cache has the slice. */
  caughtUp(serviceKey: string, now: number, cached: (sliceKey: string) => boolean): boolean {
    const writes = this.written.get(serviceKey);
    if (!writes) return true;
    for (const [sliceKey, { rv, at }] of writes) {
      const seen = rv === 0 ? !cached(sliceKey) : (this.observed.get(sliceKey) ?? 0) >= rv;
      if (!seen && now - at < this.giveUpMs) return false;
      writes.delete(sliceKey);
    }
    this.written.delete(serviceKey);
    return true;
  }

  /** The Service is gone or selects nothing: its writes no longer matter. */
  forget(serviceKey: string): void {
    this.written.delete(serviceKey);
  }

  clear(): void {
    this.written.clear();
    this.observed.clear();
  }
}
