/**
 * What the scheduler knows about a pod and a node, computed once and updated incrementally (as
 * upstream's framework.PodInfo and framework.NodeInfo): a pod's resource requests and host ports;
 * a node's allocatable, the pods on it, the sum of their requests and the host ports in use.
 */
import { isQuantityError, parseQuantity } from '../../manifest/quantity';
import { objectKey } from '../api/informer';
import type { Container, Node, Pod, Quantity, Taint } from '../api/types';

/** Scheduler resource amounts: CPU in millicores, memory and storage in bytes, others as counts. */
export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended resources (example.com/foo, nvidia.com/gpu, hugepages-2Mi): name → amount. */
  scalar?: Record<string, number>;
}

/** upstream's defaults for containers without requests, used by scoring only (non-zero requests). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export const zeroResources = (): Resources => ({ milliCPU: 0, memory: 0, ephemeralStorage: 0 });

function amount(q: Quantity | undefined, milli: boolean): number {
  if (q === undefined) return 0;
  const parsed = parseQuantity(q);
  // The API server rejects invalid quantities; should one slip through, it counts as nothing.
  if (isQuantityError(parsed)) return 0;
  return milli ? parsed.milliValue : parsed.intValue;
}

function isScalarResource(name: string): boolean {
  return name.includes('/') || name.startsWith('hugepages-');
}

/**
 * Turn a requests (or allocatable) map into Resources. `pods` is returned apart since only nodes
 * have it.
 */
export function toResources(list: Readonly<Record<string, Quantity>> | undefined): Resources & { pods: number } {
  // A literal, not a spread of zeroResources(): same keys in the same order, without the copy.
  const r: Resources & { pods: number } = { milliCPU: 0, memory: 0, ephemeralStorage: 0, pods: 0 };
  if (!list) return r;
  for (const name of Object.keys(list)) {
    const q = list[name];
    switch (name) {
      case 'cpu':
        r.milliCPU = amount(q, true);
        break;
      case 'memory':
        r.memory = amount(q, false);
        break;
      case 'ephemeral-storage':
        r.ephemeralStorage = amount(q, false);
        break;
      case 'pods':
        r.pods = amount(q, false);
        break;
      default:
        if (isScalarResource(name)) (r.scalar ??= {})[name] = amount(q, false);
    }
  }
  return r;
}

/** A container's effective requests: limits stand in for missing requests, as API defaulting does. */
function containerRequests(c: Container): Resources {
  const requests = c.resources?.requests ?? {};
  const limits = c.resources?.limits ?? {};
  const merged: Record<string, Quantity> = { ...limits, ...requests };
  return toResources(merged);
}

function addInto(sum: Resources, r: Resources): void {
  sum.milliCPU += r.milliCPU;
  sum.memory += r.memory;
  sum.ephemeralStorage += r.ephemeralStorage;
  if (r.scalar) for (const k of Object.keys(r.scalar)) (sum.scalar ??= {})[k] = (sum.scalar?.[k] ?? 0) + r.scalar[k];
}

function maxInto(acc: Resources, r: Resources): void {
  acc.milliCPU = Math.max(acc.milliCPU, r.milliCPU);
  acc.memory = Math.max(acc.memory, r.memory);
  acc.ephemeralStorage = Math.max(acc.ephemeralStorage, r.ephemeralStorage);
  if (r.scalar) for (const k of Object.keys(r.scalar)) (acc.scalar ??= {})[k] = Math.max(acc.scalar?.[k] ?? 0, r.scalar[k]);
}

/** Whether a container asks for `name`, as a request or a limit. */
function containerAsks(c: Container, name: string): boolean {
  return c.resources?.requests?.[name] !== undefined || c.resources?.limits?.[name] !== undefined;
}

/** Upstream's non-zero defaults, in place, for the cpu and memory a container does not ask for. */
function withNonZeroDefaults(r: Resources, c: Container): Resources {
  if (!containerAsks(c, 'cpu')) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
  if (!containerAsks(c, 'memory')) r.memory = DEFAULT_MEMORY_REQUEST;
  return r;
}

