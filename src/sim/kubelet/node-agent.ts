/**
 * The kubelet's node-facing loops: register the Node (create, or refresh the status of an existing
 * one), renew the node Lease in kube-node-lease every 10 s (creating it when missing), and post the
 * node status every nodeStatusReportFrequency (5 min) — all on one timer per node.
 */
import type { Clock, TimerId } from '../clock';
import type { EventLog, TraceContext } from '../log';
import type { ApiClient, ApiResponse } from '../api/request';
import type { Lease, Node, NodeStatus } from '../api/types';
import { buildLease, buildNode, nodeStatus, NODE_LEASE_NAMESPACE, type NodeConfig, type NodeIdentity } from './node-status';

export interface NodeAgentTimings {
  leaseRenewMs: number;
  nodeStatusReportMs: number;
  registerRetryMs: number;
}

export const DEFAULT_NODE_AGENT_TIMINGS: Readonly<NodeAgentTimings> = Object.freeze({
  leaseRenewMs: 10_000,
  nodeStatusReportMs: 300_000,
  registerRetryMs: 2_000,
});

const isObject = (r: ApiResponse): r is ApiResponse & { body: Node | Lease } => typeof r.body === 'object' && r.body !== null && 'metadata' in r.body;

export class NodeAgent {
  private timer: TimerId | undefined;
  private lease: Lease | undefined;
  private nodeUid: string | undefined;
  private lastStatus: NodeStatus | undefined;
  private lastReport = 0;
  private active = false;
  /** Responses to requests sent before the last stop are ignored. */
  private generation = 0;
  /** The heartbeat, bound once (not a new closure every 10 s on each of thousands of nodes). */
  private readonly onTick = (): void => this.tick();
  /** The answer to a Lease update, guarded for the current generation: built at each start, not per renewal. */
  private leaseUpdated: (r: ApiResponse, ctx: TraceContext) => void = () => {};
  /** Called once the Node exists, with the object the API returned. */
  onRegistered: (node: Node, ctx: TraceContext) => void = () => {};

  constructor(
    private readonly clock: Clock,
    private readonly log: EventLog,
    private readonly client: ApiClient,
    private readonly config: NodeConfig,
    private readonly identity: () => NodeIdentity,
    readonly timings: NodeAgentTimings = DEFAULT_NODE_AGENT_TIMINGS,
  ) {}

  get registered(): boolean {
    return this.nodeUid !== undefined;
  }

  start(ctx: TraceContext): void {
    this.active = true;
    this.generation++;
    this.leaseUpdated = this.guard((r) => {
      // On a conflict or any failure, read the Lease afresh at the next renewal.
      this.lease = r.code === 200 && isObject(r) ? (r.body as Lease) : undefined;
    });
    this.register(ctx);
  }

  stop(): void {
    this.active = false;
    this.generation++;
    this.clock.cancel(this.timer);
    this.timer = undefined;
    this.lease = undefined;
    this.nodeUid = undefined;
    this.lastStatus = undefined;
  }

  private guard(fn: (r: ApiResponse, ctx: TraceContext) => void): (r: ApiResponse, ctx: TraceContext) => void {
    const generation = this.generation;
    return (r, ctx) => {
      if (this.active && generation === this.generation) fn(r, ctx);
    };
  }

  private register(ctx: TraceContext): void {
    const node = buildNode(this.config, this.identity(), this.clock.iso());
    this.client.request({ verb: 'create', apiVersion: 'v1', resource: 'nodes', body: node }, ctx, this.guard((r, rctx) => {
      if (r.code === 201 && isObject(r)) return this.registeredAs(r.body as Node, rctx);
      if (r.code === 409) return this.refreshExisting(rctx);
      this.retryRegistration();
    }));
  }

  /** The Node already exists (a restarted kubelet, a rebooted machine): report a fresh status. */
  private refreshExisting(ctx: TraceContext): void {
    const name = this.config.name;
    this.client.request({ verb: 'get', apiVersion: 'v1', resource: 'nodes', name }, ctx, this.guard((r, gctx) => {
      if (r.code !== 200 || !isObject(r)) return this.retryRegistration();
      const existing = r.body as Node;
      const status = nodeStatus(this.config, this.identity(), this.clock.iso(), existing.status);
      this.patchStatus(status, gctx, (node, pctx) => this.registeredAs(node, pctx));
    }));
  }

  private retryRegistration(): void {
    this.timer = this.clock.schedule(this.timings.registerRetryMs, () => this.register({ traceId: this.log.newTraceId() }), 'kubelet-register');
  }

  private registeredAs(node: Node, ctx: TraceContext): void {
    this.nodeUid = node.metadata.uid;
    this.lastStatus = node.status;
    this.lastReport = this.clock.now();
    this.onRegistered(node, ctx);
    this.renewLease(ctx);
  }

  private patchStatus(status: NodeStatus, ctx: TraceContext, then: (node: Node, ctx: TraceContext) => void): void {
    this.client.request(
      { verb: 'patch', apiVersion: 'v1', resource: 'nodes', name: this.config.name, subresource: 'status', patchType: 'application/merge-patch+json', body: { status } },
      ctx,
      this.guard((r, pctx) => {
        if (r.code === 200 && isObject(r)) then(r.body as Node, pctx);
        else if (!this.registered) this.retryRegistration();
      }),
    );
  }

  /** One heartbeat: renew the Lease; every nodeStatusReportMs also post the node status. */
  private tick(): void {
    const ctx = { traceId: this.log.newTraceId() };
    if (this.clock.now() - this.lastReport >= this.timings.nodeStatusReportMs) {
      this.lastReport = this.clock.now();
      const status = nodeStatus(this.config, this.identity(), this.clock.iso(), this.lastStatus);
      this.patchStatus(status, ctx, (node) => {
        this.lastStatus = node.status;
      });
    }
    this.renewLease(ctx);
  }

  private scheduleTick(): void {
    this.clock.cancel(this.timer);
    this.timer = this.clock.schedule(this.timings.leaseRenewMs, this.onTick, 'kubelet-lease');
  }

  private renewLease(ctx: TraceContext): void {
    this.scheduleTick();
    // The usual renewal: an update from the Lease last written, without a GET (upstream's fast path).
    if (this.lease) return this.updateLease(ctx);
    const renewTime = this.clock.isoMicro();
    const base = { apiVersion: 'coordination.k8s.io/v1', resource: 'leases', namespace: NODE_LEASE_NAMESPACE, name: this.config.name };
    this.client.request({ ...base, verb: 'get' }, ctx, this.guard((r, gctx) => {
      if (r.code === 200 && isObject(r)) {
        this.lease = r.body as Lease;
        this.updateLease(gctx);
      } else if (r.code === 404) {
        const { name: _n, ...collection } = base;
        this.client.request({ ...collection, verb: 'create', body: buildLease(this.config.name, this.nodeUid, renewTime) }, gctx, this.guard((c) => {
          if (c.code === 201 && isObject(c)) this.lease = c.body as Lease;
        }));
      }
    }));
  }

  private updateLease(ctx: TraceContext): void {
    const lease = this.lease!;
    const body: Lease = { ...lease, spec: { ...lease.spec, holderIdentity: this.config.name, renewTime: this.clock.isoMicro() } };
    this.client.request(
      { verb: 'update', apiVersion: 'coordination.k8s.io/v1', resource: 'leases', namespace: NODE_LEASE_NAMESPACE, name: this.config.name, body },
      ctx,
      this.leaseUpdated,
    );
  }
}
