/**
 * The DaemonSet controller (pkg/controller/daemon): one pod on every node that should run it. Handlers only enqueue
 * DaemonSet keys; `reconcile` (syncDaemonSet) is level-triggered and idempotent, with its state in the API:
 *  1. the history: the ControllerRevision whose data matches the DaemonSet's template is the current one (created
 *     when missing, `<ds>-<hash>`, its revision raised to the newest); its hash labels the pods;
 *  2. manage: per node, NodeShouldRunDaemonPod decides; a node that should run a pod and has none gets one, created
 *     unscheduled with a required node affinity on metadata.name so that the scheduler places it (upstream since
 *     1.12); pods on nodes that should not keep them are deleted, failed ones too (with a back-off per node);
 *  3. when manage had nothing to do, the rolling update (maxUnavailable, or maxSurge) replaces old pods;
 *  4. old revisions beyond revisionHistoryLimit that no pod uses are deleted; then the status.
 * Before 1 it claims its ControllerRevisions (controlledHistories), and after 1 its pods (getDaemonPods), through
 * client-go's ControllerRefManager (../claims.ts): orphans its selector matches are adopted, what it controls but
 * no longer selects is released. So a DaemonSet deleted with --cascade=orphan and created again takes over the
 * running daemon pods and the old revisions instead of making a second pod per node.
 */
import type { TraceContext } from '../../log';
import type { Informer } from '../../api/informer';
import type { ControllerRevision, DaemonSet, Node, Pod } from '../../api/types';
import { objectKey } from '../../api/informer';
import { deepEqual } from '../../apiserver/objects';
import { message, QueueController, splitKey, type ControllerContext } from '../context';
import { Expectations } from '../expectations';
import { OwnerIndex, sharedPodsByOwner } from '../owner-index';
import { controllerRef, isPodAvailable, isPodReady, podFromTemplate } from '../pods';
import { claim, ClaimIndex, controlledAfterClaim, type ClaimResult, type ClaimTarget } from '../claims';
import { compileSelector } from '../selectors';
import { slowStartBatch } from '../batch';
import { ObjectEventRecorder } from '../events';
import { computeHash } from '../deployment/util';
import type { ReconcileFn } from '../workqueue/workqueue';
import {
  byCreation, daemonPodTolerations, historyPatch, isPodUpdated, nodeNameAffinity, nodeShouldRunDaemonPod, patchKey,
  REVISION_HASH_LABEL, rollingLimits, targetNodeName, TEMPLATE_GENERATION_ANNOTATION, TEMPLATE_GENERATION_LABEL,
} from './util';

const PODS: ClaimTarget = { apiVersion: 'v1', resource: 'pods', noun: 'pod' };
const REVISIONS: ClaimTarget = { apiVersion: 'apps/v1', resource: 'controllerrevisions', noun: 'ControllerRevision' };

/** upstream BurstReplicas. */
const BURST = 250;
/** failedPodsBackoff: 1 s doubling, capped at 15 minutes. */
const FAILED_POD_BACKOFF_MS = 1000;
const MAX_FAILED_POD_BACKOFF_MS = 15 * 60_000;

type Finish = Parameters<ReconcileFn>[2];
type DaemonSetStatus = NonNullable<DaemonSet['status']>;

/** The controller reference of a pod when it names a DaemonSet, without allocating (called for every pod event). */
function daemonSetRef(obj: { metadata: { ownerReferences?: { controller?: boolean; kind: string; apiVersion: string; uid: string }[] } }): { uid: string } | undefined {
  const refs = obj.metadata.ownerReferences;
  if (refs === undefined) return undefined;
  for (let i = 0; i < refs.length; i++) {
    const r = refs[i];
    if (r.controller) return r.kind === 'DaemonSet' && r.apiVersion === 'apps/v1' ? r : undefined;
  }
  return undefined;
}

export class DaemonSetController extends QueueController {
  private readonly daemonSets: Informer<DaemonSet>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly revisions: Informer<ControllerRevision>;
  private readonly podsByOwner: OwnerIndex<Pod>;
  private readonly revisionsByOwner: OwnerIndex<ControllerRevision>;
  /** Orphans to adopt and objects to release (ControllerRefManager): pods, and ControllerRevisions. */
  private readonly podClaims: ClaimIndex<Pod>;
  private readonly revisionClaims: ClaimIndex<ControllerRevision>;
  private readonly expectations: Expectations;
  private readonly events: ObjectEventRecorder;
  /** DaemonSet key by uid: empty when there are none, and then every pod and node event returns at once. */
  private readonly dsKeyByUid = new Map<string, string>();
  /** Failed-pod back-off per "<ds uid>/<node>". */
  private readonly backoff = new Map<string, { delayMs: number; at: number }>();

