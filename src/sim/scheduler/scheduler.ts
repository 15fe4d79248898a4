/**
 * kube-scheduler as a simulated component. It never receives a call: it watches nodes and pods
 * (and Services and ReplicaSets, for default spreading) through informers, queues the pending pods
 * whose schedulerName is default-scheduler, and — only while it is the leader — pops one pod at a
 * time, runs the framework over its cache, assumes the pod on the chosen node and POSTs a
 * pods/binding. A pod that fits nowhere gets PodScheduled=False (reason Unschedulable, upstream's
 * message) and a FailedScheduling event, and waits in the queue for a cluster event or its backoff.
 * Every decision is a `decision` log entry carrying the filter table and the scores.
 */
import type { TimerId } from '../clock';
import type { TraceContext } from '../log';
import type { Component, ComponentEnv } from '../api/component';
import type { Informer } from '../api/informer';
import type { ApiResponse, Status as ApiStatus } from '../api/request';
import type { Binding, KubeObject, Namespace, Node, Pod, PodCondition, PodDisruptionBudget, ReplicaSet, Service } from '../api/types';
import { SchedulerCache } from './cache';
import { SCHEDULER_COMPONENT, SchedulerEventRecorder } from './events';
import { reasonHistogram } from './fit-error';
import { eventMatches, type ActionType, type ClusterEvent, type Handle, type Listers } from './framework';
import { sameJson } from '../apiserver/objects';
import { newPodInfo, podKey, type PodInfo } from './node-info';
import { PREEMPTION_BY_SCHEDULER, type Candidate } from './plugins/defaultpreemption';
import { Profile } from './profile';
import { SchedulingQueue, type QueuedPodInfo } from './queue';
import { defaultProfile, inTreeRegistry, type ProfileConfig } from './registry';
import { CycleBuffers, scheduleOne, type ScheduleResult } from './schedule-one';

export interface SchedulerOptions {
  /** Only the leader schedules (leader election arrives with issue 4). Default: always. */
  leader?: () => boolean;
  /** Instance name in the log. Default "kube-scheduler@<host>". */
  name?: string;
  profile?: ProfileConfig;
  /** Post Scheduled / FailedScheduling events (benchmarks may turn them off). Default true. */
  recordEvents?: boolean;
  /** At most this many node rows in a decision entry's table (the rest is summarised). Default 100. */
  decisionRows?: number;
  /** While not the leader, check again this often when pods are waiting. Default 1 s. */
  leaderPollMs?: number;
  /**
   * KubeSchedulerConfiguration's delayCacheUntilActive: a standby instance fills no informer caches
   * until it wins the Lease (less memory and watch traffic while waiting, a slower failover: the new
   * leader lists everything first). Read by the elected scheduler. Default false, as upstream.
   */
  delayCacheUntilActive?: boolean;
}

/** How often the worker looks again while the informer caches are still filling (cache.WaitForCacheSync). */
const CACHE_SYNC_POLL_MS = 100;

/** The cluster events of assigned pods, one shared (frozen) object each: every pod update on every scheduler sends one. */
const ASSIGNED_POD_ADD: ClusterEvent = Object.freeze({ resource: 'Pod', actions: Object.freeze(['Add'] as const), label: 'AssignedPodAdd' });
const ASSIGNED_POD_UPDATE: ClusterEvent = Object.freeze({ resource: 'Pod', actions: Object.freeze(['UpdatePodLabel'] as const), label: 'AssignedPodUpdate' });
const ASSIGNED_POD_DELETE: ClusterEvent = Object.freeze({ resource: 'Pod', actions: Object.freeze(['Delete'] as const), label: 'AssignedPodDelete' });

const SCHEDULER_ERROR = 'SchedulerError';
const UNSCHEDULABLE = 'Unschedulable';

