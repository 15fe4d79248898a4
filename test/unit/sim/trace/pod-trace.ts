/**
 * A hand-built pod-creation trace shaped like the simulation's log (not a test file itself): kubectl →
 * lb → apiserver → etcd quorum → scheduler watch → decision → binding → etcd → kubelet watch → CRI →
 * status → etcd, plus a kubelet's lease renewals in between.
 */
import type { LogEntry } from '../../../../src/sim/log';
import type { KubeObject } from '../../../../src/sim/api/types';

export class LogBuilder {
  readonly entries: LogEntry[] = [];
  private seq = 0;
  t = 0;

  add(entry: Omit<LogEntry, 'seq' | 't'> & { t?: number }): LogEntry {
    const full: LogEntry = { seq: ++this.seq, t: entry.t ?? (this.t += 1), ...entry } as LogEntry;
    this.entries.push(full);
    return full;
  }

  /** apiserver → etcd leader proposal, replication to both followers, one ack, commit with a quorum of 2. */
  etcdWrite(traceId: string, parent: LogEntry, apiserver: string, key: string, revision: number): LogEntry {
    const propose = this.add({ traceId, parentId: parent.seq, from: apiserver, to: 'etcd@master-1', kind: 'etcd-propose', summary: `propose put ${key}`, detail: { key, op: 'put' } });
    const a2 = this.add({ traceId, parentId: propose.seq, from: 'etcd@master-1', to: 'etcd@master-2', kind: 'etcd-append', summary: `append put ${key} to etcd@master-2`, detail: { index: revision, term: 2, key } });
    this.add({ traceId, parentId: propose.seq, from: 'etcd@master-1', to: 'etcd@master-3', kind: 'etcd-append', summary: `append put ${key} to etcd@master-3`, detail: { index: revision, term: 2, key } });
    const ack = this.add({ traceId, parentId: a2.seq, from: 'etcd@master-2', to: 'etcd@master-1', kind: 'etcd-ack', summary: `etcd@master-2 acknowledged index ${revision}`, detail: { index: revision, term: 2 } });
    return this.add({
      traceId, parentId: ack.seq, from: 'etcd@master-1', to: 'etcd@master-1', kind: 'etcd-commit',
      summary: `commit put ${key}: quorum 2/3`, detail: { index: revision, term: 2, key, revision, acks: ['etcd@master-1', 'etcd@master-2'] },
    });
  }
}

export function pod(rv: string | undefined, extra: { nodeName?: string; phase?: string; defaults?: boolean; name?: string } = {}): KubeObject {
  const spec: Record<string, unknown> = { containers: [{ name: 'web', image: 'nginx:1.27' }] };
  if (extra.defaults) Object.assign(spec, { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler' });
  if (extra.nodeName) spec.nodeName = extra.nodeName;
  const object: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: extra.name ?? 'web', namespace: 'default' }, spec };
  if (rv) object.metadata.resourceVersion = rv;
  if (extra.phase) object.status = { phase: extra.phase };
  return object;
}

const PODS_PATH = '/api/v1/namespaces/default/pods';

export interface PodTraceOptions {
  name?: string;
  traceId?: string;
  /** The first etcd revision the trace writes (it writes three, plus two lease renewals). */
  revision?: number;
}

