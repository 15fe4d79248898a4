/**
 * The Cluster view's model: which rows exist, their ids, labels, icons and tooltips, as a pure function
 * of the lab's state. The VS Code adapter (cluster-tree.ts) only maps rows to TreeItems, so everything
 * the learner sees in the tree is unit-testable here without VS Code.
 *
 * Shape: Cluster → Control plane (load balancer; per master its kube-apiserver, etcd member,
 * kube-scheduler, kube-controller-manager) · one row per zone → nodes → pods · Workloads (Deployments →
 * ReplicaSets → pods; DaemonSets → pods; CronJobs → Jobs → pods) · Services (→ endpoints) · Unscheduled pods while there are any.
 *
 * Ids are stable paths ("cluster/zone:us-east-2a/node:worker-1/pod:default.web-x"), so selection and
 * expansion survive updates. Long lists are grouped by status and split into pages; a row's id never
 * contains its group, so a pod keeps its id when it moves from "Pending" to "Running".
 * Children are computed lazily, only for the rows the view asks about.
 *
 * Localization: the English prose goes through `@vscode/l10n` (no vscode import here), which the extension
 * configures at activation with VS Code's bundle for the display language (extension.ts); with no bundle it
 * returns the English text. Kubernetes vocabulary is not translated: kinds, pod statuses, component names,
 * condition types, the kubectl placeholders `<none>`/`<pending>`, names and addresses. Each tooltip line is one
 * message, markdown included (so translators see the whole line); values are md()-escaped before they go in.
 */
import * as l10n from '@vscode/l10n';
import type { CronJob, DaemonSet, Deployment, Endpoints, Job, Node, ObjectRef, Pod, ReplicaSet, Service } from '../../sim/api/types';
import {
  age, allocatable, allocated, formatBytes, formatCpu, isUnscheduled, nodeReady, nodeRoles, nodeStatus, nodeZone,
  percent, podHealth, podReady, podRestarts, podStatus, type PodHealth,
} from './format';

// ---------------------------------------------------------------- input

export type EtcdRole = 'leader' | 'follower' | 'candidate';

export interface MasterState {
  host: string;
  zone: string;
  apiserver: { running: boolean; inRotation: boolean };
  etcd: { running: boolean; role: EtcdRole; term: number; revision: number };
  /** Absent when the cluster runs no such component on this master. */
  scheduler?: { running: boolean };
  controllerManager?: { running: boolean };
}

export interface FaultState {
  kind: string;
  name: string;
}

/** Everything the tree shows, read from the running cluster (see lab-state.ts). */
export interface LabState {
  /** Virtual milliseconds since the simulation started. */
  now: number;
  /** Unix ms that virtual time 0 maps to in the cluster's timestamps (`clock.epochMs`). */
  epochMs: number;
  zones: readonly string[];
  masters: readonly MasterState[];
  /** Holder identities of the kube-system leases, e.g. "master-1_6f1c…". */
  leases: { scheduler?: string; controllerManager?: string };
  nodes: readonly Node[];
  pods: readonly Pod[];
  deployments: readonly Deployment[];
  /** Optional: states recorded before DaemonSets were served have none. */
  daemonSets?: readonly DaemonSet[];
  /** Optional, as daemonSets. */
  jobs?: readonly Job[];
  cronJobs?: readonly CronJob[];
  replicaSets: readonly ReplicaSet[];
  services: readonly Service[];
  endpoints: readonly Endpoints[];
  faults: readonly FaultState[];
  /** Machines that are powered off (by a node or zone fault). */
  poweredOff?: readonly string[];
}

// ---------------------------------------------------------------- output

/** Compared in code (status bar colours, icons, lessons): translate it only where it is shown, with healthLabel(). */
export type Health = 'Healthy' | 'Degraded' | 'No etcd quorum';

/** The Health value as the learner reads it, in the display language. */
export function healthLabel(health: Health): string {
  switch (health) {
    case 'Healthy': return l10n.t('Healthy');
    case 'Degraded': return l10n.t('Degraded');
    case 'No etcd quorum': return l10n.t('No etcd quorum');
  }
}

export type ComponentKind = 'apiserver' | 'etcd' | 'scheduler' | 'controller-manager';

/** What a row stands for: what its context-menu commands act on. */
export type RowTarget =
  | { kind: 'cluster' }
  | { kind: 'zone'; name: string }
  | { kind: 'node'; name: string }
  | { kind: 'component'; component: ComponentKind; host: string }
  | { kind: 'object'; ref: ObjectRef }
  | { kind: 'none' };

export interface RowIcon {
  /** A codicon id, e.g. "server", "pass-filled", "sync~spin". */
  id: string;
  /** A theme colour id, e.g. "charts.green", "errorForeground". */
  color?: string;
}

export interface Row {
  id: string;
  label: string;
  description?: string;
  icon: RowIcon;
  /** Markdown. */
  tooltip: string;
  /** The `viewItem` context value the menus match. */
  contextValue: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  target: RowTarget;
}

/** Above this many pods (or nodes) under one row, they are grouped by status, then paged. */
export const GROUP_THRESHOLD = 100;
export const PAGE_SIZE = 100;

export const ROOT_ID = 'cluster';
const CONTROL_PLANE_ID = `${ROOT_ID}/control-plane`;
const WORKLOADS_ID = `${ROOT_ID}/workloads`;
const SERVICES_ID = `${ROOT_ID}/services`;
const UNSCHEDULED_ID = `${ROOT_ID}/unscheduled`;

export const COMPONENT_LABELS: Record<ComponentKind, string> = {
  apiserver: 'kube-apiserver',
  etcd: 'etcd',
  scheduler: 'kube-scheduler',
  'controller-manager': 'kube-controller-manager',
};

const POD_ICONS: Record<PodHealth, RowIcon> = {
  ready: { id: 'pass-filled', color: 'charts.green' },
  progressing: { id: 'sync~spin', color: 'charts.blue' },
  pending: { id: 'clock', color: 'charts.yellow' },
  failing: { id: 'error', color: 'errorForeground' },
  completed: { id: 'check', color: 'descriptionForeground' },
  terminating: { id: 'trash', color: 'descriptionForeground' },
  unknown: { id: 'question', color: 'charts.orange' },
};

