/**
 * A plain-language explanation of each step, and — where the simplified picture a learner may bring
 * ("the API server asks the scheduler", "the scheduler talks to the kubelet") differs from real
 * Kubernetes — a short note on what really happens.
 */
import type { LogEntry } from '../log';
import type { Lifeline } from './model';

export interface Explanation {
  explanation: string;
  reality?: string;
}

/** What the explainer knows about a step beyond the entry itself. */
export interface ExplainContext {
  from: Lifeline;
  to: Lifeline;
  verb?: string;
  path?: string;
  code?: number;
  objectLabel?: string;
  resourceVersion?: string;
  revision?: number;
  heartbeat: boolean;
}

const REALITY = {
  schedulerWatches:
    'Simplified pictures say "the API server asks the scheduler where to put the pod". Nobody calls the scheduler: ' +
    'it keeps a watch open on pods whose spec.nodeName is empty, and the API server streams this event to it.',
  bindingNotKubelet:
    'The scheduler never talks to the kubelet. It only records its decision — a Binding that sets spec.nodeName — ' +
    'through the API server, which stores it in etcd.',
  kubeletWatches:
    'The API server does not push work to the node. The kubelet keeps its own watch on pods with ' +
    'spec.nodeName=<its node>, and this watch event is how it learns a pod was bound to it.',
  onlyApiserverTalksToEtcd:
    'Only the API server reads and writes etcd. The kubelet, the scheduler and the controllers all go through the API.',
  evictionAsksFirst:
    'An eviction is not a plain delete: the API server first checks the pod\'s PodDisruptionBudget and refuses ' +
    '(429 Too Many Requests) when the eviction would take the budget below its minimum. kubectl drain evicts; ' +
    'kubectl delete does not ask. The lab serves no PodDisruptionBudgets, so its evictions are never refused.',
  controllersWatch:
    'Controllers are not called either: each watches the objects it manages and reconciles what it sees with what it wants.',
  leaseHeartbeat:
    'A node proves it is alive by renewing its Lease in kube-node-lease every 10 s. If renewals stop, the node lifecycle ' +
    'controller marks the node NotReady (Unknown) after node-monitor-grace-period (50 s) and taints it.',
};

const CRI_EXPLANATIONS: Record<string, string> = {
  RunPodSandbox:
    'The kubelet asks the container runtime (over CRI) to create the pod sandbox: the pause container that holds the pod\'s network namespace and IP.',
  PullImage: 'The kubelet asks the runtime to pull the container image, unless the node already has it and imagePullPolicy allows reusing it.',
  ImageStatus: 'The kubelet asks the runtime whether the image is already on the node.',
  CreateContainer: 'The kubelet asks the runtime to create the container from the image, inside the pod sandbox.',
  StartContainer: 'The kubelet asks the runtime to start the container\'s process.',
  StopContainer: 'The kubelet asks the runtime to stop the container: SIGTERM first, then SIGKILL after the grace period.',
  RemoveContainer: 'The kubelet asks the runtime to remove a stopped container.',
  StopPodSandbox: 'The kubelet asks the runtime to stop the pod sandbox and release its network.',
  RemovePodSandbox: 'The kubelet asks the runtime to remove the pod sandbox.',
  GetContainerEvents: 'The runtime tells the kubelet that a container changed state (for example, its process exited).',
};

function methodOf(entry: LogEntry): string {
  const method = entry.detail?.method;
  return typeof method === 'string' ? method : entry.summary.split(/[\s:]/)[0];
}

function explainRequest(entry: LogEntry, c: ExplainContext): Explanation {
  const what = `${c.verb ?? 'a request'} ${c.path ?? ''}`.trim();
  const subresource = entry.objectRef?.subresource;
  if (c.heartbeat) {
    return { explanation: `${c.from.id} renews its Lease (${what}): a heartbeat.`, reality: REALITY.leaseHeartbeat };
  }
  if (subresource === 'eviction') {
    return {
      explanation: `${c.from.id} asks to evict the pod (${what}), as kubectl drain does: a delete the API server may refuse to protect the pod's application.`,
      reality: REALITY.evictionAsksFirst,
    };
  }
  if (c.to.kind === 'lb') {
    return {
      explanation: `${c.from.id} sends ${what}. The load balancer in front of the three API servers receives it; the client never needs to know which API server answers.`,
    };
  }
  if (c.from.kind === 'scheduler' && subresource === 'binding') {
    return {
      explanation: `The scheduler records its decision: it POSTs a Binding to the pod's binding subresource (${what}). The API server will set spec.nodeName and the PodScheduled condition.`,
      reality: REALITY.bindingNotKubelet,
    };
  }
  if (c.from.kind === 'kubelet' && subresource === 'status') {
    return {
      explanation: `The kubelet reports the pod's status (${what}): phase, conditions, container states, pod IP.`,
      reality: REALITY.onlyApiserverTalksToEtcd,
    };
  }
  if (c.verb === 'WATCH' || entry.detail?.verb === 'watch') {
    return { explanation: `${c.from.id} opens a watch (${what}): the API server will stream every change that matches, starting after the resourceVersion it names.` };
  }
  if (c.verb === 'GET' && (entry.detail?.verb === 'list' || /\/[a-z]+$/.test(c.path ?? ''))) {
    return { explanation: `${c.from.id} lists (${what}) to fill its cache before watching, as client-go's informers do.` };
  }
  return { explanation: `${c.from.id} sends ${what} to ${c.to.id}.` };
}

