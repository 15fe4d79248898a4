/**
 * `kubectl get services` (NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE, wide: SELECTOR) and
 * `get endpoints` (NAME ENDPOINTS AGE) and `get endpointslices` (NAME ADDRESSTYPE PORTS ENDPOINTS AGE), as
 * upstream's printService, printEndpoints and printEndpointSlice.
 */
import type { EndpointSlice, Endpoints, Service } from '../../sim/api/types';
import { AGE_COLUMN, NAME_COLUMN, age, column, formatLabels, type Printer } from './table';

function externalIPs(svc: Service): string {
  const type = svc.spec?.type ?? 'ClusterIP';
  const external = ((svc.spec as { externalIPs?: string[] }).externalIPs ?? []).slice();
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean);
      const all = [...ingress, ...external];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '<none>';
    default:
      return '<unknown>';
  }
}

function ports(svc: Service): string {
  const list = svc.spec?.ports ?? [];
  if (list.length === 0) return '<none>';
  return list.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
}

export const servicePrinter: Printer<Service> = {
  columns: [
    NAME_COLUMN,
    column('Type', 'type determines how the Service is exposed. Defaults to ClusterIP.'),
    column('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    column('External-IP', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    column('Port(s)', 'The list of ports that are exposed by this service.'),
    AGE_COLUMN,
    column('Selector', 'Route service traffic to pods with label keys and values matching this selector.', 1),
  ],
  cells(svc, now) {
    const type = svc.spec?.type ?? 'ClusterIP';
    return [
      svc.metadata.name,
      type,
      type === 'ExternalName' ? '<none>' : svc.spec?.clusterIP || '<none>',
      externalIPs(svc),
      ports(svc),
      age(svc, now),
      formatLabels(svc.spec?.selector),
    ];
  },
};

/** Upstream's formatEndpoints: "ip:port,ip:port + N more...", at most 3 shown; "<none>" when empty. */
export function formatEndpoints(ep: Endpoints): string {
  const max = 3;
  const shown: string[] = [];
  let count = 0;
  for (const subset of ep.subsets ?? []) {
    for (const addr of subset.addresses ?? []) {
      const ports = subset.ports ?? [];
      if (ports.length === 0) {
        if (shown.length < max) shown.push(addr.ip);
        count++;
      } else {
        for (const p of ports) {
          if (shown.length < max) shown.push(`${addr.ip}:${p.port}`);
          count++;
        }
      }
    }
  }
  if (count === 0) return '<none>';
  const extra = count - shown.length;
  return extra > 0 ? `${shown.join(',')} + ${extra} more...` : shown.join(',');
}

export const endpointsPrinter: Printer<Endpoints> = {
  columns: [NAME_COLUMN, column('Endpoints', 'Endpoints of the service'), AGE_COLUMN],
  cells(ep, now) {
    return [ep.metadata.name, formatEndpoints(ep), age(ep, now)];
  },
};

/** Upstream's listWithMoreString: at most 3 items, then " + N more..."; "<unset>" when there are none. */
function listWithMore(items: readonly string[]): string {
  const max = 3;
  if (items.length > max) return `${items.slice(0, max).join(',')} + ${items.length - max} more...`;
  return items.length > 0 ? items.join(',') : '<unset>';
}

export const endpointSlicePrinter: Printer<EndpointSlice> = {
  columns: [
    NAME_COLUMN,
    column('AddressType', 'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type.'),
    column('Ports', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    column('Endpoints', 'endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.'),
    AGE_COLUMN,
  ],
  cells(slice, now) {
    const ports = (slice.ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : p.name !== undefined ? p.name : '*'));
    const addresses = (slice.endpoints ?? []).flatMap((e) => e.addresses ?? []);
    return [slice.metadata.name, slice.addressType, listWithMore(ports), listWithMore(addresses), age(slice, now)];
  },
};