/**
 * upstream resource.PodRequests: the sum of the app containers' requests, or the largest init
 * container's request if that is larger (init containers run one at a time, before the others).
 * With `nonZero`, containers without a CPU or memory request count upstream's defaults (scoring).
 */
export function podRequests(pod: Pod, nonZero = false): Resources {
  const sum = zeroResources();
  for (const c of pod.spec.containers ?? []) {
    const r = containerRequests(c);
    addInto(sum, nonZero ? withNonZeroDefaults(r, c) : r);
  }
  for (const c of pod.spec.initContainers ?? []) {
    const r = containerRequests(c);
    maxInto(sum, nonZero ? withNonZeroDefaults(r, c) : r);
  }
  return sum;
}

/**
 * podRequests(pod) and podRequests(pod, true) in one pass, each container's quantities parsed
 * once (the defaults go in after the plain sum has read the container's own amounts).
 */
function podRequestsAndNonZero(pod: Pod): { requests: Resources; nonZero: Resources } {
  const requests = zeroResources();
  const nonZero = zeroResources();
  for (const c of pod.spec.containers ?? []) {
    const r = containerRequests(c);
    addInto(requests, r);
    addInto(nonZero, withNonZeroDefaults(r, c));
  }
  for (const c of pod.spec.initContainers ?? []) {
    const r = containerRequests(c);
    maxInto(requests, r);
    maxInto(nonZero, withNonZeroDefaults(r, c));
  }
  return { requests, nonZero };
}

const NO_QUANTITIES: Quantities = Object.freeze({});

/** Whether two container lists ask for the same quantities: requests and limits, keys in the same order. */
function sameAsks(a: readonly Container[] | undefined, b: readonly Container[] | undefined): boolean {
  if (a === b) return true;
  if ((a?.length ?? 0) !== (b?.length ?? 0)) return false;
  for (let i = 0; i < (a?.length ?? 0); i++) {
    const ra = a![i].resources;
    const rb = b![i].resources;
    if (!sameQuantities(ra?.requests ?? NO_QUANTITIES, rb?.requests ?? NO_QUANTITIES)) return false;
    if (!sameQuantities(ra?.limits ?? NO_QUANTITIES, rb?.limits ?? NO_QUANTITIES)) return false;
  }
  return true;
}

/**
 * The last pod's derived requests, kept for the next pod: pods come by ReplicaSet (created, bound,
 * listed by a new leader), and the pods of one ask for the same quantities, each in its own objects.
 */
let lastDemands: { containers: readonly Container[] | undefined; initContainers: readonly Container[] | undefined; requests: Resources; nonZero: Resources } | undefined;

/**
 * podRequestsAndNonZero(pod), shared with the previous pod when it asks for the same quantities
 * (compared as podRequestsAndNonZero reads them: every container's requests and limits, in order).
 * The Resources are never written to, so pods asking alike may share them.
 */
