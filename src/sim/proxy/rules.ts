/**
 * kube-proxy's iptables mode, simplified to the nat chains a learner needs to read:
 *   KUBE-SERVICES  one rule per Service port: ClusterIP:port → KUBE-SVC-<hash>
 *   KUBE-SVC-…     one rule per ready endpoint, each taken with probability 1/(n−i) so every
 *                  endpoint is equally likely ("-m statistic --mode random --probability …")
 *   KUBE-SEP-…     DNAT to the endpoint's pod IP and port (with the hairpin masquerade mark)
 *   KUBE-NODEPORTS one rule per node port (NodePort and LoadBalancer Services), for packets to one of
 *                  the node's own addresses: → KUBE-EXT-<hash> (masquerade) → the same KUBE-SVC chain
 * Services without ready endpoints get REJECT rules in the filter table instead (KUBE-SERVICES for the
 * ClusterIP, KUBE-EXTERNAL-SERVICES for the node port).
 * Chain names are computed as upstream (SHA-256, base32, 16 characters), so they match a real node.
 */
import type { EndpointSlice, Service } from '../api/types';
import type { Rng } from '../clock';
import { base32, sha256 } from './sha256';

export const POD_CIDR = '10.244.0.0/16';

export interface NatRule {
  chain: string;
  /** The rule as iptables-save prints it, after "-A <chain> ". */
  spec: string;
  /** Where a matching packet goes. */
  target: string;
  /** KUBE-SERVICES: the destination it matches (KUBE-NODEPORTS: ip is "", any local address). */
  match?: { ip: string; port: number; protocol: string };
  /** KUBE-SVC: the probability this rule is taken when reached (absent = always). */
  probability?: number;
  /** KUBE-SEP: the DNAT destination. */
  dnat?: { ip: string; port: number };
}

export interface ProxyRules {
  /** Chain name → rules, in order; KUBE-SERVICES first. */
  nat: Map<string, NatRule[]>;
  /** filter-table rules (REJECT for services without endpoints). */
  filter: NatRule[];
  /** Number of service ports and endpoints programmed. */
  services: number;
  endpoints: number;
}

/** "namespace/name:port-name" (or "namespace/name" for an unnamed port), as proxy.ServicePortName prints. */
export function servicePortName(svc: Service, portName: string | undefined): string {
  return `${svc.metadata.namespace}/${svc.metadata.name}${portName ? `:${portName}` : ''}`;
}

/** Chain-name hashes already computed: every node's kube-proxy names the same chains on every sync. */
const hashes = new Map<string, string>();

function hash16(s: string): string {
  let h = hashes.get(s);
  if (h === undefined) {
    if (hashes.size >= 4096) hashes.clear();
    h = base32(sha256(s)).slice(0, 16);
    hashes.set(s, h);
  }
  return h;
}

/** portProtoHash(servicePortName, protocol): what a Service port's KUBE-SVC and KUBE-EXT chains share. */
function portProtoHash(spn: string, protocol: string): string {
  return hash16(spn + protocol.toLowerCase());
}

/** servicePortChainName: "KUBE-SVC-" + portProtoHash(servicePortName, protocol). */
export function serviceChainName(spn: string, protocol: string): string {
  return `KUBE-SVC-${portProtoHash(spn, protocol)}`;
}

/** serviceExternalChainName: "KUBE-EXT-" + portProtoHash(servicePortName, protocol). */
export function externalChainName(spn: string, protocol: string): string {
  return `KUBE-EXT-${portProtoHash(spn, protocol)}`;
}

