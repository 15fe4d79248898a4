/**
 * The kubelet's status manager: sends a pod's status to the API (PATCH pods/<name>/status) when it
 * differs from what the API already has, one request in flight per pod; a newer status waiting
 * behind it is sent when the answer arrives. Failures retry after a delay; 404 means the pod is gone.
 */
import type { Clock, TimerId } from '../clock';
import type { TraceContext } from '../log';
import type { ApiClient, ApiResponse } from '../api/request';
import type { Pod, PodStatus } from '../api/types';
import { deepEqual, deepFreeze } from '../apiserver/objects';

interface Entry {
  namespace: string;
  name: string;
  uid: string;
  /**
   * The status the API has, when we wrote it (statuses are built fresh and never mutated, so the
   * object itself is the record); undefined when someone else wrote last: compare with the API's.
   * When the API's own copy is equal (the reply to our write, or a report that changed nothing), this
   * is that copy: the informer keeps the same object anyway, and a whole status per pod is saved.
   */
  confirmed?: PodStatus;
  /** The resourceVersion our last successful write produced: its watch echo changes nothing. */
  confirmedRv?: string;
  /** The status to write next; `then`, created with the first callback (most reports have none). */
  pending?: { status: PodStatus; ctx: TraceContext; then?: StatusCallback[] };
  inFlight: boolean;
  retry?: TimerId;
  /** The newest pod object the kubelet has (what its next report is compared with). */
  newest?: Pod;
}

export type StatusCallback = (ok: boolean, ctx: TraceContext) => void;

export class StatusManager {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly client: ApiClient,
    private readonly retryMs = 2_000,
  ) {}

  /**
   * Report `status` for `pod`; `then` runs once the API has it (or it failed). `pod` is the newest
   * object the caller has, and each newer one goes through observed() first (an idle entry is
   * forgotten on that basis).
   */
  set(pod: Pod, status: PodStatus, ctx: TraceContext, then?: StatusCallback): void {
    const uid = pod.metadata.uid!;
    let entry = this.entries.get(uid);
    if (!entry) {
      // The API shows this very status already (a pass on the echo of our own write): nothing to
      // send or remember, and no entry to make and drop again.
      if (pod.status && deepEqual(status, pod.status)) {
        then?.(true, ctx);
        return;
      }
      entry = { namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name!, uid, inFlight: false };
      this.entries.set(uid, entry);
    }
    entry.newest = pod;
    if (!entry.inFlight && !entry.pending && deepEqual(status, entry.confirmed ?? pod.status ?? {})) {
      // Equal objects: keep the one already held rather than this fresh copy (it is a whole status per pod).
      entry.confirmed ??= pod.status ?? status;
      this.forgetIfSettled(entry);
      then?.(true, ctx);
      return;
    }
    // A newer status replaces the waiting one in place; the callbacks of both run when it is written.
    const pending = entry.pending;
    if (pending) {
      pending.status = status;
      pending.ctx = ctx;
      if (then) (pending.then ??= []).push(then);
    } else entry.pending = { status, ctx, then: then ? [then] : undefined };
    this.flush(entry);
  }

  /** The API object changed under us (watch): what it shows is what the API has. */
  observed(pod: Pod): void {
    const entry = this.entries.get(pod.metadata.uid!);
    if (!entry) return;
    entry.newest = pod;
    if (!entry.inFlight && pod.metadata.resourceVersion !== entry.confirmedRv) entry.confirmed = undefined;
    this.forgetIfSettled(entry);
  }

  /**
   * An idle entry whose confirmed status is the very object the kubelet's newest pod shows remembers
   * nothing the pod does not (without it, reports are compared with pod.status: the same answers), so
   * it goes: a running pod costs the status manager nothing.
   */
  private forgetIfSettled(entry: Entry): void {
    if (entry.inFlight || entry.pending || entry.retry !== undefined) return;
    if (entry.confirmed !== undefined && entry.confirmed === entry.newest?.status) this.entries.delete(entry.uid);
  }

  forget(uid: string): void {
    const entry = this.entries.get(uid);
    if (entry) this.clock.cancel(entry.retry);
    this.entries.delete(uid);
  }

  clear(): void {
    for (const entry of this.entries.values()) this.clock.cancel(entry.retry);
    this.entries.clear();
  }

  private flush(entry: Entry): void {
    if (entry.inFlight || !entry.pending || entry.retry !== undefined) return;
    const { status, ctx, then } = entry.pending;
    entry.pending = undefined;
    if (entry.confirmed !== undefined && deepEqual(entry.confirmed, status)) {
      if (then) for (const cb of then) cb(true, ctx);
      return;
    }
    entry.inFlight = true;
    // Statuses are never mutated, so frozen: the API server stores their parts as they are instead of
    // copies (its freeze then skips them), and the comparison with its answer stops at those references.
    deepFreeze(status);
    this.client.request(
      {
        verb: 'patch',
        apiVersion: 'v1',
        resource: 'pods',
        namespace: entry.namespace,
        name: entry.name,
        subresource: 'status',
        patchType: 'application/merge-patch+json',
        body: { metadata: { uid: entry.uid }, status },
      },
      ctx,
      (r: ApiResponse, rctx) => {
        if (this.entries.get(entry.uid) !== entry) return;
        entry.inFlight = false;
        if (r.code === 200) {
          // Merge patch keeps fields we did not send: only an equal status may stand for ours.
          const written = r.body as Pod;
          entry.confirmed = deepEqual(written.status, status) ? written.status : status;
          entry.confirmedRv = written.metadata?.resourceVersion;
          if (then) for (const cb of then) cb(true, rctx);
          this.flush(entry);
          this.forgetIfSettled(entry);
          return;
        } else if (r.code === 404) {
          if (then) for (const cb of then) cb(false, rctx);
          this.forget(entry.uid);
          return;
        } else if (!entry.pending) {
          // Retry the same status later unless something newer is already waiting.
          entry.pending = { status, ctx: rctx, then };
          entry.retry = this.clock.schedule(this.retryMs, () => {
            entry.retry = undefined;
            this.flush(entry);
          }, 'kubelet-status-retry');
          return;
        } else if (then) (entry.pending.then ??= []).unshift(...then);
        this.flush(entry);
      },
    );
  }
}
