/** The kubernetes.io page that explains each rule (a diagnostic's `code` link). */
import type { RuleId } from './types';

const K8S = 'https://kubernetes.io/docs';

const API_REFERENCE: Record<string, string> = {
  Pod: `${K8S}/reference/kubernetes-api/workload-resources/pod-v1/`,
  Deployment: `${K8S}/reference/kubernetes-api/workload-resources/deployment-v1/`,
  ReplicaSet: `${K8S}/reference/kubernetes-api/workload-resources/replica-set-v1/`,
  Service: `${K8S}/reference/kubernetes-api/service-resources/service-v1/`,
  Namespace: `${K8S}/reference/kubernetes-api/cluster-resources/namespace-v1/`,
  ConfigMap: `${K8S}/reference/kubernetes-api/config-and-storage-resources/config-map-v1/`,
  Secret: `${K8S}/reference/kubernetes-api/config-and-storage-resources/secret-v1/`,
  Job: `${K8S}/reference/kubernetes-api/workload-resources/job-v1/`,
  CronJob: `${K8S}/reference/kubernetes-api/workload-resources/cron-job-v1/`,
  DaemonSet: `${K8S}/reference/kubernetes-api/workload-resources/daemon-set-v1/`,
};

const RULE_DOCS: Partial<Record<RuleId, string>> = {
  'yaml-syntax': `${K8S}/concepts/overview/working-with-objects/#describing-a-kubernetes-object`,
  'yaml-duplicate-key': `${K8S}/reference/using-api/api-concepts/#field-validation`,
  'yaml-tab': `${K8S}/concepts/overview/working-with-objects/#describing-a-kubernetes-object`,
  'yaml-alias-limit': `${K8S}/concepts/overview/working-with-objects/#describing-a-kubernetes-object`,
  'yaml-too-deep': `${K8S}/concepts/overview/working-with-objects/#describing-a-kubernetes-object`,
  'document-too-large': `${K8S}/concepts/overview/working-with-objects/#describing-a-kubernetes-object`,
  'not-an-object': `${K8S}/concepts/overview/working-with-objects/#required-fields`,
  'unknown-kind': `${K8S}/reference/kubernetes-api/`,
  'api-version-kind': `${K8S}/reference/using-api/#api-groups`,
  'unknown-field': `${K8S}/reference/using-api/api-concepts/#field-validation`,
  'invalid-name': `${K8S}/concepts/overview/working-with-objects/names/`,
  'invalid-label': `${K8S}/concepts/overview/working-with-objects/labels/#syntax-and-character-set`,
  'invalid-port': `${K8S}/concepts/services-networking/service/#field-spec-ports`,
  'invalid-quantity': `${K8S}/reference/kubernetes-api/common-definitions/quantity/`,
  'requests-exceed-limits': `${K8S}/concepts/configuration/manage-resources-containers/#requests-and-limits`,
  'selector-mismatch': `${K8S}/concepts/workloads/controllers/deployment/#selector`,
  'volume-not-found': `${K8S}/concepts/storage/volumes/`,
  'unknown-image': `${K8S}/concepts/containers/images/`,
  'unschedulable-resources': `${K8S}/concepts/configuration/manage-resources-containers/#how-pods-with-resource-requests-are-scheduled`,
  'unmatched-node-selector': `${K8S}/concepts/scheduling-eviction/assign-pod-node/#nodeselector`,
};

/** The docs page for a rule; rules about a kind's fields link to that kind's API reference. */
export function docsUrl(rule: RuleId, kind?: string): string {
  return RULE_DOCS[rule] ?? (kind && API_REFERENCE[kind]) ?? `${K8S}/reference/kubernetes-api/`;
}