  constructor(cc: ControllerContext) {
    super(cc, 'daemonset-controller');
    this.expectations = new Expectations(cc.clock);
    this.events = new ObjectEventRecorder(cc.clock, cc.client, 'daemonset-controller', cc.host);
    this.daemonSets = cc.informers.get<DaemonSet>('apps/v1', 'daemonsets');
    this.pods = cc.informers.get<Pod>('v1', 'pods');
    this.nodes = cc.informers.get<Node>('v1', 'nodes');
    this.revisions = cc.informers.get<ControllerRevision>('apps/v1', 'controllerrevisions');
    this.podsByOwner = sharedPodsByOwner(cc.informers);
    this.revisionsByOwner = new OwnerIndex<ControllerRevision>(this.revisions);
    const selectorOf = (uid: string) => {
      const key = this.dsKeyByUid.get(uid);
      const ds = key === undefined ? undefined : this.daemonSets.get(key);
      return ds ? compileSelector(ds.spec.selector) : undefined;
    };
    this.podClaims = new ClaimIndex<Pod>(this.pods, selectorOf);
    this.revisionClaims = new ClaimIndex<ControllerRevision>(this.revisions, selectorOf);
    this.daemonSets.addHandlers({
      onAdd: (ds, ctx) => {
        const uid = ds.metadata.uid!;
        this.dsKeyByUid.set(uid, objectKey(ds));
        // Its selector is known now: what it controls but does not select is to release.
        this.podClaims.recheck(uid, this.podsByOwner.dependents(uid));
        this.revisionClaims.recheck(uid, this.revisionsByOwner.dependents(uid));
        this.enqueue(objectKey(ds), ctx);
      },
      onUpdate: (_old, ds, ctx) => this.enqueue(objectKey(ds), ctx),
      onDelete: (ds, ctx) => {
        const key = objectKey(ds);
        this.dsKeyByUid.delete(ds.metadata.uid!);
        this.expectations.delete(key);
        for (const k of [...this.backoff.keys()]) if (k.startsWith(`${ds.metadata.uid}/`)) this.backoff.delete(k);
        this.enqueue(key, ctx);
      },
    });
    this.pods.addHandlers({
      onAdd: (pod, ctx) => {
        this.podClaims.add(pod);
        this.podChanged(undefined, pod, ctx);
      },
      onUpdate: (old, pod, ctx) => {
        this.podClaims.update(old, pod);
        this.podChanged(old, pod, ctx);
      },
      onDelete: (pod, ctx) => {
        this.podClaims.delete(pod);
        this.podDeleted(pod, ctx);
      },
    });
    this.nodes.addHandlers({
      onAdd: (_node, ctx) => this.enqueueAll(ctx),
      onUpdate: (old, node, ctx) => this.nodeUpdated(old, node, ctx),
    });
    this.revisions.addHandlers({
      onAdd: (cr, ctx) => {
        this.revisionsByOwner.add(cr);
        this.revisionClaims.add(cr);
        this.revisionChanged(undefined, cr, ctx);
      },
      onUpdate: (old, cr, ctx) => {
        this.revisionsByOwner.update(old, cr);
        this.revisionClaims.update(old, cr);
        this.revisionChanged(old, cr, ctx);
      },
      onDelete: (cr, ctx) => {
        this.revisionsByOwner.delete(cr);
        this.revisionClaims.delete(cr);
        // No DaemonSet cares about an orphan deleted.
        const key = this.ownerKey(cr);
        if (key !== undefined) this.enqueue(key, ctx);
      },
    });
  }

  override stop(): void {
    super.stop();
    this.dsKeyByUid.clear();
    this.backoff.clear();
    this.revisionsByOwner.clear();
    this.podClaims.clear();
    this.revisionClaims.clear();
  }

  /** The key of the cached DaemonSet that controls `obj`, if any. */
  private ownerKey(obj: Pod | ControllerRevision): string | undefined {
    const ref = daemonSetRef(obj);
    return ref === undefined ? undefined : this.dsKeyByUid.get(ref.uid);
  }

