/**
 * The disruption controller (pkg/controller/disruption): keeps each PodDisruptionBudget's status — how
 * many of its pods are healthy, how many must be, and so how many evictions it allows now — from the
 * pods it selects and the scale of their controllers (see budget.ts). The API server's eviction reads
 * that status and refuses with 429 when no disruption is allowed; `kubectl drain` waits and retries.
 */
import type { TraceContext } from '../../log';
import type { Informer } from '../../api/informer';
import type { Deployment, Pod, PodDisruptionBudget, ReplicaSet } from '../../api/types';
import { objectKey } from '../../api/informer';
import { deepEqual } from '../../apiserver/objects';
import { message, QueueController, splitKey, type ControllerContext } from '../context';
import { controllerRef, sharedPodsByNamespace } from '../pods';
import type { KeyIndex } from '../key-index';
import { compileSelector } from '../selectors';
import type { ReconcileFn } from '../workqueue/workqueue';
import { budgetStatus } from './budget';

export class DisruptionController extends QueueController {
  private readonly budgets: Informer<PodDisruptionBudget>;
  private readonly pods: Informer<Pod>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly deployments: Informer<Deployment>;
  /** Budget keys by namespace: the ones a pod or controller event there may concern (none, nearly always). */
  private readonly budgetsByNamespace = new Map<string, Set<string>>();
  /** The cached pods by namespace (shared with the other controllers). */
  private readonly podsByNamespace: KeyIndex<Pod>;

  constructor(cc: ControllerContext) {
    super(cc, 'disruption-controller');
    this.budgets = cc.informers.get<PodDisruptionBudget>('policy/v1', 'poddisruptionbudgets');
    this.pods = cc.informers.get<Pod>('v1', 'pods');
    this.podsByNamespace = sharedPodsByNamespace(cc.informers);
    this.replicaSets = cc.informers.get<ReplicaSet>('apps/v1', 'replicasets');
    this.deployments = cc.informers.get<Deployment>('apps/v1', 'deployments');
    this.budgets.addHandlers({
      onAdd: (b, ctx) => this.budgetChanged(b, true, ctx),
      onUpdate: (_o, b, ctx) => this.budgetChanged(b, true, ctx),
      onDelete: (b, ctx) => this.budgetChanged(b, false, ctx),
    });
    this.pods.addHandlers({
      onAdd: (p, ctx) => this.podChanged(undefined, p, ctx),
      onUpdate: (o, p, ctx) => this.podChanged(o, p, ctx),
      onDelete: (p, ctx) => this.podChanged(p, undefined, ctx),
    });
    // A scale change changes what is expected.
    const scaled = (o: ReplicaSet | Deployment | undefined, n: ReplicaSet | Deployment, ctx: TraceContext) => {
      if (o?.spec.replicas === n.spec.replicas) return;
      for (const key of this.budgetsByNamespace.get(n.metadata.namespace!) ?? []) this.enqueue(key, ctx);
    };
    this.replicaSets.addHandlers({ onAdd: (rs, ctx) => scaled(undefined, rs, ctx), onUpdate: (o, rs, ctx) => scaled(o, rs, ctx) });
    this.deployments.addHandlers({ onAdd: (d, ctx) => scaled(undefined, d, ctx), onUpdate: (o, d, ctx) => scaled(o, d, ctx) });
  }

  override stop(): void {
    super.stop();
    this.budgetsByNamespace.clear();
  }

  private budgetChanged(b: PodDisruptionBudget, present: boolean, ctx: TraceContext): void {
    const ns = b.metadata.namespace!;
    let keys = this.budgetsByNamespace.get(ns);
    if (!keys) this.budgetsByNamespace.set(ns, (keys = new Set()));
    if (present) keys.add(objectKey(b));
    else keys.delete(objectKey(b));
    if (present) this.enqueue(objectKey(b), ctx);
  }

  private podChanged(old: Pod | undefined, pod: Pod | undefined, ctx: TraceContext): void {
    const keys = this.budgetsByNamespace.get((pod ?? old)!.metadata.namespace!);
    if (!keys || keys.size === 0) return;
    for (const key of keys) {
      const sel = compileSelector(this.budgets.get(key)?.spec.selector);
      if ((pod && sel.matches(pod.metadata.labels ?? {})) || (old && sel.matches(old.metadata.labels ?? {}))) this.enqueue(key, ctx);
    }
  }

  /** The scale a pod's controller asks for: a ReplicaSet's, or its Deployment's when one controls it. */
  private scaleOf = (pod: Pod): { uid: string; replicas: number } | undefined => {
    const ref = controllerRef(pod);
    if (ref?.kind !== 'ReplicaSet') return undefined;
    const rs = this.replicaSets.get(`${pod.metadata.namespace}/${ref.name}`);
    if (!rs || rs.metadata.uid !== ref.uid) return undefined;
    const owner = controllerRef(rs);
    if (owner?.kind === 'Deployment') {
      const d = this.deployments.get(`${rs.metadata.namespace}/${owner.name}`);
      if (d && d.metadata.uid === owner.uid) return { uid: d.metadata.uid!, replicas: d.spec.replicas ?? 1 };
    }
    return { uid: rs.metadata.uid!, replicas: rs.spec.replicas ?? 1 };
  };

  protected reconcile: ReconcileFn = (key, ctx, finish) => {
    const pdb = this.budgets.get(key);
    if (!pdb || pdb.metadata.deletionTimestamp) return finish();
    const [namespace, name] = splitKey(key);
    // policy/v1: an empty selector selects every pod of the namespace.
    const sel = compileSelector(pdb.spec.selector);
    const pods: Pod[] = [];
    for (const pod of this.podsByNamespace.objects(namespace)) if (sel.matches(pod.metadata.labels ?? {})) pods.push(pod);
    const now = this.cc.clock.wallMs();
    const { status, recheckAtMs } = budgetStatus(pdb, pods, this.scaleOf, now, this.cc.clock.iso());
    // An eviction the controller has not seen carried out expires later: look again then.
    const after = recheckAtMs === undefined ? undefined : { requeueAfterMs: Math.max(1, recheckAtMs - now) };
    if (deepEqual(pdb.status, status)) return finish(after);
    const dctx = this.decide(ctx, { resource: 'poddisruptionbudgets', namespace, name },
      `PodDisruptionBudget ${key}: ${status.currentHealthy} healthy, ${status.desiredHealthy} needed, ${status.disruptionsAllowed} disruption${status.disruptionsAllowed === 1 ? '' : 's'} allowed`,
      { expectedPods: status.expectedPods, currentHealthy: status.currentHealthy, desiredHealthy: status.desiredHealthy, disruptionsAllowed: status.disruptionsAllowed });
    this.cc.client.request({ verb: 'update', apiVersion: 'policy/v1', resource: 'poddisruptionbudgets', namespace, name, subresource: 'status', body: { ...pdb, status } }, dctx, (res) => {
      finish(res.code === 200 ? after : { error: message(res) });
    });
  };
}
