/**
 * The `kubernetes` Service in the default namespace, as every kube-apiserver maintains it: ClusterIP
 * 10.96.0.1 (the first address of the service range), port 443 → 6443, no selector, and an
 * Endpoints object and EndpointSlice listing the API servers that are alive. Upstream's lease endpoint reconciler
 * keeps a short-lived record per API server; here each instance renews a Lease
 * "apiserver-<master>" in kube-system every 10 s and lists the addresses of the instances whose
 * record is fresher than 15 s, so a dead API server leaves the Endpoints on its own.
 */
import type { Component, ComponentEnv } from '../../api/component';
import type { ApiResponse, ListObject } from '../../api/request';
import type { EndpointSlice, Endpoints, Lease, Service } from '../../api/types';
import type { TimerId } from '../../clock';
import type { TraceContext } from '../../log';
import { deepEqual } from '../../apiserver/objects';

export const KUBERNETES_SERVICE_IP = '10.96.0.1';
const RECONCILE_MS = 10_000;
const TTL_MS = 15_000;
const IP_ANNOTATION = 'lab.k8s/apiserver-ip';

export function kubernetesService(): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: KUBERNETES_SERVICE_IP, clusterIPs: [KUBERNETES_SERVICE_IP], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], sessionAffinity: 'None' },
  };
}

export class KubernetesServiceReconciler implements Component {
  readonly name: string;
  private timer: TimerId | undefined;
  private isRunning = false;

  constructor(private readonly env: ComponentEnv, private readonly ip: string) {
    this.name = `kube-apiserver@${env.host}`;
  }

  get running(): boolean {
    return this.isRunning;
  }

  start(): void {
    if (this.isRunning) return;
    this.isRunning = true;
    this.tick();
  }

  stop(): void {
    this.isRunning = false;
    this.env.clock.cancel(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    if (!this.isRunning) return;
    this.timer = this.env.clock.schedule(RECONCILE_MS, () => this.tick(), `${this.name}: kubernetes service`);
    const ctx: TraceContext = { traceId: this.env.log.newTraceId() };
    this.ensureService(ctx);
    this.renewRecord(ctx, (rctx) => this.reconcileEndpoints(rctx));
  }

  private req(r: Parameters<ComponentEnv['client']['request']>[0], ctx: TraceContext, done: (res: ApiResponse, ctx: TraceContext) => void = () => {}): void {
    this.env.client.request(r, ctx, done);
  }

  private ensureService(ctx: TraceContext): void {
    this.req({ verb: 'get', apiVersion: 'v1', resource: 'services', namespace: 'default', name: 'kubernetes' }, ctx, (res, gctx) => {
      if (res.code === 404) this.req({ verb: 'create', apiVersion: 'v1', resource: 'services', namespace: 'default', body: kubernetesService() }, gctx);
    });
  }

  private renewRecord(ctx: TraceContext, then: (ctx: TraceContext) => void): void {
    const name = `apiserver-${this.env.host}`;
    const body: Lease = {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: { name, namespace: 'kube-system', labels: { 'apiserver.kubernetes.io/identity': 'kube-apiserver' }, annotations: { [IP_ANNOTATION]: this.ip } },
      spec: { holderIdentity: name, leaseDurationSeconds: TTL_MS / 1000, renewTime: this.env.clock.isoMicro() },
    };
    this.req({ verb: 'get', apiVersion: 'coordination.k8s.io/v1', resource: 'leases', namespace: 'kube-system', name }, ctx, (res, gctx) => {
      if (res.code === 404) return this.req({ verb: 'create', apiVersion: 'coordination.k8s.io/v1', resource: 'leases', namespace: 'kube-system', body }, gctx, (_r, c) => then(c));
      if (res.code !== 200) return;
      const current = res.body as Lease;
      const update = { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata.resourceVersion } };
      this.req({ verb: 'update', apiVersion: 'coordination.k8s.io/v1', resource: 'leases', namespace: 'kube-system', name, body: update }, gctx, (_r, c) => then(c));
    });
  }

  private reconcileEndpoints(ctx: TraceContext): void {
    this.req({ verb: 'list', apiVersion: 'coordination.k8s.io/v1', resource: 'leases', namespace: 'kube-system', query: { labelSelector: 'apiserver.kubernetes.io/identity=kube-apiserver' } }, ctx, (res, lctx) => {
      if (res.code !== 200) return;
      const now = this.env.clock.now();
      const epoch = Date.parse(this.env.clock.iso(0));
      const ips = (res.body as ListObject<Lease>).items
        .filter((l) => l.spec.renewTime && Date.parse(l.spec.renewTime) - epoch > now - TTL_MS)
        .map((l) => l.metadata.annotations?.[IP_ANNOTATION])
        .filter((ip): ip is string => !!ip)
        .sort();
      const subsets = ips.length ? [{ addresses: ips.map((ip) => ({ ip })), ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }] : [];
      this.reconcileSlice(ips, lctx);
      this.req({ verb: 'get', apiVersion: 'v1', resource: 'endpoints', namespace: 'default', name: 'kubernetes' }, lctx, (got, gctx) => {
        const body: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }, subsets };
        if (got.code === 404) return this.req({ verb: 'create', apiVersion: 'v1', resource: 'endpoints', namespace: 'default', body }, gctx);
        if (got.code !== 200) return;
        const current = got.body as Endpoints;
        if (deepEqual(current.subsets ?? [], subsets)) return;
        this.req({ verb: 'update', apiVersion: 'v1', resource: 'endpoints', namespace: 'default', name: 'kubernetes', body: { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata.resourceVersion } } }, gctx);
      });
    });
  }

  /**
   * The `kubernetes` EndpointSlice, written beside the Endpoints as upstream's EndpointsAdapter does
   * (the Endpoints' label skip-mirror keeps the mirroring controller away): one ready endpoint per live
   * API server, port https 6443.
   */
  private reconcileSlice(ips: readonly string[], ctx: TraceContext): void {
    const body: EndpointSlice = {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
      ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
    };
    const api = { apiVersion: 'discovery.k8s.io/v1', resource: 'endpointslices', namespace: 'default' };
    this.req({ verb: 'get', ...api, name: 'kubernetes' }, ctx, (got, gctx) => {
      if (got.code === 404) return this.req({ verb: 'create', ...api, body }, gctx);
      if (got.code !== 200) return;
      const current = got.body as EndpointSlice;
      if (deepEqual(current.endpoints ?? [], body.endpoints) && deepEqual(current.ports, body.ports)) return;
      this.req({ verb: 'update', ...api, name: 'kubernetes', body: { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata.resourceVersion } } }, gctx);
    });
  }
}
