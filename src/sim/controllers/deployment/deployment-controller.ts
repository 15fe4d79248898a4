/**
 * The Deployment controller (pkg/controller/deployment): owns ReplicaSets, one per pod template.
 * A sync finds the ReplicaSet whose template matches the Deployment's (ignoring pod-template-hash)
 * — creating "<deployment>-<hash>" when there is none — gives it the next revision, then takes one
 * step of the strategy: RollingUpdate scales the new ReplicaSet up within maxSurge and the old ones
 * down while keeping replicas − maxUnavailable available; Recreate scales the old ones to zero first.
 * Each write changes a ReplicaSet, whose watch event brings the Deployment back for the next step.
 * Once complete, old ReplicaSets beyond revisionHistoryLimit are deleted. Status carries the
 * counts and the Available and Progressing conditions.
 */
import type { TraceContext } from '../../log';
import type { Informer } from '../../api/informer';
import type { Deployment, Pod, ReplicaSet } from '../../api/types';
import { objectKey } from '../../api/informer';
import { message, QueueController, type ControllerContext } from '../context';
import { OwnerIndex, sharedPodsByOwner } from '../owner-index';
import { controllerRef } from '../pods';
import { ObjectEventRecorder } from '../events';
import type { ReconcileFn, ReconcileResult } from '../workqueue/workqueue';
import {
  calculateDeploymentStatus, computeHash, deploymentComplete, deploymentProgressing, equalIgnoreHash, getCondition,
  maxRevision, newRSNewReplicas, olderFirst, planOldScaleDown, POD_TEMPLATE_HASH, replicaSetAnnotations, resolveFenceposts,
  revisionOf, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, setCondition, specReplicas, sumSpec,
  type DeploymentStatus,
} from './util';
import { deepEqual } from '../../apiserver/objects';
import { claim, ClaimIndex, type ClaimTarget } from '../claims';
import { compileSelector } from '../selectors';

const REPLICA_SETS: ClaimTarget = { apiVersion: 'apps/v1', resource: 'replicasets', noun: 'ReplicaSet' };

type Done = (result?: ReconcileResult) => void;

export class DeploymentController extends QueueController {
  private readonly deployments: Informer<Deployment>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly rsByOwner: OwnerIndex<ReplicaSet>;
  /** Pods by ReplicaSet uid: Recreate waits until no old pod is left running. */
  private readonly podsByOwner: OwnerIndex<Pod>;
  private readonly pods: Informer<Pod>;
  private readonly rsByUid = new Map<string, ReplicaSet>();
  /** Orphaned ReplicaSets to adopt and ReplicaSets to release (ControllerRefManager). */
  private readonly claims: ClaimIndex<ReplicaSet>;
  private readonly deploymentKeyByUid = new Map<string, string>();
  private readonly events: ObjectEventRecorder;
  private epochOfTimestamps: number | undefined;

