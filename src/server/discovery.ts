/**
 * API discovery as kube-apiserver serves it without aggregation: /api (APIVersions), /apis
 * (APIGroupList), /apis/GROUP (APIGroup), /api/v1 and /apis/GROUP/VERSION (APIResourceList), and
 * /version. kubectl asks for aggregated discovery first and falls back to these when the answer is plain
 * application/json.
 */
import { apiGroups, resourcesIn } from './catalog';

/** The Kubernetes release the lab behaves like. */
export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-k8s-lab' } as const;

export function versionInfo(): Record<string, string> {
  return {
    ...KUBERNETES_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.4',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function apiVersions(serverAddress: string): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function group(name: string, versions: string[]): unknown {
  const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: list, preferredVersion: list[0] };
}

export function groupList(): unknown {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: apiGroups().map((g) => group(g.name, g.versions)) };
}

export function groupInfo(name: string): unknown | undefined {
  const found = apiGroups().find((g) => g.name === name);
  return found ? { kind: 'APIGroup', apiVersion: 'v1', ...(group(found.name, found.versions) as object) } : undefined;
}

export function resourceList(apiVersion: string): unknown | undefined {
  const served = resourcesIn(apiVersion);
  if (!served) return undefined;
  const resources: unknown[] = [];
  for (const r of served) {
    const main: Record<string, unknown> = {
      name: r.def.resource,
      singularName: r.singular,
      namespaced: r.def.namespaced,
      kind: r.def.kind,
      verbs: r.verbs,
    };
    if (r.def.shortNames?.length) main.shortNames = r.def.shortNames;
    if (r.categories) main.categories = r.categories;
    resources.push(main);
    for (const sub of r.subresources) {
      const entry: Record<string, unknown> = { name: `${r.def.resource}/${sub.name}`, singularName: '', namespaced: r.def.namespaced, kind: sub.kind, verbs: sub.verbs };
      if (sub.group) entry.group = sub.group;
      if (sub.version) entry.version = sub.version;
      resources.push(entry);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersion, resources };
}
