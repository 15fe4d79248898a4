/**
 * The scheduler's cache, as upstream's internal/cache: NodeInfos kept up to date from the node and
 * pod informers, plus "assumed" pods (placed by the scheduler before the API server confirms the
 * binding). Scheduling cycles here are synchronous, so the cache itself serves as the cycle's
 * snapshot: nothing can change it while a cycle runs.
 *
 * Nodes are listed in upstream's node-tree order — one node of each zone in turn — so that when only
 * a share of the nodes is evaluated (large clusters) the candidates still spread over zones.
 */
import type { Selector } from '../api/labels';
import type { Node, Pod } from '../api/types';
import { ALL_NAMESPACES, type CounterOptions, type PodCounter, type Snapshot } from './framework';
import { newPodInfo, NodeInfo, NodeTable, type PodInfo, podInfoOf, podKey } from './node-info';

const ZONE_LABEL = 'topology.kubernetes.io/zone';
const REGION_LABEL = 'topology.kubernetes.io/region';

/** upstream utilnode.GetZoneKey: region and zone together ("" when the node has neither). */
function zoneKey(node: Node): string {
  const labels = node.metadata.labels ?? {};
  const region = labels[REGION_LABEL] ?? '';
  const zone = labels[ZONE_LABEL] ?? '';
  return region || zone ? `${region}:\x00:${zone}` : '';
}

/** The same label set, whatever the key order (what the counters care about; scheduler.ts's sameLabels also compares order). */
function sameLabelSet(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k] || !(k in b)) return false;
  return true;
}

/** Whether every counter counts the two pods alike: same namespace, same labels, both or neither being deleted. */
function countsAlike(a: Pod, b: Pod): boolean {
  return (
    a.metadata.namespace === b.metadata.namespace &&
    !a.metadata.deletionTimestamp === !b.metadata.deletionTimestamp &&
    sameLabelSet(a.metadata.labels ?? {}, b.metadata.labels ?? {})
  );
}

class SelectorCounter implements PodCounter {
  /** Matching pods per node, by the node's cache index (a dense array: spreading reads it for hundreds of nodes per cycle). */
  private readonly counts: number[] = [];
  /** topology key → value → matching pods, built on first use and kept up to date. */
  private domains = new Map<string, Map<string, number>>();
  lastUsed = 0;
  /** The label every pod it counts carries (see anchorOf), if its selector requires one. */
  readonly anchor: { key: string; value: string } | undefined;
  constructor(
    readonly namespace: string,
    readonly selector: Selector,
    private readonly includeTerminating: boolean,
    private readonly allNodes: () => Iterable<NodeInfo>,
  ) {
    this.anchor = anchorOf(selector);
  }

  domainCounts(topologyKey: string): ReadonlyMap<string, number> {
    let totals = this.domains.get(topologyKey);
    if (!totals) {
      totals = new Map();
      for (const node of this.allNodes()) {
        const value = node.labels[topologyKey] ?? '';
        totals.set(value, (totals.get(value) ?? 0) + this.count(node));
      }
      this.domains.set(topologyKey, totals);
    }
    return totals;
  }

  /** Nodes came, went or changed labels: domain totals are rebuilt on next use. */
  invalidateDomains(): void {
    if (this.domains.size) this.domains = new Map();
  }

  counts_(pod: Pod): boolean {
    return (
      (this.namespace === ALL_NAMESPACES || (pod.metadata.namespace ?? 'default') === this.namespace) &&
      (this.includeTerminating || !pod.metadata.deletionTimestamp) &&
      this.selector.matches(pod.metadata.labels)
    );
  }

  adjust(node: NodeInfo, pod: Pod, delta: number): void {
    if (!this.counts_(pod)) return;
    const i = node.index;
    if (i >= 0) {
      while (this.counts.length <= i) this.counts.push(0);
      this.counts[i] += delta;
    }
    for (const [key, totals] of this.domains) {
      const value = node.labels[key] ?? '';
      totals.set(value, (totals.get(value) ?? 0) + delta);
    }
  }

  count(node: NodeInfo): number {
    const i = node.index;
    return i >= 0 && i < this.counts.length ? this.counts[i] : 0;
  }

  /** The node left the cache: its slot counts nothing. */
  forget(node: NodeInfo): void {
    if (node.index >= 0 && node.index < this.counts.length) this.counts[node.index] = 0;
  }
}