/** servicePortEndpointChainName: "KUBE-SEP-" + hash(servicePortName + protocol + "ip:port"). */
export function endpointChainName(spn: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${hash16(spn + protocol.toLowerCase() + endpoint)}`;
}

/** probability(n): kube-proxy writes 1/n with ten decimals. */
export function probability(n: number): string {
  return (1 / n).toFixed(10);
}

/**
 * The endpoints ("ip:port") of one Service port that traffic goes to, from the Service's EndpointSlices
 * (CategorizeEndpoints, cluster traffic policy): the ready ones (a missing condition reads as ready);
 * when none is ready, the ones still serving while they terminate, so a rollout's last connections are
 * not dropped.
 */
export function usableEndpoints(slices: readonly EndpointSlice[], portName: string | undefined, protocol: string): { ip: string; port: number }[] {
  const ready = new Map<string, { ip: string; port: number }>();
  const terminating = new Map<string, { ip: string; port: number }>();
  for (const slice of slices) {
    const port = (slice.ports ?? []).find((p) => (p.name ?? '') === (portName ?? '') && (p.protocol ?? 'TCP') === protocol);
    if (port?.port === undefined) continue;
    for (const e of slice.endpoints ?? []) {
      const ip = e.addresses?.[0];
      if (!ip) continue;
      const c = e.conditions ?? {};
      const target = c.ready !== false ? ready : c.serving !== false && c.terminating === true ? terminating : undefined;
      target?.set(`${ip}:${port.port}`, { ip, port: port.port });
    }
  }
  const chosen = ready.size > 0 ? ready : terminating;
  return [...chosen.values()].sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.port - b.port));
}

/** syncProxyRules: the tables for these Services and their EndpointSlices (by Service key "namespace/name"). */
export function buildProxyRules(services: readonly Service[], slicesOf: (key: string) => readonly EndpointSlice[]): ProxyRules {
  const nat = new Map<string, NatRule[]>([['KUBE-SERVICES', []]]);
  const filter: NatRule[] = [];
  const push = (rule: NatRule) => {
    let chain = nat.get(rule.chain);
    if (!chain) nat.set(rule.chain, (chain = []));
    chain.push(rule);
  };
  let servicePorts = 0;
  let endpointCount = 0;
  const sorted = [...services].sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  for (const svc of sorted) {
    const ip = svc.spec.clusterIP;
    if (!ip || ip === 'None' || svc.spec.type === 'ExternalName') continue;
    const slices = slicesOf(`${svc.metadata.namespace}/${svc.metadata.name}`);
    for (const sp of svc.spec.ports ?? []) {
      servicePorts++;
      const protocol = sp.protocol ?? 'TCP';
      const proto = protocol.toLowerCase();
      const spn = servicePortName(svc, sp.name);
      const ready = usableEndpoints(slices, sp.name, protocol);
      const match = { ip, port: sp.port, protocol };
      const nodePort = sp.nodePort && (svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer') ? sp.nodePort : undefined;
      if (ready.length === 0) {
        filter.push({
          chain: 'KUBE-SERVICES', target: 'REJECT', match,
          spec: `-d ${ip}/32 -p ${proto} -m comment --comment "${spn} has no endpoints" -m ${proto} --dport ${sp.port} -j REJECT --reject-with icmp-port-unreachable`,
        });
        if (nodePort) {
          filter.push({
            chain: 'KUBE-EXTERNAL-SERVICES', target: 'REJECT', match: { ip: '', port: nodePort, protocol },
            spec: `-m addrtype --dst-type LOCAL -p ${proto} -m comment --comment "${spn} has no endpoints" -m ${proto} --dport ${nodePort} -j REJECT --reject-with icmp-port-unreachable`,
          });
        }
        continue;
      }
      const svcChain = serviceChainName(spn, protocol);
      if (nodePort) {
        const extChain = externalChainName(spn, protocol);
        push({
          chain: 'KUBE-NODEPORTS', target: extChain, match: { ip: '', port: nodePort, protocol },
          spec: `-p ${proto} -m comment --comment "${spn}" -m ${proto} --dport ${nodePort} -j ${extChain}`,
        });
        push({ chain: extChain, target: 'KUBE-MARK-MASQ', spec: `-m comment --comment "masquerade traffic for ${spn} external destinations" -j KUBE-MARK-MASQ` });
        push({ chain: extChain, target: svcChain, spec: `-j ${svcChain}` });
      }
      push({
        chain: 'KUBE-SERVICES', target: svcChain, match,
        spec: `-d ${ip}/32 -p ${proto} -m comment --comment "${spn} cluster IP" -m ${proto} --dport ${sp.port} -j ${svcChain}`,
      });
      push({
        chain: svcChain, target: 'KUBE-MARK-MASQ',
        spec: `! -s ${POD_CIDR} -d ${ip}/32 -p ${proto} -m comment --comment "${spn} cluster IP" -m ${proto} --dport ${sp.port} -j KUBE-MARK-MASQ`,
      });
      ready.forEach((e, i) => {
        endpointCount++;
        const endpoint = `${e.ip}:${e.port}`;
        const sep = endpointChainName(spn, protocol, endpoint);
        const n = ready.length - i;
        const last = n === 1;
        push({
          chain: svcChain, target: sep, ...(last ? {} : { probability: 1 / n }),
          spec: `-m comment --comment "${spn} -> ${endpoint}"${last ? '' : ` -m statistic --mode random --probability ${probability(n)}`} -j ${sep}`,
        });
        push({ chain: sep, target: 'KUBE-MARK-MASQ', spec: `-s ${e.ip}/32 -m comment --comment "${spn}" -j KUBE-MARK-MASQ` });
        push({ chain: sep, target: 'DNAT', dnat: e, spec: `-p ${proto} -m comment --comment "${spn}" -m ${proto} -j DNAT --to-destination ${endpoint}` });
      });
    }
  }
  push({
    chain: 'KUBE-SERVICES', target: 'KUBE-NODEPORTS',
    spec: '-m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
  });
  return { nat, filter, services: servicePorts, endpoints: endpointCount };
}

/** The tables as `iptables-save -t nat` (and the filter REJECTs) would print them. */
export function formatIptablesSave(rules: ProxyRules): string {
  const lines = ['*nat'];
  const chains = [...rules.nat.keys()];
  for (const c of ['KUBE-MARK-MASQ', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', ...chains]) {
    if (lines.includes(`:${c} - [0:0]`)) continue;
    lines.push(`:${c} - [0:0]`);
  }
  lines.push('-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000');
  lines.push('-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN');
  lines.push('-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000');
  lines.push('-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully');
  for (const [chain, list] of rules.nat) for (const r of list) lines.push(`-A ${chain} ${r.spec}`);
  lines.push('COMMIT');
  if (rules.filter.length > 0) {
    lines.push('*filter', ':KUBE-EXTERNAL-SERVICES - [0:0]', ':KUBE-SERVICES - [0:0]');
    for (const r of rules.filter) lines.push(`-A ${r.chain} ${r.spec}`);
    lines.push('COMMIT');
  }
  return lines.join('\n') + '\n';
}

export type Resolution =
  | { ok: true; chains: string[]; endpoint: { ip: string; port: number } }
  | { ok: false; chains: string[]; error: string };

/**
 * Follow a packet to ip:port through the nat table, as the kernel would: the first KUBE-SERVICES
 * rule that matches (or, for one of the node's own addresses `localIPs`, the KUBE-NODEPORTS rule of
 * the port and its KUBE-EXT chain), then one KUBE-SVC rule chosen by the random statistic (from the
 * seeded Rng), then the KUBE-SEP chain's DNAT.
 */
export function resolve(rules: ProxyRules, ip: string, port: number, protocol: string, rng: Rng, localIPs: readonly string[] = []): Resolution {
  const proto = protocol.toUpperCase();
  const chains = ['KUBE-SERVICES'];
  const matches = (r: NatRule, wantIp: string) => !!r.match && r.match.ip === wantIp && r.match.port === port && r.match.protocol === proto;
  const refused = (r: NatRule): Resolution => ({ ok: false, chains, error: `connect: connection refused (${r.spec.match(/"([^"]+)"/)?.[1] ?? 'no endpoints'})` });
  const entry = (rules.nat.get('KUBE-SERVICES') ?? []).find((r) => matches(r, ip));
  let svcChain: string;
  if (entry) {
    chains.push(entry.target);
    svcChain = entry.target;
  } else if (localIPs.includes(ip)) {
    const external = (rules.nat.get('KUBE-NODEPORTS') ?? []).find((r) => matches(r, ''));
    if (!external) {
      const reject = rules.filter.find((r) => r.chain === 'KUBE-EXTERNAL-SERVICES' && matches(r, ''));
      if (reject) return refused(reject);
      return { ok: false, chains, error: `dial tcp ${ip}:${port}: connect: connection refused (no Service has node port ${port})` };
    }
    const toSvc = (rules.nat.get(external.target) ?? []).find((r) => r.target.startsWith('KUBE-SVC-'));
    chains.push('KUBE-NODEPORTS', external.target);
    if (!toSvc) return { ok: false, chains, error: `chain ${external.target} has no KUBE-SVC rule` };
    chains.push(toSvc.target);
    svcChain = toSvc.target;
  } else {
    const reject = rules.filter.find((r) => r.chain === 'KUBE-SERVICES' && matches(r, ip));
    if (reject) return refused(reject);
    return { ok: false, chains, error: `dial tcp ${ip}:${port}: i/o timeout (no Service has this ClusterIP and port)` };
  }
  const svcRules = (rules.nat.get(svcChain) ?? []).filter((r) => r.target.startsWith('KUBE-SEP-'));
  let chosen: NatRule | undefined;
  for (const r of svcRules) {
    if (r.probability === undefined || rng.next() < r.probability) {
      chosen = r;
      break;
    }
  }
  if (!chosen) return { ok: false, chains, error: 'no endpoint rule matched' };
  chains.push(chosen.target);
  const dnat = (rules.nat.get(chosen.target) ?? []).find((r) => r.dnat);
  if (!dnat?.dnat) return { ok: false, chains, error: `chain ${chosen.target} has no DNAT rule` };
  return { ok: true, chains, endpoint: dnat.dnat };
}