export function zoneRowId(zone: string): string {
  return `${ROOT_ID}/zone:${zone}`;
}

export function nodeRowId(zone: string, node: string): string {
  return `${zoneRowId(zone)}/node:${node}`;
}

export function podKey(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? 'default'}.${name ?? ''}`;
}

/** Markdown-escape user-controlled text (inline: lines never start with it). */
export function md(text: string | number | undefined): string {
  return String(text ?? '').replace(/[\\`*_[\]<>#|~!$]/g, (c) => `\\${c}`);
}

function refOf(obj: { metadata: { namespace?: string; name?: string } }, resource: string): ObjectRef {
  return { resource, namespace: obj.metadata.namespace, name: obj.metadata.name ?? '' };
}

const OBJECT_SEGMENTS: Record<string, string> = { pod: 'pods', deploy: 'deployments', ds: 'daemonsets', cj: 'cronjobs', job: 'jobs', rs: 'replicasets', svc: 'services' };
const COMPONENTS: readonly string[] = ['apiserver', 'etcd', 'scheduler', 'controller-manager'];

/**
 * What a row id stands for, read from the id alone. A context-menu command can arrive with the id of a row
 * the view has since moved (a pod that left "Unscheduled" for its node while the menu was open): the id
 * still names the object, so the command acts on it instead of asking the learner to pick one.
 */
export function targetOfRowId(id: string): RowTarget | undefined {
  const segments = id.split('/');
  const [type, value] = splitSegment(segments[segments.length - 1]);
  if (!value) return undefined;
  const resource = OBJECT_SEGMENTS[type];
  if (resource) {
    const dot = value.indexOf('.');
    return dot > 0 ? { kind: 'object', ref: { resource, namespace: value.slice(0, dot), name: value.slice(dot + 1) } } : undefined;
  }
  if (type === 'node') return { kind: 'node', name: value };
  if (type === 'zone') return { kind: 'zone', name: value };
  if (type === 'component' && COMPONENTS.includes(value)) {
    const [parentType, host] = splitSegment(segments[segments.length - 2] ?? '');
    return parentType === 'master' && host ? { kind: 'component', component: value as ComponentKind, host } : undefined;
  }
  return undefined;
}

function splitSegment(segment: string): [string, string] {
  const colon = segment.indexOf(':');
  return colon < 0 ? [segment, ''] : [segment.slice(0, colon), segment.slice(colon + 1)];
}

function controllerOf(obj: Pod | ReplicaSet): { kind: string; name: string; uid: string } | undefined {
  return obj.metadata.ownerReferences?.find((o) => o.controller);
}