/**
 * Counters kept at once (least recently used dropped beyond). One per distinct spreading selector in
 * use — one per ReplicaSet, typically — so this is sized for a few hundred Deployments: a counter
 * dropped and asked for again is rebuilt from the placed pods (those carrying its anchor label).
 */
const MAX_COUNTERS = 1024;

/**
 * A pod the cache has placed. While `node` is set the pod is on it (node.pods holds `info`); while it
 * is unset the pod waits among the orphans for its node (`info` set), or — assumed on a node the
 * cache did not know — is on no node at all (`info` unset).
 */
interface PlacedPod {
  /** spec.nodeName, or the node it was assumed on. */
  readonly nodeName: string;
  node: NodeInfo | undefined;
  info: PodInfo | undefined;
  /** Assumed by this scheduler, its binding not yet seen by the informer. */
  assumed: boolean;
}

/** A selector's first single-value equality requirement ("app=web"): a pod it matches carries that label. */
function anchorOf(selector: Selector): { key: string; value: string } | undefined {
  const r = selector.requirements.find((q) => (q.operator === '=' || q.operator === '==' || q.operator === 'in') && q.values.length === 1);
  return r ? { key: r.key, value: r.values[0] } : undefined;
}

/**
 * The counters a pod can count for, found through their selectors' first single-value equality
 * requirement ("app=web"): a placed pod visits the counters filed under its own labels, not all
 * of them. Counters whose selectors have no such requirement are visited for every pod.
 */
class CounterIndex {
  /** label key → value → counters whose selector requires key=value. */
  private readonly anchored = new Map<string, Map<string, SelectorCounter[]>>();
  private readonly unanchored: SelectorCounter[] = [];

  add(counter: SelectorCounter): void {
    const anchor = counter.anchor;
    if (!anchor) return void this.unanchored.push(counter);
    let byValue = this.anchored.get(anchor.key);
    if (!byValue) this.anchored.set(anchor.key, (byValue = new Map()));
    const list = byValue.get(anchor.value);
    if (list) list.push(counter);
    else byValue.set(anchor.value, [counter]);
  }

  delete(counter: SelectorCounter): void {
    const anchor = counter.anchor;
    const list = anchor ? this.anchored.get(anchor.key)?.get(anchor.value) : this.unanchored;
    const i = list ? list.indexOf(counter) : -1;
    if (i >= 0) list!.splice(i, 1);
  }

  /** Adjust every counter that may count `pod` (each at most once: a pod has one value per key). */
  adjust(node: NodeInfo, pod: Pod, delta: number): void {
    for (const c of this.unanchored) c.adjust(node, pod, delta);
    const labels = pod.metadata.labels;
    if (!labels || this.anchored.size === 0) return;
    for (const key in labels) {
      const list = this.anchored.get(key)?.get(labels[key]);
      if (list) for (const c of list) c.adjust(node, pod, delta);
    }
  }
}

export class SchedulerCache implements Snapshot {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly zones = new Map<string, NodeInfo[]>();
  private ordered: NodeInfo[] | undefined;
  /**
   * Every pod the cache has placed (bound or assumed), by key: its node, PodInfo and assumed flag in
   * one record, so that an update finds all of it with one lookup in a map of every pod.
   */
  private readonly placed = new Map<string, PlacedPod>();
  /** Bound pods whose node the cache does not know yet (the node informer lags). */
  private readonly orphans = new Map<string, Map<string, PodInfo>>();
  private readonly counters = new Map<string, SelectorCounter>();
  private readonly counterIndex = new CounterIndex();
  /**
   * Placed pods' keys by label (key → value → pod keys): a new counter with an anchor label counts the
   * pods carrying it instead of every placed pod (a new leader builds a counter per ReplicaSet).
   */
  private readonly podsByLabel = new Map<string, Map<string, Set<string>>>();
  /** Placed pods that carry pod affinity or anti-affinity terms (InterPodAffinity looks at them). */
  private readonly affinityPods = new Map<string, { pod: Pod; node: NodeInfo }>();
  /** label key → number of nodes carrying it. */
  private readonly labelKeys = new Map<string, number>();
  private tick = 0;
  /** The next NodeInfo's index (a node that comes back gets a new one). */
  private nextIndex = 0;
  /** The rows of the nodes' hot numbers (see NodeTable), one block for all of them. */
  private readonly table = new NodeTable();

