/**
 * The pod network as a process in a pod sees it (curl and wget in `kubectl exec`): a connection to a
 * Service's ClusterIP, or to a node's address and node port, goes through the node's kube-proxy rules
 * (sendToService: the same rules, the same log entry), is DNAT'ed to an endpoint, and must then reach
 * that pod's machine; a pod IP is reached directly over the pod network; 127.0.0.1 is the pod itself.
 * At the end, what listens on the port in the target pod's running containers answers (http-answer.ts),
 * and nothing listening means a reset (connection refused). An unreachable machine never answers.
 */
import type { Node, Pod, Service } from '../api/types';
import type { Cluster } from '../cluster';
import { listenersOf, type HttpRequest } from '../runtime/http-answer';
import type { ConnectOutcome, PodNet } from '../runtime/http-tools';
import type { PodIdentity, PodNetworkProvider } from '../runtime/runtime';
import { sendToService } from './index';

/** The pod network for the processes of a node's pods (the cluster hands it to each node's runtime). */
export function podNetworkFor(cluster: Cluster): PodNetworkProvider {
  return (from) => podNet(cluster, from);
}

export function podNet(cluster: Cluster, from: PodIdentity): PodNet {
  return {
    // The kubelet's /etc/hosts names the pod itself; without a DNS add-on nothing else resolves.
    resolve: (host) => (host === from.name ? from.podIP : undefined),
    connect: (ip, port, req) => connectFromPod(cluster, from, ip, port, req),
  };
}

const KUBE_APISERVER_PORT = 6443;

export function connectFromPod(cluster: Cluster, from: PodIdentity, ip: string, port: number, req: Omit<HttpRequest, 'remoteAddr'>): ConnectOutcome {
  const source = `pod@${from.node}`;
  const self = `${from.namespace}/${from.name}`;
  const note = (summary: string, to: string, detail: Record<string, unknown>) => cluster.log.append({
    t: cluster.clock.now(), traceId: cluster.log.newTraceId(), from: source, to, kind: 'note',
    objectRef: { resource: 'pods', namespace: from.namespace, name: from.name }, summary, detail,
  });
  const ephemeral = () => 32768 + cluster.clock.rng.int(28232);

  if (ip === '127.0.0.1' || ip === from.podIP) {
    const pod = cluster.read.get<Pod>('pods', from.namespace, from.name);
    note(`request from pod ${self} to ${ip}:${port} (the pod itself)`, source, { ip, port });
    return answerFrom(cluster, pod, from.node, port, { ...req, remoteAddr: `${ip}:${ephemeral()}` });
  }

  const isService = cluster.read.list<Service>('services').some((s) => s.spec.clusterIP === ip);
  const node = nodeWithIP(cluster, ip);
  if (isService || node) {
    const r = sendToService(cluster, from.node, { ip }, port);
    if (!r.ok) return /refused/.test(r.error) ? { kind: 'refused' } : { kind: 'timeout' };
    // Through a node port the source is masqueraded to the node's address; from a pod to a ClusterIP it is kept.
    const remoteIP = node ? nodeIP(node) ?? from.podIP : from.podIP;
    const remoteAddr = `${remoteIP}:${ephemeral()}`;
    const endpointPort = Number(r.endpoint.slice(r.endpoint.lastIndexOf(':') + 1));
    if (r.pod.startsWith('(host network')) return answerFromHost(cluster, r.node, endpointPort);
    const [ns, name] = r.pod.split('/');
    return answerFrom(cluster, cluster.read.get<Pod>('pods', ns, name), r.node, endpointPort, { ...req, remoteAddr });
  }

  const target = cluster.read.list<Pod>('pods').find((p) => p.status?.podIP === ip && !!p.spec.nodeName && !p.spec.hostNetwork);
  if (!target) {
    note(`request from pod ${self} to ${ip}:${port} failed: no route (nothing has IP ${ip})`, source, { ip, port, error: 'timeout' });
    return { kind: 'timeout' };
  }
  const targetNode = target.spec.nodeName!;
  const label = `${target.metadata.namespace}/${target.metadata.name}`;
  if (!cluster.network.canReach(from.node, targetNode)) {
    note(`request from pod ${self} to ${ip}:${port} (pod ${label} on ${targetNode}) failed: i/o timeout (node ${targetNode} unreachable)`, `pod@${targetNode}`, { ip, port, error: 'timeout' });
    return { kind: 'timeout' };
  }
  note(`request from pod ${self} to ${ip}:${port} (pod ${label} on ${targetNode}), over the pod network`, `pod@${targetNode}`, { ip, port, pod: label, node: targetNode });
  return answerFrom(cluster, target, targetNode, port, { ...req, remoteAddr: `${from.podIP}:${ephemeral()}` });
}

/** What the pod's running containers answer on `port`: their listener's reply, or a reset. */
function answerFrom(cluster: Cluster, pod: Pod | undefined, node: string, port: number, req: HttpRequest): ConnectOutcome {
  const uid = pod?.metadata.uid;
  const runtime = cluster.kubelets.get(node)?.runtime;
  if (!uid || !runtime?.running) return { kind: 'refused' };
  for (const process of runtime.servingProcesses(uid)) {
    const listener = listenersOf(process).find((l) => l.port === port);
    if (listener) return { kind: 'answer', answer: listener.answer(req) };
  }
  return { kind: 'refused' };
}

/**
 * An endpoint on a machine's own address: the API servers behind the `kubernetes` Service. kube-apiserver
 * serves TLS; a plain HTTP request gets Go's answer to it.
 */
function answerFromHost(cluster: Cluster, node: string, port: number): ConnectOutcome {
  if (port !== KUBE_APISERVER_PORT || !cluster.apiserver(node)?.running) return { kind: 'refused' };
  const body = 'Client sent an HTTP request to an HTTPS server.\n';
  return { kind: 'answer', answer: { kind: 'response', status: 400, reason: 'Bad Request', headers: [['Content-Type', 'text/plain; charset=utf-8'], ['Connection', 'close']], body } };
}

function nodeWithIP(cluster: Cluster, ip: string): Node | undefined {
  return cluster.read.list<Node>('nodes').find((n) => nodeIP(n) === ip);
}

function nodeIP(n: Node): string | undefined {
  return n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}