function byName<T extends { metadata: { namespace?: string; name?: string } }>(a: T, b: T): number {
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export class TreeModel {
  readonly health: Health;
  /** Pods the scheduler has yet to place: the view's badge. */
  readonly pendingPods: number;
  private readonly nodesByName = new Map<string, Node>();
  private readonly nodesByZone = new Map<string, Node[]>();
  private readonly podsByNode = new Map<string, Pod[]>();
  private readonly podsByOwnerUid = new Map<string, Pod[]>();
  private readonly podsByKey = new Map<string, Pod>();
  private readonly rsByOwnerUid = new Map<string, ReplicaSet[]>();
  private readonly unscheduled: Pod[] = [];
  private readonly deployments: Deployment[];
  private readonly daemonSets: DaemonSet[];
  private readonly cronJobs: CronJob[];
  /** Jobs no CronJob controls (listed under Workloads), and the others by their CronJob's uid. */
  private readonly orphanJobs: Job[] = [];
  private readonly jobsByOwnerUid = new Map<string, Job[]>();
  private readonly orphanReplicaSets: ReplicaSet[] = [];
  private readonly barePods: Pod[] = [];
  private readonly endpointsByKey = new Map<string, Endpoints>();
  private readonly faulted = new Set<string>();
  private readonly rowCache = new Map<string, Row | undefined>();
  private readonly childCache = new Map<string, string[]>();
  private readonly placements = new Map<string, Map<Pod | Node, string>>();
  private readonly statuses = new Map<Pod | Node, string>();

  constructor(readonly state: LabState) {
    for (const f of state.faults) this.faulted.add(`${f.kind}/${f.name}`);
    for (const host of state.poweredOff ?? []) this.faulted.add(`node/${host}`);
    for (const node of state.nodes) {
      const name = node.metadata.name ?? '';
      this.nodesByName.set(name, node);
      const zone = nodeZone(node) ?? '';
      push(this.nodesByZone, zone, node);
    }
    for (const list of this.nodesByZone.values()) list.sort(byName);
    const sortedPods = [...state.pods].sort(byName);
    for (const pod of sortedPods) {
      this.podsByKey.set(podKey(pod.metadata.namespace, pod.metadata.name), pod);
      if (pod.spec.nodeName) push(this.podsByNode, pod.spec.nodeName, pod);
      else if (isUnscheduled(pod)) this.unscheduled.push(pod);
      const owner = controllerOf(pod);
      if (owner) push(this.podsByOwnerUid, owner.uid, pod);
      else this.barePods.push(pod);
    }
    const deploymentUids = new Set<string>();
    this.deployments = [...state.deployments].sort(byName);
    this.daemonSets = [...(state.daemonSets ?? [])].sort(byName);
    this.cronJobs = [...(state.cronJobs ?? [])].sort(byName);
    const cronJobUids = new Set(this.cronJobs.map((c) => c.metadata.uid));
    for (const job of [...(state.jobs ?? [])].sort(byName)) {
      const owner = job.metadata.ownerReferences?.find((o) => o.controller);
      if (owner && cronJobUids.has(owner.uid)) push(this.jobsByOwnerUid, owner.uid, job);
      else this.orphanJobs.push(job);
    }
    for (const d of this.deployments) if (d.metadata.uid) deploymentUids.add(d.metadata.uid);
    for (const rs of [...state.replicaSets].sort(byName)) {
      const owner = controllerOf(rs);
      if (owner && deploymentUids.has(owner.uid)) push(this.rsByOwnerUid, owner.uid, rs);
      else this.orphanReplicaSets.push(rs);
    }
    for (const ep of state.endpoints) this.endpointsByKey.set(podKey(ep.metadata.namespace, ep.metadata.name), ep);
    this.pendingPods = this.unscheduled.length;
    this.health = computeHealth(state);
  }

  /**
   * The top-level rows: the Cluster summary (a leaf, so its ticking time refreshes nothing else), the
   * control plane, the zones, unscheduled pods while there are any, workloads and services.
   */
  roots(): string[] {
    let ids = this.childCache.get('');
    if (!ids) {
      ids = [ROOT_ID, CONTROL_PLANE_ID, ...this.state.zones.map(zoneRowId)];
      if (this.unscheduled.length > 0) ids.push(UNSCHEDULED_ID);
      ids.push(WORKLOADS_ID, SERVICES_ID);
      this.childCache.set('', ids);
    }
    return ids;
  }

  /** The row for an id, or undefined when it no longer exists. */
  row(id: string): Row | undefined {
    if (!this.rowCache.has(id)) this.rowCache.set(id, this.buildRow(id));
    return this.rowCache.get(id);
  }

  children(id: string): string[] {
    let ids = this.childCache.get(id);
    if (!ids) this.childCache.set(id, (ids = this.buildChildren(id)));
    return ids;
  }

  /** The parent row's id (undefined for a top-level row or an unknown id): what `TreeView.reveal` needs. */
  parent(id: string): string | undefined {
    const cut = id.lastIndexOf('/');
    if (cut < 0) return undefined;
    const container = id.slice(0, cut);
    if (container === ROOT_ID) return undefined;
    const last = id.slice(cut + 1);
    if (/^(group|page):/.test(last)) return container;
    if (last.startsWith('pod:')) return this.groupFor(container, this.podsByKey.get(last.slice(4)));
    if (last.startsWith('node:')) return this.groupFor(container, this.nodesByName.get(last.slice(5)));
    return container;
  }

  /** The row id a pod is revealed at: under its node, or under "Unscheduled". */
  podRowId(namespace: string, name: string): string | undefined {
    const pod = this.podsByKey.get(podKey(namespace, name));
    if (!pod) return undefined;
    if (!pod.spec.nodeName) return `${UNSCHEDULED_ID}/pod:${podKey(namespace, name)}`;
    const node = this.nodesByName.get(pod.spec.nodeName);
    return node ? `${nodeRowId(nodeZone(node) ?? '', pod.spec.nodeName)}/pod:${podKey(namespace, name)}` : undefined;
  }

  nodeRowId(name: string): string | undefined {
    const node = this.nodesByName.get(name);
    return node ? nodeRowId(nodeZone(node) ?? '', name) : undefined;
  }

  // ------------------------------------------------------------ rows

  private buildRow(id: string): Row | undefined {
    if (id === ROOT_ID) return this.clusterRow();
    if (id === CONTROL_PLANE_ID) return this.controlPlaneRow();
    if (id === WORKLOADS_ID) {
      return this.sectionRow(id, l10n.t('Workloads'), 'layers', l10n.t('{0} deployment(s), {1} pod(s)', this.deployments.length, this.state.pods.length));
    }
    if (id === SERVICES_ID) return this.sectionRow(id, l10n.t('Services'), 'plug', `${this.state.services.length}`);
    if (id === UNSCHEDULED_ID) {
      if (this.unscheduled.length === 0) return undefined;
      return { ...this.sectionRow(id, l10n.t('Unscheduled'), 'clock', `${this.unscheduled.length}`), icon: { id: 'clock', color: 'charts.yellow' } };
    }
    const parentId = this.parent(id);
    if (!(parentId === undefined ? this.roots() : this.children(parentId)).includes(id)) return undefined;
    const last = id.slice(id.lastIndexOf('/') + 1);
    const colon = last.indexOf(':');
    const type = last.slice(0, colon);
    const value = last.slice(colon + 1);
    switch (type) {
      case 'lb': return this.loadBalancerRow(id);
      case 'master': return this.masterRow(id, value);
      case 'component': return this.componentRow(id, parentId!, value as ComponentKind);
      case 'zone': return this.zoneRow(id, value);
      case 'node': return this.nodeRow(id, value);
      case 'pod': return this.podRow(id, this.podsByKey.get(value)!);
      case 'deploy': return this.deploymentRow(id, value);
      case 'ds': return this.daemonSetRow(id, value);
      case 'cj': return this.cronJobRow(id, value);
      case 'job': return this.jobRow(id, value);
      case 'rs': return this.replicaSetRow(id, value);
      case 'svc': return this.serviceRow(id, value);
      case 'ep': return this.endpointRow(id, parentId!, value);
      case 'group':
      case 'page': return this.groupRow(id, type, value);
      default: return undefined;
    }
  }

  private clusterRow(): Row {
    const { health, state } = this;
    const icon: RowIcon = health === 'Healthy' ? { id: 'vm-running', color: 'charts.green' }
      : health === 'Degraded' ? { id: 'warning', color: 'charts.yellow' } : { id: 'error', color: 'errorForeground' };
    const ready = state.nodes.filter((n) => nodeReady(n) === 'True').length;
    const time = simulatedTime(state.now);
    const shown = healthLabel(health);
    const lines = [
      l10n.t('**Cluster: {0}**', md(shown)),
      '',
      l10n.t('Simulated time: {0}', time),
      l10n.t('Nodes: {0}/{1} Ready in {2} zones', ready, state.nodes.length, state.zones.length),
      l10n.t('Pods: {0} ({1} unscheduled)', state.pods.length, this.pendingPods),
      l10n.t('etcd: {0}/{1} members up (quorum {2})', state.masters.filter((m) => m.etcd.running).length, state.masters.length, quorum(state.masters.length)),
    ];
    if (state.faults.length > 0) lines.push(l10n.t('Faults: {0}', state.faults.map((f) => md(`${f.kind} ${f.name}`)).join(', ')));
    return {
      id: ROOT_ID, label: l10n.t('Cluster'), description: `${shown} · ${time}`, icon, tooltip: lines.join('  \n'),
      contextValue: 'cluster', collapsible: 'none', target: { kind: 'cluster' },
    };
  }

  private sectionRow(id: string, label: string, icon: string, description: string): Row {
    return { id, label, description, icon: { id: icon }, tooltip: `**${label}**`, contextValue: 'section', collapsible: 'collapsed', target: { kind: 'none' } };
  }

  private controlPlaneRow(): Row {
    const { masters } = this.state;
    const etcdUp = masters.filter((m) => m.etcd.running).length;
    const apiUp = masters.filter((m) => m.apiserver.running).length;
    const description = l10n.t('{0}/{1} API servers · etcd {2}/{3}', apiUp, masters.length, etcdUp, masters.length);
    const tooltip = [
      l10n.t('**Control plane**'), '',
      l10n.t('kube-apiserver: {0}/{1} running', apiUp, masters.length),
      l10n.t('etcd: {0}/{1} members (a write needs {2})', etcdUp, masters.length, quorum(masters.length)),
      l10n.t('kube-scheduler leader: {0}', md(this.state.leases.scheduler ?? l10n.t('none'))),
      l10n.t('kube-controller-manager leader: {0}', md(this.state.leases.controllerManager ?? l10n.t('none'))),
    ].join('  \n');
    const icon: RowIcon = etcdUp < quorum(masters.length) ? { id: 'circuit-board', color: 'errorForeground' }
      : apiUp < masters.length || etcdUp < masters.length ? { id: 'circuit-board', color: 'charts.yellow' } : { id: 'circuit-board' };
    return { id: CONTROL_PLANE_ID, label: l10n.t('Control plane'), description, icon, tooltip, contextValue: 'controlPlane', collapsible: 'collapsed', target: { kind: 'none' } };
  }

  private loadBalancerRow(id: string): Row {
    const backends = this.state.masters.map((m) => (m.apiserver.inRotation ? l10n.t('{0}: in rotation', md(m.host)) : l10n.t('{0}: out of rotation', md(m.host))));
    const inRotation = this.state.masters.filter((m) => m.apiserver.inRotation).length;
    return {
      id, label: l10n.t('Load balancer'), description: l10n.t('{0}/{1} API servers in rotation', inRotation, this.state.masters.length),
      icon: inRotation === 0 ? { id: 'broadcast', color: 'errorForeground' } : { id: 'broadcast' },
      tooltip: [l10n.t('**Load balancer** (kubectl and kubelets reach the API through it)'), '', ...backends].join('  \n'),
      contextValue: 'loadBalancer', collapsible: 'none', target: { kind: 'none' },
    };
  }

  private master(host: string): MasterState | undefined {
    return this.state.masters.find((m) => m.host === host);
  }

  private masterRow(id: string, host: string): Row {
    const m = this.master(host)!;
    const down = [m.apiserver, m.etcd, m.scheduler, m.controllerManager].filter((c) => c && !c.running).length;
    return {
      id, label: host, description: down > 0 ? `${m.zone} · ${l10n.t('{0} stopped', down)}` : m.zone,
      icon: down > 0 ? { id: 'server-process', color: 'charts.yellow' } : { id: 'server-process' },
      tooltip: l10n.t('**{0}** (control plane, {1})', md(host), md(m.zone)), contextValue: 'master', collapsible: 'collapsed', target: { kind: 'none' },
    };
  }

  private componentRow(id: string, parentId: string, component: ComponentKind): Row {
    const host = parentId.slice(parentId.lastIndexOf(':') + 1);
    const m = this.master(host)!;
    const label = COMPONENT_LABELS[component];
    let running: boolean;
    let leading = false;
    let description: string;
    const facts: string[] = [];
    const lease = (holder: string | undefined) => holder?.split('_')[0];
    switch (component) {
      case 'apiserver':
        running = m.apiserver.running;
        description = running ? (m.apiserver.inRotation ? l10n.t('serving') : l10n.t('out of rotation')) : l10n.t('stopped');
        facts.push(m.apiserver.inRotation ? l10n.t('Load balancer: in rotation') : l10n.t('Load balancer: out of rotation'));
        break;
      case 'etcd':
        running = m.etcd.running;
        leading = m.etcd.role === 'leader';
        description = `${running ? etcdRoleLabel(m.etcd.role) : l10n.t('stopped')} · ${l10n.t('rev {0}', m.etcd.revision)}`;
        facts.push(l10n.t('Role: {0}', etcdRoleLabel(m.etcd.role)), l10n.t('Term: {0}', m.etcd.term), l10n.t('Revision: {0}', m.etcd.revision));
        break;
      case 'scheduler':
      case 'controller-manager': {
        running = (component === 'scheduler' ? m.scheduler : m.controllerManager)?.running ?? false;
        const holder = component === 'scheduler' ? this.state.leases.scheduler : this.state.leases.controllerManager;
        leading = lease(holder) === host;
        description = !running ? l10n.t('stopped') : leading ? l10n.t('leader') : l10n.t('standby');
        facts.push(l10n.t('Lease {0}: {1}', `kube-system/kube-${component}`, md(holder ?? l10n.t('no holder'))));
        break;
      }
    }
    return {
      id, label, description,
      icon: !running ? { id: 'debug-stop', color: 'errorForeground' } : leading ? { id: 'star-full', color: 'charts.green' } : { id: 'pass', color: 'charts.green' },
      tooltip: [running ? l10n.t('**{0}** on {1}: running', label, md(host)) : l10n.t('**{0}** on {1}: stopped', label, md(host)), '', ...facts].join('  \n'),
      contextValue: `component;${component};${running ? 'running' : 'stopped'}`,
      collapsible: 'none', target: { kind: 'component', component, host },
    };
  }

  private zoneRow(id: string, zone: string): Row {
    const nodes = this.nodesByZone.get(zone) ?? [];
    const ready = nodes.filter((n) => nodeReady(n) === 'True').length;
    const failed = this.faulted.has(`zone/${zone}`);
    return {
      id, label: zone, description: `${failed ? `${l10n.t('failed')} · ` : ''}${l10n.t('{0}/{1} nodes Ready', ready, nodes.length)}`,
      icon: failed ? { id: 'globe', color: 'errorForeground' } : ready < nodes.length ? { id: 'globe', color: 'charts.yellow' } : { id: 'globe' },
      tooltip: [failed ? l10n.t('**Zone {0}** (failed)', md(zone)) : l10n.t('**Zone {0}**', md(zone)), l10n.t('{0}/{1} nodes Ready', ready, nodes.length)].join('  \n'),
      contextValue: `zone;${failed ? 'failed' : 'up'}`, collapsible: 'expanded', target: { kind: 'zone', name: zone },
    };
  }

  private nodeRow(id: string, name: string): Row {
    const node = this.nodesByName.get(name)!;
    const pods = this.podsByNode.get(name) ?? [];
    const used = allocated(pods);
    const total = allocatable(node);
    const status = nodeStatus(node);
    const roles = nodeRoles(node);
    const ready = nodeReady(node);
    const stopped = this.faulted.has(`node/${name}`);
    const cpu = l10n.t('cpu {0}/{1}', formatCpu(used.cpuMillis), formatCpu(total.cpuMillis));
    const mem = l10n.t('mem {0}/{1}', formatBytes(used.memoryBytes), formatBytes(total.memoryBytes));
    const role = roles === '<none>' ? 'worker' : roles;
    const taints = (node.spec.taints ?? []).map((t) => md(`${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`));
    const readyCondition = node.status?.conditions?.find((c) => c.type === 'Ready');
    const tooltip = [
      `**Node ${md(name)}** (${md(role)}, ${md(nodeZone(node) ?? l10n.t('no zone'))})`, '',
      readyCondition?.message ? l10n.t('Status: {0} — {1}', md(status), md(readyCondition.message)) : l10n.t('Status: {0}', md(status)),
      l10n.t('CPU requests: {0} of {1} ({2})', formatCpu(used.cpuMillis), formatCpu(total.cpuMillis), percent(used.cpuMillis, total.cpuMillis)),
      l10n.t('Memory requests: {0} of {1} ({2})', formatBytes(used.memoryBytes), formatBytes(total.memoryBytes), percent(used.memoryBytes, total.memoryBytes)),
      l10n.t('Pods: {0} of {1}', used.pods, total.pods),
      l10n.t('Taints: {0}', taints.length > 0 ? taints.join(', ') : '<none>'),
      ...(stopped ? ['', l10n.t('*Powered off by a fault*')] : []),
    ].join('  \n');
    const color = ready !== 'True' || stopped ? 'errorForeground' : node.spec.unschedulable ? 'charts.yellow' : 'charts.green';
    return {
      id, label: name, description: [role, stopped ? l10n.t('powered off') : undefined, status, cpu, mem].filter(Boolean).join(' · '),
      icon: { id: roles.includes('control-plane') ? 'server-environment' : 'server', color },
      tooltip,
      contextValue: `node;${stopped ? 'down' : 'up'};${node.spec.unschedulable ? 'cordoned' : 'schedulable'}`,
      collapsible: pods.length > 0 ? 'collapsed' : 'none', target: { kind: 'node', name },
    };
  }

  private podRow(id: string, pod: Pod): Row {
    const status = podStatus(pod);
    const restarts = podRestarts(pod);
    const podAge = age(pod.metadata.creationTimestamp, this.state.now, this.state.epochMs);
    const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    const owner = controllerOf(pod);
    const containers = (pod.status?.containerStatuses ?? []).map((c) => {
      const state = c.state?.running ? 'running' : c.state?.waiting ? `waiting (${c.state.waiting.reason ?? ''})` : c.state?.terminated ? `terminated (${c.state.terminated.reason ?? c.state.terminated.exitCode})` : 'unknown';
      return `- ${md(c.name)}: ${md(c.image)} — ${md(state)}${c.restartCount > 0 ? `, ${l10n.t('{0} restart(s)', c.restartCount)}` : ''}`;
    });
    const waitingMessage = pod.status?.containerStatuses?.map((c) => c.state?.waiting?.message).find(Boolean);
    const lines = [
      `**Pod ${md(pod.metadata.namespace)}/${md(pod.metadata.name)}**`, '',
      l10n.t('Status: {0} (ready {1})', md(status), podReady(pod)),
      l10n.t('Node: {0}', md(pod.spec.nodeName ?? '<none>')),
      l10n.t('IP: {0}', md(pod.status?.podIP ?? '<none>')),
      l10n.t('Restarts: {0}', restarts),
      l10n.t('Age: {0}', md(podAge)),
    ];
    if (owner) lines.push(l10n.t('Controlled by: {0}', `${md(owner.kind)}/${md(owner.name)}`));
    if (scheduled?.status === 'False' && scheduled.message) lines.push('', `${md(scheduled.reason ?? 'Unschedulable')}: ${md(scheduled.message)}`);
    if (waitingMessage) lines.push('', md(waitingMessage));
    if (containers.length > 0) lines.push('', ...containers);
    const description = [status, restarts > 0 ? restartsText(restarts) : undefined, podAge].filter(Boolean).join(' · ');
    return {
      id, label: pod.metadata.name ?? '', description, icon: POD_ICONS[podHealth(pod)], tooltip: lines.join('  \n'),
      contextValue: 'pod', collapsible: 'none', target: { kind: 'object', ref: refOf(pod, 'pods') },
    };
  }

  private deploymentRow(id: string, key: string): Row | undefined {
    const d = this.deployments.find((x) => podKey(x.metadata.namespace, x.metadata.name) === key);
    if (!d) return undefined;
    const want = d.spec.replicas ?? 1;
    const ready = d.status?.readyReplicas ?? 0;
    const updated = d.status?.updatedReplicas ?? 0;
    const available = d.status?.availableReplicas ?? 0;
    const conditions = (d.status?.conditions ?? []).map((c) => `- ${md(c.type)}=${md(c.status)}${c.reason ? ` (${md(c.reason)})` : ''}`);
    return {
      id, label: d.metadata.name ?? '', description: l10n.t('{0}/{1} ready · {2} up-to-date · {3} available', ready, want, updated, available),
      icon: { id: 'rocket', color: ready >= want ? 'charts.green' : 'charts.yellow' },
      tooltip: [`**Deployment ${md(d.metadata.namespace)}/${md(d.metadata.name)}**`, '', l10n.t('Replicas: {0} desired, {1} updated, {2} ready, {3} available', want, updated, ready, available),
        l10n.t('Strategy: {0}', md(d.spec.strategy?.type ?? 'RollingUpdate')), l10n.t('Revision: {0}', md(d.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '<none>')),
        ...(conditions.length > 0 ? ['', ...conditions] : [])].join('  \n'),
      contextValue: 'deployment', collapsible: 'collapsed', target: { kind: 'object', ref: refOf(d, 'deployments') },
    };
  }

  private daemonSet(key: string): DaemonSet | undefined {
    return this.daemonSets.find((x) => podKey(x.metadata.namespace, x.metadata.name) === key);
  }

  private daemonSetRow(id: string, key: string): Row | undefined {
    const ds = this.daemonSet(key);
    if (!ds) return undefined;
    const s = ds.status;
    const desired = s?.desiredNumberScheduled ?? 0;
    const ready = s?.numberReady ?? 0;
    const updated = s?.updatedNumberScheduled ?? 0;
    const available = s?.numberAvailable ?? 0;
    return {
      id, label: ds.metadata.name ?? '', description: l10n.t('{0}/{1} ready · {2} up-to-date · {3} available', ready, desired, updated, available),
      icon: { id: 'broadcast', color: ready >= desired ? 'charts.green' : 'charts.yellow' },
      tooltip: [`**DaemonSet ${md(ds.metadata.namespace)}/${md(ds.metadata.name)}**`, '',
        l10n.t('Nodes: {0} desired, {1} current, {2} updated, {3} ready, {4} available', desired, s?.currentNumberScheduled ?? 0, updated, ready, available),
        l10n.t('Strategy: {0}', md(ds.spec.updateStrategy?.type ?? 'RollingUpdate'))].join('  \n'),
      contextValue: 'daemonset', collapsible: 'collapsed', target: { kind: 'object', ref: refOf(ds, 'daemonsets') },
    };
  }

  private cronJob(key: string): CronJob | undefined {
    return this.cronJobs.find((x) => podKey(x.metadata.namespace, x.metadata.name) === key);
  }

  private cronJobRow(id: string, key: string): Row | undefined {
    const cj = this.cronJob(key);
    if (!cj) return undefined;
    const active = cj.status?.active?.length ?? 0;
    const jobs = this.jobsByOwnerUid.get(cj.metadata.uid ?? '') ?? [];
    return {
      id, label: cj.metadata.name ?? '',
      description: cj.spec.suspend ? l10n.t('{0} · suspended', cj.spec.schedule) : l10n.t('{0} · {1} active', cj.spec.schedule, active),
      icon: { id: 'watch', color: cj.spec.suspend ? 'descriptionForeground' : undefined },
      tooltip: [`**CronJob ${md(cj.metadata.namespace)}/${md(cj.metadata.name)}**`, '',
        l10n.t('Schedule: {0}', md(cj.spec.schedule)),
        l10n.t('Last schedule: {0}', md(cj.status?.lastScheduleTime ?? '<none>')),
        l10n.t('Active Jobs: {0}', active)].join('  \n'),
      contextValue: 'cronjob', collapsible: jobs.length > 0 ? 'collapsed' : 'none', target: { kind: 'object', ref: refOf(cj, 'cronjobs') },
    };
  }

  private job(key: string): Job | undefined {
    return (this.state.jobs ?? []).find((x) => podKey(x.metadata.namespace, x.metadata.name) === key);
  }

  private jobRow(id: string, key: string): Row | undefined {
    const job = this.job(key);
    if (!job) return undefined;
    const conditions = job.status?.conditions ?? [];
    const done = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
    const status = done('Complete') ? 'Complete' : done('Failed') ? 'Failed' : job.spec.suspend ? 'Suspended' : 'Running';
    const succeeded = job.status?.succeeded ?? 0;
    const completions = job.spec.completions ?? 1;
    return {
      id, label: job.metadata.name ?? '', description: l10n.t('{0} · {1}/{2} completions', status, succeeded, completions),
      icon: status === 'Complete' ? { id: 'check', color: 'charts.green' } : status === 'Failed' ? { id: 'error', color: 'errorForeground' } : { id: 'play-circle', color: 'charts.blue' },
      tooltip: [`**Job ${md(job.metadata.namespace)}/${md(job.metadata.name)}**`, '',
        l10n.t('Pods: {0} active, {1} succeeded, {2} failed', job.status?.active ?? 0, succeeded, job.status?.failed ?? 0)].join('  \n'),
      contextValue: 'job', collapsible: (this.podsByOwnerUid.get(job.metadata.uid ?? '') ?? []).length > 0 ? 'collapsed' : 'none',
      target: { kind: 'object', ref: refOf(job, 'jobs') },
    };
  }

  private replicaSet(key: string): ReplicaSet | undefined {
    return this.state.replicaSets.find((x) => podKey(x.metadata.namespace, x.metadata.name) === key);
  }

  private replicaSetRow(id: string, key: string): Row | undefined {
    const rs = this.replicaSet(key);
    if (!rs) return undefined;
    const want = rs.spec.replicas ?? 1;
    const current = rs.status?.replicas ?? 0;
    const ready = rs.status?.readyReplicas ?? 0;
    return {
      id, label: rs.metadata.name ?? '', description: l10n.t('{0}/{1} ready · {2} current', ready, want, current),
      icon: { id: 'copy', color: ready >= want ? 'charts.green' : 'charts.yellow' },
      tooltip: [`**ReplicaSet ${md(rs.metadata.namespace)}/${md(rs.metadata.name)}**`, '', l10n.t('Desired: {0}', want), l10n.t('Current: {0}', current), l10n.t('Ready: {0}', ready),
        l10n.t('Pod template hash: {0}', md(rs.metadata.labels?.['pod-template-hash'] ?? '<none>'))].join('  \n'),
      contextValue: 'replicaset', collapsible: (this.podsByOwnerUid.get(rs.metadata.uid ?? '') ?? []).length > 0 ? 'collapsed' : 'none',
      target: { kind: 'object', ref: refOf(rs, 'replicasets') },
    };
  }

  private serviceRow(id: string, key: string): Row | undefined {
    const svc = this.state.services.find((x) => podKey(x.metadata.namespace, x.metadata.name) === key);
    if (!svc) return undefined;
    const ep = this.endpointsByKey.get(key);
    const ready = (ep?.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
    const notReady = (ep?.subsets ?? []).reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
    const ports = (svc.spec.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',');
    const selector = Object.entries(svc.spec.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
    return {
      id, label: svc.metadata.name ?? '', description: `${svc.spec.type ?? 'ClusterIP'} ${svc.spec.clusterIP ?? '<pending>'} · ${ports} · ${l10n.t('{0} endpoint(s)', ready)}`,
      icon: { id: 'plug', color: ready > 0 ? 'charts.green' : 'charts.yellow' },
      tooltip: [`**Service ${md(svc.metadata.namespace)}/${md(svc.metadata.name)}**`, '', l10n.t('Type: {0}', md(svc.spec.type ?? 'ClusterIP')), l10n.t('Cluster IP: {0}', md(svc.spec.clusterIP ?? '<none>')),
        l10n.t('Ports: {0}', md(ports || '<none>')), l10n.t('Selector: {0}', md(selector || '<none>')), l10n.t('Endpoints: {0} ready, {1} not ready', ready, notReady)].join('  \n'),
      contextValue: 'service', collapsible: ready + notReady > 0 ? 'collapsed' : 'none', target: { kind: 'object', ref: refOf(svc, 'services') },
    };
  }

  private endpointRow(id: string, parentId: string, ip: string): Row | undefined {
    const ep = this.endpointsByKey.get(parentId.slice(parentId.lastIndexOf(':') + 1));
    for (const subset of ep?.subsets ?? []) {
      const ports = (subset.ports ?? []).map((p) => `${p.port}`).join(',');
      for (const [list, ready] of [[subset.addresses, true], [subset.notReadyAddresses, false]] as const) {
        const address = list?.find((a) => a.ip === ip);
        if (!address) continue;
        const target = address.targetRef ? `${address.targetRef.kind.toLowerCase()}/${address.targetRef.name}` : '';
        return {
          id, label: `${ip}${ports ? `:${ports}` : ''}`, description: [target, address.nodeName, ready ? l10n.t('ready') : l10n.t('not ready')].filter(Boolean).join(' · '),
          icon: ready ? { id: 'debug-disconnect', color: 'charts.green' } : { id: 'debug-disconnect', color: 'charts.yellow' },
          tooltip: [
            l10n.t('**Endpoint {0}**', md(ip)),
            l10n.t('{0} on {1}', md(target || l10n.t('no target')), md(address.nodeName ?? l10n.t('unknown node'))),
            ready ? l10n.t('Ready: receives traffic') : l10n.t('Not ready: kube-proxy sends it no traffic'),
          ].join('  \n'),
          contextValue: 'endpoint', collapsible: 'none', target: { kind: 'none' },
        };
      }
    }
    return undefined;
  }

  private groupRow(id: string, type: 'group' | 'page', value: string): Row {
    const container = this.containerOfGroup(id);
    const members = type === 'page' ? this.children(id).length : this.listFor(container).filter((o) => this.status(o) === value).length;
    if (type === 'page') {
      const page = Number(value);
      return {
        id, label: `${page * PAGE_SIZE + 1}–${page * PAGE_SIZE + members}`, description: `${members}`, icon: { id: 'list-flat' },
        tooltip: l10n.t('Items {0} to {1}', page * PAGE_SIZE + 1, page * PAGE_SIZE + members), contextValue: 'group', collapsible: 'collapsed', target: { kind: 'none' },
      };
    }
    return {
      id, label: value, description: `${members}`, icon: { id: 'list-tree' },
      tooltip: l10n.t('{0} item(s) with status {1}', members, md(value)), contextValue: 'group', collapsible: 'collapsed', target: { kind: 'none' },
    };
  }

  // ------------------------------------------------------------ children

  private buildChildren(id: string): string[] {
    if (id === ROOT_ID) return [];
    if (id === CONTROL_PLANE_ID) return [`${id}/lb:lb`, ...this.state.masters.map((m) => `${id}/master:${m.host}`)];
    if (id === WORKLOADS_ID) {
      return [
        ...this.deployments.map((d) => `${id}/deploy:${podKey(d.metadata.namespace, d.metadata.name)}`),
        ...this.daemonSets.map((ds) => `${id}/ds:${podKey(ds.metadata.namespace, ds.metadata.name)}`),
        ...this.cronJobs.map((cj) => `${id}/cj:${podKey(cj.metadata.namespace, cj.metadata.name)}`),
        ...this.orphanJobs.map((job) => `${id}/job:${podKey(job.metadata.namespace, job.metadata.name)}`),
        ...this.orphanReplicaSets.map((rs) => `${id}/rs:${podKey(rs.metadata.namespace, rs.metadata.name)}`),
        ...this.grouped(id, this.barePods),
      ];
    }
    if (id === SERVICES_ID) return [...this.state.services].sort(byName).map((s) => `${id}/svc:${podKey(s.metadata.namespace, s.metadata.name)}`);
    if (id === UNSCHEDULED_ID) return this.grouped(id, this.unscheduled);
    const last = id.slice(id.lastIndexOf('/') + 1);
    const colon = last.indexOf(':');
    const type = last.slice(0, colon);
    const value = last.slice(colon + 1);
    switch (type) {
      case 'master': {
        const m = this.master(value);
        if (!m) return [];
        const present: ComponentKind[] = ['apiserver', 'etcd'];
        if (m.scheduler) present.push('scheduler');
        if (m.controllerManager) present.push('controller-manager');
        return present.map((c) => `${id}/component:${c}`);
      }
      case 'zone': return this.grouped(id, this.nodesByZone.get(value) ?? []);
      case 'node': return this.grouped(id, this.podsByNode.get(value) ?? []);
      case 'deploy': {
        const d = this.deployments.find((x) => podKey(x.metadata.namespace, x.metadata.name) === value);
        return (this.rsByOwnerUid.get(d?.metadata.uid ?? '') ?? []).map((rs) => `${id}/rs:${podKey(rs.metadata.namespace, rs.metadata.name)}`);
      }
      case 'rs': return this.grouped(id, this.podsByOwnerUid.get(this.replicaSet(value)?.metadata.uid ?? '') ?? []);
      case 'ds': return this.grouped(id, this.podsByOwnerUid.get(this.daemonSet(value)?.metadata.uid ?? '') ?? []);
      case 'cj': return (this.jobsByOwnerUid.get(this.cronJob(value)?.metadata.uid ?? '') ?? []).map((job) => `${id}/job:${podKey(job.metadata.namespace, job.metadata.name)}`);
      case 'job': return this.grouped(id, this.podsByOwnerUid.get(this.job(value)?.metadata.uid ?? '') ?? []);
      case 'svc': {
        const ips: string[] = [];
        for (const s of this.endpointsByKey.get(value)?.subsets ?? []) for (const a of [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]) ips.push(a.ip);
        return [...new Set(ips)].map((ip) => `${id}/ep:${ip}`);
      }
      case 'group': {
        const container = this.containerOfGroup(id);
        const members = this.listFor(container).filter((o) => this.status(o) === value);
        if (members.length > GROUP_THRESHOLD) return pages(members.length).map((p) => `${id}/page:${p}`);
        return members.map((o) => this.memberId(container, o));
      }
      case 'page': {
        const container = this.containerOfGroup(id);
        return this.pageMembers(container, id).map((o) => this.memberId(container, o));
      }
      default: return [];
    }
  }

  /** Pods or nodes listed under `container`: grouped and paged when there are many. */
  private grouped(container: string, items: readonly (Pod | Node)[]): string[] {
    if (items.length <= GROUP_THRESHOLD) return items.map((o) => this.memberId(container, o));
    const groups = new Map<string, number>();
    for (const o of items) groups.set(this.status(o), (groups.get(this.status(o)) ?? 0) + 1);
    if (groups.size === 1) return pages(items.length).map((p) => `${container}/page:${p}`);
    return [...groups.keys()].sort().map((g) => `${container}/group:${g}`);
  }

  private memberId(container: string, o: Pod | Node): string {
    return o.kind === 'Node' ? `${container}/node:${o.metadata.name}` : `${container}/pod:${podKey(o.metadata.namespace, o.metadata.name)}`;
  }

  /** The row a long list hangs from (the id without its group/page segments). */
  private containerOfGroup(id: string): string {
    let container = id;
    while (/\/(group|page):[^/]*$/.test(container)) container = container.slice(0, container.lastIndexOf('/'));
    return container;
  }

  private listFor(container: string): readonly (Pod | Node)[] {
    if (container === UNSCHEDULED_ID) return this.unscheduled;
    if (container === WORKLOADS_ID) return this.barePods;
    const last = container.slice(container.lastIndexOf('/') + 1);
    const value = last.slice(last.indexOf(':') + 1);
    if (last.startsWith('zone:')) return this.nodesByZone.get(value) ?? [];
    if (last.startsWith('node:')) return this.podsByNode.get(value) ?? [];
    if (last.startsWith('rs:')) return this.podsByOwnerUid.get(this.replicaSet(value)?.metadata.uid ?? '') ?? [];
    if (last.startsWith('ds:')) return this.podsByOwnerUid.get(this.daemonSet(value)?.metadata.uid ?? '') ?? [];
    if (last.startsWith('job:')) return this.podsByOwnerUid.get(this.job(value)?.metadata.uid ?? '') ?? [];
    return [];
  }

  /** Members of the page `pageId` (possibly inside a status group) under `container`. */
  private pageMembers(container: string, pageId: string): (Pod | Node)[] {
    let items = [...this.listFor(container)];
    for (const segment of pageId.slice(container.length + 1).split('/')) {
      const value = segment.slice(segment.indexOf(':') + 1);
      if (segment.startsWith('group:')) items = items.filter((o) => this.status(o) === value);
      else items = items.slice(Number(value) * PAGE_SIZE, (Number(value) + 1) * PAGE_SIZE);
    }
    return items;
  }

  private status(o: Pod | Node): string {
    let st = this.statuses.get(o);
    if (st === undefined) this.statuses.set(o, (st = statusOf(o)));
    return st;
  }

  /** Where a pod or node row hangs under `container`: the container itself, or its group/page. */
  private groupFor(container: string, obj: Pod | Node | undefined): string | undefined {
    if (!obj) return container;
    return this.placement(container).get(obj) ?? container;
  }

  /** For a long list: each member's group or page row, worked out once per container and model. */
  private placement(container: string): Map<Pod | Node, string> {
    let map = this.placements.get(container);
    if (map) return map;
    map = new Map();
    this.placements.set(container, map);
    const all = this.listFor(container);
    if (all.length <= GROUP_THRESHOLD) return map;
    const byStatus = new Map<string, (Pod | Node)[]>();
    for (const o of all) push(byStatus, this.status(o), o);
    for (const [status, members] of byStatus) {
      const base = byStatus.size === 1 ? container : `${container}/group:${status}`;
      members.forEach((o, i) => map!.set(o, byStatus.size > 1 && members.length <= GROUP_THRESHOLD ? base : `${base}/page:${Math.floor(i / PAGE_SIZE)}`));
    }
    return map;
  }
}

/** An etcd member's Raft role, in the display language. */
function etcdRoleLabel(role: EtcdRole): string {
  switch (role) {
    case 'leader': return l10n.t('leader');
    case 'follower': return l10n.t('follower');
    case 'candidate': return l10n.t('candidate');
  }
}

/** "1 restart", "4 restarts": two whole messages, so a language can inflect each. */
function restartsText(count: number): string {
  return count === 1 ? l10n.t('1 restart') : l10n.t('{0} restarts', count);
}

/** Page numbers for a list of `count` items. */
function pages(count: number): number[] {
  return Array.from({ length: Math.ceil(count / PAGE_SIZE) }, (_, i) => i);
}

function statusOf(o: Pod | Node): string {
  return o.kind === 'Node' ? nodeStatus(o as Node) : podStatus(o as Pod);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function quorum(members: number): number {
  return Math.floor(members / 2) + 1;
}

/** "Healthy" when everything runs; "No etcd quorum" when writes cannot commit; "Degraded" otherwise. */
export function computeHealth(state: LabState): Health {
  const etcdUp = state.masters.filter((m) => m.etcd.running).length;
  if (state.masters.length > 0 && etcdUp < quorum(state.masters.length)) return 'No etcd quorum';
  const degraded = state.faults.length > 0
    || state.masters.some((m) => !m.apiserver.running || !m.etcd.running || m.scheduler?.running === false || m.controllerManager?.running === false)
    || state.nodes.some((n) => nodeReady(n) !== 'True');
  return degraded ? 'Degraded' : 'Healthy';
}

/** Simulated time since the cluster started, as "T+1h02m03s". */
export function simulatedTime(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `T+${h}h${two(m)}m${two(s)}s` : `T+${m}m${two(s)}s`;
}
