/**
 * The node lifecycle controller (pkg/controller/nodelifecycle). Every node-monitor-period (5 s) it
 * looks at each Node: if neither its Lease in kube-node-lease nor its Ready heartbeat changed for
 * node-monitor-grace-period (50 s, judged by this controller's own clock), it sets Ready and the
 * pressure conditions to Unknown ("Kubelet stopped posting node status.") and marks the node's
 * pods not ready. It then keeps the NoExecute taints in line with readiness —
 * node.kubernetes.io/unreachable when Unknown, node.kubernetes.io/not-ready when False, none when
 * True — adding them through a per-zone rate limiter (--node-eviction-rate, slower in partially
 * disrupted large zones, none at all when every zone is down: "master disruption mode"), and the
 * matching NoSchedule taints at once. Evicting the pods is the taint eviction controller's job.
 */
import type { TraceContext } from '../../log';
import { objectKey, type Informer } from '../../api/informer';
import type { Lease, Node, NodeCondition, Taint } from '../../api/types';
import type { TimerId } from '../../clock';
import { logDecision, message, type Controller, type ControllerContext } from '../context';
import { isPodReady, sharedPodsByNode, type PodsByNode } from '../pods';

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
const ZONE_LABEL = 'topology.kubernetes.io/zone';

export type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

interface Health {
  /** Local time we last saw the node alive (lease renewed or heartbeat posted). */
  probe: number;
  leaseRenewTime?: string;
  heartbeat?: string;
  /**
   * The key of the node's Lease in the leases cache (built once, not on every pass), then the Lease's
   * own key string, the one the cache is keyed by: lookups compare pointers, not characters.
   */
  leaseKey: string;
  /**
   * The node object the last pass read, with what it read from it: a node changes seldom (its
   * heartbeat goes to the Lease), so most passes over 5,000 nodes only compare references.
   */
  node?: Node;
  ready?: NodeCondition;
  zone: string;
  /** The Lease object the last pass read (its renewTime is leaseRenewTime). */
  lease?: Lease;
}

interface ZoneQueue {
  /** Nodes waiting for their NoExecute taint, in arrival order. */
  nodes: string[];
  tokens: number;
  last: number;
  state: ZoneState;
}

export function readyCondition(node: Node): NodeCondition | undefined {
  const conditions = node.status?.conditions;
  if (!conditions) return undefined;
  for (let i = 0; i < conditions.length; i++) if (conditions[i].type === 'Ready') return conditions[i];
  return undefined;
}

/** ComputeZoneState: no ready node → full disruption; more than 2 and ≥ threshold not ready → partial. */
export function computeZoneState(ready: number, notReady: number, threshold: number): ZoneState {
  if (ready === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / (ready + notReady) >= threshold) return 'PartialDisruption';
  return 'Normal';
}

/** The NoExecute taint a node should carry for its Ready condition status. */
export function wantedNoExecuteTaint(status: NodeCondition['status'] | undefined): string | undefined {
  if (status === 'Unknown') return TAINT_UNREACHABLE;
  if (status === 'False') return TAINT_NOT_READY;
  return undefined;
}

export class NodeLifecycleController implements Controller {
  readonly name = 'node-lifecycle-controller';
  private readonly nodes: Informer<Node>;
  private readonly leases: Informer<Lease>;
  private readonly podsByNode: PodsByNode;
  private readonly health = new Map<string, Health>();
  private readonly zones = new Map<string, ZoneQueue>();
  private readonly queued = new Set<string>();
  private monitorTimer: TimerId | undefined;
  private taintTimer: TimerId | undefined;
  private running = false;
  private masterDisruption = false;
  private zoneSizes = new Map<string, number>();

