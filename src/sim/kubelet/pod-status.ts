/**
 * The kubelet's status computation, as pure functions (upstream: generateAPIPodStatus, getPhase,
 * GeneratePod*Condition, convertToAPIContainerStatuses): from what the runtime reports about a pod's
 * containers and what the kubelet remembers about its last attempts (the "reason cache": ErrImagePull,
 * CrashLoopBackOff ...) to the PodStatus the API shows.
 */
import type { Container, ContainerState, ContainerStatus, Pod, PodCondition, PodPhase, PodSpec, PodStatus } from '../api/types';
import type { ContainerInfo } from '../runtime/runtime';

/** A container's instances as the runtime knows them. */
export interface ContainerInstances {
  /** The newest instance (highest attempt). */
  latest?: ContainerInfo;
  /** The one before it (what `lastState` and `logs --previous` show). */
  previous?: ContainerInfo;
}

/** Why the kubelet's last attempt to run a container did not succeed. */
export interface WaitingReason {
  reason: string;
  message?: string;
}

export interface PodStatusInput {
  pod: Pod;
  /** By container name (init and regular containers). */
  containers: ReadonlyMap<string, ContainerInstances>;
  /** The reason cache, by container name. */
  waiting: ReadonlyMap<string, WaitingReason>;
  sandboxReady: boolean;
  podIP?: string;
  hostIP: string;
  /** The pod's containers are stopped for good (deleted, or finished under its restart policy). */
  terminal: boolean;
  /** Virtual now, and the formatter of API timestamps. */
  now: number;
  iso: (ms: number) => string;
  /** When the kubelet first acknowledged the pod. */
  startTime: string;
}

/** Would the kubelet start this container (again)? (upstream ShouldContainerBeRestarted) */
export function shouldRestart(restartPolicy: PodSpec['restartPolicy'], latest: ContainerInfo | undefined, podDeleting = false): boolean {
  if (podDeleting) return false;
  if (!latest) return true;
  if (latest.state !== 'CONTAINER_EXITED') return false;
  if (restartPolicy === 'Never') return false;
  if (restartPolicy === 'OnFailure' && latest.exitCode === 0) return false;
  return true;
}

/** Ready: running, and past the readiness probe's initial delay if it has one. */
export function containerReady(spec: Container, latest: ContainerInfo | undefined, now: number): boolean {
  if (!latest || latest.state !== 'CONTAINER_RUNNING' || latest.startedAt === undefined) return false;
  return now >= readyAt(spec, latest.startedAt);
}

/** When a container started at `startedAt` passes its first readiness probe. */
export function readyAt(spec: Container, startedAt: number): number {
  return spec.readinessProbe ? startedAt + (spec.readinessProbe.initialDelaySeconds ?? 0) * 1000 : startedAt;
}

function terminatedState(c: ContainerInfo, iso: (ms: number) => string): ContainerState {
  return {
    terminated: {
      exitCode: c.exitCode ?? 0,
      reason: c.reason ?? (c.exitCode === 0 ? 'Completed' : 'Error'),
      ...(c.message ? { message: c.message } : {}),
      startedAt: iso(c.startedAt ?? c.createdAt),
      finishedAt: iso(c.finishedAt ?? c.createdAt),
      containerID: `containerd://${c.id}`,
    },
  };
}

function stateOf(c: ContainerInfo, iso: (ms: number) => string): ContainerState {
  if (c.state === 'CONTAINER_RUNNING') return runningState(iso(c.startedAt ?? c.createdAt));
  if (c.state === 'CONTAINER_EXITED') return terminatedState(c, iso);
  return { waiting: {} };
}

/*
 * Container states that are alike for many pods are shared, frozen objects (as every status is once
 * sent): the API keeps each status a pod reports, and thousands of pods start every second.
 */
const NO_STATE: ContainerState = Object.freeze({});
const CONTAINER_CREATING: ContainerState = Object.freeze({ waiting: Object.freeze({ reason: 'ContainerCreating' }) });
const POD_INITIALIZING: ContainerState = Object.freeze({ waiting: Object.freeze({ reason: 'PodInitializing' }) });
/** The running state last built: containers started in the same second (the API's resolution) share it. */
let recentRunning: ContainerState = NO_STATE;

function runningState(startedAt: string): ContainerState {
  if (recentRunning.running?.startedAt !== startedAt) recentRunning = Object.freeze({ running: Object.freeze({ startedAt }) });
  return recentRunning;
}