  /**
   * An object's controller reference or labels changed (or it appeared). If it names another DaemonSet than before,
   * that one looks again; an orphan not being deleted wakes every DaemonSet of its namespace that selects it, to
   * adopt it (getDaemonSetsForPod, getDaemonSetsForHistory). Returns the key of its DaemonSet, if any.
   */
  private ownersChanged(old: Pod | ControllerRevision | undefined, obj: Pod | ControllerRevision, ctx: TraceContext): string | undefined {
    const key = this.ownerKey(obj);
    // Frozen versions share the references and labels they did not change (nearly every event: status).
    const sameRefs = old !== undefined && old.metadata.ownerReferences === obj.metadata.ownerReferences;
    if (old !== undefined && !sameRefs) {
      const oldKey = this.ownerKey(old);
      if (oldKey !== undefined && oldKey !== key) this.enqueue(oldKey, ctx);
    }
    if (key !== undefined || controllerRef(obj) || obj.metadata.deletionTimestamp) return key;
    if (sameRefs && old!.metadata.labels === obj.metadata.labels) return undefined;
    const labels = obj.metadata.labels ?? {};
    for (const k of this.dsKeyByUid.values()) {
      const ds = this.daemonSets.get(k);
      if (ds && ds.metadata.namespace === obj.metadata.namespace && compileSelector(ds.spec.selector).matches(labels)) this.enqueue(k, ctx);
    }
    return undefined;
  }

  private podChanged(old: Pod | undefined, pod: Pod, ctx: TraceContext): void {
    if (this.dsKeyByUid.size === 0) return;
    const key = this.ownersChanged(old, pod, ctx);
    if (key === undefined) return;
    if (old === undefined) this.expectations.creationObserved(key);
    else if (pod.metadata.deletionTimestamp) this.expectations.deletionObserved(key, objectKey(pod));
    this.enqueue(key, ctx);
    // A pod that became ready turns available minReadySeconds later: look again then.
    const minReady = this.daemonSets.get(key)?.spec.minReadySeconds ?? 0;
    if (minReady > 0 && isPodReady(pod)) this.queue.addAfter(key, minReady * 1000 + 1000, ctx);
  }

  private podDeleted(pod: Pod, ctx: TraceContext): void {
    if (this.dsKeyByUid.size === 0) return;
    const ref = daemonSetRef(pod);
    if (ref === undefined) return;
    const key = this.dsKeyByUid.get(ref.uid);
    if (key === undefined) return;
    this.expectations.deletionObserved(key, objectKey(pod));
    this.enqueue(key, ctx);
  }

