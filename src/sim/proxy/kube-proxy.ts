/**
 * kube-proxy, one per node: watches Services and EndpointSlices through the API (via the load balancer,
 * as node components do) and, at most once per min-sync-period (1 s), reprograms the node's nat
 * rules from them. The rules belong to the node's kernel, not to the process: when kube-proxy
 * stops they stay as they were (stale, as on a real node), and only a power-off clears them.
 */
import type { Component, ComponentEnv } from '../api/component';
import type { Informer } from '../api/informer';
import type { EndpointSlice, Service } from '../api/types';
import type { TimerId } from '../clock';
import type { TraceContext } from '../log';
import { buildProxyRules, formatIptablesSave, resolve, type ProxyRules, type Resolution } from './rules';

export const MIN_SYNC_PERIOD_MS = 1000;

const EMPTY: ProxyRules = { nat: new Map([['KUBE-SERVICES', []]]), filter: [], services: 0, endpoints: 0 };

export class KubeProxy implements Component {
  readonly name: string;
  private services: Informer<Service> | undefined;
  private slices: Informer<EndpointSlice> | undefined;
  private programmed: ProxyRules = EMPTY;
  private syncTimer: TimerId | undefined;
  private lastSync = -Infinity;
  private pendingCtx: TraceContext | undefined;
  private isRunning = false;
  /** Rule syncs so far. */
  syncs = 0;

  constructor(private readonly env: ComponentEnv, private readonly minSyncPeriodMs = MIN_SYNC_PERIOD_MS) {
    this.name = `kube-proxy@${env.host}`;
  }

  get node(): string {
    return this.env.host;
  }

  get running(): boolean {
    return this.isRunning;
  }

  start(): void {
    if (this.isRunning) return;
    this.isRunning = true;
    const ctx: TraceContext = { traceId: this.env.log.newTraceId() };
    this.services = this.env.informer<Service>({ apiVersion: 'v1', resource: 'services' });
    this.slices = this.env.informer<EndpointSlice>({ apiVersion: 'discovery.k8s.io/v1', resource: 'endpointslices' });
    const changed = (_o: unknown, ctx2?: TraceContext) => this.requestSync(ctx2 ?? ctx);
    for (const inf of [this.services, this.slices] as Informer<Service | EndpointSlice>[]) {
      inf.addHandlers({ onAdd: (o, c) => changed(o, c), onUpdate: (_o, n, c) => changed(n, c), onDelete: (o, c) => changed(o, c) });
      inf.start(ctx);
    }
  }

  /** The process stops; the rules it programmed stay in the kernel. */
  stop(): void {
    if (!this.isRunning) return;
    this.isRunning = false;
    this.env.clock.cancel(this.syncTimer);
    this.syncTimer = undefined;
    this.services?.stop();
    this.slices?.stop();
    this.services = this.slices = undefined;
  }

  /** The machine lost power: the kernel's rules are gone too. */
  powerOff(): void {
    this.stop();
    this.programmed = EMPTY;
  }

  rules(): ProxyRules {
    return this.programmed;
  }

  iptablesSave(): string {
    return formatIptablesSave(this.programmed);
  }

  /**
   * Where a connection to ip:port would go through this node's rules: from a pod on this node, or
   * arriving at one of the node's own addresses `localIPs` (a node port).
   */
  resolve(ip: string, port: number, protocol = 'TCP', localIPs: readonly string[] = []): Resolution {
    return resolve(this.programmed, ip, port, protocol, this.env.clock.rng, localIPs);
  }

  private requestSync(ctx: TraceContext): void {
    if (!this.isRunning) return;
    this.pendingCtx = ctx;
    if (this.syncTimer !== undefined) return;
    const wait = Math.max(0, this.lastSync + this.minSyncPeriodMs - this.env.clock.now());
    this.syncTimer = this.env.clock.schedule(wait, () => {
      this.syncTimer = undefined;
      this.sync();
    }, `${this.name}: syncProxyRules`);
  }

  private sync(): void {
    if (!this.isRunning || !this.services || !this.slices) return;
    if (!this.services.hasSynced() || !this.slices.hasSynced()) return;
    this.lastSync = this.env.clock.now();
    this.syncs++;
    // The slices of each Service, by the service-name label (EndpointSliceCache).
    const byService = new Map<string, EndpointSlice[]>();
    for (const slice of this.slices.list()) {
      const name = slice.metadata.labels?.['kubernetes.io/service-name'];
      if (!name) continue;
      const key = `${slice.metadata.namespace}/${name}`;
      const list = byService.get(key);
      if (list) list.push(slice);
      else byService.set(key, [slice]);
    }
    this.programmed = buildProxyRules(this.services.list(), (key) => byService.get(key) ?? []);
    const ctx = this.pendingCtx ?? { traceId: this.env.log.newTraceId() };
    this.pendingCtx = undefined;
    this.env.log.append({
      t: this.env.clock.now(), traceId: ctx.traceId, parentId: ctx.parentId, from: this.name, to: this.name, kind: 'decision',
      summary: `syncProxyRules: ${this.programmed.services} service ports, ${this.programmed.endpoints} endpoints`,
      detail: { services: this.programmed.services, endpoints: this.programmed.endpoints },
    });
  }
}