  // ------------------------------------------------------------ Snapshot

  nodeInfos(): readonly NodeInfo[] {
    if (!this.ordered) {
      const out: NodeInfo[] = [];
      const lists = [...this.zones.values()];
      for (let i = 0; out.length < this.nodes.size; i++) for (const list of lists) if (i < list.length) out.push(list[i]);
      this.ordered = out;
    }
    return this.ordered;
  }

  get(name: string): NodeInfo | undefined {
    return this.nodes.get(name);
  }

  /**
   * The counter podCounter returned last, with what it was asked for: PodTopologySpread asks twice
   * a cycle (hostname and zone) with the same Selector object, shared by the pods of a ReplicaSet,
   * which come in runs. A hit spares building the key string and looking it up.
   */
  private lastCounter: { namespace: string; selector: Selector; includeTerminating: boolean; counter: SelectorCounter } | undefined;

  podCounter(namespace: string, selector: Selector, options: CounterOptions = {}): PodCounter {
    const includeTerminating = !!options.includeTerminating;
    const last = this.lastCounter;
    if (last && last.selector === selector && last.namespace === namespace && last.includeTerminating === includeTerminating) {
      last.counter.lastUsed = ++this.tick;
      return last.counter;
    }
    const text = selector.toString() || (selector.empty() ? '<everything>' : '<nothing>');
    const key = `${namespace}\x00${includeTerminating ? 'all' : 'live'}\x00${text}`;
    let counter = this.counters.get(key);
    if (!counter) {
      counter = new SelectorCounter(namespace, selector, includeTerminating, () => this.nodes.values());
      this.countExisting(counter);
      if (this.counters.size >= MAX_COUNTERS) this.evictCounter();
      this.counters.set(key, counter);
      this.counterIndex.add(counter);
    }
    counter.lastUsed = ++this.tick;
    this.lastCounter = { namespace, selector, includeTerminating, counter };
    return counter;
  }

  /** Count the pods already placed into a new counter: those carrying its anchor label, or all of them. */
  private countExisting(counter: SelectorCounter): void {
    const anchor = counter.anchor;
    if (!anchor) {
      for (const node of this.nodes.values()) for (const info of node.pods.values()) counter.adjust(node, info.pod, 1);
      return;
    }
    // The index may still list a pod under a label it has since lost (relabelled while its node was
    // away): adjust() checks the selector itself, so such a key costs a lookup, never a wrong count.
    for (const key of this.podsByLabel.get(anchor.key)?.get(anchor.value) ?? []) {
      const placed = this.placed.get(key);
      if (placed?.node) counter.adjust(placed.node, placed.info!.pod, 1);
    }
  }

  private indexLabels(pod: Pod, key: string, add: boolean): void {
    const labels = pod.metadata.labels;
    if (!labels) return;
    for (const k in labels) {
      let byValue = this.podsByLabel.get(k);
      if (!byValue) {
        if (!add) continue;
        this.podsByLabel.set(k, (byValue = new Map()));
      }
      const v = labels[k];
      let keys = byValue.get(v);
      if (add) {
        if (!keys) byValue.set(v, (keys = new Set()));
        keys.add(key);
      } else if (keys) {
        keys.delete(key);
        if (keys.size === 0) byValue.delete(v);
      }
    }
  }

  podsWithAffinity(): Iterable<{ pod: Pod; node: NodeInfo }> {
    return this.affinityPods.values();
  }

  allNodesHaveLabel(key: string): boolean {
    return (this.labelKeys.get(key) ?? 0) === this.nodes.size;
  }

  private countLabels(info: NodeInfo, delta: 1 | -1): void {
    for (const key of Object.keys(info.labels)) {
      const n = (this.labelKeys.get(key) ?? 0) + delta;
      if (n === 0) this.labelKeys.delete(key);
      else this.labelKeys.set(key, n);
    }
  }

  private nodesChanged(): void {
    for (const c of this.counters.values()) c.invalidateDomains();
  }

  private evictCounter(): void {
    let oldest: string | undefined;
    let min = Infinity;
    for (const [key, c] of this.counters) if (c.lastUsed < min) [oldest, min] = [key, c.lastUsed];
    if (oldest === undefined) return;
    if (this.lastCounter?.counter === this.counters.get(oldest)) this.lastCounter = undefined;
    this.counterIndex.delete(this.counters.get(oldest)!);
    this.counters.delete(oldest);
  }

