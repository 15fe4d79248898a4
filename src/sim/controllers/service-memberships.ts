/**
 * Which Services a pod belongs to (upstream's GetPodServiceMemberships): the Services with a selector, by
 * namespace, kept from the shared Service informer. The endpoints and EndpointSlice controllers share one
 * index and, on each pod event, look only at the Services of the pod's namespace (none, nearly always).
 */
import { objectKey } from '../api/informer';
import type { Pod, Service } from '../api/types';
import type { SharedInformers } from './context';
import { compileSetSelector } from './selectors';

const NONE: readonly string[] = Object.freeze([]);

export class ServiceMemberships {
  private readonly byNamespace = new Map<string, Map<string, Service>>();

  set(svc: Service): void {
    const ns = svc.metadata.namespace!;
    let services = this.byNamespace.get(ns);
    if (!services) this.byNamespace.set(ns, (services = new Map()));
    if (svc.spec.selector && Object.keys(svc.spec.selector).length > 0) services.set(objectKey(svc), svc);
    else services.delete(objectKey(svc));
  }

  delete(svc: Service): void {
    this.byNamespace.get(svc.metadata.namespace!)?.delete(objectKey(svc));
  }

  /** The keys of the Services selecting the pod before (`old`) or after (`pod`) a change. */
  of(old: Pod | undefined, pod: Pod | undefined): readonly string[] {
    const services = this.byNamespace.get((pod ?? old)!.metadata.namespace!);
    if (!services || services.size === 0) return NONE;
    const keys: string[] = [];
    for (const [key, svc] of services) {
      const sel = compileSetSelector(svc.spec.selector);
      if ((pod && sel.matches(pod.metadata.labels)) || (old && sel.matches(old.metadata.labels))) keys.push(key);
    }
    return keys;
  }
}

/** The memberships index of one controller-manager, shared by its controllers. */
export function sharedServiceMemberships(informers: SharedInformers): ServiceMemberships {
  return informers.shared('services/memberships', () => {
    const idx = new ServiceMemberships();
    informers.get<Service>('v1', 'services').addHandlers({
      onAdd: (s) => idx.set(s),
      onUpdate: (_o, s) => idx.set(s),
      onDelete: (s) => idx.delete(s),
    });
    return idx;
  });
}
