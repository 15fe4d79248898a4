/** The kinds the lab validates, their API versions, and the kinds Kubernetes serves in other versions. */

export interface KindInfo {
  kind: string;
  apiVersion: string;
  /** Whether the object lives in a namespace. */
  namespaced: boolean;
}

export const KINDS: readonly KindInfo[] = [
  { kind: 'Pod', apiVersion: 'v1', namespaced: true },
  { kind: 'Deployment', apiVersion: 'apps/v1', namespaced: true },
  { kind: 'ReplicaSet', apiVersion: 'apps/v1', namespaced: true },
  { kind: 'Service', apiVersion: 'v1', namespaced: true },
  { kind: 'Namespace', apiVersion: 'v1', namespaced: false },
  { kind: 'ConfigMap', apiVersion: 'v1', namespaced: true },
  { kind: 'Secret', apiVersion: 'v1', namespaced: true },
  { kind: 'Job', apiVersion: 'batch/v1', namespaced: true },
  { kind: 'CronJob', apiVersion: 'batch/v1', namespaced: true },
  { kind: 'DaemonSet', apiVersion: 'apps/v1', namespaced: true },
];

const byKind = new Map(KINDS.map((k) => [k.kind, k]));

export function kindInfo(kind: string): KindInfo | undefined {
  return byKind.get(kind);
}

/** Versions that served these kinds in the past (removed), for a precise "no matches" explanation. */
const REMOVED_VERSIONS: Record<string, readonly string[]> = {
  Deployment: ['extensions/v1beta1', 'apps/v1beta1', 'apps/v1beta2'],
  ReplicaSet: ['extensions/v1beta1', 'apps/v1beta2'],
  DaemonSet: ['extensions/v1beta1', 'apps/v1beta2'],
};

/** kubectl's message when an apiVersion does not serve a kind, with a hint at the version that does. */
export function noMatchMessage(kind: string, apiVersion: string): string {
  const info = byKind.get(kind);
  let hint = '';
  if (info) {
    hint = REMOVED_VERSIONS[kind]?.includes(apiVersion)
      ? ` (${kind} in ${apiVersion} was removed; use apiVersion: ${info.apiVersion})`
      : ` (use apiVersion: ${info.apiVersion})`;
  }
  return `no matches for kind "${kind}" in version "${apiVersion}"${hint}`;
}