  constructor(cc: ControllerContext) {
    super(cc, 'deployment-controller');
    this.events = new ObjectEventRecorder(cc.clock, cc.client, 'deployment-controller', cc.host);
    this.deployments = cc.informers.get<Deployment>('apps/v1', 'deployments');
    this.replicaSets = cc.informers.get<ReplicaSet>('apps/v1', 'replicasets');
    this.rsByOwner = new OwnerIndex<ReplicaSet>(this.replicaSets);
    this.claims = new ClaimIndex<ReplicaSet>(this.replicaSets, (uid) => {
      const key = this.deploymentKeyByUid.get(uid);
      const d = key === undefined ? undefined : this.deployments.get(key);
      return d ? compileSelector(d.spec.selector) : undefined;
    });
    this.deployments.addHandlers({
      onAdd: (d, ctx) => {
        this.deploymentKeyByUid.set(d.metadata.uid!, objectKey(d));
        this.claims.recheck(d.metadata.uid!, this.rsByOwner.dependents(d.metadata.uid));
        this.enqueue(objectKey(d), ctx);
      },
      onUpdate: (_o, d, ctx) => this.enqueue(objectKey(d), ctx),
      onDelete: (d, ctx) => {
        this.deploymentKeyByUid.delete(d.metadata.uid!);
        this.enqueue(objectKey(d), ctx);
      },
    });
    const owner = (rs: ReplicaSet, ctx: TraceContext) => {
      const ref = controllerRef(rs);
      if (ref?.kind === 'Deployment') this.enqueue(`${rs.metadata.namespace}/${ref.name}`, ctx);
      else if (!ref && !rs.metadata.deletionTimestamp) {
        // An orphan: every Deployment of its namespace that selects it may want to adopt it.
        for (const d of this.deployments.list()) {
          if (d.metadata.namespace === rs.metadata.namespace && compileSelector(d.spec.selector).matches(rs.metadata.labels ?? {})) this.enqueue(objectKey(d), ctx);
        }
      }
    };
    this.pods = cc.informers.get<Pod>('v1', 'pods');
    this.podsByOwner = sharedPodsByOwner(cc.informers);
    this.pods.addHandlers({
      onDelete: (p, ctx) => {
        // The last old pod of a Recreate rollout is gone: the new ReplicaSet may scale up.
        const rs = this.rsByUid.get(controllerRef(p)?.uid ?? '');
        const ref = rs && controllerRef(rs);
        if (ref?.kind !== 'Deployment') return;
        const key = `${rs!.metadata.namespace}/${ref.name}`;
        if (this.deployments.get(key)?.spec.strategy?.type === 'Recreate') this.enqueue(key, ctx);
      },
    });
    this.replicaSets.addHandlers({
      onAdd: (rs, ctx) => {
        this.rsByUid.set(rs.metadata.uid!, rs);
        this.rsByOwner.add(rs);
        this.claims.add(rs);
        owner(rs, ctx);
      },
      onUpdate: (old, rs, ctx) => {
        this.rsByUid.set(rs.metadata.uid!, rs);
        this.rsByOwner.update(old, rs);
        this.claims.update(old, rs);
        owner(rs, ctx);
        if (controllerRef(old)?.uid !== controllerRef(rs)?.uid) owner(old, ctx);
      },
      onDelete: (rs, ctx) => {
        this.rsByUid.delete(rs.metadata.uid!);
        this.rsByOwner.delete(rs);
        this.claims.delete(rs);
        owner(rs, ctx);
      },
    });
  }

  override stop(): void {
    super.stop();
    this.rsByOwner.clear();
    this.rsByUid.clear();
    this.claims.clear();
    this.deploymentKeyByUid.clear();
  }

  private ref(d: Deployment) {
    return { resource: 'deployments', namespace: d.metadata.namespace, name: d.metadata.name! };
  }

  protected reconcile: ReconcileFn = (key, ctx, finish) => {
    const d = this.deployments.get(key);
    if (!d || d.metadata.deletionTimestamp) return finish();
    const owned = () => this.rsByOwner.dependents(d.metadata.uid);
    // getReplicaSetsForDeployment: adopt the orphans it selects, release what it no longer selects (nearly always neither).
    const plan = this.claims.plan(d, compileSelector(d.spec.selector));
    if (plan.adopt.length === 0 && plan.release.length === 0) return this.syncWith(d, owned(), ctx, finish);
    claim(this.cc, this.name, d, REPLICA_SETS, plan, ctx, (result) => {
      if (result.error) return finish({ error: result.error });
      // This sync's ReplicaSets are what it claimed, whether or not its informer has seen the patches yet.
      const released = new Set(result.released.map(objectKey));
      const claimed = new Map<string, ReplicaSet>();
      for (const rs of owned()) if (!released.has(objectKey(rs))) claimed.set(objectKey(rs), rs);
      for (const rs of result.adopted) claimed.set(objectKey(rs), rs);
      this.syncWith(d, [...claimed.values()], ctx, finish);
    });
  };

  /** One step of the Deployment's strategy over the ReplicaSets it controls. */
  private syncWith(d: Deployment, controlled: ReplicaSet[], ctx: TraceContext, finish: Done): void {
    const rss = controlled.filter((rs) => !rs.metadata.deletionTimestamp);
    const newRS = rss.find((rs) => templateMatches(rs, d));
    const olds = rss.filter((rs) => rs !== newRS);
    if (d.spec.paused) return this.syncStatus(d, rss, newRS, ctx, finish);
    if (!newRS) return this.createNewReplicaSet(d, olds, ctx, finish);
    // The new ReplicaSet must carry the highest revision (it may be an old template rolled back to).
    const maxOld = maxRevision(olds);
    if (revisionOf(newRS) <= maxOld) return this.bumpRevision(d, newRS, maxOld + 1, ctx, finish);
    if (d.metadata.annotations?.[REVISION] !== String(revisionOf(newRS))) return this.setDeploymentRevision(d, revisionOf(newRS), ctx, finish);
    if (d.spec.strategy?.type === 'Recreate') return this.recreateStep(d, rss, newRS, olds, ctx, finish);
    this.rollingStep(d, rss, newRS, olds, ctx, finish);
  };