  /** Only a change of labels, taints or the spec can change which nodes should run daemon pods (shouldIgnoreNodeUpdate). */
  private nodeUpdated(old: Node, node: Node, ctx: TraceContext): void {
    if (this.dsKeyByUid.size === 0) return;
    if (old.spec === node.spec && old.metadata.labels === node.metadata.labels) return;
    if (deepEqual(old.spec, node.spec) && deepEqual(old.metadata.labels, node.metadata.labels)) return;
    for (const key of this.dsKeyByUid.values()) {
      const ds = this.daemonSets.get(key);
      if (!ds) continue;
      const a = nodeShouldRunDaemonPod(old, ds);
      const b = nodeShouldRunDaemonPod(node, ds);
      if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) this.enqueue(key, ctx);
    }
  }

  private enqueueAll(ctx: TraceContext): void {
    for (const key of this.dsKeyByUid.values()) this.enqueue(key, ctx);
  }

  private revisionChanged(old: ControllerRevision | undefined, cr: ControllerRevision, ctx: TraceContext): void {
    if (this.dsKeyByUid.size === 0) return;
    const key = this.ownersChanged(old, cr, ctx);
    if (key !== undefined) this.enqueue(key, ctx);
  }

  protected reconcile: ReconcileFn = (key, ctx, finish) => {
    const ds = this.daemonSets.get(key);
    if (!ds) {
      this.expectations.delete(key);
      return finish();
    }
    // Being deleted: the garbage collector removes its pods and revisions.
    if (ds.metadata.deletionTimestamp) return finish();
    if (!this.nodes.hasSynced() || !this.revisions.hasSynced()) return finish({ requeueAfterMs: 1000 });
    new DaemonSetSync(this, ds, key, ctx, finish).run();
  };

  // ------------------------------------------------------------------ what DaemonSetSync reads and does

  /**
   * @internal The DaemonSet's pods (not finished-and-deleted) by the node they are for (getNodesToDaemonPods);
   * `claimed`: what this sync's claim adopted and released, which the cache may not show yet.
   */
  podsByNode(ds: DaemonSet, claimed?: ClaimResult<Pod>): Map<string, Pod[]> {
    const out = new Map<string, Pod[]>();
    const uid = ds.metadata.uid!;
    let pods = this.podsByOwner.dependents(uid);
    if (claimed) pods = controlledAfterClaim(pods.filter((p) => daemonSetRef(p)?.uid === uid), claimed, this.pods, uid);
    for (const pod of pods) {
      if (daemonSetRef(pod)?.uid !== uid) continue;
      const phase = pod.status?.phase;
      if (pod.metadata.deletionTimestamp && (phase === 'Succeeded' || phase === 'Failed')) continue;
      const node = targetNodeName(pod);
      if (node === undefined) continue;
      let list = out.get(node);
      if (!list) out.set(node, (list = []));
      list.push(pod);
    }
    return out;
  }

  /** @internal */
  nodeList(): Node[] {
    return this.nodes.list().sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  }

  /** @internal The DaemonSet's ControllerRevisions; `claimed` as for podsByNode. */
  history(ds: DaemonSet, claimed?: ClaimResult<ControllerRevision>): ControllerRevision[] {
    const uid = ds.metadata.uid!;
    return controlledAfterClaim(this.revisionsByOwner.dependents(uid).filter((cr) => daemonSetRef(cr)?.uid === uid), claimed, this.revisions, uid);
  }

  /**
   * @internal claimPods or claimControllerRevisions (ControllerRefManager) for `ds`, not being deleted: `done` gets
   * what it adopted and released, or nothing when there was nothing to claim (nearly always: then no request).
   */
  claimPods(ds: DaemonSet, ctx: TraceContext, done: (result: ClaimResult<Pod> | undefined) => void): void {
    this.claim(this.podClaims, PODS, ds, ctx, done);
  }

  /** @internal */
  claimRevisions(ds: DaemonSet, ctx: TraceContext, done: (result: ClaimResult<ControllerRevision> | undefined) => void): void {
    this.claim(this.revisionClaims, REVISIONS, ds, ctx, done);
  }

  private claim<T extends Pod | ControllerRevision>(index: ClaimIndex<T>, target: ClaimTarget, ds: DaemonSet, ctx: TraceContext, done: (result: ClaimResult<T> | undefined) => void): void {
    const plan = index.plan(ds, compileSelector(ds.spec.selector));
    if (plan.adopt.length === 0 && plan.release.length === 0) return done(undefined);
    claim(this.cc, this.name, ds, target, plan, ctx, done);
  }

  /** @internal One expectation record for a sync's creations and deletions (SetExpectations). */
  expect(key: string, creations: number, deletions: readonly Pod[]): void {
    this.expectations.expect(key, creations, deletions.map(objectKey));
  }

  /** @internal */
  satisfied(key: string): boolean {
    return this.expectations.satisfied(key);
  }

  /** @internal The failed-pod back-off of a node: the delay to wait, or 0 (and the next delay recorded). */
  failedPodBackoff(ds: DaemonSet, node: string): number {
    const k = `${ds.metadata.uid}/${node}`;
    const now = this.cc.clock.now();
    const b = this.backoff.get(k);
    if (b && now - b.at < b.delayMs) return b.at + b.delayMs - now;
    const delayMs = b ? Math.min(MAX_FAILED_POD_BACKOFF_MS, b.delayMs * 2) : FAILED_POD_BACKOFF_MS;
    this.backoff.set(k, { delayMs, at: now });
    return 0;
  }

  /** @internal */
  now(): number {
    return this.cc.clock.wallMs();
  }

  /** @internal */
  decideFor(ctx: TraceContext, ds: DaemonSet, summary: string, detail?: Record<string, unknown>): TraceContext {
    return this.decide(ctx, { resource: 'daemonsets', namespace: ds.metadata.namespace, name: ds.metadata.name! }, summary, detail);
  }

  /** @internal */
  recordEvent(ds: DaemonSet, type: 'Normal' | 'Warning', reason: string, note: string, ctx: TraceContext): void {
    if (this.cc.options.events) this.events.record(ds, type, reason, note, ctx);
  }

  /** @internal */
  request(req: Parameters<ControllerContext['client']['request']>[0], ctx: TraceContext, done: Parameters<ControllerContext['client']['request']>[2]): void {
    this.cc.client.request(req, ctx, done);
  }

  /** @internal Create one pod per node (slow-start batches), with the revision's labels and the node affinity. */
  createPods(ds: DaemonSet, key: string, nodes: readonly string[], hash: string, ctx: TraceContext, done: (error?: string) => void): void {
    const count = Math.min(nodes.length, BURST);
    if (count === 0) return done();
    const template = ds.spec.template;
    const generation = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
    const labels: Record<string, string> = { ...template.metadata?.labels, ...(generation ? { [TEMPLATE_GENERATION_LABEL]: generation } : {}), [REVISION_HASH_LABEL]: hash };
    const tolerations = daemonPodTolerations(template.spec);
    let firstError: string | undefined;
    let attempted = 0;
    slowStartBatch(count, 1, (i, ok) => {
      attempted++;
      const pod = podFromTemplate(template, ds, `${ds.metadata.name}-`);
      pod.metadata.labels = { ...labels };
      pod.spec = { ...template.spec, tolerations, affinity: nodeNameAffinity(template.spec.affinity, nodes[i]) };
      this.cc.client.request({ verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: ds.metadata.namespace, body: pod }, ctx, (res, rctx) => {
        if (res.code === 201) {
          this.recordEvent(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${(res.body as Pod).metadata.name}`, rctx);
          return ok(true);
        }
        this.expectations.creationObserved(key);
        firstError ??= message(res);
        this.recordEvent(ds, 'Warning', 'FailedCreate', `Error creating: ${message(res)}`, rctx);
        ok(false);
      });
    }, () => {
      for (let i = attempted; i < count; i++) this.expectations.creationObserved(key);
      done(firstError);
    });
  }

  /** @internal */
  deletePods(ds: DaemonSet, key: string, pods: readonly Pod[], ctx: TraceContext, done: (error?: string) => void): void {
    if (pods.length === 0) return done();
    let pending = pods.length;
    let firstError: string | undefined;
    for (const pod of pods) {
      this.cc.client.request({ verb: 'delete', apiVersion: 'v1', resource: 'pods', namespace: pod.metadata.namespace, name: pod.metadata.name }, ctx, (res, rctx) => {
        if (res.code === 200 || res.code === 202) this.recordEvent(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, rctx);
        else {
          this.expectations.deletionObserved(key, objectKey(pod));
          if (res.code !== 404) firstError ??= message(res);
        }
        if (--pending === 0) done(firstError);
      });
    }
  }
}

/** One reconcile of one DaemonSet: the history, manage or roll, clean the history, the status. */
class DaemonSetSync {
  private readonly ns: string;
  private hash = '';
  /** What this sync's claims adopted and released, when they did anything. */
  private claimedPods?: ClaimResult<Pod>;
  private claimedRevisions?: ClaimResult<ControllerRevision>;

  constructor(
    private readonly dc: DaemonSetController,
    private ds: DaemonSet,
    private readonly key: string,
    private readonly ctx: TraceContext,
    private readonly finish: Finish,
  ) {
    this.ns = splitKey(key)[0]!;
  }

  run(): void {
    // controlledHistories: claim the ControllerRevisions before reading the history.
    this.dc.claimRevisions(this.ds, this.ctx, (revisions) => {
      if (revisions?.error) return this.finish({ error: revisions.error });
      this.claimedRevisions = revisions;
      this.constructHistory((cur, old, error) => {
        if (!cur) return this.finish({ error: error ?? 'no current revision' });
        this.hash = cur.metadata.labels?.[REVISION_HASH_LABEL] ?? cur.metadata.name!;
        // getDaemonPods: claim the pods before anything counts them.
        this.dc.claimPods(this.ds, this.ctx, (pods) => {
          if (pods?.error) return this.finish({ error: pods.error });
          this.claimedPods = pods;
          this.sync(old);
        });
      });
    });
  }

  private sync(old: ControllerRevision[]): void {
    if (!this.dc.satisfied(this.key)) return this.updateStatus(false, undefined);
    this.manage((acted, requeueMs, merr) => {
      if (merr) return this.updateStatus(true, merr, requeueMs);
      const roll = !acted && this.dc.satisfied(this.key) && this.ds.spec.updateStrategy?.type !== 'OnDelete';
      const next = (rerr?: string) => this.cleanupHistory(old, () => this.updateStatus(true, rerr, requeueMs));
      if (roll) this.rollingUpdate(next);
      else next();
    });
  }

  private podsByNode(): Map<string, Pod[]> {
    return this.dc.podsByNode(this.ds, this.claimedPods);
  }

  // ------------------------------------------------------------------ history

  private constructHistory(done: (cur: ControllerRevision | undefined, old: ControllerRevision[], error?: string) => void): void {
    const ds = this.ds;
    const data = historyPatch(ds.spec.template);
    const want = patchKey(data);
    const current: ControllerRevision[] = [];
    const old: ControllerRevision[] = [];
    for (const cr of this.dc.history(ds, this.claimedRevisions)) (patchKey(cr.data) === want ? current : old).push(cr);
    const nextRevision = old.reduce((m, cr) => Math.max(m, cr.revision ?? 0), 0) + 1;
    if (current.length === 0) return this.snapshot(data, nextRevision, (cur, error) => done(cur, old, error));
    // dedupCurHistories: keep the newest of equal revisions.
    current.sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0));
    const cur = current[0];
    for (const dup of current.slice(1)) this.dc.request({ verb: 'delete', apiVersion: 'apps/v1', resource: 'controllerrevisions', namespace: this.ns, name: dup.metadata.name }, this.ctx, () => undefined);
    if ((cur.revision ?? 0) >= nextRevision) return done(cur, old);
    // A rollback to an old revision makes it the newest.
    const dctx = this.dc.decideFor(this.ctx, ds, `DaemonSet ${this.key}: revision ${cur.metadata.name} becomes revision ${nextRevision}`);
    this.dc.request({ verb: 'update', apiVersion: 'apps/v1', resource: 'controllerrevisions', namespace: this.ns, name: cur.metadata.name, body: { ...cur, revision: nextRevision } }, dctx, (res) => {
      if (res.code !== 200) return done(undefined, old, message(res));
      done(res.body as ControllerRevision, old);
    });
  }

  /** snapshot: a new ControllerRevision `<ds>-<hash>`; a name taken by another template bumps status.collisionCount. */
  private snapshot(data: Record<string, unknown>, revision: number, done: (cur: ControllerRevision | undefined, error?: string) => void): void {
    const ds = this.ds;
    const hash = computeHash(ds.spec.template, ds.status?.collisionCount);
    const name = `${ds.metadata.name!.slice(0, 223)}-${hash}`;
    const body: ControllerRevision = {
      apiVersion: 'apps/v1', kind: 'ControllerRevision',
      metadata: {
        name, namespace: this.ns,
        labels: { ...ds.spec.template.metadata?.labels, [REVISION_HASH_LABEL]: hash },
        ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name!, uid: ds.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      data, revision,
    };
    const dctx = this.dc.decideFor(this.ctx, ds, `DaemonSet ${this.key}: new revision ${revision} (${name})`, { revision, hash });
    this.dc.request({ verb: 'create', apiVersion: 'apps/v1', resource: 'controllerrevisions', namespace: this.ns, body }, dctx, (res, rctx) => {
      if (res.code === 201) return done(res.body as ControllerRevision);
      if (res.code !== 409) return done(undefined, message(res));
      this.dc.request({ verb: 'get', apiVersion: 'apps/v1', resource: 'controllerrevisions', namespace: this.ns, name }, rctx, (gres, gctx) => {
        const existing = gres.code === 200 ? (gres.body as ControllerRevision) : undefined;
        if (existing && daemonSetRef(existing)?.uid === ds.metadata.uid && patchKey(existing.data) === patchKey(data)) return done(existing);
        // A hash collision: count it in the status, so that the next hash differs.
        const status = { ...this.baseStatus(), collisionCount: (ds.status?.collisionCount ?? 0) + 1 };
        this.dc.request({ verb: 'update', apiVersion: 'apps/v1', resource: 'daemonsets', namespace: this.ns, name: ds.metadata.name, subresource: 'status', body: { ...ds, status } }, gctx, () => {
          done(undefined, `found a stale revision ${name} for DaemonSet ${this.key}, collisionCount now ${status.collisionCount}`);
        });
      });
    });
  }

  /** cleanupHistory: old revisions beyond revisionHistoryLimit, oldest first, unless a pod still has their hash. */
  private cleanupHistory(old: ControllerRevision[], done: () => void): void {
    let toKill = old.length - (this.ds.spec.revisionHistoryLimit ?? 10);
    if (toKill <= 0) return done();
    const live = new Set<string>();
    for (const pods of this.podsByNode().values()) for (const p of pods) if (p.metadata.labels?.[REVISION_HASH_LABEL]) live.add(p.metadata.labels[REVISION_HASH_LABEL]);
    const victims: ControllerRevision[] = [];
    for (const cr of [...old].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0))) {
      if (toKill <= 0) break;
      if (live.has(cr.metadata.labels?.[REVISION_HASH_LABEL] ?? '')) continue;
      victims.push(cr);
      toKill--;
    }
    if (victims.length === 0) return done();
    let pending = victims.length;
    for (const cr of victims) {
      this.dc.request({ verb: 'delete', apiVersion: 'apps/v1', resource: 'controllerrevisions', namespace: this.ns, name: cr.metadata.name }, this.ctx, () => {
        if (--pending === 0) done();
      });
    }
  }

  // ------------------------------------------------------------------ manage

  /** manage (podsShouldBeOnNode for every node, then syncNodes): `acted` when it created or deleted pods. */
  private manage(done: (acted: boolean, requeueMs: number | undefined, error?: string) => void): void {
    const ds = this.ds;
    const byNode = this.podsByNode();
    const surge = rollingLimits(ds, 1).maxSurge > 0; // util.AllowsSurge
    const create: string[] = [];
    const remove: Pod[] = [];
    let requeueMs: number | undefined;
    const seen = new Set<string>();
    for (const node of this.dc.nodeList()) {
      const name = node.metadata.name!;
      seen.add(name);
      const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
      const pods = byNode.get(name) ?? [];
      if (shouldRun && pods.length === 0) {
        create.push(name);
      } else if (shouldContinueRunning) {
        const running: Pod[] = [];
        for (const pod of pods) {
          if (pod.metadata.deletionTimestamp) continue;
          const phase = pod.status?.phase;
          if (phase === 'Failed') {
            const wait = this.dc.failedPodBackoff(ds, name);
            if (wait > 0) {
              requeueMs = Math.min(requeueMs ?? wait, wait);
              continue;
            }
            this.dc.recordEvent(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${name}, will try to kill it`, this.ctx);
            remove.push(pod);
          } else if (phase === 'Succeeded') {
            remove.push(pod);
          } else running.push(pod);
        }
        running.sort(byCreation);
        if (!surge) remove.push(...running.slice(1));
        else {
          // Two pods only while the new one is not ready and the old one is.
          let oldestNew: Pod | undefined;
          let oldestOld: Pod | undefined;
          for (const pod of running) {
            const isNew = pod.metadata.labels?.[REVISION_HASH_LABEL] === this.hash;
            if (isNew && !oldestNew) oldestNew = pod;
            else if (!isNew && !oldestOld) oldestOld = pod;
            else remove.push(pod);
          }
          if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodReady(oldestNew))) remove.push(oldestOld);
        }
      } else {
        for (const pod of pods) if (!pod.metadata.deletionTimestamp) remove.push(pod);
      }
    }
    // Pods for nodes that no longer exist.
    for (const [name, pods] of byNode) if (!seen.has(name)) for (const pod of pods) if (!pod.metadata.deletionTimestamp) remove.push(pod);
    if (create.length === 0 && remove.length === 0) return done(false, requeueMs);
    this.syncNodes(remove, create, (error) => done(true, requeueMs, error));
  }

  private syncNodes(remove: Pod[], create: string[], done: (error?: string) => void): void {
    const ds = this.ds;
    const dctx = this.dc.decideFor(this.ctx, ds, `DaemonSet ${this.key}: ${create.length ? `creating ${create.length} pod${create.length === 1 ? '' : 's'} (${create.join(', ')})` : ''}${create.length && remove.length ? ', ' : ''}${remove.length ? `deleting ${remove.length} (${remove.map((p) => p.metadata.name).join(', ')})` : ''}`, {
      create, delete: remove.map((p) => p.metadata.name),
    });
    this.dc.expect(this.key, Math.min(create.length, BURST), remove);
    this.dc.deletePods(ds, this.key, remove, dctx, (derr) => {
      this.dc.createPods(ds, this.key, create, this.hash, dctx, (cerr) => done(derr ?? cerr));
    });
  }

  // ------------------------------------------------------------------ rolling update

  private rollingUpdate(done: (error?: string) => void): void {
    const ds = this.ds;
    const byNode = this.podsByNode();
    const nodes = this.dc.nodeList();
    let desired = 0;
    const shouldRun = new Map<string, boolean>();
    for (const node of nodes) {
      const r = nodeShouldRunDaemonPod(node, ds).shouldRun;
      shouldRun.set(node.metadata.name!, r);
      if (r) desired++;
    }
    const { maxSurge, maxUnavailable } = rollingLimits(ds, desired);
    const now = this.dc.now();
    const minReady = ds.spec.minReadySeconds ?? 0;
    const generation = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
    const names = [...byNode.keys()].sort();
    const split = (pods: Pod[]): { newPod?: Pod; oldPod?: Pod; ok: boolean } => {
      let newPod: Pod | undefined;
      let oldPod: Pod | undefined;
      for (const pod of pods) {
        if (pod.metadata.deletionTimestamp) continue;
        if (isPodUpdated(pod, this.hash, generation)) {
          if (newPod) return { ok: false };
          newPod = pod;
        } else {
          if (oldPod) return { ok: false };
          oldPod = pod;
        }
      }
      return { newPod, oldPod, ok: true };
    };
    if (maxSurge === 0) {
      let unavailable = 0;
      const replace: Pod[] = [];
      const candidates: Pod[] = [];
      for (const name of names) {
        const { newPod, oldPod, ok } = split(byNode.get(name)!);
        if (!ok || (!oldPod && !newPod) || (oldPod && newPod)) {
          unavailable++;
        } else if (newPod) {
          if (!isPodAvailable(newPod, minReady, now)) unavailable++;
        } else if (oldPod) {
          if (!isPodAvailable(oldPod, minReady, now)) replace.push(oldPod);
          else if (unavailable < maxUnavailable) candidates.push(oldPod);
        }
      }
      const room = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.length));
      const victims = [...replace, ...candidates.slice(0, room)];
      if (victims.length === 0) return done();
      this.dc.decideFor(this.ctx, ds, `DaemonSet ${this.key}: rolling update, ${unavailable} unavailable of at most ${maxUnavailable}: replacing ${victims.length} old pod${victims.length === 1 ? '' : 's'}`, { maxUnavailable, unavailable });
      return this.syncNodes(victims, [], done);
    }
    // Surge: a new pod beside each old one (at most maxSurge at once), the old one deleted once the new is available.
    let surged = 0;
    const oldToDelete: Pod[] = [];
    const allowed: string[] = [];
    const candidates: string[] = [];
    for (const name of names) {
      const { newPod, oldPod, ok } = split(byNode.get(name)!);
      if (!ok) {
        surged++;
        continue;
      }
      if (!oldPod) continue;
      if (!newPod) {
        if (!isPodAvailable(oldPod, minReady, now)) {
          if (shouldRun.get(name)) allowed.push(name);
          else oldToDelete.push(oldPod);
        } else if (surged < maxSurge) candidates.push(name);
      } else if (!isPodAvailable(newPod, minReady, now)) surged++;
      else oldToDelete.push(oldPod);
    }
    const room = Math.max(0, Math.min(maxSurge - surged, candidates.length));
    const create = [...allowed, ...candidates.slice(0, room)];
    if (create.length === 0 && oldToDelete.length === 0) return done();
    this.syncNodes(oldToDelete, create, done);
  }

  // ------------------------------------------------------------------ status

  private baseStatus(): DaemonSetStatus {
    return { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0, ...this.ds.status };
  }

  /** updateDaemonSetStatus: counts per node; observedGeneration only after a full sync. */
  private updateStatus(observed: boolean, error: string | undefined, requeueMs?: number): void {
    const ds = this.ds;
    const byNode = this.podsByNode();
    const now = this.dc.now();
    const minReady = ds.spec.minReadySeconds ?? 0;
    const generation = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
    let desired = 0;
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let available = 0;
    let updated = 0;
    for (const node of this.dc.nodeList()) {
      const pods = byNode.get(node.metadata.name!);
      const scheduled = !!pods && pods.length > 0;
      if (!nodeShouldRunDaemonPod(node, ds).shouldRun) {
        if (scheduled) misscheduled++;
        continue;
      }
      desired++;
      if (!scheduled) continue;
      current++;
      const pod = [...pods].sort(byCreation)[0];
      if (isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, minReady, now)) available++;
      }
      if (isPodUpdated(pod, this.hash, generation)) updated++;
    }
    const prev = ds.status;
    const status: DaemonSetStatus = {
      ...prev,
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: desired,
      numberReady: ready,
      observedGeneration: observed ? ds.metadata.generation : prev?.observedGeneration,
      updatedNumberScheduled: updated,
      numberAvailable: available,
      numberUnavailable: desired - available,
    };
    // Zero counters upstream omits (omitempty); the four required ones stay.
    for (const k of ['updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'observedGeneration', 'collisionCount'] as const) if (!status[k]) delete status[k];
    const after = (werr?: string) => {
      const err = error ?? werr;
      if (err) return this.finish({ error: err });
      const waits: number[] = [];
      if (requeueMs !== undefined) waits.push(requeueMs);
      if (minReady > 0 && ready !== available) waits.push(minReady * 1000);
      this.finish(waits.length ? { requeueAfterMs: Math.max(1, Math.min(...waits)) } : undefined);
    };
    if (deepEqual(prev, status)) return after();
    this.dc.request({ verb: 'update', apiVersion: 'apps/v1', resource: 'daemonsets', namespace: this.ns, name: ds.metadata.name, subresource: 'status', body: { ...ds, status } }, this.ctx, (res) => {
      if (res.code === 200) this.ds = res.body as DaemonSet;
      after(res.code === 200 ? undefined : message(res));
    });
  }
}