export class Scheduler implements Component {
  readonly name: string;
  private readonly leader: () => boolean;
  private readonly options: SchedulerOptions;
  private isRunning = false;
  /** Bumped by stop(): responses to requests of an older life are ignored. */
  private epoch = 0;
  private cache = new SchedulerCache();
  private queue!: SchedulingQueue;
  private profile!: Profile;
  private events!: SchedulerEventRecorder;
  private informers: Informer<KubeObject>[] = [];
  private serviceInformer?: Informer<Service>;
  private rsInformer?: Informer<ReplicaSet>;
  private nsInformer?: Informer<Namespace>;
  private pdbInformer?: Informer<PodDisruptionBudget>;
  /** Pods waiting for their preemption victims to leave, by pod key, and by nominated node (upstream's nominator). */
  private nominated = new Map<string, { node: string; info: PodInfo }>();
  private nominatedByNode = new Map<string, Map<string, PodInfo>>();
  private workTimer: TimerId | undefined;
  private startNodeIndex = 0;
  /** Each cycle's feasible list and totals: read (the decision entry) before the next cycle reuses them. */
  private buffers = new CycleBuffers();
  /** Decisions made (for tests and the UI). */
  scheduledCount = 0;
  failedCount = 0;

  constructor(
    private readonly env: ComponentEnv,
    options: SchedulerOptions = {},
  ) {
    this.options = options;
    this.leader = options.leader ?? (() => true);
    this.name = options.name ?? `kube-scheduler@${env.host}`;
  }

  get running(): boolean {
    return this.isRunning;
  }

  /** The profile's scheduler name: pods naming another scheduler are not ours. */
  get schedulerName(): string {
    return this.profile?.schedulerName ?? (this.options.profile ?? defaultProfile()).schedulerName;
  }

  start(): void {
    if (this.isRunning) return;
    this.isRunning = true;
    this.epoch++;
    const { env } = this;
    this.cache = new SchedulerCache();
    const listers: Listers = {
      services: (ns) => (this.serviceInformer?.list() ?? []).filter((s) => (s.metadata.namespace ?? 'default') === ns),
      replicaSet: (ns, name) => this.rsInformer?.get(`${ns}/${name}`),
      namespace: (name) => this.nsInformer?.get(name),
      namespaces: () => this.nsInformer?.list() ?? [],
    };
    const handle: Handle = { snapshot: this.cache, listers };
    this.profile = new Profile(this.options.profile ?? defaultProfile(), inTreeRegistry(), handle);
    const byName = new Map(this.profile.plugins.map((p) => [p.name, p]));
    this.queue = new SchedulingQueue(env.clock, {
      pluginWantsEvent: (plugin, event) => eventMatches(byName.get(plugin)?.events, event),
      onActive: () => this.wake(),
    });
    this.events = new SchedulerEventRecorder(env.clock, env.client, `${SCHEDULER_COMPONENT}-${env.host}`, this.options.recordEvents ?? true);

    const nodes = env.informer<Node>({ apiVersion: 'v1', resource: 'nodes' });
    nodes.addHandlers({
      onAdd: (node) => {
        this.cache.addNode(node);
        this.queue.onClusterEvent({ resource: 'Node', actions: ['Add'], label: 'NodeAdd' });
      },
      onUpdate: (oldNode, newNode) => {
        this.cache.updateNode(newNode);
        const actions = nodeChanges(oldNode, newNode);
        if (actions.length) this.queue.onClusterEvent({ resource: 'Node', actions, label: 'NodeUpdate' });
      },
      onDelete: (node) => {
        this.cache.removeNode(node.metadata.name ?? '');
        this.queue.onClusterEvent({ resource: 'Node', actions: ['Delete'], label: 'NodeDelete' });
      },
    });
    const pods = env.informer<Pod>({ apiVersion: 'v1', resource: 'pods' });
    pods.addHandlers({
      onAdd: (pod, ctx) => this.onPod(undefined, pod, ctx),
      onUpdate: (oldPod, newPod, ctx) => this.onPod(oldPod, newPod, ctx),
      onDelete: (pod) => this.onPodDeleted(pod),
    });
    this.serviceInformer = env.informer<Service>({ apiVersion: 'v1', resource: 'services' });
    this.rsInformer = env.informer<ReplicaSet>({ apiVersion: 'apps/v1', resource: 'replicasets' });
    this.nsInformer = env.informer<Namespace>({ apiVersion: 'v1', resource: 'namespaces' });
    this.pdbInformer = env.informer<PodDisruptionBudget>({ apiVersion: 'policy/v1', resource: 'poddisruptionbudgets' });
    this.informers = [nodes, pods, this.serviceInformer, this.rsInformer, this.nsInformer, this.pdbInformer] as Informer<KubeObject>[];
    const ctx: TraceContext = { traceId: env.log.newTraceId() };
    env.log.append({ t: env.clock.now(), traceId: ctx.traceId, from: this.name, to: this.name, kind: 'decision', summary: `${this.name} starting` });
    for (const informer of this.informers) informer.start(ctx);
  }