function demandsOf(pod: Pod): { requests: Resources; nonZero: Resources } {
  const { containers, initContainers } = pod.spec;
  const last = lastDemands;
  if (last && sameAsks(containers, last.containers) && sameAsks(initContainers, last.initContainers)) return last;
  const { requests, nonZero } = podRequestsAndNonZero(pod);
  lastDemands = { containers, initContainers, requests, nonZero };
  return lastDemands;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** The one empty host port list, shared by the PodInfos of the pods that ask for none (most of them). */
const NO_HOST_PORTS: readonly HostPort[] = Object.freeze([]);

/** The host ports a pod asks for (hostIP defaults to 0.0.0.0, protocol to TCP). */
export function podHostPorts(pod: Pod): readonly HostPort[] {
  let out: HostPort[] | undefined;
  for (const c of pod.spec.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.hostPort && p.hostPort > 0) (out ??= []).push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out ?? NO_HOST_PORTS;
}

/** A pod with what the scheduler derives from it, computed once per pod object. */
export interface PodInfo {
  readonly pod: Pod;
  /** "namespace/name". */
  readonly key: string;
  readonly requests: Resources;
  readonly nonZeroRequests: Resources;
  readonly hostPorts: readonly HostPort[];
  readonly priority: number;
}

const podInfos = new WeakMap<Pod, PodInfo>();

/** "namespace/name", the key PodInfo has (without computing a PodInfo for a pod version that needs none). */
export function podKey(pod: Pod): string {
  return pod.metadata.namespace ? objectKey(pod) : `default/${pod.metadata.name}`;
}

/** The PodInfo of a pod version, memoized per pod object (tests and plugins ask for the same one again). */
export function podInfoOf(pod: Pod): PodInfo {
  let info = podInfos.get(pod);
  if (!info) podInfos.set(pod, (info = newPodInfo(pod)));
  return info;
}

/**
 * A new PodInfo for `pod`, not memoized: for callers that keep it themselves (the queue's entry, the
 * cache's record) and never ask for it by the pod object again. A WeakMap entry per pod version
 * (every pod the queue or a new leader's cache sees) cost a weak-table insert and GC work for nothing.
 */
export function newPodInfo(pod: Pod): PodInfo {
  const { requests, nonZero } = demandsOf(pod);
  return {
    pod,
    key: podKey(pod),
    requests,
    nonZeroRequests: nonZero,
    hostPorts: podHostPorts(pod),
    priority: pod.spec.priority ?? 0,
  };
}

const HOSTNAME_LABEL = 'kubernetes.io/hostname';
const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** The one empty taint list: `taints === NO_TAINTS` tells an untainted node without reading an array. */
export const NO_TAINTS: readonly Taint[] = Object.freeze([]);

/** The taints with one of `effects` (the array itself when every taint has one), in the node's order. */
function taintsWith(taints: readonly Taint[], effect1: string, effect2?: string): readonly Taint[] {
  let n = 0;
  for (let i = 0; i < taints.length; i++) if (taints[i].effect === effect1 || taints[i].effect === effect2) n++;
  if (n === 0) return NO_TAINTS;
  if (n === taints.length) return taints;
  return taints.filter((t) => t.effect === effect1 || t.effect === effect2);
}

/** Ids of the taint lists seen, by their (key, value, effect) in order; 0 is the empty list. */
const taintSetIds = new Map<string, number>();

/**
 * A small number standing for a list of taints' keys, values and effects, in order (not timeAdded,
 * which no toleration reads): what a toleration check depends on. Nodes tainted alike (the third of
 * a cluster whose zone failed: each carries the same two unreachable taints) share one id, so a
 * Filter can decide once per pod for all of them. A cluster has a handful of distinct lists.
 */
export function taintSetId(taints: readonly Taint[]): number {
  if (taints.length === 0) return 0;
  let key = '';
  for (let i = 0; i < taints.length; i++) key += `${taints[i].key}\u0000${taints[i].value ?? ''}\u0000${taints[i].effect}\u0001`;
  let id = taintSetIds.get(key);
  if (id === undefined) taintSetIds.set(key, (id = taintSetIds.size + 1));
  return id;
}

/**
 * One number for a cordon flag and a taint list id (taintSetId): equal for nodes whose
 * spec.unschedulable and NoSchedule/NoExecute taints (keys, values, effects, in order) are equal.
 */
export function cordonAndTaintsId(unschedulable: boolean, doNotScheduleTaintsId: number): number {
  return doNotScheduleTaintsId * 2 + (unschedulable ? 1 : 0);
}

type Quantities = Readonly<Record<string, Quantity>>;

/** Parsed allocatable, per quantities object (a trial NodeInfo for the same Node parses nothing). */
const parsedQuantities = new WeakMap<Quantities, Resources & { pods: number }>();

function sameQuantities(a: Quantities, b: Quantities): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i] || a[ka[i]] !== b[kb[i]]) return false;
  return true;
}