  // ------------------------------------------------------------ nodes

  get nodeCount(): number {
    return this.nodes.size;
  }

  addNode(node: Node): NodeInfo {
    const name = node.metadata.name ?? '';
    const existing = this.nodes.get(name);
    if (existing) {
      this.updateNode(node);
      return existing;
    }
    const info = new NodeInfo(node, this.table);
    info.index = this.nextIndex++;
    this.nodes.set(name, info);
    this.countLabels(info, 1);
    this.nodesChanged();
    this.addToZone(info);
    const waiting = this.orphans.get(name);
    if (waiting) {
      this.orphans.delete(name);
      for (const p of waiting.values()) this.place(info, p, this.placed.get(p.key)!);
    }
    return info;
  }

  updateNode(node: Node): void {
    const info = this.nodes.get(node.metadata.name ?? '');
    if (!info) {
      this.addNode(node);
      return;
    }
    const zoneChanged = zoneKey(info.node) !== zoneKey(node);
    const labelsChanged = !sameLabelSet(info.labels, node.metadata.labels ?? {});
    if (zoneChanged) this.removeFromZone(info);
    if (labelsChanged) this.countLabels(info, -1);
    info.setNode(node);
    if (labelsChanged) {
      this.countLabels(info, 1);
      this.nodesChanged();
    }
    if (zoneChanged) this.addToZone(info);
  }

  removeNode(name: string): void {
    const info = this.nodes.get(name);
    if (!info) return;
    this.nodes.delete(name);
    this.countLabels(info, -1);
    this.removeFromZone(info);
    // Pods stay known (upstream keeps them until their deletion arrives), waiting for the node.
    if (info.pods.size) this.orphans.set(name, new Map(info.pods));
    for (const key of info.pods.keys()) {
      this.placed.get(key)!.node = undefined;
      this.affinityPods.delete(key);
    }
    for (const c of this.counters.values()) c.forget(info);
    this.nodesChanged();
  }

  private addToZone(info: NodeInfo): void {
    const z = zoneKey(info.node);
    let list = this.zones.get(z);
    if (!list) this.zones.set(z, (list = []));
    list.push(info);
    this.ordered = undefined;
  }

  private removeFromZone(info: NodeInfo): void {
    const z = zoneKey(info.node);
    const list = this.zones.get(z);
    if (!list) return;
    const i = list.indexOf(info);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.zones.delete(z);
    this.ordered = undefined;
  }

  // ------------------------------------------------------------ pods

  /** Put `info` on `node` (a new version of a pod already there replaces it). */
  private place(node: NodeInfo, info: PodInfo, placed: PlacedPod): void {
    const old = placed.node === node ? placed.info : node.pods.get(info.key);
    // A new version of a pod on the same node (the binding's confirmation; status writes mostly stop
    // earlier, see changesNothingPlaced) counts as it did unless its namespace, labels or deletion
    // changed: the counters are then left alone.
    const recount = !old || !countsAlike(old.pod, info.pod);
    // The label index changes only with the labels: a pod being deleted (evictions, after a zone
    // failure) is recounted, but keeps its entries.
    const reindex = !old || (recount && !sameLabelSet(old.pod.metadata.labels ?? {}, info.pod.metadata.labels ?? {}));
    if (old && recount) this.counterIndex.adjust(node, old.pod, -1);
    if (old && reindex) this.indexLabels(old.pod, info.key, false);
    node.addPod(info);
    placed.node = node;
    placed.info = info;
    if (recount) this.counterIndex.adjust(node, info.pod, 1);
    if (reindex) this.indexLabels(info.pod, info.key, true);
    const affinity = info.pod.spec.affinity;
    if (affinity?.podAffinity || affinity?.podAntiAffinity) this.affinityPods.set(info.key, { pod: info.pod, node });
    else this.affinityPods.delete(info.key);
  }

  /** Take the pod off its node (or out of the orphans) and forget it. */
  private unplace(key: string, placed: PlacedPod): void {
    this.placed.delete(key);
    const node = placed.node;
    if (!node) {
      const waiting = this.orphans.get(placed.nodeName);
      const orphan = waiting?.get(key);
      if (orphan) this.indexLabels(orphan.pod, key, false);
      waiting?.delete(key);
      return;
    }
    const removed = node.removePod(key);
    if (removed) {
      this.counterIndex.adjust(node, removed.pod, -1);
      this.indexLabels(removed.pod, key, false);
    }
    this.affinityPods.delete(key);
  }