  constructor(private readonly cc: ControllerContext) {
    this.nodes = cc.informers.get<Node>('v1', 'nodes');
    this.leases = cc.informers.get<Lease>('coordination.k8s.io/v1', 'leases', 'kube-node-lease');
    this.podsByNode = sharedPodsByNode(cc.informers);
    this.nodes.addHandlers({
      // Readiness changes posted by kubelets are handled at once (taints removed, NoSchedule set).
      onUpdate: (old, node, ctx) => {
        if (readyCondition(old)?.status !== readyCondition(node)?.status) this.reconcileTaints(node, ctx);
      },
      onDelete: (node) => this.health.delete(node.metadata.name!),
    });
  }

  start(ctx: TraceContext): void {
    this.running = true;
    this.monitorTimer = this.cc.clock.schedule(this.cc.options.nodeMonitorPeriodMs, () => this.monitor(ctx), `${this.name}: monitor`);
  }

  stop(): void {
    this.running = false;
    this.cc.clock.cancel(this.monitorTimer);
    this.cc.clock.cancel(this.taintTimer);
    this.health.clear();
    this.zones.clear();
    this.queued.clear();
  }

  /** Zone states as of the last monitoring pass (for tests and the UI). */
  zoneStates(): Record<string, ZoneState> {
    const out: Record<string, ZoneState> = {};
    for (const [z, q] of this.zones) out[z] = q.state;
    return out;
  }

  private monitor(_startCtx: TraceContext): void {
    if (!this.running) return;
    this.monitorTimer = this.cc.clock.schedule(this.cc.options.nodeMonitorPeriodMs, () => this.monitor(_startCtx), `${this.name}: monitor`);
    if (!this.nodes.hasSynced() || !this.leases.hasSynced()) return;
    const now = this.cc.clock.now();
    const grace = this.cc.options.nodeMonitorGracePeriodMs;
    const perZone = new Map<string, { ready: number; notReady: number }>();
    let ctx: TraceContext | undefined;
    for (const node of this.nodes.list()) {
      const name = node.metadata.name!;
      let h = this.health.get(name);
      if (!h) {
        h = { probe: now, heartbeat: readyCondition(node)?.lastHeartbeatTime, leaseKey: `kube-node-lease/${name}`, zone: '' };
        this.health.set(name, h);
      }
      if (h.node !== node) {
        // Only a new node object can bring a new heartbeat.
        h.node = node;
        h.ready = readyCondition(node);
        h.zone = node.metadata.labels?.[ZONE_LABEL] ?? '';
        if (h.ready?.lastHeartbeatTime !== h.heartbeat) {
          h.heartbeat = h.ready?.lastHeartbeatTime;
          h.probe = now;
        }
      }
      const lease = this.leases.get(h.leaseKey);
      // A lease is renewed every 10 s and looked at every 5 s: half the time it is the same object.
      if (lease !== h.lease) {
        h.lease = lease;
        if (lease) h.leaseKey = objectKey(lease);
        const renew = lease?.spec.renewTime;
        if (renew !== h.leaseRenewTime) {
          h.leaseRenewTime = renew;
          h.probe = now;
        }
      }
      let status = h.ready?.status;
      if (now > h.probe + grace && status !== 'Unknown') {
        ctx ??= { traceId: this.cc.log.newTraceId() };
        this.markUnknown(node, ctx);
        status = 'Unknown';
      }
      let counts = perZone.get(h.zone);
      if (!counts) perZone.set(h.zone, (counts = { ready: 0, notReady: 0 }));
      if (status === 'True') counts.ready++;
      else counts.notReady++;
    }
    this.updateZoneStates(perZone);
  }

  private updateZoneStates(perZone: Map<string, { ready: number; notReady: number }>): void {
    const o = this.cc.options;
    this.zoneSizes = new Map([...perZone].map(([z, c]) => [z, c.ready + c.notReady]));
    let allFull = perZone.size > 0;
    for (const [zone, c] of perZone) {
      const state = computeZoneState(c.ready, c.notReady, o.unhealthyZoneThreshold);
      if (state !== 'FullDisruption') allFull = false;
      const q = this.zone(zone);
      if (q.state !== state) {
        logDecision(this.cc, this.name, undefined, undefined, `zone ${zone || '(none)'} is now in state ${state} (${c.notReady} of ${c.ready + c.notReady} nodes not ready)`,
          { zone, state, ready: c.ready, notReady: c.notReady });
        q.state = state;
      }
    }
    if (allFull !== this.masterDisruption) {
      this.masterDisruption = allFull;
      logDecision(this.cc, this.name, undefined, undefined, allFull
        ? 'Controller detected that all Nodes are not-Ready. Entering master disruption mode.'
        : 'Controller detected that some Nodes are Ready. Exiting master disruption mode.');
    }
    this.pumpTaints();
  }