/** NodeTable's columns. */
const FREE_PODS = 0;
const FREE_MILLI_CPU = 1;
const FREE_MEMORY = 2;
const FREE_EPHEMERAL_STORAGE = 3;
const ALLOCATABLE_MILLI_CPU = 4;
const ALLOCATABLE_MEMORY = 5;
const REQUESTED_MILLI_CPU = 6;
const REQUESTED_MEMORY = 7;
const NON_ZERO_REQUESTED_MILLI_CPU = 8;
const NON_ZERO_REQUESTED_MEMORY = 9;
const ROW_WIDTH = 10;

/**
 * The per-node numbers NodeResourcesFit's Filter and the resource Scores read, for hundreds of nodes
 * per cycle, kept in one Float64Array: a row of ROW_WIDTH doubles per node (NodeInfo.row is its
 * offset). As fields of NodeInfo the memory and storage amounts (above 2^31, not small integers)
 * were each a separate boxed number on the heap: a node's filter and scores touched the object and
 * several boxes scattered in memory. A row is 80 contiguous bytes, and the rows of a cache's nodes
 * are one block.
 */
export class NodeTable {
  /** ROW_WIDTH doubles per row; replaced by a larger copy when full (NodeInfos keep their row offsets). */
  data: Float64Array;
  private rows = 0;

  constructor(capacity = 64) {
    this.data = new Float64Array(Math.max(1, capacity) * ROW_WIDTH);
  }

  /**
   * A new row, zeroed; its offset in `data`. Rows are not reused: a NodeInfo the cache has dropped
   * may still be read (a cycle's result), and nodes come and go rarely.
   */
  allocate(): number {
    const row = this.rows++ * ROW_WIDTH;
    if (row + ROW_WIDTH > this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    return row;
  }
}

/** into += sign × r. */
function addSigned(into: Resources, r: Resources, sign: 1 | -1): void {
  into.milliCPU += sign * r.milliCPU;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  if (r.scalar) for (const k of Object.keys(r.scalar)) (into.scalar ??= {})[k] = (into.scalar?.[k] ?? 0) + sign * r.scalar[k];
}

/** Whether two PodInfos ask for the same things by identity (the cache's reused requests and ports). */
function sameDemands(a: PodInfo, b: PodInfo): boolean {
  return a.requests === b.requests && a.nonZeroRequests === b.nonZeroRequests && a.hostPorts === b.hostPorts;
}

/** A node and the pods the scheduler has placed on it (bound or assumed). */
export class NodeInfo {
  // The fields every cycle reads for each node it evaluates come first, so that they share the
  // object's first cache lines (a cycle reads hundreds of NodeInfos, scattered in the heap).
  /** Where this node's hot numbers live (its cache's table; a table of its own outside a cache). */
  readonly table: NodeTable;
  /** The offset of this node's row in table.data. */
  readonly row: number;
  /**
   * The node's cordon and NoSchedule/NoExecute taints as one number (cordonAndTaintsId): nodes with
   * equal ones share it, so the Filters that read nothing else answer once per cycle for all of them.
   */
  cordonAndTaintsId = 0;
  /** spec.unschedulable (cordoned). */
  unschedulable = false;
  /** The NoSchedule and NoExecute taints (TaintToleration's Filter), in the node's order; NO_TAINTS when none. */
  doNotScheduleTaints: readonly Taint[] = NO_TAINTS;
  /** Which list of (key, value, effect) doNotScheduleTaints is (taintSetId): nodes with equal ones share it. */
  doNotScheduleTaintsId = 0;
  readonly name: string;
  /** The node's slot in its cache (dense, from 0; -1 outside a cache, e.g. a preemption trial). */
  index = -1;
  /** labels[HOSTNAME_LABEL] and labels[ZONE_LABEL], the usual topology keys, read once per node update. */
  private hostnameLabel: string | undefined;
  private zoneLabel: string | undefined;
  /** The PreferNoSchedule taints (TaintToleration's Score), in the node's order; NO_TAINTS when none. */
  preferNoScheduleTaints: readonly Taint[] = NO_TAINTS;
  node: Node;
  allocatable: Resources = zeroResources();
  allowedPodNumber = 0;
  /** Sum of the requests of the pods on the node. */
  readonly requested: Resources = zeroResources();
  /** Same, counting upstream's defaults for containers without requests (for scoring). */
  readonly nonZeroRequested: Resources = zeroResources();
  readonly pods = new Map<string, PodInfo>();
  /** hostIP → "protocol/port" → number of pods using it. */
  private readonly usedPorts = new Map<string, Map<string, number>>();
  /** Bumped on every change (a cheap way to see whether anything moved). */
  generation = 0;

