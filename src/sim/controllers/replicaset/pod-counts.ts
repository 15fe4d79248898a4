/**
 * Per-owner counts of active, ready and fully labelled pods, kept up to date from pod events in
 * O(1) each: what the ReplicaSet controller's status needs on every sync without scanning the
 * owner's pods (a ReplicaSet of 1,000 replicas would otherwise cost 1,000 checks per pod change).
 */
import { objectKey } from '../../api/informer';
import type { Pod } from '../../api/types';
import { controllerRef, isPodActive, isPodReady } from '../pods';

interface Contribution {
  owner: string;
  active: boolean;
  ready: boolean;
  labeled: boolean;
}

export interface PodCounts {
  active: number;
  ready: number;
  labeled: number;
}

/** Every template label present with the same value on the pod. */
export function hasLabels(pod: Pod, template: Readonly<Record<string, string>> | undefined): boolean {
  if (!template) return true;
  const labels = pod.metadata.labels ?? {};
  for (const k in template) if (labels[k] !== template[k]) return false;
  return true;
}

export class ActivePodCounts {
  private readonly byPod = new Map<string, Contribution>();
  private readonly byOwner = new Map<string, PodCounts>();

  /** `templateLabels(ownerUid)`: the owner's pod template labels, for fullyLabeledReplicas. */
  constructor(private readonly templateLabels: (ownerUid: string) => Readonly<Record<string, string>> | undefined) {}

  upsert(pod: Pod): void {
    const key = objectKey(pod);
    const owner = controllerRef(pod)?.uid;
    if (!owner) return this.remove(key);
    const active = isPodActive(pod);
    const ready = active && isPodReady(pod);
    const labeled = active && hasLabels(pod, this.templateLabels(owner));
    const prev = this.byPod.get(key);
    // Most events (a status update of a running pod) change none of this: keep the contribution.
    if (prev && prev.owner === owner && prev.active === active && prev.ready === ready && prev.labeled === labeled) return;
    this.remove(key);
    const c: Contribution = { owner, active, ready, labeled };
    this.byPod.set(key, c);
    const counts = this.byOwner.get(owner) ?? { active: 0, ready: 0, labeled: 0 };
    counts.active += c.active ? 1 : 0;
    counts.ready += c.ready ? 1 : 0;
    counts.labeled += c.labeled ? 1 : 0;
    this.byOwner.set(owner, counts);
  }

  delete(pod: Pod): void {
    this.remove(objectKey(pod));
  }

  /**
   * The owner's counts now, as a copy: a sync reads them at its start and writes the status from them
   * after its API calls, as upstream computes the status from the pods it listed at the start.
   */
  counts(owner: string | undefined): PodCounts {
    const live = owner ? this.byOwner.get(owner) : undefined;
    return live ? { active: live.active, ready: live.ready, labeled: live.labeled } : { active: 0, ready: 0, labeled: 0 };
  }

  clear(): void {
    this.byPod.clear();
    this.byOwner.clear();
  }

  private remove(key: string): void {
    const c = this.byPod.get(key);
    if (!c) return;
    this.byPod.delete(key);
    const counts = this.byOwner.get(c.owner);
    // Inactive pods contribute nothing; their owner's entry may already be gone.
    if (!counts) return;
    counts.active -= c.active ? 1 : 0;
    counts.ready -= c.ready ? 1 : 0;
    counts.labeled -= c.labeled ? 1 : 0;
    if (counts.active === 0 && counts.ready === 0 && counts.labeled === 0) this.byOwner.delete(c.owner);
  }
}
