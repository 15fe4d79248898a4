/**
 * kube-proxy on every node of a cluster, and "send a request to a Service from a pod on node N":
 * the request is resolved through that node's own rules (which may be stale if its kube-proxy is
 * down), then must reach the chosen pod over the network.
 */
import type { Cluster } from '../cluster';
import type { Node, Pod, Service } from '../api/types';
import { KubeProxy } from './kube-proxy';

export { KubeProxy, MIN_SYNC_PERIOD_MS } from './kube-proxy';
export { buildProxyRules, formatIptablesSave, resolve, serviceChainName, endpointChainName, probability, type ProxyRules, type NatRule, type Resolution } from './rules';

/**
 * kube-proxies a caller adds to a cluster that was not built with one per node (presets add them
 * through the cluster's `nodeComponents`; then this set only finds those).
 */
export class KubeProxies {
  private readonly proxies = new Map<string, KubeProxy>();

  constructor(private readonly cluster: Cluster) {}

  /** Create (once) and start a kube-proxy on every node that has none and whose machine is up. */
  start(): void {
    for (const node of this.cluster.nodes) {
      if (proxyOn(this.cluster, node.name)) continue;
      const p = this.ensure(node.name);
      if (this.cluster.network.isUp(node.name)) p.start();
    }
  }

  ensure(node: string): KubeProxy {
    let p = this.proxies.get(node);
    if (!p) {
      p = new KubeProxy(this.cluster.env(node, `kube-proxy@${node}`, 'lb'));
      this.proxies.set(node, p);
    }
    return p;
  }

  get(node: string): KubeProxy | undefined {
    return this.proxies.get(node);
  }
}

/** The kube-proxy of a node: the cluster's node component, or one added through `kubeProxies`. */
export function proxyOn(cluster: Cluster, node: string): KubeProxy | undefined {
  const own = cluster.nodeComponents.get(node)?.find((c): c is KubeProxy => c instanceof KubeProxy);
  return own ?? registry.get(cluster)?.get(node);
}

const registry = new WeakMap<Cluster, KubeProxies>();

/** The cluster's kube-proxies (created on first use; call `.start()` once the cluster runs). */
export function kubeProxies(cluster: Cluster): KubeProxies {
  let p = registry.get(cluster);
  if (!p) registry.set(cluster, (p = new KubeProxies(cluster)));
  return p;
}

export type ServiceRequestResult =
  /** `pod` is "namespace/name", or "(host network of NODE)" for an endpoint on a machine's address. */
  | { ok: true; chains: string[]; endpoint: string; pod: string; node: string }
  | { ok: false; chains: string[]; error: string };

/**
 * A request from a pod on `fromNode` to a Service (by namespace/name, or a ClusterIP) and port
 * (default: the Service's first port). Logged as a `note` entry from the node to the chosen pod.
 */
export function sendToService(
  cluster: Cluster,
  fromNode: string,
  target: { namespace?: string; name: string } | { ip: string },
  port?: number,
): ServiceRequestResult {
  let ip: string;
  let svcPort = port;
  let label: string;
  if ('ip' in target) {
    ip = target.ip;
    label = ip;
  } else {
    const ns = target.namespace ?? 'default';
    const svc = cluster.read.get<Service>('services', ns, target.name);
    if (!svc) return { ok: false, chains: [], error: `services "${target.name}" not found` };
    ip = svc.spec.clusterIP ?? '';
    svcPort ??= svc.spec.ports?.[0]?.port;
    label = `${ns}/${target.name}`;
  }
  if (svcPort === undefined) return { ok: false, chains: [], error: `service ${label} has no ports` };
  const from = `pod@${fromNode}`;
  const note = (summary: string, detail: Record<string, unknown>) => cluster.log.append({
    t: cluster.clock.now(), traceId: cluster.log.newTraceId(), from, to: detail.pod ? `pod@${String(detail.node)}` : from, kind: 'note',
    objectRef: 'ip' in target ? undefined : { resource: 'services', namespace: target.namespace ?? 'default', name: target.name },
    summary, detail,
  });
  if (!proxyOn(cluster, fromNode) || !cluster.network.isUp(fromNode)) {
    const error = `node ${fromNode} is down`;
    note(`request to ${label}:${svcPort} failed: ${error}`, { error });
    return { ok: false, chains: [], error };
  }
  // To a machine's own address (a node port): the packet travels to that machine, whose rules handle it.
  const ipOwner = nodeWithIP(cluster, ip);
  const via = ipOwner?.metadata.name ?? fromNode;
  if (via !== fromNode && !cluster.network.canReach(fromNode, via)) {
    const error = `dial tcp ${ip}:${svcPort}: i/o timeout (node ${via} unreachable)`;
    note(`request to ${label}:${svcPort} failed: ${error}`, { error });
    return { ok: false, chains: [], error };
  }
  const proxy = proxyOn(cluster, via);
  if (!proxy) return { ok: false, chains: [], error: `no kube-proxy on ${via}` };
  const r = proxy.resolve(ip, svcPort, 'TCP', ipOwner ? [ip] : []);
  if (!r.ok) {
    note(`request to ${label} (${ip}:${svcPort}) failed: ${r.error}`, { chains: r.chains, error: r.error });
    return r;
  }
  const endpoint = `${r.endpoint.ip}:${r.endpoint.port}`;
  const pod = cluster.read.list<Pod>('pods').find((p) => p.status?.podIP === r.endpoint.ip && !!p.spec.nodeName && !p.spec.hostNetwork);
  // Endpoints on a machine's own address (the API servers behind `kubernetes`) are the machine itself.
  const host = pod ? undefined : nodeWithIP(cluster, r.endpoint.ip);
  if (!pod && !host) {
    const error = `dial tcp ${endpoint}: connect: no route to host (nothing has IP ${r.endpoint.ip})`;
    note(`request to ${label} → ${endpoint} failed: ${error}`, { chains: r.chains, error });
    return { ok: false, chains: r.chains, error };
  }
  const node = pod ? pod.spec.nodeName! : host!.metadata.name!;
  if (!cluster.network.canReach(fromNode, node)) {
    const error = `dial tcp ${endpoint}: i/o timeout (node ${node} unreachable)`;
    note(`request to ${label} → ${endpoint} failed: ${error}`, { chains: r.chains, error });
    return { ok: false, chains: r.chains, error };
  }
  const podName = pod ? `${pod.metadata.namespace}/${pod.metadata.name}` : `(host network of ${node})`;
  note(`request to ${label} (${ip}:${svcPort}) → ${r.chains.slice(1).join(' → ')} → ${endpoint} (pod ${podName} on ${node})`, { chains: r.chains, endpoint, pod: podName, node });
  return { ok: true, chains: r.chains, endpoint, pod: podName, node };
}

/** The node whose InternalIP is `ip`, if any. */
function nodeWithIP(cluster: Cluster, ip: string): Node | undefined {
  return cluster.read.list<Node>('nodes').find((n) => n.status?.addresses?.some((a) => a.type === 'InternalIP' && a.address === ip));
}