  constructor(node: Node, table: NodeTable = new NodeTable(1)) {
    this.table = table;
    this.row = table.allocate();
    this.node = node;
    this.name = node.metadata.name ?? '';
    this.setNode(node);
  }

  /** The node's labels (never undefined). */
  labels: Readonly<Record<string, string>> = {};

  /** labels[key]; the hostname and zone come from fields (spreading asks for them for hundreds of nodes per cycle). */
  label(key: string): string | undefined {
    if (key === ZONE_LABEL) return this.zoneLabel;
    if (key === HOSTNAME_LABEL) return this.hostnameLabel;
    return this.labels[key];
  }

  /** The node's taints (never undefined), read once per node update: filters ask for them on every cycle. */
  taints: readonly Taint[] = NO_TAINTS;
  /**
   * What is left on the node: allowed pods minus pods, allocatable minus requested, kept up to date
   * with every change so that NodeResourcesFit's Filter reads a few numbers of the node's row only.
   */
  get freePods(): number {
    return this.table.data[this.row + FREE_PODS];
  }
  get freeMilliCPU(): number {
    return this.table.data[this.row + FREE_MILLI_CPU];
  }
  get freeMemory(): number {
    return this.table.data[this.row + FREE_MEMORY];
  }
  get freeEphemeralStorage(): number {
    return this.table.data[this.row + FREE_EPHEMERAL_STORAGE];
  }
  /**
   * Copies of allocatable, requested and nonZeroRequested cpu and memory, for the same reason: the
   * Score plugins read them for hundreds of nodes per cycle.
   */
  get allocatableMilliCPU(): number {
    return this.table.data[this.row + ALLOCATABLE_MILLI_CPU];
  }
  get allocatableMemory(): number {
    return this.table.data[this.row + ALLOCATABLE_MEMORY];
  }
  get requestedMilliCPU(): number {
    return this.table.data[this.row + REQUESTED_MILLI_CPU];
  }
  get requestedMemory(): number {
    return this.table.data[this.row + REQUESTED_MEMORY];
  }
  get nonZeroRequestedMilliCPU(): number {
    return this.table.data[this.row + NON_ZERO_REQUESTED_MILLI_CPU];
  }
  get nonZeroRequestedMemory(): number {
    return this.table.data[this.row + NON_ZERO_REQUESTED_MEMORY];
  }
  /** The quantities `allocatable` was parsed from (a node update with equal ones parses nothing). */
  private allocatableSource: Quantities | undefined;

  setNode(node: Node): void {
    this.node = node;
    const taints = node.spec?.taints?.length ? node.spec.taints : NO_TAINTS;
    if (taints !== this.taints) {
      this.taints = taints;
      this.doNotScheduleTaints = taintsWith(taints, 'NoSchedule', 'NoExecute');
      this.doNotScheduleTaintsId = taintSetId(this.doNotScheduleTaints);
      this.preferNoScheduleTaints = taintsWith(taints, 'PreferNoSchedule');
    }
    this.unschedulable = !!node.spec?.unschedulable;
    this.cordonAndTaintsId = cordonAndTaintsId(this.unschedulable, this.doNotScheduleTaintsId);
    this.labels = node.metadata.labels ?? {};
    this.hostnameLabel = this.labels[HOSTNAME_LABEL];
    this.zoneLabel = this.labels[ZONE_LABEL];
    const source = node.status?.allocatable ?? node.status?.capacity;
    if (!source || !this.allocatableSource || !sameQuantities(source, this.allocatableSource)) {
      let alloc = source && parsedQuantities.get(source);
      if (!alloc) {
        alloc = toResources(source);
        if (source) parsedQuantities.set(source, alloc);
      }
      this.allowedPodNumber = alloc.pods;
      this.allocatable = { milliCPU: alloc.milliCPU, memory: alloc.memory, ephemeralStorage: alloc.ephemeralStorage, scalar: alloc.scalar };
    }
    this.allocatableSource = source;
    this.updateFree();
    this.generation++;
  }

