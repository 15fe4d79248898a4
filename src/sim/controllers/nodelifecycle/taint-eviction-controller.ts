/**
 * The taint eviction controller (pkg/controller/tainteviction, formerly the NoExecute taint
 * manager): for each pod bound to a node with NoExecute taints, a pod that does not tolerate every
 * one of them is deleted at once; one that tolerates them all for a limited time (the default
 * tolerations of 300 s for not-ready and unreachable) is deleted when the shortest of those times
 * has passed since the controller first saw it tainted; one that tolerates them forever stays.
 * When the taints go away before then, the eviction is cancelled.
 */
import type { TraceContext } from '../../log';
import { objectKey, type Informer } from '../../api/informer';
import type { Node, Pod, Taint, Toleration } from '../../api/types';
import type { TimerId } from '../../clock';
import { toleratesTaint } from '../../scheduler/plugins/tainttoleration/helpers';
import { logDecision, type Controller, type ControllerContext } from '../context';
import { sharedPodsByNode, type PodsByNode } from '../pods';
import { ObjectEventRecorder } from '../events';

/**
 * getMinTolerationTime over the tolerations used for the node's NoExecute taints:
 * undefined → some taint is not tolerated (evict now); Infinity → tolerated forever; else ms.
 */
export function minTolerationMs(tolerations: readonly Toleration[] | undefined, taints: readonly Taint[]): number | undefined {
  let min = Infinity;
  for (const taint of taints) {
    let used = false;
    for (const t of tolerations ?? []) {
      if (!toleratesTaint(t, taint)) continue;
      used = true;
      if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
      min = Math.min(min, Math.max(0, t.tolerationSeconds) * 1000);
    }
    if (!used) return undefined;
  }
  return min;
}

interface Scheduled {
  timer: TimerId;
  /** When the controller first planned this eviction (upstream's CreatedAt). */
  since: number;
  at: number;
}

export class TaintEvictionController implements Controller {
  readonly name = 'taint-eviction-controller';
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;
  private readonly podsByNode: PodsByNode;
  private readonly scheduled = new Map<string, Scheduled>();
  /**
   * The NoExecute taints of every cached node by name, kept by the node handlers: every pod event on
   * a tainted node needs them, and they change only with the node. Not cleared on stop: it mirrors
   * the informer's cache.
   */
  private readonly noExecute = new Map<string, readonly Taint[]>();
  /** Names of the cached nodes that have NoExecute taints (a stale name only sends pod events down the full path). */
  private readonly tainted = new Set<string>();
  private readonly events: ObjectEventRecorder;
  private running = false;
  /** Pods deleted so far (for tests and benchmarks). */
  evicted = 0;

  constructor(private readonly cc: ControllerContext) {
    this.events = new ObjectEventRecorder(cc.clock, cc.client, 'taint-eviction-controller', cc.host);
    this.nodes = cc.informers.get<Node>('v1', 'nodes');
    this.pods = cc.informers.get<Pod>('v1', 'pods');
    this.podsByNode = sharedPodsByNode(cc.informers);
    this.pods.addHandlers({
      onAdd: (pod, ctx) => this.podChanged(pod, ctx),
      onUpdate: (_old, pod, ctx) => this.podChanged(pod, ctx),
      onDelete: (pod) => this.cancel(objectKey(pod)),
    });
    this.nodes.addHandlers({
      onAdd: (node, ctx) => {
        this.trackTaints(node);
        this.nodeChanged(node, ctx);
      },
      onUpdate: (old, node, ctx) => {
        this.trackTaints(node);
        if (!sameNoExecuteTaints(old, node)) this.nodeChanged(node, ctx);
      },
      onDelete: (node) => {
        this.noExecute.delete(node.metadata.name!);
        this.tainted.delete(node.metadata.name!);
        for (const pod of this.podsByNode.on(node.metadata.name!)) this.cancel(objectKey(pod));
      },
    });
  }

  start(_ctx: TraceContext): void {
    this.running = true;
  }

  stop(): void {
    this.running = false;
    for (const s of this.scheduled.values()) this.cc.clock.cancel(s.timer);
    this.scheduled.clear();
  }

  /** Evictions waiting for their time, by pod key → virtual time due. */
  pending(): Map<string, number> {
    return new Map([...this.scheduled].map(([k, s]) => [k, s.at]));
  }