  stop(): void {
    if (!this.isRunning) return;
    this.isRunning = false;
    this.epoch++;
    for (const informer of this.informers) informer.stop();
    this.informers = [];
    this.serviceInformer = this.rsInformer = this.nsInformer = this.pdbInformer = undefined;
    this.nominated = new Map();
    this.nominatedByNode = new Map();
    this.queue.close();
    this.env.clock.cancel(this.workTimer);
    this.workTimer = undefined;
    this.cache = new SchedulerCache();
    this.buffers = new CycleBuffers(); // holds NodeInfos of the cache just dropped
  }

  /** Where a pending pod waits (activeQ, backoffQ, unschedulablePods), for tests and the UI. */
  queuedIn(key: string): string | undefined {
    return this.queue?.where(key);
  }

  /** Ask the worker to look at the queue (e.g. when leadership was just acquired). */
  wake(): void {
    if (!this.isRunning || this.workTimer !== undefined) return;
    const leader = this.leader();
    const sizes = this.queue.sizes();
    if (sizes.activeQ === 0) return;
    const delay = !leader ? (this.options.leaderPollMs ?? 1000) : this.cachesSynced() ? 0 : CACHE_SYNC_POLL_MS;
    this.workTimer = this.env.clock.schedule(delay, () => {
      this.workTimer = undefined;
      if (this.leader() && this.cachesSynced()) this.scheduleNext();
      this.wake();
    }, `${this.name}: schedule`);
  }

  /** Upstream waits for every informer's first list before its first scheduling cycle. */
  cachesSynced(): boolean {
    for (const informer of this.informers) if (!informer.hasSynced()) return false;
    return true;
  }

  // ------------------------------------------------------------ informer handlers

  private responsibleFor(pod: Pod): boolean {
    return (pod.spec.schedulerName ?? SCHEDULER_COMPONENT) === this.schedulerName;
  }

  private onPod(oldPod: Pod | undefined, pod: Pod, ctx: TraceContext): void {
    const key = podKey(pod);
    if (this.nominated.size > 0 || pod.status?.nominatedNodeName) this.trackNomination(key, oldPod, pod);
    if (pod.spec.nodeName) {
      const wasAssigned = !!oldPod?.spec.nodeName;
      this.queue.delete(key);
      this.cache.addPod(pod, key);
      if (!wasAssigned) this.queue.onClusterEvent(ASSIGNED_POD_ADD);
      else if (!sameLabels(oldPod!, pod)) this.queue.onClusterEvent(ASSIGNED_POD_UPDATE);
      return;
    }
    if (!this.responsibleFor(pod)) return;
    if (pod.metadata.deletionTimestamp) {
      this.queue.delete(key);
      return;
    }
    if (oldPod) this.queue.update(pod, ctx);
    else this.queue.add(pod, ctx);
  }

  private onPodDeleted(pod: Pod): void {
    const key = podKey(pod);
    this.unnominate(key);
    this.events.forget(pod);
    if (pod.spec.nodeName || this.cache.nodeOf(key)) {
      this.cache.removePod(pod);
      this.queue.delete(key);
      this.queue.onClusterEvent(ASSIGNED_POD_DELETE);
    } else this.queue.delete(key);
  }

  // ------------------------------------------------------------ nominated pods

  /**
   * A pending pod's status.nominatedNodeName reserves room on that node for it. As upstream's nominator,
   * an update that does not show the nomination yet (it was made in memory, its status patch is on the
   * way) keeps it; one that clears it, or a binding, ends it.
   */
  private trackNomination(key: string, oldPod: Pod | undefined, pod: Pod): void {
    const node = pod.status?.nominatedNodeName;
    if (pod.spec.nodeName || pod.metadata.deletionTimestamp) this.unnominate(key);
    else if (node) this.nominate(key, node, newPodInfo(pod));
    else if (oldPod?.status?.nominatedNodeName) this.unnominate(key);
  }

  private nominate(key: string, node: string, info: PodInfo): void {
    this.unnominate(key);
    this.nominated.set(key, { node, info });
    let onNode = this.nominatedByNode.get(node);
    if (!onNode) this.nominatedByNode.set(node, (onNode = new Map()));
    onNode.set(key, info);
  }