/** The API status of one container (upstream convertToAPIContainerStatuses). */
export function containerStatus(spec: Container, input: PodStatusInput, isInit: boolean): ContainerStatus {
  const instances = input.containers.get(spec.name);
  const latest = instances?.latest;
  const previous = instances?.previous;
  // Each case is built in one literal (no placeholder states to replace); the key order is the API's.
  const status: ContainerStatus = latest
    ? {
        name: spec.name,
        state: stateOf(latest, input.iso),
        lastState: previous && previous.state === 'CONTAINER_EXITED' ? terminatedState(previous, input.iso) : NO_STATE,
        ready: containerReady(spec, latest, input.now),
        restartCount: latest.attempt,
        image: latest.image,
        imageID: latest.imageRef,
        started: latest.state === 'CONTAINER_RUNNING',
        containerID: `containerd://${latest.id}`,
      }
    : {
        name: spec.name,
        state: isInit || (input.pod.spec.initContainers?.length ?? 0) > 0 ? POD_INITIALIZING : CONTAINER_CREATING,
        lastState: NO_STATE,
        ready: false,
        restartCount: 0,
        image: spec.image ?? '',
        imageID: '',
        started: false,
      };
  if (input.terminal && !status.state?.terminated) {
    // The pod is done but this container never ran to an end: upstream reports it as lost.
    status.state = { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated' } };
    status.ready = false;
    status.started = false;
    return status;
  }
  const reason = input.waiting.get(spec.name);
  const deleting = !!input.pod.metadata.deletionTimestamp;
  if (reason && !input.terminal && shouldRestart(input.pod.spec.restartPolicy, latest, deleting)) {
    if (status.state?.terminated) status.lastState = status.state;
    status.state = { waiting: { reason: reason.reason, ...(reason.message ? { message: reason.message } : {}) } };
  }
  return status;
}

/** upstream getPhase: the pod phase from its container statuses. */
export function podPhase(spec: PodSpec, init: readonly ContainerStatus[], regular: readonly ContainerStatus[], terminal: boolean): PodPhase {
  let pendingInit = 0;
  let failedInit = 0;
  for (const s of init) {
    if (s.state?.running) pendingInit++;
    else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state?.waiting && s.lastState?.terminated) {
      if (s.lastState.terminated.exitCode !== 0) failedInit++;
    } else pendingInit++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of regular) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  if (failedInit > 0 && spec.restartPolicy === 'Never') return 'Failed';
  const anyRegularStarted = regular.some((s) => s.state?.running || s.state?.terminated || s.lastState?.terminated);
  if ((pendingInit > 0 && !anyRegularStarted) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (terminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (spec.restartPolicy === 'Always' || spec.restartPolicy === undefined) return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (spec.restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

const names = (list: readonly string[]) => `[${list.join(' ')}]`;

/**
 * The kubelet-owned conditions, in upstream's order. Conditions whose status did not change keep the
 * pod's lastTransitionTime; the time (input.now) is formatted only for changed ones.
 */
export function podConditions(input: PodStatusInput, init: readonly ContainerStatus[], regular: readonly ContainerStatus[], phase: PodPhase): PodCondition[] {
  const spec = input.pod.spec;
  // Most pods have no init containers: no lists to build for them.
  const incomplete = spec.initContainers?.length
    ? spec.initContainers
        .filter((c) => {
          const s = init.find((x) => x.name === c.name);
          return !(s?.state?.terminated && s.state.terminated.exitCode === 0);
        })
        .map((c) => c.name)
    : NO_NAMES;
  const sandbox = ownCondition(input, 'PodReadyToStartContainers', input.sandboxReady ? 'True' : 'False');
  let initialized: PodCondition;
  if (phase === 'Succeeded' && incomplete.length === 0 && (spec.initContainers?.length ?? 0) > 0) {
    initialized = ownCondition(input, 'Initialized', 'True', 'PodCompleted');
  } else if (incomplete.length > 0) {
    initialized = ownCondition(input, 'Initialized', 'False', 'ContainersNotInitialized', `containers with incomplete status: ${names(incomplete)}`);
  } else initialized = ownCondition(input, 'Initialized', 'True');
  const ready = readiness(regular, phase);
  // One literal of the final length (no closure, no list grown by push: a status is built on every report).
  return [
    sandbox,
    initialized,
    ownCondition(input, 'Ready', ready.status, ready.reason, ready.message),
    ownCondition(input, 'ContainersReady', ready.status, ready.reason, ready.message),
    ownCondition(input, 'PodScheduled', 'True'),
  ];
}

/** One kubelet-owned condition: the pod's own object when it is already exactly this one (nearly every report). */
function ownCondition(input: PodStatusInput, type: string, status: PodCondition['status'], reason?: string, message?: string): PodCondition {
  const prior = input.pod.status?.conditions;
  const old = prior && findCondition(prior, type);
  if (old && isCondition(old, type, status, reason, message)) return old;
  if (old && old.status === status && old.lastTransitionTime) return newCondition(type, status, old.lastTransitionTime, reason, message);
  // A transition now: the condition other pods changing alike this second got (the clock formats one
  // string per second, so asking again costs no Date).
  return recentConditions.get(type, status, input.iso(input.now), reason, message);
}

function newCondition(type: string, status: PodCondition['status'], lastTransitionTime: string, reason: string | undefined, message: string | undefined): PodCondition {
  const c: PodCondition = { type, status, lastProbeTime: null, lastTransitionTime };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

/**
 * The conditions that changed at one instant (a second, as API times go), shared by every pod that
 * changed alike then: a big cluster starts thousands of pods a second, and each status the API keeps
 * (its history included) holds five conditions. Frozen, as every reported status is before it is sent.
 */
class RecentConditions {
  private at = '';
  private readonly built: PodCondition[] = [];

  get(type: string, status: PodCondition['status'], at: string, reason: string | undefined, message: string | undefined): PodCondition {
    if (at !== this.at) {
      this.at = at;
      this.built.length = 0;
    }
    const built = this.built;
    // A handful per second (five types, a few statuses and messages): a scan, no key string to build.
    for (let i = 0; i < built.length; i++) {
      const c = built[i];
      if (c.type === type && c.status === status && c.reason === (reason || undefined) && c.message === (message || undefined)) return c;
    }
    const c = newCondition(type, status, at, reason, message);
    // Bounded, should the messages vary (a pod's own container names): past it, conditions are not shared.
    if (built.length < RECENT_CONDITIONS_MAX) built.push(Object.freeze(c));
    return c;
  }
}

const RECENT_CONDITIONS_MAX = 64;
const recentConditions = new RecentConditions();

function findCondition(conditions: readonly PodCondition[], type: string): PodCondition | undefined {
  // An index loop: for-of allocates iterator results wherever it is not optimized.
  for (let i = 0; i < conditions.length; i++) if (conditions[i].type === type) return conditions[i];
  return undefined;
}

const CONDITION_KEYS = ['type', 'status', 'lastProbeTime', 'lastTransitionTime', 'reason', 'message'] as const;

/**
 * Is `old` the very condition podConditions would build (same JSON, key order included), so that it
 * may be reported again instead of a copy? Its lastTransitionTime is kept whenever its status holds.
 */
function isCondition(old: PodCondition, type: string, status: PodCondition['status'], reason: string | undefined, message: string | undefined): boolean {
  if (old.type !== type || old.status !== status || old.lastProbeTime !== null || !old.lastTransitionTime) return false;
  if (old.reason !== (reason || undefined) || old.message !== (message || undefined)) return false;
  // The keys, in the order a new one would have them (a condition someone else wrote may differ).
  let i = 0;
  for (const k in old) {
    const value = (old as unknown as Record<string, unknown>)[k];
    if (value === undefined) continue;
    while (i < CONDITION_KEYS.length && (old as unknown as Record<string, unknown>)[CONDITION_KEYS[i]] === undefined) i++;
    if (CONDITION_KEYS[i] !== k) return false;
    i++;
  }
  return true;
}

type Readiness = Readonly<Pick<PodCondition, 'status' | 'reason' | 'message'>>;

// The answers that do not depend on the pod, built once (callers only read them).
const READY: Readiness = { status: 'True' };
const COMPLETED: Readiness = { status: 'False', reason: 'PodCompleted' };
const FAILED: Readiness = { status: 'False', reason: 'PodFailed' };

function readiness(regular: readonly ContainerStatus[], phase: PodPhase): Readiness {
  if (phase === 'Succeeded') return COMPLETED;
  if (phase === 'Failed') return FAILED;
  if (regular.every(isReady)) return READY;
  const unready = regular.filter((s) => !s.ready).map((s) => s.name);
  return { status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: ${names(unready)}` };
}

const isReady = (s: ContainerStatus): boolean => s.ready;

/** The QoS class from requests and limits (upstream GetPodQOS, comparing quantities as written). */
export function qosClass(spec: PodSpec): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  // Computed on every status report, so without copies: index loops, no merged requests object.
  let any = false;
  let guaranteed = true;
  const lists = [spec.initContainers, spec.containers];
  for (let l = 0; l < 2; l++) {
    const list = lists[l];
    if (!list) continue;
    for (let i = 0; i < list.length; i++) {
      const resources = list[i].resources;
      for (let k = 0; k < QOS_RESOURCES.length; k++) {
        const r = QOS_RESOURCES[k];
        const limit = resources?.limits?.[r];
        const request = requestOf(resources, r);
        if (request !== undefined || limit !== undefined) any = true;
        if (limit === undefined || String(request) !== String(limit)) guaranteed = false;
      }
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

const QOS_RESOURCES = ['cpu', 'memory'] as const;
const hasOwn = Object.prototype.hasOwnProperty;

/** The request for `r`, defaulted to the limit: what `{ ...limits, ...requests }[r]` reads. */
function requestOf(resources: Container['resources'], r: string): unknown {
  const requests = resources?.requests;
  if (requests && hasOwn.call(requests, r)) return requests[r];
  const limits = resources?.limits;
  return limits && hasOwn.call(limits, r) ? limits[r] : undefined;
}

/** The whole PodStatus the kubelet reports. */
export function generatePodStatus(input: PodStatusInput): PodStatus {
  const { pod } = input;
  const old = pod.status ?? {};
  const init = pod.spec.initContainers?.length ? pod.spec.initContainers.map((c) => containerStatus(c, input, true)) : NO_STATUSES;
  const regular = pod.spec.containers.map((c) => containerStatus(c, input, false));
  let phase = podPhase(pod.spec, init, regular, input.terminal);
  // A pod never leaves a terminal phase.
  if ((old.phase === 'Succeeded' || old.phase === 'Failed') && phase !== old.phase) phase = old.phase;
  const own = podConditions(input, init, regular, phase);
  // The scheduler's PodScheduled condition stands when True (the kubelet's is the last one).
  const scheduled = old.conditions && findCondition(old.conditions, 'PodScheduled');
  if (scheduled?.status === 'True') own[own.length - 1] = scheduled;
  // Others' conditions first (kept as they are), then the kubelet's: a new list only when there are others.
  const conditions = hasForeignCondition(old.conditions) ? [...old.conditions!.filter((c) => !KUBELET_CONDITIONS.has(c.type)), ...own] : own;
  const podIP = pod.spec.hostNetwork ? input.hostIP : input.podIP ?? old.podIP;
  // Optional fields are assigned in place (not spread from temporary objects), in the API's key order.
  // Parts equal to the pod's own (the usual case) are its objects: nothing new to keep, and the status
  // manager's comparisons with the pod's status stop at the first reference.
  const status: PodStatus = {
    phase,
    conditions: sameElements(conditions, old.conditions) ? old.conditions : conditions,
    hostIP: input.hostIP,
    hostIPs: ipList(input.hostIP, old.hostIPs),
  };
  if (podIP) {
    status.podIP = podIP;
    status.podIPs = ipList(podIP, old.podIPs);
  }
  status.startTime = input.startTime;
  if (init.length > 0) status.initContainerStatuses = init;
  status.containerStatuses = regular;
  status.qosClass = qosClass(pod.spec);
  if (old.phase === phase && old.reason) status.reason = old.reason;
  if (old.phase === phase && old.message) status.message = old.message;
  return status;
}

/** Does the list hold a condition that is not the kubelet's? */
function hasForeignCondition(conditions: readonly PodCondition[] | undefined): boolean {
  if (conditions) for (let i = 0; i < conditions.length; i++) if (!KUBELET_CONDITIONS.has(conditions[i].type)) return true;
  return false;
}

function sameElements<T>(a: readonly T[], b: readonly T[] | undefined): b is T[] {
  if (!b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `[{ ip }]`: the pod's own list when it is exactly that. */
function ipList(ip: string, old: readonly { ip: string }[] | undefined): { ip: string }[] {
  if (old && old.length === 1 && isOnlyIp(old[0], ip)) return old as { ip: string }[];
  return [{ ip }];
}

function isOnlyIp(entry: { ip: string }, ip: string): boolean {
  if (entry.ip !== ip) return false;
  for (const k in entry) if (k !== 'ip' && (entry as Record<string, unknown>)[k] !== undefined) return false;
  return true;
}

// Shared empty lists, only ever read.
const NO_NAMES: readonly string[] = Object.freeze([]);
const NO_STATUSES: ContainerStatus[] = Object.freeze([]) as unknown as ContainerStatus[];

const KUBELET_CONDITIONS = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);

/** Stable JSON (sorted keys): two statuses are the same when their canonical forms are equal. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
    .join(',')}}`;
}
