/**
 * The Service environment variables the kubelet gives every container (upstream getServiceEnvVarMap and
 * envvars.FromServices, pkg/kubelet/envvars): for each Service of the pod's namespace that has a cluster IP
 * (with `enableServiceLinks`, the default), `<NAME>_SERVICE_HOST` and `<NAME>_SERVICE_PORT` (the first port),
 * `<NAME>_SERVICE_PORT_<PORTNAME>` for named ports, and the Docker-link variables `<NAME>_PORT`,
 * `<NAME>_PORT_<port>_<PROTO>` and its `_PROTO`, `_PORT`, `_ADDR`. The name is upper-cased with dashes as
 * underscores. The `kubernetes` Service of the default namespace is given to every pod, links or not.
 * A Service created after the container started is not in its environment, as upstream.
 */
import type { Service } from '../api/types';

/** "my-svc" → "MY_SVC" (makeEnvVariableName). */
export function envVariableName(name: string): string {
  return name.replace(/-/g, '_').toUpperCase();
}

/** A Service's variables, in upstream's order. */
export function serviceVariables(svc: Service): [string, string][] {
  const ip = svc.spec?.clusterIP;
  const ports = svc.spec?.ports ?? [];
  if (!ip || ip === 'None' || ports.length === 0) return [];
  const prefix = envVariableName(svc.metadata.name ?? '');
  const out: [string, string][] = [[`${prefix}_SERVICE_HOST`, ip], [`${prefix}_SERVICE_PORT`, String(ports[0].port)]];
  for (const p of ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${envVariableName(p.name)}`, String(p.port)]);
  ports.forEach((p, i) => {
    const protocol = (p.protocol ?? 'TCP').toLowerCase();
    const url = `${protocol}://${ip}:${p.port}`;
    if (i === 0) out.push([`${prefix}_PORT`, url]);
    const portPrefix = `${prefix}_PORT_${p.port}_${protocol.toUpperCase()}`;
    out.push([portPrefix, url], [`${portPrefix}_PROTO`, protocol], [`${portPrefix}_PORT`, String(p.port)], [`${portPrefix}_ADDR`, ip]);
  });
  return out;
}

/**
 * The variables of the Services of `namespace` (sorted by name), but for the `kubernetes` Service of the
 * default namespace, which the kubelet gives every pod anyway (its variables are the caller's).
 */
export function namespaceServiceVariables(services: readonly Service[], namespace: string): [string, string][] {
  const mine = services
    .filter((s) => (s.metadata.namespace ?? 'default') === namespace && !(namespace === 'default' && s.metadata.name === 'kubernetes'))
    .sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
  return mine.flatMap(serviceVariables);
}
