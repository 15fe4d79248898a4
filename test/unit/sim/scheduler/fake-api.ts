/**
 * A tiny in-memory stand-in for the API server, client and informers, enough to drive the Scheduler
 * component in unit tests: objects by resource, informers that deliver changes after 1 ms, and a
 * client that handles pods/binding, pods/status patches and events.
 */
import type { Clock } from '../../../../src/sim/clock';
import { EventLog, type TraceContext } from '../../../../src/sim/log';
import type { ComponentEnv } from '../../../../src/sim/api/component';
import type { Informer, InformerHandlers, InformerOptions } from '../../../../src/sim/api/informer';
import { objectKey } from '../../../../src/sim/api/informer';
import type { ApiClient, ApiRequest, ApiResponse, ResponseCallback } from '../../../../src/sim/api/request';
import type { Binding, CoreEvent, KubeObject, Pod, PodCondition } from '../../../../src/sim/api/types';

type Handlers = InformerHandlers<KubeObject>;

export class FakeApi {
  readonly objects = new Map<string, Map<string, KubeObject>>();
  readonly requests: ApiRequest[] = [];
  private readonly watchers = new Map<string, Set<Handlers>>();
  /** Make the next binding fail with this code. */
  failNextBinding?: number;

  constructor(readonly clock: Clock, readonly log = new EventLog()) {}

  store(resource: string): Map<string, KubeObject> {
    let m = this.objects.get(resource);
    if (!m) this.objects.set(resource, (m = new Map()));
    return m;
  }

  put(resource: string, obj: KubeObject): void {
    const key = objectKey(obj);
    const old = this.store(resource).get(key);
    this.store(resource).set(key, obj);
    this.clock.schedule(1, () => {
      for (const h of this.watchers.get(resource) ?? []) {
        if (old) h.onUpdate?.(old, obj, { traceId: 'watch' });
        else h.onAdd?.(obj, { traceId: 'watch' });
      }
    });
  }

  remove(resource: string, key: string): void {
    const old = this.store(resource).get(key);
    if (!old) return;
    this.store(resource).delete(key);
    this.clock.schedule(1, () => {
      for (const h of this.watchers.get(resource) ?? []) h.onDelete?.(old, { traceId: 'watch' });
    });
  }

  pod(key: string): Pod | undefined {
    return this.store('pods').get(key) as Pod | undefined;
  }

  events(): CoreEvent[] {
    return [...this.store('events').values()] as CoreEvent[];
  }

  informer<T extends KubeObject>(options: InformerOptions): Informer<T> {
    const handlers: Handlers[] = [];
    let running = false;
    const relay: Handlers = {
      onAdd: (o, c) => running && handlers.forEach((h) => h.onAdd?.(o, c)),
      onUpdate: (a, b, c) => running && handlers.forEach((h) => h.onUpdate?.(a, b, c)),
      onDelete: (o, c) => running && handlers.forEach((h) => h.onDelete?.(o, c)),
    };
    return {
      start: (ctx: TraceContext) => {
        running = true;
        let set = this.watchers.get(options.resource);
        if (!set) this.watchers.set(options.resource, (set = new Set()));
        set.add(relay);
        for (const o of this.store(options.resource).values()) relay.onAdd!(o, ctx);
      },
      stop: () => {
        running = false;
        this.watchers.get(options.resource)?.delete(relay);
      },
      hasSynced: () => running,
      list: () => [...this.store(options.resource).values()] as T[],
      get: (key: string) => this.store(options.resource).get(key) as T | undefined,
      addHandlers: (h: InformerHandlers<T>) => handlers.push(h as Handlers),
    };
  }

  client(name: string): ApiClient {
    return {
      name,
      request: (req, ctx, done: ResponseCallback) => {
        this.requests.push({ ...req, client: name });
        const response = this.handle(req);
        this.clock.schedule(1, () => done(response, ctx));
      },
      watch: () => ({ stop() {} }),
    };
  }

  private handle(req: Omit<ApiRequest, 'client'>): ApiResponse {
    const key = `${req.namespace}/${req.name}`;
    if (req.resource === 'pods' && req.subresource === 'binding') {
      const pod = this.pod(key);
      if (this.failNextBinding) {
        const code = this.failNextBinding;
        this.failNextBinding = undefined;
        return { code, body: { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message: 'etcdserver: request timed out', code } };
      }
      if (!pod) return { code: 404, body: { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message: `pods "${req.name}" not found`, code: 404 } };
      const target = (req.body as Binding).target.name;
      this.put('pods', { ...pod, spec: { ...pod.spec, nodeName: target } } as Pod);
      return { code: 201, body: { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Success', message: '', code: 201 } };
    }
    if (req.resource === 'pods' && req.subresource === 'status') {
      const pod = this.pod(key)!;
      const patch = (req.body as { status: { conditions: PodCondition[] } }).status.conditions;
      const others = (pod.status?.conditions ?? []).filter((c) => !patch.some((p) => p.type === c.type));
      this.put('pods', { ...pod, status: { ...pod.status, conditions: [...others, ...patch] } } as Pod);
      return { code: 200, body: this.pod(key)! };
    }
    if (req.resource === 'events' && req.verb === 'create') {
      this.put('events', req.body as KubeObject);
      return { code: 201, body: req.body as KubeObject };
    }
    if (req.resource === 'events' && req.verb === 'patch') {
      const ev = this.store('events').get(key);
      if (ev) this.put('events', { ...ev, ...(req.body as object) } as KubeObject);
      return { code: 200, body: ev! };
    }
    return { code: 405, body: { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message: 'not in the fake', code: 405 } };
  }

  env(host: string): ComponentEnv {
    return { clock: this.clock, log: this.log, client: this.client(`kube-scheduler/${host}`), informer: (o) => this.informer(o), host };
  }
}