  private unnominate(key: string): void {
    const entry = this.nominated.get(key);
    if (!entry) return;
    this.nominated.delete(key);
    const onNode = this.nominatedByNode.get(entry.node);
    onNode?.delete(key);
    if (onNode?.size === 0) this.nominatedByNode.delete(entry.node);
  }

  /** Pods nominated to a node (for tests and the UI). */
  nominatedOn(node: string): string[] {
    return [...(this.nominatedByNode.get(node)?.keys() ?? [])];
  }

  // ------------------------------------------------------------ the scheduling cycle

  private scheduleNext(): void {
    const p = this.queue.pop();
    if (!p) return;
    const cycle = this.queue.cycle;
    const pod = p.pod;
    const result = scheduleOne({
      profile: this.profile,
      snapshot: this.cache,
      pod: p.info,
      rng: this.env.clock.rng,
      startNodeIndex: this.startNodeIndex,
      // Only the decision's node table reads the per-plugin scores.
      keepScores: this.env.log.recording,
      buffers: this.buffers,
      disruptionBudgets: () => this.pdbInformer?.list() ?? [],
      nominatedPodsOn: this.nominated.size === 0 ? undefined : (node) => this.nominatedByNode.get(node)?.values(),
    });
    this.startNodeIndex = result.nextStartNodeIndex;
    const decision = this.logDecision(p, result);
    const ctx: TraceContext = { traceId: p.ctx.traceId, parentId: decision };
    if (result.nodeName) this.bind(p, result.nodeName, ctx);
    else {
      this.failedCount++;
      const rejected = result.fitError !== undefined;
      const message = result.fitError ?? result.error ?? 'unknown error';
      if (result.preemption) this.preempt(p.pod, p.info, result.preemption, ctx);
      // A stale nomination goes: from the nominator at once, from the pod's status with the failure's patch.
      const nomination = result.preemption?.node ?? (result.clearNomination && pod.status?.nominatedNodeName ? null : undefined);
      if (nomination === null) this.unnominate(p.key);
      this.reportFailure(pod, rejected ? UNSCHEDULABLE : SCHEDULER_ERROR, message, ctx, nomination);
      if (rejected) this.queue.addUnschedulable(p, result.unschedulablePlugins, cycle);
      else this.queue.addBackoff(p);
    }
  }

