/**
 * API discovery as kube-apiserver serves it without aggregation: /api (APIVersions), /apis
 * (APIGroupList), /apis/GROUP (APIGroup), /api/v1 and /apis/GROUP/VERSION (APIResourceList), and
 * /version. kubectl asks for aggregated discovery first and falls back to these when the answer is plain
 * application/json. The served resources come from the catalog, plus the virtual review endpoints
 * (reviews.ts: create only, cluster-scoped, in authentication.k8s.io and authorization.k8s.io).
 */
import { apiGroups, resourcesIn } from './catalog';
import { REVIEW_ENDPOINTS } from './reviews';

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

/** The catalog's named groups, then the review endpoints' groups. */
function allGroups(): { name: string; versions: string[] }[] {
  const groups = apiGroups();
  for (const e of REVIEW_ENDPOINTS) {
    const [name, version] = e.apiVersion.split('/');
    const known = groups.find((g) => g.name === name);
    if (!known) groups.push({ name, versions: [version] });
    else if (!known.versions.includes(version)) known.versions.push(version);
  }
  return groups;
}

export function groupList(): unknown {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: allGroups().map((g) => group(g.name, g.versions)) };
}

export function groupInfo(name: string): unknown | undefined {
  const found = allGroups().find((g) => g.name === name);
  return found ? { kind: 'APIGroup', apiVersion: 'v1', ...(group(found.name, found.versions) as object) } : undefined;
}

export function resourceList(apiVersion: string): unknown | undefined {
  const served = resourcesIn(apiVersion);
  const reviews = REVIEW_ENDPOINTS.filter((e) => e.apiVersion === apiVersion);
  if (!served && reviews.length === 0) return undefined;
  const resources: unknown[] = [];
  for (const r of served ?? []) {
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
  for (const e of reviews) {
    resources.push({ name: e.resource, singularName: e.kind.toLowerCase(), namespaced: false, kind: e.kind, verbs: ['create'] });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersion, resources };
}
