/** The printer of each served resource; resources without one print NAME and CREATED AT, as upstream's default. */
import type { KubeObject } from '../../sim/api/types';
import { controllerRevisionPrinter, daemonSetPrinter, deploymentPrinter, replicaSetPrinter } from './apps';
import { cronJobPrinter, jobPrinter } from './batch';
import { configMapPrinter, eventPrinter, leasePrinter, namespacePrinter, secretPrinter } from './core';
import { nodePrinter } from './nodes';
import { podPrinter } from './pods';
import { podDisruptionBudgetPrinter } from './policy';
import { priorityClassPrinter } from './scheduling';
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from './services';
import { NAME_COLUMN, column, type Printer } from './table';

export { toTable, humanDuration, type Table, type TableColumn, type Printer, type IncludeObject } from './table';

const printers: Record<string, Printer> = {
  pods: podPrinter as Printer,
  nodes: nodePrinter as Printer,
  deployments: deploymentPrinter as Printer,
  replicasets: replicaSetPrinter as Printer,
  services: servicePrinter as Printer,
  endpoints: endpointsPrinter as Printer,
  endpointslices: endpointSlicePrinter as Printer,
  namespaces: namespacePrinter as Printer,
  events: eventPrinter as Printer,
  leases: leasePrinter as Printer,
  configmaps: configMapPrinter as Printer,
  secrets: secretPrinter as Printer,
  poddisruptionbudgets: podDisruptionBudgetPrinter as Printer,
  priorityclasses: priorityClassPrinter as Printer,
  jobs: jobPrinter as Printer,
  cronjobs: cronJobPrinter as Printer,
  daemonsets: daemonSetPrinter as Printer,
  controllerrevisions: controllerRevisionPrinter as Printer,
};

const defaultPrinter: Printer = {
  columns: [NAME_COLUMN, column('Created At', 'CreationTimestamp is a timestamp representing the server time when this object was created.', 0, 'date')],
  cells: (obj: KubeObject) => [obj.metadata.name, obj.metadata.creationTimestamp ?? ''],
};

export function printerFor(resource: string): Printer {
  return printers[resource] ?? defaultPrinter;
}