  private bind(p: QueuedPodInfo, nodeName: string, ctx: TraceContext): void {
    const pod = p.pod;
    const ns = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name ?? '';
    this.cache.assumePod(pod, nodeName, p.info);
    this.unnominate(p.key); // upstream's assume drops the pod from the nominator
    const body: Binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, namespace: ns, ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}) },
      target: { kind: 'Node', name: nodeName },
    };
    const epoch = this.epoch;
    this.env.client.request({ verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: ns, name, subresource: 'binding', body }, ctx, (response: ApiResponse, rctx: TraceContext) => {
      if (epoch !== this.epoch) return;
      if (response.code >= 200 && response.code < 300) {
        this.scheduledCount++;
        this.queue.done(p.key);
        this.events.forget(pod);
        this.events.record(pod, 'Normal', 'Scheduled', 'Binding', `Successfully assigned ${ns}/${name} to ${nodeName}`, rctx);
        return;
      }
      this.cache.forgetPod(p.key);
      if (response.code === 404) {
        this.queue.done(p.key); // the pod is gone
        return;
      }
      const message = `binding rejected: ${statusMessage(response)}`;
      this.reportFailure(pod, SCHEDULER_ERROR, message, rctx);
      this.queue.addBackoff(p);
      this.wake();
    });
  }

  /**
   * Make room for `pod` on the candidate's node, as upstream's prepareCandidate: each victim gets the
   * DisruptionTarget condition (reason PreemptionByScheduler) and is deleted gracefully, with a Preempted
   * event; lower-priority pods nominated to that node lose their nomination; the pod is nominated there.
   */
  private preempt(pod: Pod, info: PodInfo, candidate: Candidate, ctx: TraceContext): void {
    const { client, clock, log } = this.env;
    const preemptor = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
    const dctx: TraceContext = {
      traceId: ctx.traceId,
      parentId: log.append({
        t: clock.now(), traceId: ctx.traceId, parentId: ctx.parentId, from: this.name, to: this.name, kind: 'decision',
        objectRef: { resource: 'pods', namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name ?? '' },
        summary: `preempt ${candidate.victims.map((v) => v.key).join(', ')} on ${candidate.node} for ${preemptor}`,
        detail: { node: candidate.node, victims: candidate.victims.map((v) => ({ pod: v.key, priority: v.priority })), pdbViolations: candidate.numPDBViolations },
      }).seq,
    };
    const schedulerName = pod.spec.schedulerName ?? SCHEDULER_COMPONENT;
    for (const victim of candidate.victims) {
      const v = victim.pod;
      if (v.metadata.deletionTimestamp) continue;
      const ns = v.metadata.namespace ?? 'default';
      const name = v.metadata.name ?? '';
      const condition: PodCondition = {
        type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: clock.iso(),
        reason: PREEMPTION_BY_SCHEDULER, message: `${schedulerName}: preempting to accommodate a higher priority pod`,
      };
      client.request(
        { verb: 'patch', apiVersion: 'v1', resource: 'pods', namespace: ns, name, subresource: 'status', patchType: 'application/strategic-merge-patch+json', body: { status: { conditions: [condition] } } },
        dctx,
        () => client.request({ verb: 'delete', apiVersion: 'v1', resource: 'pods', namespace: ns, name }, dctx, () => undefined),
      );
      this.events.record(v, 'Normal', 'Preempted', 'Preempting', `Preempted by pod ${pod.metadata.uid ?? preemptor} on node ${candidate.node}`, dctx);
    }
    for (const [key, other] of this.nominatedByNode.get(candidate.node) ?? []) {
      if (key === info.key || other.priority >= info.priority) continue;
      this.unnominate(key);
      const ns = other.pod.metadata.namespace ?? 'default';
      client.request(
        { verb: 'patch', apiVersion: 'v1', resource: 'pods', namespace: ns, name: other.pod.metadata.name ?? '', subresource: 'status', patchType: 'application/merge-patch+json', body: { status: { nominatedNodeName: null } } },
        dctx,
        () => undefined,
      );
    }
    this.nominate(info.key, candidate.node, info);
  }

  /**
   * PodScheduled=False (only when it changes) and a FailedScheduling event; with `nominatedNode`, the
   * pod's status names it (null: clears it), as upstream's updatePod.
   */
  private reportFailure(pod: Pod, reason: string, message: string, ctx: TraceContext, nominatedNode?: string | null): void {
    const ns = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name ?? '';
    this.events.record(pod, 'Warning', 'FailedScheduling', 'Scheduling', truncateNote(message), ctx);
    const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    const sameNomination = nominatedNode === undefined || nominatedNode === (pod.status?.nominatedNodeName ?? null);
    if (sameNomination && current && current.status === 'False' && current.reason === reason && current.message === message) return;
    const condition: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      lastProbeTime: null,
      lastTransitionTime: current?.status === 'False' ? current.lastTransitionTime : this.env.clock.iso(),
      reason,
      message,
    };
    this.env.client.request(
      { verb: 'patch', apiVersion: 'v1', resource: 'pods', namespace: ns, name, subresource: 'status', patchType: 'application/strategic-merge-patch+json', body: { status: nominatedNode === undefined ? { conditions: [condition] } : { conditions: [condition], nominatedNodeName: nominatedNode } } },
      ctx,
      () => {},
    );
  }

  private logDecision(p: QueuedPodInfo, result: ScheduleResult): number {
    const pod = p.pod;
    const ns = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name ?? '';
    const summary = result.nodeName
      ? `bind ${ns}/${name} to ${result.nodeName}`
      : `${ns}/${name}: ${result.fitError ?? result.error}`;
    const detail: Record<string, unknown> = {
      pod: `${ns}/${name}`,
      selected: result.nodeName,
      message: result.fitError ?? result.error,
      attempt: p.attempts,
      numNodes: result.numAllNodes,
      evaluated: result.evaluatedNodes,
      feasibleNodes: result.feasible.length,
    };
    // The node table is most of a decision's cost (up to 100 rows, each with its scores); when nobody
    // keeps or reads the log it is left out. The entry itself is still appended: its seq is the
    // parent of the binding's (or failure's) trace.
    if (this.env.log.recording) this.addNodeTable(detail, result);
    const entry = this.env.log.append({
      t: this.env.clock.now(),
      traceId: p.ctx.traceId,
      parentId: p.ctx.parentId,
      from: this.name,
      to: this.name,
      kind: 'decision',
      objectRef: { resource: 'pods', namespace: ns, name },
      summary,
      detail,
    });
    return entry.seq;
  }

  /**
   * The decision's table: a row per node (feasible ones first, with their weighted scores and total;
   * the chosen node always; then failed ones with their status), at most `decisionRows`, and when
   * some nodes were left out, the histogram of all the failure reasons.
   */
  private addNodeTable(detail: Record<string, unknown>, result: ScheduleResult): void {
    const limit = this.options.decisionRows ?? 100;
    const rows: Record<string, unknown>[] = [];
    const chosen = result.selected ?? -1;
    const plugins = [...result.scores.keys()];
    const feasibleRow = (i: number) => {
      const scores: Record<string, number> = {};
      for (const plugin of plugins) scores[plugin] = result.scores.get(plugin)![i];
      return { node: result.feasible[i].name, feasible: true, scores, total: result.totals[i] ?? 0 };
    };
    for (let i = 0; i < result.feasible.length && rows.length < limit; i++) rows.push(feasibleRow(i));
    if (chosen >= limit) rows.push(feasibleRow(chosen));
    for (const [node, status] of result.failed) {
      if (rows.length >= limit) break;
      rows.push({ node, feasible: false, filter: status });
    }
    detail.nodes = rows;
    if (result.feasible.length + result.failed.size > rows.length) {
      detail.truncated = true;
      detail.reasons = reasonHistogram(result.failed.values());
    }
  }
}