function explainResponse(entry: LogEntry, c: ExplainContext): Explanation {
  const code = c.code;
  const rv = c.resourceVersion ? ` with resourceVersion ${c.resourceVersion}` : '';
  if (code === 201 && entry.objectRef?.subresource === 'eviction') {
    return {
      explanation: 'The API server answers 201: the eviction is allowed. No Eviction object is stored; the pod is being deleted gracefully (its deletionTimestamp is set), its kubelet stops it, and its controller creates a replacement.',
      reality: REALITY.evictionAsksFirst,
    };
  }
  if (code === 201) return { explanation: `The API server answers 201 Created${rv}. The object is in etcd: it is now part of the cluster's desired state, though nothing runs yet.` };
  if (code === 200) return { explanation: `The API server answers 200 OK${rv}.` };
  if (code === 409) return { explanation: 'The API server answers 409 Conflict: the object already exists, or it changed since the client read it (optimistic concurrency on resourceVersion).' };
  if (code === 422) return { explanation: 'The API server answers 422 Unprocessable Entity: validation rejected the object, and nothing was written to etcd.' };
  if (code === 404) return { explanation: 'The API server answers 404 Not Found.' };
  if (code === 410) return { explanation: 'The API server answers 410 Gone: the resourceVersion asked for was compacted away; the client must list again.' };
  if (code !== undefined && code >= 500) return { explanation: `The API server answers ${code}: it could not complete the request (for example, etcd has no quorum).` };
  return { explanation: `${c.from.id} answers ${c.to.id}${code ? ` with ${code}` : ''}${rv}.` };
}

function explainWatch(c: ExplainContext): Explanation {
  const what = c.objectLabel ?? 'the object';
  const base = `${c.from.id} streams a watch event about ${what} to ${c.to.id}, which keeps a watch open.`;
  switch (c.to.kind) {
    case 'scheduler':
      return { explanation: `${base} The scheduler sees a pod with no node and puts it in its scheduling queue.`, reality: REALITY.schedulerWatches };
    case 'kubelet':
      return { explanation: `${base} The kubelet sees a pod bound to its node and starts its pod worker.`, reality: REALITY.kubeletWatches };
    case 'controller-manager':
      return { explanation: `${base} A controller's informer updates its cache and queues the object's key for reconciliation.`, reality: REALITY.controllersWatch };
    default:
      return { explanation: base };
  }
}

function explainDecision(entry: LogEntry, c: ExplainContext): Explanation {
  if (c.from.kind === 'scheduler') {
    return {
      explanation:
        `The scheduler runs one scheduling cycle for ${c.objectLabel ?? 'the pod'}: Filter plugins drop the nodes the pod cannot run on, ` +
        'Score plugins rank the rest, and the highest total wins (ties broken at random). ' + entry.summary,
      reality: REALITY.schedulerWatches,
    };
  }
  if (c.from.kind === 'etcd') return { explanation: `etcd's Raft state changes: ${entry.summary}.` };
  return { explanation: `${c.from.id} decides: ${entry.summary}.` };
}

/** The explanation of one step. */
export function explain(entry: LogEntry, c: ExplainContext): Explanation {
  switch (entry.kind) {
    case 'request':
      return explainRequest(entry, c);
    case 'response':
      return explainResponse(entry, c);
    case 'forward':
      return { explanation: `The load balancer forwards the request to ${c.to.id}, a healthy API server picked in turn (round robin with health checks).` };
    case 'etcd-propose':
      return {
        explanation:
          `${c.from.id} has authenticated the request, run admission (which fills defaults) and validation, and now proposes the write to the etcd leader ${c.to.id}.`,
        reality: REALITY.onlyApiserverTalksToEtcd,
      };
    case 'etcd-append':
      return { explanation: `The etcd leader ${c.from.id} replicates the entry to ${c.to.id} (Raft AppendEntries). The write is not committed until a majority holds it.` };
    case 'etcd-ack':
      return { explanation: `${c.from.id} has written the entry to its log and acknowledges it to the leader.` };
    case 'etcd-commit':
      return {
        explanation:
          `A quorum of etcd members holds the entry, so the leader commits it${c.revision ? `: revision ${c.revision} is now durable` : ''}. ` +
          'With 3 members, 2 are enough: one member may be down without losing any acknowledged write.',
      };
    case 'etcd-error':
      return { explanation: `etcd could not complete the write: ${entry.summary}. Without a quorum (2 of 3 members) nothing can be committed; the API server returns an error and nothing acknowledged is lost.` };
    case 'watch':
      return explainWatch(c);
    case 'cri': {
      const method = methodOf(entry);
      const known = CRI_EXPLANATIONS[method];
      const reply = c.from.kind === 'runtime' && method !== 'GetContainerEvents';
      if (reply) return { explanation: `The runtime answers ${method}: ${entry.summary}.` };
      return { explanation: known ?? `The kubelet calls the container runtime: ${entry.summary}.` };
    }
    case 'decision':
      return explainDecision(entry, c);
    case 'fault':
      return { explanation: `A fault is injected or healed: ${entry.summary}.` };
    default:
      return { explanation: entry.summary };
  }
}

/** The explanation of a run of collapsed heartbeats. */
export function explainHeartbeats(renewals: number, entries: number): Explanation {
  return {
    explanation: `${renewals} lease renewal${renewals === 1 ? '' : 's'} (${entries} messages) folded into one step. Each kubelet renews its node's Lease every 10 s; the leader scheduler and controller-manager renew theirs in kube-system every 2 s or so.`,
    reality: REALITY.leaseHeartbeat,
  };
}