  /** Write the node's row from its allocatable, requests and pods. */
  private updateFree(): void {
    const d = this.table.data;
    const row = this.row;
    const { allocatable, requested, nonZeroRequested } = this;
    d[row + FREE_PODS] = this.allowedPodNumber - this.pods.size;
    d[row + FREE_MILLI_CPU] = allocatable.milliCPU - requested.milliCPU;
    d[row + FREE_MEMORY] = allocatable.memory - requested.memory;
    d[row + FREE_EPHEMERAL_STORAGE] = allocatable.ephemeralStorage - requested.ephemeralStorage;
    d[row + ALLOCATABLE_MILLI_CPU] = allocatable.milliCPU;
    d[row + ALLOCATABLE_MEMORY] = allocatable.memory;
    d[row + REQUESTED_MILLI_CPU] = requested.milliCPU;
    d[row + REQUESTED_MEMORY] = requested.memory;
    d[row + NON_ZERO_REQUESTED_MILLI_CPU] = nonZeroRequested.milliCPU;
    d[row + NON_ZERO_REQUESTED_MEMORY] = nonZeroRequested.memory;
  }

  /** A copy with the same node and pods, to try pods in or out of (upstream's NodeInfo.Snapshot). */
  copy(): NodeInfo {
    const copy = new NodeInfo(this.node);
    for (const p of this.pods.values()) copy.addPod(p);
    return copy;
  }

  addPod(info: PodInfo): void {
    const previous = this.pods.get(info.key);
    if (previous) this.pods.delete(info.key); // the new version goes last, as a removal and an add put it
    this.pods.set(info.key, info);
    if (previous && sameDemands(previous, info)) {
      // A new version with the very same requests and ports (the cache reuses them on a status
      // update): taking them off and adding them back would leave every sum as it is.
      this.generation++;
      return;
    }
    if (previous) this.apply(previous, -1);
    this.apply(info, 1);
  }

  removePod(key: string): PodInfo | undefined {
    const info = this.pods.get(key);
    if (!info) return undefined;
    this.pods.delete(key);
    this.apply(info, -1);
    return info;
  }

  private apply(info: PodInfo, sign: 1 | -1): void {
    addSigned(this.requested, info.requests, sign);
    addSigned(this.nonZeroRequested, info.nonZeroRequests, sign);
    for (const hp of info.hostPorts) {
      let byIp = this.usedPorts.get(hp.ip);
      if (!byIp) this.usedPorts.set(hp.ip, (byIp = new Map()));
      const k = `${hp.protocol}/${hp.port}`;
      const n = (byIp.get(k) ?? 0) + sign;
      if (n > 0) byIp.set(k, n);
      else byIp.delete(k);
    }
    this.updateFree();
    this.generation++;
  }

  /** upstream HostPortInfo.CheckConflict: 0.0.0.0 conflicts with every address. */
  portConflicts(hp: HostPort): boolean {
    const k = `${hp.protocol}/${hp.port}`;
    if (hp.ip === '0.0.0.0') {
      for (const byIp of this.usedPorts.values()) if (byIp.has(k)) return true;
      return false;
    }
    return !!(this.usedPorts.get('0.0.0.0')?.has(k) || this.usedPorts.get(hp.ip)?.has(k));
  }
}
