/**
 * Upstream's ControllerExpectations (pkg/controller/controller_utils.go), with the UID tracking
 * the ReplicaSet controller uses for deletions: after a controller asks for N creations it must not
 * act again on the same owner until its informer has seen those N pods (or the creations failed, or
 * five minutes passed), otherwise a slow watch would make it create duplicates.
 */
import type { Clock } from '../clock';

/** upstream ExpectationsTimeout. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Expectation {
  add: number;
  /** Keys of pods whose deletion we asked for and have not yet seen disappear. */
  deletions: Set<string>;
  at: number;
}

export class Expectations {
  private readonly items = new Map<string, Expectation>();

  constructor(private readonly clock: Clock) {}

  /** True when the controller may act on `owner` (nothing outstanding, or the record expired). */
  satisfied(owner: string): boolean {
    const e = this.items.get(owner);
    if (!e) return true;
    if (e.add <= 0 && e.deletions.size === 0) return true;
    return this.clock.now() - e.at > EXPECTATIONS_TIMEOUT_MS;
  }

  expectCreations(owner: string, count: number): void {
    this.items.set(owner, { add: count, deletions: new Set(), at: this.clock.now() });
  }

  expectDeletions(owner: string, podKeys: readonly string[]): void {
    this.items.set(owner, { add: 0, deletions: new Set(podKeys), at: this.clock.now() });
  }

  /** Creations and deletions at once (upstream's SetExpectations(key, add, del)). */
  expect(owner: string, creations: number, podKeys: readonly string[]): void {
    this.items.set(owner, { add: creations, deletions: new Set(podKeys), at: this.clock.now() });
  }

  /** A create was observed through the informer, or failed (so it will never be observed). */
  creationObserved(owner: string): void {
    const e = this.items.get(owner);
    if (e) e.add--;
  }

  deletionObserved(owner: string, podKey: string): void {
    this.items.get(owner)?.deletions.delete(podKey);
  }

  /** The owner is gone: forget its record. */
  delete(owner: string): void {
    this.items.delete(owner);
  }

  pendingCreations(owner: string): number {
    return Math.max(0, this.items.get(owner)?.add ?? 0);
  }
}