/** Events carry at most 1 kB of message (upstream's NoteLengthLimit); the condition keeps it all. */
export function truncateNote(message: string, max = 1024): string {
  return message.length <= max ? message : `${message.slice(0, max - 4)} ...`;
}

function statusMessage(response: ApiResponse): string {
  const body = response.body as Partial<ApiStatus> | undefined;
  return typeof body === 'object' && body && typeof body.message === 'string' ? body.message : `HTTP ${response.code}`;
}

/**
 * Whether two objects' labels have the same JSON: the same keys in the same order with the same
 * values (key order counts, as it does in the JSON), walked without serialising on every update.
 */
export function sameLabels(a: Pod | Node, b: Pod | Node): boolean {
  const la: Readonly<Record<string, unknown>> = a.metadata.labels ?? {};
  const lb: Readonly<Record<string, unknown>> = b.metadata.labels ?? {};
  if (la === lb) return true;
  const ka = Object.keys(la);
  const kb = Object.keys(lb);
  if (ka.length !== kb.length) return JSON.stringify(la) === JSON.stringify(lb);
  for (let i = 0; i < ka.length; i++) {
    const va = la[ka[i]];
    // Anything but strings (never in valid labels) is left to JSON's own rules.
    if (typeof va !== 'string' || typeof lb[kb[i]] !== 'string') return JSON.stringify(la) === JSON.stringify(lb);
    if (ka[i] !== kb[i] || va !== lb[kb[i]]) return false;
  }
  return true;
}

/** JSON.stringify(a ?? empty) === JSON.stringify(b ?? empty), without serialising when the answer is plain. */
/** Would JSON.stringify (with `empty` for a missing value) give the same text? Without building it: every node status write asks. */
function sameOrEmpty(a: unknown, b: unknown, empty: unknown): boolean {
  return sameJson(a ?? empty, b ?? empty);
}

/** What changed on a node, as the actions plugins register for. */
export function nodeChanges(oldNode: Node, newNode: Node): ActionType[] {
  const actions: ActionType[] = [];
  if (!sameLabels(oldNode, newNode)) actions.push('UpdateNodeLabel');
  const oldTaints = oldNode.spec?.taints;
  const newTaints = newNode.spec?.taints;
  const sameTaints = (!oldTaints?.length && !newTaints?.length) || sameOrEmpty(oldTaints, newTaints, []);
  if (!sameTaints || !!oldNode.spec?.unschedulable !== !!newNode.spec?.unschedulable) {
    actions.push('UpdateNodeTaint');
  }
  if (!sameOrEmpty(oldNode.status?.allocatable, newNode.status?.allocatable, {})) actions.push('UpdateNodeAllocatable');
  return actions;
}