  private zoneRate(q: ZoneQueue, zoneSize: number): number {
    const o = this.cc.options;
    if (q.state === 'PartialDisruption') return zoneSize > o.largeClusterSizeThreshold ? o.secondaryNodeEvictionRate : 0;
    return o.nodeEvictionRate;
  }

  private zone(name: string): ZoneQueue {
    let q = this.zones.get(name);
    if (!q) this.zones.set(name, (q = { nodes: [], tokens: 1, last: this.cc.clock.now(), state: 'Normal' }));
    return q;
  }

  /** Set Ready, MemoryPressure, DiskPressure and PIDPressure to Unknown; mark the node's pods not ready. */
  private markUnknown(node: Node, ctx: TraceContext): void {
    const name = node.metadata.name!;
    const now = this.cc.clock.iso();
    const dctx = this.decide(ctx, name, `node ${name} hasn't been updated for ${this.cc.options.nodeMonitorGracePeriodMs / 1000}s: setting Ready to Unknown`, {});
    const types = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
    const conditions: NodeCondition[] = (node.status?.conditions ?? []).map((c) => types.includes(c.type)
      ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: c.status === 'Unknown' ? c.lastTransitionTime : now }
      : c);
    for (const t of types) {
      if (!conditions.some((c) => c.type === t)) {
        conditions.push({ type: t, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: now, lastTransitionTime: now });
      }
    }
    const body: Node = { ...node, status: { ...node.status, conditions } };
    this.cc.client.request({ verb: 'update', apiVersion: 'v1', resource: 'nodes', name, subresource: 'status', body }, dctx, (res, rctx) => {
      if (res.code !== 200) return;
      this.markPodsNotReady(name, rctx);
      this.reconcileTaints(res.body as Node, rctx);
    });
  }

  /** MarkPodsNotReady: the Ready condition of every ready pod on the node becomes False. */
  private markPodsNotReady(nodeName: string, ctx: TraceContext): void {
    const now = this.cc.clock.iso();
    for (const pod of this.podsByNode.on(nodeName)) {
      if (!isPodReady(pod)) continue;
      const body = { status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: now }] } };
      this.cc.client.request({
        verb: 'patch', apiVersion: 'v1', resource: 'pods', namespace: pod.metadata.namespace, name: pod.metadata.name, subresource: 'status',
        patchType: 'application/strategic-merge-patch+json', body,
      }, ctx, () => {});
    }
  }

  /** Bring the node's taints in line with its readiness: NoSchedule at once, NoExecute through the zone's limiter. */
  private reconcileTaints(node: Node, ctx: TraceContext): void {
    if (!this.running) return;
    const name = node.metadata.name!;
    const want = wantedNoExecuteTaint(readyCondition(node)?.status);
    const taints = node.spec.taints ?? [];
    const has = (key: string, effect: Taint['effect']) => taints.some((t) => t.key === key && t.effect === effect);
    const noScheduleOk = want ? has(want, 'NoSchedule') && !taints.some((t) => t.effect === 'NoSchedule' && isReadinessTaint(t.key) && t.key !== want)
      : !taints.some((t) => t.effect === 'NoSchedule' && isReadinessTaint(t.key));
    const noExecuteOk = want ? has(want, 'NoExecute') && !taints.some((t) => t.effect === 'NoExecute' && isReadinessTaint(t.key) && t.key !== want)
      : !taints.some((t) => t.effect === 'NoExecute' && isReadinessTaint(t.key));
    if (!noScheduleOk || (!want && !noExecuteOk)) {
      // Removing NoExecute taints (node healthy again) is never rate limited; neither is NoSchedule.
      this.writeTaints(node, want, !want ? false : has(want, 'NoExecute') && noExecuteOk, ctx);
    }
    if (want && !noExecuteOk && !this.queued.has(name)) {
      this.queued.add(name);
      this.zone(node.metadata.labels?.[ZONE_LABEL] ?? '').nodes.push(name);
      this.pumpTaints();
    }
  }

  /** Take nodes off the zone queues as each zone's token bucket allows. */
  private pumpTaints(): void {
    this.cc.clock.cancel(this.taintTimer);
    this.taintTimer = undefined;
    if (!this.running || this.masterDisruption) return;
    const now = this.cc.clock.now();
    let nextWait = Infinity;
    for (const [zone, q] of this.zones) {
      const rate = this.zoneRate(q, this.zoneSizes.get(zone) ?? 0);
      if (rate > 0) q.tokens = Math.min(1, q.tokens + ((now - q.last) / 1000) * rate);
      q.last = now;
      while (q.nodes.length > 0 && rate > 0) {
        if (q.tokens < 1) {
          nextWait = Math.min(nextWait, ((1 - q.tokens) / rate) * 1000);
          break;
        }
        const name = q.nodes.shift()!;
        this.queued.delete(name);
        const node = this.nodes.get(name);
        const want = node && wantedNoExecuteTaint(readyCondition(node)?.status);
        if (!node || !want) continue;
        q.tokens -= 1;
        const ctx: TraceContext = { traceId: this.cc.log.newTraceId() };
        this.writeTaints(node, want, true, ctx);
      }
    }
    if (nextWait < Infinity) this.taintTimer = this.cc.clock.schedule(Math.max(1, nextWait), () => this.pumpTaints(), `${this.name}: taint nodes`);
  }

  /** Replace the readiness taints with `want` (NoSchedule, and NoExecute when `noExecute`). */
  private writeTaints(node: Node, want: string | undefined, noExecute: boolean, ctx: TraceContext): void {
    const name = node.metadata.name!;
    const now = this.cc.clock.iso();
    const keep = (node.spec.taints ?? []).filter((t) => !isReadinessTaint(t.key) || (t.key === want && (t.effect === 'NoSchedule' || (noExecute && t.effect === 'NoExecute'))));
    const next: Taint[] = [...keep];
    if (want && !next.some((t) => t.key === want && t.effect === 'NoSchedule')) next.push({ key: want, effect: 'NoSchedule', timeAdded: now });
    if (want && noExecute && !next.some((t) => t.key === want && t.effect === 'NoExecute')) next.push({ key: want, effect: 'NoExecute', timeAdded: now });
    const summary = want
      ? `node ${name}: taint ${want}:NoSchedule${noExecute ? ` and ${want}:NoExecute` : ''}`
      : `node ${name} is Ready: removing the ${TAINT_UNREACHABLE} and ${TAINT_NOT_READY} taints`;
    const dctx = this.decide(ctx, name, summary, { taints: next.map((t) => `${t.key}:${t.effect}`) });
    const body: Node = { ...node, spec: { ...node.spec, taints: next } };
    this.cc.client.request({ verb: 'update', apiVersion: 'v1', resource: 'nodes', name, body }, dctx, (res, rctx) => {
      if (res.code === 200) return;
      // Conflict or outage: look again with the latest cached node shortly.
      this.cc.clock.schedule(1000, () => {
        const fresh = this.nodes.get(name);
        if (fresh && this.running) this.reconcileTaints(fresh, rctx);
      }, `${this.name}: retry taint ${name} (${message(res)})`);
    });
  }

  private decide(ctx: TraceContext, node: string, summary: string, detail: Record<string, unknown>): TraceContext {
    return logDecision(this.cc, this.name, ctx, { resource: 'nodes', name: node }, summary, detail);
  }
}

function isReadinessTaint(key: string): boolean {
  return key === TAINT_UNREACHABLE || key === TAINT_NOT_READY;
}
