/**
 * `kubectl get deployments` (NAME READY UP-TO-DATE AVAILABLE AGE) and `get replicasets`
 * (NAME DESIRED CURRENT READY AGE); wide adds CONTAINERS IMAGES SELECTOR to both.
 */
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet } from '../../sim/api/types';
import { AGE_COLUMN, NAME_COLUMN, age, column, templateWideCells, templateWideColumns, type Printer } from './table';

const WIDE_COLUMNS = templateWideColumns('Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.');
const wideCells = templateWideCells;

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

/** labels.FormatLabels: "k=v,..." sorted by key, "<none>" when empty. */
function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/** `kubectl get daemonsets` (NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE; wide adds CONTAINERS IMAGES SELECTOR). */
export const daemonSetPrinter: Printer<DaemonSet> = {
  columns: [
    NAME_COLUMN,
    column('Desired', 'The desired number of nodes that should be running the daemon pod.', 0, 'integer'),
    column('Current', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.', 0, 'integer'),
    column('Ready', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.', 0, 'integer'),
    column('Up-to-date', 'The total number of nodes that are running updated daemon pod', 0, 'integer'),
    column('Available', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)', 0, 'integer'),
    column('Node Selector', "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/"),
    AGE_COLUMN,
    ...templateWideColumns("A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors"),
  ],
  cells(ds, now) {
    const s = ds.status;
    return [
      ds.metadata.name,
      s?.desiredNumberScheduled ?? 0,
      s?.currentNumberScheduled ?? 0,
      s?.numberReady ?? 0,
      s?.updatedNumberScheduled ?? 0,
      s?.numberAvailable ?? 0,
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      age(ds, now),
      ...wideCells(ds.spec?.template, ds.spec?.selector),
    ];
  },
};

/** `kubectl get controllerrevisions` (NAME CONTROLLER REVISION AGE); the controller as "daemonset.apps/NAME". */
export const controllerRevisionPrinter: Printer<ControllerRevision> = {
  columns: [
    NAME_COLUMN,
    column('Controller', 'Controller of the object'),
    column('Revision', 'Revision of the ControllerRevision', 0, 'integer'),
    AGE_COLUMN,
  ],
  cells(cr, now) {
    const ref = (cr.metadata.ownerReferences ?? []).find((r) => r.controller);
    const group = ref?.apiVersion.includes('/') ? `.${ref.apiVersion.split('/')[0]}` : '';
    return [cr.metadata.name, ref ? `${ref.kind.toLowerCase()}${group}/${ref.name}` : '<none>', cr.revision ?? 0, age(cr, now)];
  },
};
