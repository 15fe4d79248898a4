/**
 * A minimal in-memory API for testing the kubelet on its own, until the real API server and client
 * are wired in: create/get/update/patch (merge)/delete with resourceVersions, graceful pod deletion,
 * and informers filtered by spec.nodeName. Responses and watch deliveries arrive 1 ms later.
 */
import type { Clock } from '../../../../src/sim/clock';
import type { EventLog, TraceContext } from '../../../../src/sim/log';
import type { ComponentEnv } from '../../../../src/sim/api/component';
import type { Informer, InformerHandlers, InformerOptions } from '../../../../src/sim/api/informer';
import type { ApiClient, ApiRequest, ApiResponse } from '../../../../src/sim/api/request';
import type { KubeObject, Pod } from '../../../../src/sim/api/types';

type Obj = KubeObject;

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const status = (code: number, message: string): ApiResponse => ({ code, body: { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message, code } });

export class FakeApi {
  readonly objects = new Map<string, Obj>();
  readonly requests: (Omit<ApiRequest, 'client'> & { client: string; t: number })[] = [];
  private rv = 0;
  private uid = 0;
  private readonly informers = new Set<{ resource: string; node?: string; cache: Map<string, Obj>; handlers: InformerHandlers<Obj>[]; started: boolean }>();

  constructor(
    readonly clock: Clock,
    readonly log: EventLog,
  ) {}

  env(host: string): ComponentEnv {
    return { clock: this.clock, log: this.log, client: this.client(`kubelet/${host}`), informer: <T extends KubeObject>(o: InformerOptions) => this.informer(o) as unknown as Informer<T>, host };
  }

  client(name: string): ApiClient {
    return {
      name,
      request: (req, ctx, done) => {
        this.requests.push({ ...req, client: name, t: this.clock.now() });
        this.clock.schedule(1, () => done(this.handle(req), ctx));
      },
      watch: () => {
        throw new Error('FakeApi: use informers');
      },
    };
  }

  key(resource: string, namespace: string | undefined, name: string | undefined): string {
    return `${resource}/${namespace ?? ''}/${name ?? ''}`;
  }

  get<T extends Obj>(resource: string, namespace: string | undefined, name: string): T | undefined {
    return this.objects.get(this.key(resource, namespace, name)) as T | undefined;
  }

  /** Create a pod bound to `node`, with the API server's defaults. */
  createPod(name: string, node: string, spec: Partial<Pod['spec']>): Pod {
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { restartPolicy: 'Always', terminationGracePeriodSeconds: 30, containers: [], ...spec, nodeName: node },
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: this.clock.iso() }] },
    };
    const r = this.handle({ verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', body: pod });
    return r.body as Pod;
  }

  deletePod(name: string, gracePeriodSeconds?: number): void {
    this.handle({ verb: 'delete', apiVersion: 'v1', resource: 'pods', namespace: 'default', name, query: gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds } });
  }

  handle(req: Omit<ApiRequest, 'client'>): ApiResponse {
    const body = req.body as Obj | undefined;
    const ns = req.namespace ?? body?.metadata?.namespace;
    const name = req.name ?? body?.metadata?.name;
    const key = this.key(req.resource, ns, name);
    const current = this.objects.get(key);
    switch (req.verb) {
      case 'create': {
        if (current) return status(409, `${req.resource} "${name}" already exists`);
        const obj = structuredClone(body!) as Obj;
        obj.metadata = { ...obj.metadata, namespace: ns, uid: `uid-${++this.uid}`, creationTimestamp: this.clock.iso() };
        return { code: 201, body: this.store(key, obj, undefined) };
      }
      case 'get':
        return current ? { code: 200, body: structuredClone(current) } : status(404, `${req.resource} "${name}" not found`);
      case 'update':
        if (!current) return status(404, `${req.resource} "${name}" not found`);
        if (body?.metadata.resourceVersion && body.metadata.resourceVersion !== current.metadata.resourceVersion) return status(409, 'the object has been modified');
        return { code: 200, body: this.store(key, structuredClone(body!), current) };
      case 'patch': {
        if (!current) return status(404, `${req.resource} "${name}" not found`);
        const patch = req.subresource === 'status' ? { status: (req.body as { status: unknown }).status } : req.body;
        return { code: 200, body: this.store(key, mergePatch(current, patch) as Obj, current) };
      }
      case 'delete': {
        if (!current) return status(404, `${req.resource} "${name}" not found`);
        const grace = req.query?.gracePeriodSeconds ?? (current as Pod).spec?.terminationGracePeriodSeconds ?? 0;
        if (req.resource === 'pods' && grace > 0 && (current as Pod).spec.nodeName) {
          if (current.metadata.deletionTimestamp) return { code: 200, body: structuredClone(current) };
          const next = structuredClone(current);
          next.metadata.deletionTimestamp = this.clock.iso();
          next.metadata.deletionGracePeriodSeconds = grace;
          return { code: 200, body: this.store(key, next, current) };
        }
        this.objects.delete(key);
        this.notify(req.resource, current, undefined);
        return { code: 200, body: structuredClone(current) };
      }
      default:
        return status(405, 'not supported');
    }
  }

  private store(key: string, obj: Obj, old: Obj | undefined): Obj {
    obj.metadata.resourceVersion = String(++this.rv);
    this.objects.set(key, obj);
    this.notify(key.split('/')[0], old, obj);
    return structuredClone(obj);
  }

  private notify(resource: string, old: Obj | undefined, obj: Obj | undefined): void {
    for (const inf of this.informers) {
      if (inf.resource !== resource || !inf.started) continue;
      const matches = (o: Obj | undefined) => !!o && (!inf.node || (o as Pod).spec?.nodeName === inf.node);
      const k = `${(old ?? obj)!.metadata.namespace}/${(old ?? obj)!.metadata.name}`;
      const before = matches(old) ? old : undefined;
      const after = matches(obj) ? structuredClone(obj) : undefined;
      if (!before && !after) continue;
      this.clock.schedule(1, () => {
        if (!inf.started) return;
        const ctx: TraceContext = { traceId: 'watch' };
        if (after) inf.cache.set(k, after);
        else inf.cache.delete(k);
        for (const h of inf.handlers) {
          if (!before) h.onAdd?.(after!, ctx);
          else if (!after) h.onDelete?.(before, ctx);
          else h.onUpdate?.(before, after, ctx);
        }
      });
    }
  }

  informer(options: InformerOptions): Informer<Obj> {
    const node = /^spec\.nodeName=(.*)$/.exec(options.fieldSelector ?? '')?.[1];
    const inf = { resource: options.resource, node, cache: new Map<string, Obj>(), handlers: [] as InformerHandlers<Obj>[], started: false };
    this.informers.add(inf);
    return {
      start: (ctx) => {
        inf.started = true;
        this.clock.schedule(1, () => {
          for (const [key, obj] of this.objects) {
            if (!key.startsWith(`${options.resource}/`) || (node && (obj as Pod).spec?.nodeName !== node)) continue;
            const copy = structuredClone(obj);
            inf.cache.set(`${obj.metadata.namespace}/${obj.metadata.name}`, copy);
            for (const h of inf.handlers) h.onAdd?.(copy, ctx);
          }
        });
      },
      stop: () => {
        inf.started = false;
        this.informers.delete(inf);
      },
      hasSynced: () => inf.started,
      list: () => [...inf.cache.values()],
      get: (key) => inf.cache.get(key),
      addHandlers: (h) => inf.handlers.push(h),
    };
  }
}