  private rollingStep(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet, olds: ReplicaSet[], ctx: TraceContext, finish: Done): void {
    const replicas = d.spec.replicas ?? 1;
    // reconcileNewReplicaSet
    if (specReplicas(newRS) !== replicas) {
      const target = specReplicas(newRS) > replicas ? replicas : newRSNewReplicas(d, all, newRS);
      if (target !== specReplicas(newRS)) return this.scale(d, newRS, target, ctx, (err) => this.afterWrite(d, err, ctx, finish));
    }
    // reconcileOldReplicaSets
    const plan = planOldScaleDown(d, all, olds, newRS);
    if (plan.size > 0) return this.scaleMany(d, plan, ctx, (err) => this.afterWrite(d, err, ctx, finish));
    const status = calculateDeploymentStatus(d, all, newRS, this.cc.clock.iso());
    if (deploymentComplete(d, status)) return this.cleanup(d, olds, ctx, () => this.syncStatus(d, all, newRS, ctx, finish));
    this.syncStatus(d, all, newRS, ctx, finish);
  }

  private recreateStep(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet, olds: ReplicaSet[], ctx: TraceContext, finish: Done): void {
    const active = olds.filter((rs) => specReplicas(rs) > 0);
    if (active.length > 0) {
      return this.scaleMany(d, new Map(active.map((rs) => [rs, 0])), ctx, (err) => this.afterWrite(d, err, ctx, finish));
    }
    // oldPodsRunning: wait until every old pod is gone (terminating ones too) or finished.
    const running = (rs: ReplicaSet) => (rs.status?.replicas ?? 0) > 0 ||
      this.podsByOwner.dependents(rs.metadata.uid).some((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    if (olds.some(running)) return this.syncStatus(d, all, newRS, ctx, finish);
    const replicas = d.spec.replicas ?? 1;
    if (specReplicas(newRS) !== replicas) return this.scale(d, newRS, replicas, ctx, (err) => this.afterWrite(d, err, ctx, finish));
    const status = calculateDeploymentStatus(d, all, newRS, this.cc.clock.iso());
    if (deploymentComplete(d, status)) return this.cleanup(d, olds, ctx, () => this.syncStatus(d, all, newRS, ctx, finish));
    this.syncStatus(d, all, newRS, ctx, finish);
  }

  /** After a scaling write: report progress in the status; the ReplicaSet's event brings us back. */
  private afterWrite(d: Deployment, err: string | undefined, ctx: TraceContext, finish: Done): void {
    if (err) return finish({ error: err });
    const key = objectKey(d);
    const fresh = this.deployments.get(key) ?? d;
    const rss = this.rsByOwner.dependents(fresh.metadata.uid);
    this.syncStatus(fresh, rss, rss.find((rs) => templateMatches(rs, fresh)), ctx, finish);
  }

  private createNewReplicaSet(d: Deployment, olds: ReplicaSet[], ctx: TraceContext, finish: Done): void {
    const collisionCount = d.status?.collisionCount;
    const hash = computeHash(d.spec.template, collisionCount);
    const name = `${d.metadata.name}-${hash}`;
    const revision = maxRevision(olds) + 1;
    const { maxSurge } = resolveFenceposts(d);
    const labels = { ...d.spec.template.metadata?.labels, [POD_TEMPLATE_HASH]: hash };
    const template = { ...d.spec.template, metadata: { ...d.spec.template.metadata, labels } };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: d.metadata.namespace,
        labels,
        annotations: replicaSetAnnotations(d, revision, maxSurge),
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name!, uid: d.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: {
        replicas: 0,
        minReadySeconds: d.spec.minReadySeconds ?? 0,
        selector: { ...d.spec.selector, matchLabels: { ...d.spec.selector.matchLabels, [POD_TEMPLATE_HASH]: hash } },
        template,
      },
    };
    const all = [...olds, rs];
    rs.spec.replicas = d.spec.strategy?.type === 'Recreate' && olds.some((o) => specReplicas(o) > 0) ? 0 : newRSNewReplicas(d, all, rs);
    const dctx = this.decide(ctx, this.ref(d), `new ReplicaSet ${d.metadata.namespace}/${name} (revision ${revision}) for Deployment ${objectKey(d)}`, { revision, hash, replicas: rs.spec.replicas });
    this.cc.client.request({ verb: 'create', apiVersion: 'apps/v1', resource: 'replicasets', namespace: d.metadata.namespace, body: rs }, dctx, (res, rctx) => {
      if (res.code === 409) {
        // A ReplicaSet of that name with another template: a hash collision. Bump collisionCount and retry.
        const existing = this.replicaSets.get(`${d.metadata.namespace}/${name}`);
        if (existing && equalIgnoreHash(existing.spec.template, d.spec.template)) return finish({ requeueAfterMs: 100 });
        const status: DeploymentStatus = { ...d.status, collisionCount: (collisionCount ?? 0) + 1 };
        return this.writeStatus(d, status, rctx, () => finish({ error: `replicaset ${name} already exists with a different template` }));
      }
      if (res.code !== 201) return finish({ error: message(res) });
      const created = res.body as ReplicaSet;
      if (this.cc.options.events && specReplicas(created) > 0) {
        this.events.record(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${name} from 0 to ${specReplicas(created)}`, rctx);
      }
      const status = calculateDeploymentStatus(d, all, created, this.cc.clock.iso());
      setCondition(status, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${name}"` }, this.cc.clock.iso());
      this.writeDeployment(d, revision, rctx, () => this.writeStatus(d, status, rctx, (err) => finish(err ? { error: err } : undefined)));
    });
  }

  /** Give a rolled-back-to ReplicaSet the newest revision, keeping the old number in revision-history. */
  private bumpRevision(d: Deployment, rs: ReplicaSet, revision: number, ctx: TraceContext, finish: Done): void {
    const old = rs.metadata.annotations?.[REVISION];
    const history = [rs.metadata.annotations?.[REVISION_HISTORY], old].filter((x) => x).join(',');
    const dctx = this.decide(ctx, this.ref(d), `ReplicaSet ${rs.metadata.name} becomes revision ${revision} of Deployment ${objectKey(d)}`, { from: old, to: revision });
    const body: ReplicaSet = { ...rs, metadata: { ...rs.metadata, annotations: { ...rs.metadata.annotations, [REVISION]: String(revision), ...(history ? { [REVISION_HISTORY]: history } : {}) } } };
    this.cc.client.request({ verb: 'update', apiVersion: 'apps/v1', resource: 'replicasets', namespace: rs.metadata.namespace, name: rs.metadata.name, body }, dctx, (res, rctx) => {
      if (res.code !== 200) return finish({ error: message(res) });
      this.writeDeployment(d, revision, rctx, (err) => finish(err ? { error: err } : undefined));
    });
  }

  private setDeploymentRevision(d: Deployment, revision: number, ctx: TraceContext, finish: Done): void {
    this.writeDeployment(d, revision, ctx, (err) => finish(err ? { error: err } : undefined));
  }

  /** Write the revision annotation on the Deployment (a metadata-only update). */
  private writeDeployment(d: Deployment, revision: number, ctx: TraceContext, done: (err?: string) => void): void {
    if (d.metadata.annotations?.[REVISION] === String(revision)) return done();
    const body: Deployment = { ...d, metadata: { ...d.metadata, annotations: { ...d.metadata.annotations, [REVISION]: String(revision) } } };
    this.cc.client.request({ verb: 'update', apiVersion: 'apps/v1', resource: 'deployments', namespace: d.metadata.namespace, name: d.metadata.name, body }, ctx, (res) => {
      done(res.code === 200 ? undefined : message(res));
    });
  }

  private scale(d: Deployment, rs: ReplicaSet, replicas: number, ctx: TraceContext, done: (err?: string) => void): void {
    this.scaleMany(d, new Map([[rs, replicas]]), ctx, done);
  }

  private scaleMany(d: Deployment, plan: Map<ReplicaSet, number>, ctx: TraceContext, done: (err?: string) => void): void {
    const { maxSurge } = resolveFenceposts(d);
    let pending = plan.size;
    let firstError: string | undefined;
    for (const [rs, replicas] of plan) {
      const from = specReplicas(rs);
      const direction = replicas > from ? 'up' : 'down';
      const summary = `Scaled ${direction} replica set ${rs.metadata.name} from ${from} to ${replicas}`;
      const dctx = this.decide(ctx, this.ref(d), summary, { replicaSet: rs.metadata.name, from, to: replicas });
      const body: ReplicaSet = {
        ...rs,
        metadata: { ...rs.metadata, annotations: { ...rs.metadata.annotations, [DESIRED_REPLICAS]: String(d.spec.replicas ?? 1), [MAX_REPLICAS]: String((d.spec.replicas ?? 1) + maxSurge) } },
        spec: { ...rs.spec, replicas },
      };
      this.cc.client.request({ verb: 'update', apiVersion: 'apps/v1', resource: 'replicasets', namespace: rs.metadata.namespace, name: rs.metadata.name, body }, dctx, (res, rctx) => {
        if (res.code === 200) {
          if (this.cc.options.events) this.events.record(d, 'Normal', 'ScalingReplicaSet', summary, rctx);
        } else firstError ??= message(res);
        if (--pending === 0) done(firstError);
      });
    }
  }

  /** cleanupDeployment: delete the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit. */
  private cleanup(d: Deployment, olds: ReplicaSet[], ctx: TraceContext, done: () => void): void {
    const limit = d.spec.revisionHistoryLimit;
    if (limit === undefined || limit === null) return done();
    const cleanable = olds.filter((rs) => specReplicas(rs) === 0 && (rs.status?.replicas ?? 0) === 0 && !rs.metadata.deletionTimestamp);
    const excess = cleanable.length - limit;
    if (excess <= 0) return done();
    const victims = cleanable.sort((a, b) => revisionOf(a) - revisionOf(b) || olderFirst(a, b)).slice(0, excess);
    const dctx = this.decide(ctx, this.ref(d), `cleaning up ${excess} old ReplicaSet(s) beyond revisionHistoryLimit ${limit}`, { replicaSets: victims.map((v) => v.metadata.name) });
    let pending = victims.length;
    for (const rs of victims) {
      this.cc.client.request({ verb: 'delete', apiVersion: 'apps/v1', resource: 'replicasets', namespace: rs.metadata.namespace, name: rs.metadata.name }, dctx, () => {
        if (--pending === 0) done();
      });
    }
  }

  private syncStatus(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined, ctx: TraceContext, finish: Done): void {
    const now = this.cc.clock.iso();
    const status = calculateDeploymentStatus(d, all, newRS, now);
    let requeue: number | undefined;
    if (newRS && !d.spec.paused) {
      const name = newRS.metadata.name;
      if (deploymentComplete(d, status)) {
        setCondition(status, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${name}" has successfully progressed.` }, now);
      } else if (deploymentProgressing(d, status)) {
        // progress made: a fresh lastUpdateTime restarts the progress deadline
        setCondition(status, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${name}" is progressing.` }, now, true);
      } else {
        const cur = getCondition(status, 'Progressing');
        const deadline = d.spec.progressDeadlineSeconds;
        if (cur && cur.status === 'True' && cur.reason !== 'NewReplicaSetAvailable' && deadline !== undefined && cur.lastUpdateTime) {
          const elapsed = this.cc.clock.now() - (Date.parse(cur.lastUpdateTime) - this.timestampEpoch());
          if (elapsed >= deadline * 1000) {
            setCondition(status, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${name}" has timed out progressing.` }, now);
          } else requeue = deadline * 1000 - elapsed + 1000;
        }
      }
    }
    const allDone = (err?: string) => finish(err ? { error: err } : requeue !== undefined ? { requeueAfterMs: requeue } : undefined);
    this.writeStatus(d, status, ctx, allDone);
  }

  /**
   * Unix milliseconds of virtual time 0 as the API's timestamps read it, found once: asking the clock
   * for iso(0) on every sync would also make it format the current second again on the next iso().
   */
  private timestampEpoch(): number {
    return (this.epochOfTimestamps ??= Date.parse(this.cc.clock.iso(0)));
  }

  private writeStatus(d: Deployment, status: DeploymentStatus, ctx: TraceContext, done: (err?: string) => void): void {
    if (sameStatus(d.status, status)) return done();
    const body: Deployment = { ...d, status };
    this.cc.client.request({ verb: 'update', apiVersion: 'apps/v1', resource: 'deployments', namespace: d.metadata.namespace, name: d.metadata.name, subresource: 'status', body }, ctx, (res) => {
      done(res.code === 200 ? undefined : message(res));
    });
  }
}

/**
 * equalIgnoreHash of a ReplicaSet's and a Deployment's templates, memoised by object identity: cached
 * objects are frozen and replaced (never mutated) when they change, so the answer for a pair holds.
 */
const matches = new WeakMap<object, { template: object; equal: boolean }>();
function templateMatches(rs: ReplicaSet, d: Deployment): boolean {
  const memo = matches.get(rs.spec.template);
  if (memo && memo.template === d.spec.template) return memo.equal;
  const equal = equalIgnoreHash(rs.spec.template, d.spec.template);
  matches.set(rs.spec.template, { template: d.spec.template, equal });
  return equal;
}

/** Equal apart from condition timestamps that would change on every write. */
function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  if (!a) return false;
  const strip = (s: DeploymentStatus) => ({ ...s, conditions: (s.conditions ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message })) });
  return deepEqual(strip(a), strip(b));
}

export { sumSpec };