  /** Keep `noExecute` and `tainted` in line with the node cache (called from every node event). */
  private trackTaints(node: Node): void {
    const taints = noExecuteTaints(node);
    this.noExecute.set(node.metadata.name!, taints);
    if (taints.length > 0) this.tainted.add(node.metadata.name!);
    else this.tainted.delete(node.metadata.name!);
  }

  private podChanged(pod: Pod, ctx: TraceContext): void {
    // No eviction to plan or cancel (the usual state): every pod event would end in a no-op.
    if (this.tainted.size === 0 && this.scheduled.size === 0) return;
    if (pod.metadata.deletionTimestamp || !pod.spec.nodeName) return this.cancel(objectKey(pod));
    // The node's taints as its handlers last saw them: undefined while it is not in the cache.
    const taints = this.noExecute.get(pod.spec.nodeName);
    if (taints) this.processPod(pod, taints, ctx);
  }

  private nodeChanged(node: Node, ctx: TraceContext): void {
    const taints = noExecuteTaints(node);
    for (const pod of this.podsByNode.on(node.metadata.name!)) {
      if (!pod.metadata.deletionTimestamp) this.processPod(pod, taints, ctx);
    }
  }

  private processPod(pod: Pod, taints: readonly Taint[], ctx: TraceContext): void {
    if (!this.running) return;
    const k = objectKey(pod);
    if (taints.length === 0) return this.cancel(k);
    const min = minTolerationMs(pod.spec.tolerations, taints);
    if (min === Infinity) return this.cancel(k);
    const now = this.cc.clock.now();
    const existing = this.scheduled.get(k);
    const since = existing?.since ?? now;
    const at = min === undefined ? now : since + min;
    if (existing && existing.at <= at) return;
    this.cancel(k);
    const timer = this.cc.clock.schedule(Math.max(0, at - now), () => this.evict(k, ctx), `${this.name}: evict ${k}`);
    this.scheduled.set(k, { timer, since, at });
  }

  private cancel(k: string): void {
    const s = this.scheduled.get(k);
    if (!s) return;
    this.cc.clock.cancel(s.timer);
    this.scheduled.delete(k);
  }

  private evict(k: string, ctx: TraceContext): void {
    this.scheduled.delete(k);
    const pod = this.pods.get(k);
    if (!pod || pod.metadata.deletionTimestamp || !this.running) return;
    this.evicted++;
    const dctx = logDecision(this.cc, this.name, ctx, { resource: 'pods', namespace: pod.metadata.namespace, name: pod.metadata.name! },
      `Marking for deletion Pod ${k} (NoExecute taint on node ${pod.spec.nodeName})`, { node: pod.spec.nodeName });
    if (this.cc.options.events) this.events.record(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${k}`, dctx);
    const now = this.cc.clock.iso();
    const condition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: now };
    const [namespace, name] = [pod.metadata.namespace, pod.metadata.name];
    this.cc.client.request({
      verb: 'patch', apiVersion: 'v1', resource: 'pods', namespace, name, subresource: 'status',
      patchType: 'application/strategic-merge-patch+json', body: { status: { conditions: [condition] } },
    }, dctx, (_res, pctx) => {
      this.cc.client.request({ verb: 'delete', apiVersion: 'v1', resource: 'pods', namespace, name }, pctx, (res) => {
        // Could not delete (API unreachable): try again shortly, if the pod is still there and still tainted.
        if (res.code >= 500) {
          this.cc.clock.schedule(1000, () => {
            const fresh = this.pods.get(k);
            if (fresh) this.podChanged(fresh, pctx);
          }, `${this.name}: retry ${k}`);
        }
      });
    });
  }
}

const NONE: readonly Taint[] = Object.freeze([]);

/**
 * The node's NoExecute taints. Asked on every pod event (and every node update): a node without any
 * (nearly all of them) answers one shared empty list instead of a new array.
 */
function noExecuteTaints(node: Node): readonly Taint[] {
  const taints = node.spec.taints;
  if (!taints || !hasNoExecute(taints)) return NONE;
  return taints.filter((t) => t.effect === 'NoExecute');
}

function hasNoExecute(taints: readonly Taint[]): boolean {
  for (const t of taints) if (t.effect === 'NoExecute') return true;
  return false;
}

/** Same NoExecute taints (by key, value and effect) on both versions of a node. */
function sameNoExecuteTaints(a: Node, b: Node): boolean {
  if (a.spec.taints === b.spec.taints) return true;
  return noExecuteTaints(a).map(taintId).join() === noExecuteTaints(b).map(taintId).join();
}

function taintId(t: Taint): string {
  return `${t.key}=${t.value ?? ''}:${t.effect}`;
}
