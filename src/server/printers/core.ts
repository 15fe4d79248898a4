/**
 * `kubectl get` for namespaces (NAME STATUS AGE), events (LAST SEEN TYPE REASON OBJECT MESSAGE),
 * leases (NAME HOLDER AGE), configmaps (NAME DATA AGE) and secrets (NAME TYPE DATA AGE), as upstream prints them.
 */
import type { ConfigMap, CoreEvent, Lease, Namespace, Secret } from '../../sim/api/types';
import { AGE_COLUMN, NAME_COLUMN, age, column, since, type Printer } from './table';

export const namespacePrinter: Printer<Namespace> = {
  columns: [NAME_COLUMN, column('Status', 'The status of the namespace'), AGE_COLUMN],
  cells(ns, now) {
    return [ns.metadata.name, ns.status?.phase ?? '', age(ns, now)];
  },
};

interface EventExtras {
  eventTime?: string;
  series?: { count?: number; lastObservedTime?: string };
  reportingController?: string;
}

function eventSource(e: CoreEvent & EventExtras): string {
  const component = e.source?.component || e.reportingController || e.reportingComponent || '';
  const host = e.source?.host || e.reportingInstance || '';
  return host ? `${component}, ${host}` : component;
}

export const eventPrinter: Printer<CoreEvent & EventExtras> = {
  columns: [
    column('Last Seen', 'Time when this Event was last seen'),
    column('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column('Reason', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    column('Object', 'The object that this event is about. Mapped from event.involvedObject.'),
    column('Subobject', 'The subobject that this event is about. Mapped from event.involvedObject.fieldPath.', 1),
    column('Source', 'The component reporting this event. Should be a short machine understandable string.', 1),
    column('Message', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
    column('Count', 'The number of times this event has occurred.', 1, 'integer'),
    { ...NAME_COLUMN, priority: 1 },
  ],
  cells(e, now) {
    let first = since(e.firstTimestamp, now);
    if (!e.firstTimestamp) first = since(e.eventTime, now);
    let last = e.lastTimestamp ? since(e.lastTimestamp, now) : first;
    let count = e.count ?? 0;
    if (e.series) {
      last = since(e.series.lastObservedTime, now);
      count = e.series.count ?? 0;
    } else if (count === 0) count = 1;
    const io = e.involvedObject ?? { kind: '', name: '' };
    const target = io.name ? `${(io.kind ?? '').toLowerCase()}/${io.name}` : (io.kind ?? '').toLowerCase();
    return [last, e.type ?? '', e.reason ?? '', target, io.fieldPath ?? '', eventSource(e), (e.message ?? '').trim(), first, count, e.metadata.name];
  },
};

export const leasePrinter: Printer<Lease> = {
  columns: [NAME_COLUMN, column('Holder', 'holderIdentity contains the identity of the holder of a current lease.'), AGE_COLUMN],
  cells(lease, now) {
    return [lease.metadata.name, lease.spec?.holderIdentity ?? '', age(lease, now)];
  },
};

export const configMapPrinter: Printer<ConfigMap> = {
  columns: [NAME_COLUMN, column('Data', 'Data contains the configuration data.', 0, 'integer'), AGE_COLUMN],
  cells(cm, now) {
    return [cm.metadata.name, Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length, age(cm, now)];
  },
};

export const secretPrinter: Printer<Secret> = {
  columns: [
    NAME_COLUMN,
    column('Type', 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'),
    column('Data', "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4", 0, 'integer'),
    AGE_COLUMN,
  ],
  cells(secret, now) {
    return [secret.metadata.name, secret.type ?? '', Object.keys(secret.data ?? {}).length, age(secret, now)];
  },
};
