/**
 * `kubectl get deployments` (NAME READY UP-TO-DATE AVAILABLE AGE) and `get replicasets`
 * (NAME DESIRED CURRENT READY AGE); wide adds CONTAINERS IMAGES SELECTOR to both.
 */
import { formatLabelSelector } from '../../sim/api/labels';
import type { Deployment, PodTemplateSpec, ReplicaSet } from '../../sim/api/types';
import { AGE_COLUMN, NAME_COLUMN, age, column, type Printer, type TableColumn } from './table';

const WIDE_COLUMNS: TableColumn[] = [
  column('Containers', 'Names of each container in the template.', 1),
  column('Images', 'Images referenced by each container in the template.', 1),
  column('Selector', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1),
];

function wideCells(template: PodTemplateSpec | undefined, selector: Deployment['spec']['selector'] | undefined): string[] {
  const containers = template?.spec?.containers ?? [];
  return [containers.map((c) => c.name).join(','), containers.map((c) => c.image ?? '').join(','), formatLabelSelector(selector)];
}

export const deploymentPrinter: Printer<Deployment> = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'Number of the pod with ready state'),
    column('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', 0, 'integer'),
    column('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', 0, 'integer'),
    AGE_COLUMN,
    ...WIDE_COLUMNS,
  ],
  cells(d, now) {
    const s = d.status ?? {};
    return [
      d.metadata.name,
      `${s.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
      s.updatedReplicas ?? 0,
      s.availableReplicas ?? 0,
      age(d, now),
      ...wideCells(d.spec?.template, d.spec?.selector),
    ];
  },
};

export const replicaSetPrinter: Printer<ReplicaSet> = {
  columns: [
    NAME_COLUMN,
    column('Desired', 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller', 0, 'integer'),
    column('Current', 'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller', 0, 'integer'),
    column('Ready', 'readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.', 0, 'integer'),
    AGE_COLUMN,
    ...WIDE_COLUMNS,
  ],
  cells(rs, now) {
    const s = rs.status;
    return [
      rs.metadata.name,
      rs.spec?.replicas ?? 0,
      s?.replicas ?? 0,
      s?.readyReplicas ?? 0,
      age(rs, now),
      ...wideCells(rs.spec?.template, rs.spec?.selector),
    ];
  },
};