/** The whole story of `kubectl apply` of one pod, with two lease renewals of worker-1 interleaved. */
export function podCreationTrace(b = new LogBuilder(), options: PodTraceOptions = {}): LogBuilder {
  const name = options.name ?? 'web';
  const t = options.traceId ?? 't1';
  const r = (options.revision ?? 12) - 12;
  const POD = { resource: 'pods', namespace: 'default', name };
  const key = `/registry/pods/default/${name}`;
  const leaseIds = t === 't1' ? ['l1', 'l2'] : [`${t}-l1`, `${t}-l2`];
  const post = b.add({ traceId: t, from: 'kubectl', to: 'lb', kind: 'request', objectRef: POD, summary: `POST ${PODS_PATH}`, detail: { verb: 'create', path: PODS_PATH, body: pod(undefined, { name }) } });
  const fwd = b.add({ traceId: t, parentId: post.seq, from: 'lb', to: 'apiserver@master-2', kind: 'forward', objectRef: POD, summary: `forward POST ${PODS_PATH} to apiserver@master-2` });
  const commit1 = b.etcdWrite(t, fwd, 'apiserver@master-2', key, 12 + r);
  b.add({ traceId: t, parentId: commit1.seq, from: 'apiserver@master-2', to: 'kubectl', kind: 'response', objectRef: POD, summary: '201 Created', detail: { code: 201, resourceVersion: String(12 + r), object: pod(String(12 + r), { name, defaults: true }) } });
  leaseRenewal(b, leaseIds[0], 'worker-1', 13 + r);
  const watch1 = b.add({ traceId: t, parentId: commit1.seq, from: 'apiserver@master-1', to: 'kube-scheduler@master-1', kind: 'watch', objectRef: POD, summary: `ADDED pod default/${name}`, detail: { type: 'ADDED', object: pod(String(12 + r), { name, defaults: true }) } });
  const decision = b.add({
    traceId: t, parentId: watch1.seq, from: 'kube-scheduler@master-1', to: 'kube-scheduler@master-1', kind: 'decision', objectRef: POD,
    summary: `bind default/${name} to worker-2`,
    detail: {
      selected: 'worker-2',
      nodes: [
        { node: 'master-1', feasible: false, status: { code: 'UnschedulableAndUnresolvable', reasons: ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'], plugin: 'TaintToleration' } },
        { node: 'worker-1', feasible: true, scores: { NodeResourcesFit: 90, TaintToleration: 100 } },
        { node: 'worker-2', feasible: true, scores: { NodeResourcesFit: 95, TaintToleration: 100 } },
      ],
    },
  });
  const bind = b.add({ traceId: t, parentId: decision.seq, from: 'kube-scheduler@master-1', to: 'apiserver@master-1', kind: 'request', objectRef: { ...POD, subresource: 'binding' }, summary: `POST ${PODS_PATH}/${name}/binding`, detail: { verb: 'create', path: `${PODS_PATH}/${name}/binding` } });
  const commit2 = b.etcdWrite(t, bind, 'apiserver@master-1', key, 14 + r);
  b.add({ traceId: t, parentId: commit2.seq, from: 'apiserver@master-1', to: 'kube-scheduler@master-1', kind: 'response', summary: '201 Created', detail: { code: 201 } });
  leaseRenewal(b, leaseIds[1], 'worker-1', 15 + r);
  const watch2 = b.add({ traceId: t, parentId: commit2.seq, from: 'apiserver@master-2', to: 'kubelet@worker-2', kind: 'watch', objectRef: POD, summary: `ADDED pod default/${name}`, detail: { type: 'ADDED', object: pod(String(14 + r), { name, defaults: true, nodeName: 'worker-2' }) } });
  const sandbox = b.add({ traceId: t, parentId: watch2.seq, from: 'kubelet@worker-2', to: 'runtime@worker-2', kind: 'cri', objectRef: POD, summary: `RunPodSandbox default/${name}`, detail: { method: 'RunPodSandbox' } });
  const sandboxOk = b.add({ traceId: t, parentId: sandbox.seq, from: 'runtime@worker-2', to: 'kubelet@worker-2', kind: 'cri', objectRef: POD, summary: 'RunPodSandbox OK', detail: { method: 'RunPodSandbox' } });
  const status = b.add({ traceId: t, parentId: sandboxOk.seq, from: 'kubelet@worker-2', to: 'lb', kind: 'request', objectRef: { ...POD, subresource: 'status' }, summary: `PATCH ${PODS_PATH}/${name}/status`, detail: { verb: 'patch', path: `${PODS_PATH}/${name}/status` } });
  const fwd2 = b.add({ traceId: t, parentId: status.seq, from: 'lb', to: 'apiserver@master-3', kind: 'forward', objectRef: POD, summary: `forward PATCH ${PODS_PATH}/${name}/status to apiserver@master-3` });
  const commit3 = b.etcdWrite(t, fwd2, 'apiserver@master-3', key, 16 + r);
  b.add({ traceId: t, parentId: commit3.seq, from: 'apiserver@master-3', to: 'kubelet@worker-2', kind: 'response', objectRef: POD, summary: '200 OK', detail: { code: 200, resourceVersion: String(16 + r), object: { ...pod(String(16 + r), { name, defaults: true, nodeName: 'worker-2', phase: 'Running' }) } } });
  return b;
}

/** A kubelet's Lease renewal: PUT through the lb, the etcd write, the answer. */
export function leaseRenewal(b: LogBuilder, traceId: string, node: string, revision: number): void {
  const ref = { resource: 'leases', namespace: 'kube-node-lease', name: node };
  const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node}`;
  const put = b.add({ traceId, from: `kubelet@${node}`, to: 'lb', kind: 'request', objectRef: ref, summary: `PUT ${path}`, detail: { verb: 'update', path } });
  const fwd = b.add({ traceId, parentId: put.seq, from: 'lb', to: 'apiserver@master-1', kind: 'forward', summary: `forward PUT ${path}` });
  const commit = b.etcdWrite(traceId, fwd, 'apiserver@master-1', `/registry/leases/kube-node-lease/${node}`, revision);
  b.add({ traceId, parentId: commit.seq, from: 'apiserver@master-1', to: `kubelet@${node}`, kind: 'response', summary: '200 OK', detail: { code: 200 } });
}