  /**
   * A bound pod (spec.nodeName set) was added or changed; confirms an assumed pod. `key` is
   * podKey(pod), passed by a caller that has it: building it again made a new string for every
   * map lookup to hash (three schedulers see every update of every pod).
   */
  addPod(pod: Pod, key = podKey(pod)): void {
    const nodeName = pod.spec.nodeName;
    if (!nodeName) return;
    let placed = this.placed.get(key);
    if (placed && changesNothingPlaced(placed, pod)) return;
    const info = reuse(pod, placed);
    if (placed && placed.nodeName !== nodeName) {
      this.unplace(key, placed);
      placed = undefined;
    }
    if (!placed) this.placed.set(key, (placed = { nodeName, node: undefined, info: undefined, assumed: false }));
    placed.assumed = false;
    // The pod's node as recorded when it is on one (a status update finds it without a lookup).
    const node = placed.node ?? this.nodes.get(nodeName);
    if (node) this.place(node, info, placed);
    else {
      let waiting = this.orphans.get(nodeName);
      if (!waiting) this.orphans.set(nodeName, (waiting = new Map()));
      waiting.set(key, info);
      placed.info = info;
    }
  }

  updatePod(pod: Pod): void {
    this.addPod(pod);
  }

  removePod(pod: Pod): void {
    const key = podKey(pod);
    const placed = this.placed.get(key);
    if (placed) this.unplace(key, placed);
  }

  /**
   * Place a pod on a node before the binding is confirmed (upstream's AssumePod). `base` is the
   * pod's PodInfo when the caller has it (the queue's entry), else podInfoOf(pod).
   */
  assumePod(pod: Pod, nodeName: string, base: PodInfo = podInfoOf(pod)): void {
    const assumedPod: Pod = { ...pod, spec: { ...pod.spec, nodeName } };
    const info: PodInfo = { ...base, pod: assumedPod };
    const old = this.placed.get(info.key);
    if (old) this.unplace(info.key, old);
    const placed: PlacedPod = { nodeName, node: undefined, info: undefined, assumed: true };
    this.placed.set(info.key, placed);
    const node = this.nodes.get(nodeName);
    if (node) this.place(node, info, placed);
  }

  /** The binding failed: take the assumed pod off its node (upstream's ForgetPod). */
  forgetPod(key: string): void {
    const placed = this.placed.get(key);
    if (placed?.assumed) this.unplace(key, placed);
  }

  isAssumed(key: string): boolean {
    return !!this.placed.get(key)?.assumed;
  }

  /** Where the cache has the pod, if anywhere. */
  nodeOf(key: string): string | undefined {
    return this.placed.get(key)?.nodeName;
  }
}

/**
 * Whether `pod`, a new version of a pod the cache has bound (not assumed) on the same node, changes
 * nothing the cache or the plugins read of a placed pod: the same spec object (the API server's
 * writes share the parts they leave alone, so a status write keeps it: requests, ports, affinity,
 * priority), the same uid, and labels, namespace and deletion as the counters see them. Such a
 * version (a kubelet's status writes: two of every pod's three updates while it starts) is not
 * stored: the version placed stands for it, and every decision is the same as with the new one.
 * Upstream's cache replaces the pod (removes it from its NodeInfo and adds it back); here that cost
 * a lookup in the node's pods and two writes, a new PodInfo, and the checks, for every status write.
 */
function changesNothingPlaced(placed: PlacedPod, pod: Pod): boolean {
  const cached = placed.info?.pod;
  return (
    cached !== undefined &&
    !placed.assumed &&
    cached.spec === pod.spec &&
    placed.nodeName === pod.spec.nodeName &&
    cached.metadata.uid === pod.metadata.uid &&
    countsAlike(cached, pod)
  );
}

/**
 * The PodInfo for a new version of a pod already placed: a bound pod's containers cannot change,
 * so its requests and ports are reused rather than parsed again on every status update.
 */
function reuse(pod: Pod, placed: PlacedPod | undefined): PodInfo {
  const info = placed?.info;
  if (info && info.pod.metadata.uid === pod.metadata.uid && info.pod !== pod) return { ...info, pod };
  return info?.pod === pod ? info : newPodInfo(pod);
}
