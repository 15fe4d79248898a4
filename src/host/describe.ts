/**
 * `kubectl describe` for the lab's objects, as a pure function of the object and what it relates to
 * (events, pods, endpoints): the text the "Describe" document shows. Layout follows kubectl's describers
 * (pkg/describe): "Key:  value" lines aligned per block, nested sections, tables for conditions and
 * events, timestamps in RFC 1123 with a numeric zone. No vscode import: unit-tested under mocha.
 */
import type {
  Container, ContainerState, CoreEvent, Deployment, Endpoints, KubeObject, Node, Pod, ReplicaSet, Service, Toleration,
} from '../sim/api/types';
import {
  age, ageMs, allocatable, allocated, formatBytes, formatCpu, humanDuration, nodeRoles, percent, podRequests,
} from './tree/format';

/** What describing an object may draw on besides the object itself. */
export interface DescribeContext {
  /** Virtual ms since the simulation started. */
  now: number;
  /** Unix ms that virtual time 0 maps to in the cluster's timestamps (`clock.epochMs`). */
  epochMs: number;
  events: readonly CoreEvent[];
  pods: readonly Pod[];
  replicaSets: readonly ReplicaSet[];
  endpoints: readonly Endpoints[];
}

/**
 * Describe output, written like kubectl's PrefixWriter: cells separated by tabs, aligned as Go's
 * text/tabwriter does (padding 2): a column's width is set by the consecutive lines that have that
 * column, and a line without it ends the block.
 */
class Out {
  private readonly lines: string[] = [];

  kv(indent: number, key: string, value: string | number | undefined): void {
    const text = value === undefined || value === '' ? '<none>' : String(value);
    this.lines.push(`${pad(indent)}${key}:\t${text}`);
  }

  /** A "Key:" line followed by one value per line, the later ones aligned under the first. */
  list(indent: number, key: string, values: readonly string[]): void {
    if (values.length === 0) return this.kv(indent, key, '<none>');
    this.kv(indent, key, values[0]);
    for (const v of values.slice(1)) this.lines.push(`${pad(indent)}\t${v}`);
  }

  line(indent: number, text: string): void {
    this.lines.push(pad(indent) + text);
  }

  table(indent: number, rows: readonly (readonly string[])[]): void {
    for (const row of rows) this.lines.push(pad(indent) + row.join('\t'));
  }

  render(): string {
    return tabwrite(this.lines.map((l) => l.split('\t'))).join('\n') + '\n';
  }
}

function pad(indent: number): string {
  return '  '.repeat(indent);
}

/** Go's text/tabwriter with minwidth 0 and padding 2 over rows of cells (the last cell is never padded). */
export function tabwrite(rows: readonly (readonly string[])[]): string[] {
  const widths: number[][] = rows.map(() => []);
  const format = (from: number, to: number, column: number): void => {
    let i = from;
    while (i < to) {
      if (rows[i].length - 1 <= column) {
        i++;
        continue;
      }
      let j = i;
      let width = 0;
      while (j < to && rows[j].length - 1 > column) width = Math.max(width, rows[j++][column].length);
      for (let k = i; k < j; k++) widths[k][column] = width + 2;
      format(i, j, column + 1);
      i = j;
    }
  };
  format(0, rows.length, 0);
  return rows.map((cells, r) => cells.map((cell, c) => (c < cells.length - 1 ? cell.padEnd(widths[r][c]) : cell)).join('').trimEnd());
}

/** kubectl's describe timestamp: "Thu, 01 Jan 2026 00:00:05 +0000". */
export function describeTime(timestamp: string | undefined): string {
  if (!timestamp) return '<unset>';
  const d = new Date(timestamp);
  if (Number.isNaN(d.getTime())) return timestamp;
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${two(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

function labelLines(map: Record<string, string> | undefined): string[] {
  return Object.keys(map ?? {}).sort().map((k) => `${k}=${map![k]}`);
}

function annotationLines(map: Record<string, string> | undefined): string[] {
  return Object.keys(map ?? {}).sort().map((k) => `${k}: ${map![k]}`);
}

function meta(out: Out, obj: KubeObject, namespaced = true): void {
  out.kv(0, 'Name', obj.metadata.name);
  if (namespaced) out.kv(0, 'Namespace', obj.metadata.namespace);
}

function tolerationText(t: Toleration): string {
  let s = t.key ?? '';
  if (t.value) s += `=${t.value}`;
  if (t.effect) s += `:${t.effect}`;
  if (t.operator === 'Exists' && !t.value) s += ' op=Exists';
  if (t.tolerationSeconds !== undefined) s += ` for ${t.tolerationSeconds}s`;
  return s || ' op=Exists';
}

function stateLines(out: Out, indent: number, key: string, state: ContainerState | undefined): void {
  if (state?.running) {
    out.kv(indent, key, 'Running');
    out.kv(indent + 1, 'Started', describeTime(state.running.startedAt));
  } else if (state?.waiting) {
    out.kv(indent, key, 'Waiting');
    out.kv(indent + 1, 'Reason', state.waiting.reason);
    if (state.waiting.message) out.kv(indent + 1, 'Message', state.waiting.message);
  } else if (state?.terminated) {
    const t = state.terminated;
    out.kv(indent, key, 'Terminated');
    out.kv(indent + 1, 'Reason', t.reason);
    if (t.message) out.kv(indent + 1, 'Message', t.message);
    out.kv(indent + 1, 'Exit Code', t.exitCode);
    out.kv(indent + 1, 'Started', describeTime(t.startedAt));
    out.kv(indent + 1, 'Finished', describeTime(t.finishedAt));
  } else {
    out.kv(indent, key, 'Waiting');
  }
}

function containerSection(out: Out, pod: Pod | undefined, containers: readonly Container[], indent: number): void {
  for (const c of containers) {
    const status = pod?.status?.containerStatuses?.find((s) => s.name === c.name);
    out.line(indent, `${c.name}:`);
    if (pod) out.kv(indent + 1, 'Container ID', status?.containerID ?? '');
    out.kv(indent + 1, 'Image', c.image);
    if (pod) out.kv(indent + 1, 'Image ID', status?.imageID ?? '');
    const ports = (c.ports ?? []).map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}${p.name ? ` (${p.name})` : ''}`);
    if (ports.length <= 1) out.kv(indent + 1, 'Port', ports[0] ?? '<none>');
    else out.list(indent + 1, 'Ports', [ports.join(', ')]);
    out.kv(indent + 1, 'Host Port', ports.length > 0 ? (c.ports ?? []).map((p) => `${p.hostPort ?? 0}/${p.protocol ?? 'TCP'}`).join(', ') : '<none>');
    if (c.command) out.list(indent + 1, 'Command', c.command);
    if (c.args) out.list(indent + 1, 'Args', c.args);
    if (pod) {
      stateLines(out, indent + 1, 'State', status?.state);
      if (status?.lastState && Object.keys(status.lastState).length > 0) stateLines(out, indent + 1, 'Last State', status.lastState);
      out.kv(indent + 1, 'Ready', status?.ready ? 'True' : 'False');
      out.kv(indent + 1, 'Restart Count', status?.restartCount ?? 0);
    }
    for (const [label, map] of [['Limits', c.resources?.limits], ['Requests', c.resources?.requests]] as const) {
      if (!map || Object.keys(map).length === 0) continue;
      out.line(indent + 1, `${label}:`);
      for (const k of Object.keys(map).sort()) out.kv(indent + 2, k, String(map[k]));
    }
    const env = (c.env ?? []).map((e) => `${e.name}:  ${e.value ?? '<set from a reference>'}`);
    out.list(indent + 1, 'Environment', env);
    out.list(indent + 1, 'Mounts', (c.volumeMounts ?? []).map((m) => `${m.mountPath} from ${m.name} (${m.readOnly ? 'ro' : 'rw'})`));
  }
}

function eventsSection(out: Out, obj: KubeObject, ctx: DescribeContext): void {
  const uid = obj.metadata.uid;
  const events = ctx.events
    .filter((e) => (uid && e.involvedObject.uid === uid) || (!e.involvedObject.uid && e.involvedObject.kind === obj.kind && e.involvedObject.name === obj.metadata.name && e.involvedObject.namespace === obj.metadata.namespace))
    .slice()
    .sort((a, b) => (a.lastTimestamp ?? a.firstTimestamp ?? '').localeCompare(b.lastTimestamp ?? b.firstTimestamp ?? ''));
  if (events.length === 0) {
    out.kv(0, 'Events', '<none>');
    return;
  }
  out.line(0, 'Events:');
  const rows: string[][] = [['Type', 'Reason', 'Age', 'From', 'Message'], ['----', '------', '----', '----', '-------']];
  for (const e of events) {
    const last = age(e.lastTimestamp ?? e.firstTimestamp, ctx.now, ctx.epochMs);
    const when = (e.count ?? 1) > 1 ? `${last} (x${e.count} over ${age(e.firstTimestamp, ctx.now, ctx.epochMs)})` : last;
    rows.push([e.type ?? 'Normal', e.reason ?? '', when, e.source?.component ?? e.reportingComponent ?? '', e.message ?? '']);
  }
  out.table(1, rows);
}

function qosClass(pod: Pod): string {
  if (pod.status?.qosClass) return pod.status.qosClass;
  const containers = pod.spec.containers;
  const any = containers.some((c) => Object.keys(c.resources?.requests ?? {}).length > 0 || Object.keys(c.resources?.limits ?? {}).length > 0);
  if (!any) return 'BestEffort';
  const guaranteed = containers.every((c) => ['cpu', 'memory'].every((r) => c.resources?.limits?.[r] !== undefined && String(c.resources.limits[r]) === String(c.resources?.requests?.[r] ?? c.resources.limits[r])));
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export function describePod(pod: Pod, ctx: DescribeContext): string {
  const out = new Out();
  meta(out, pod);
  out.kv(0, 'Priority', pod.spec.priority ?? 0);
  if (pod.spec.priorityClassName) out.kv(0, 'Priority Class Name', pod.spec.priorityClassName);
  out.kv(0, 'Service Account', pod.spec.serviceAccountName);
  out.kv(0, 'Node', pod.spec.nodeName ? `${pod.spec.nodeName}${pod.status?.hostIP ? `/${pod.status.hostIP}` : ''}` : '<none>');
  if (pod.status?.startTime) out.kv(0, 'Start Time', describeTime(pod.status.startTime));
  out.list(0, 'Labels', labelLines(pod.metadata.labels));
  out.list(0, 'Annotations', annotationLines(pod.metadata.annotations));
  if (pod.metadata.deletionTimestamp) {
    out.kv(0, 'Status', `Terminating (lasts ${humanDuration(Math.max(0, ageMs(pod.metadata.deletionTimestamp, ctx.now, ctx.epochMs) ?? 0))})`);
    out.kv(0, 'Termination Grace Period', `${pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30}s`);
  } else {
    out.kv(0, 'Status', pod.status?.phase ?? 'Pending');
  }
  if (pod.status?.reason) out.kv(0, 'Reason', pod.status.reason);
  if (pod.status?.message) out.kv(0, 'Message', pod.status.message);
  out.kv(0, 'IP', pod.status?.podIP ?? '');
  const ips = pod.status?.podIPs?.map((ip) => ip.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
  if (ips.length === 0) out.kv(0, 'IPs', '<none>');
  else {
    out.line(0, 'IPs:');
    for (const ip of ips) out.kv(1, 'IP', ip);
  }
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller);
  if (owner) out.kv(0, 'Controlled By', `${owner.kind}/${owner.name}`);
  if (pod.spec.initContainers?.length) {
    out.line(0, 'Init Containers:');
    containerSection(out, pod, pod.spec.initContainers, 1);
  }
  out.line(0, 'Containers:');
  containerSection(out, pod, pod.spec.containers, 1);
  const conditions = pod.status?.conditions ?? [];
  if (conditions.length > 0) {
    out.line(0, 'Conditions:');
    out.table(1, [['Type', 'Status'], ...conditions.map((c) => [c.type, c.status])]);
  }
  out.list(0, 'Volumes', (pod.spec.volumes ?? []).map((v) => `${v.name} (${Object.keys(v).filter((k) => k !== 'name')[0] ?? 'unknown'})`));
  out.kv(0, 'QoS Class', qosClass(pod));
  out.list(0, 'Node-Selectors', labelLines(pod.spec.nodeSelector));
  out.list(0, 'Tolerations', (pod.spec.tolerations ?? []).map(tolerationText));
  eventsSection(out, pod, ctx);
  return out.render();
}

export function describeNode(node: Node, ctx: DescribeContext): string {
  const out = new Out();
  meta(out, node, false);
  out.kv(0, 'Roles', nodeRoles(node));
  out.list(0, 'Labels', labelLines(node.metadata.labels));
  out.list(0, 'Annotations', annotationLines(node.metadata.annotations));
  out.kv(0, 'CreationTimestamp', describeTime(node.metadata.creationTimestamp));
  out.list(0, 'Taints', (node.spec.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`));
  out.kv(0, 'Unschedulable', node.spec.unschedulable ? 'true' : 'false');
  out.line(0, 'Conditions:');
  out.table(1, [
    ['Type', 'Status', 'LastHeartbeatTime', 'LastTransitionTime', 'Reason', 'Message'],
    ['----', '------', '-----------------', '------------------', '------', '-------'],
    ...(node.status?.conditions ?? []).map((c) => [c.type, c.status, describeTime(c.lastHeartbeatTime), describeTime(c.lastTransitionTime), c.reason ?? '', c.message ?? '']),
  ]);
  out.line(0, 'Addresses:');
  for (const a of node.status?.addresses ?? []) out.kv(1, a.type, a.address);
  for (const [label, map] of [['Capacity', node.status?.capacity], ['Allocatable', node.status?.allocatable]] as const) {
    out.line(0, `${label}:`);
    for (const k of Object.keys(map ?? {}).sort()) out.kv(1, k, String(map![k]));
  }
  const info = node.status?.nodeInfo;
  if (info) {
    out.line(0, 'System Info:');
    out.kv(1, 'Machine ID', info.machineID);
    out.kv(1, 'Kernel Version', info.kernelVersion);
    out.kv(1, 'OS Image', info.osImage);
    out.kv(1, 'Operating System', info.operatingSystem);
    out.kv(1, 'Architecture', info.architecture);
    out.kv(1, 'Container Runtime Version', info.containerRuntimeVersion);
    out.kv(1, 'Kubelet Version', info.kubeletVersion);
  }
  out.kv(0, 'PodCIDR', node.spec.podCIDR);
  const pods = ctx.pods.filter((p) => p.spec.nodeName === node.metadata.name && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  const total = allocatable(node);
  out.kv(0, 'Non-terminated Pods', `(${pods.length} in total)`);
  const podRows: string[][] = [['Namespace', 'Name', 'CPU Requests', 'CPU Limits', 'Memory Requests', 'Memory Limits', 'Age'], ['---------', '----', '------------', '----------', '---------------', '-------------', '---']];
  for (const p of pods) {
    const req = podRequests(p);
    podRows.push([p.metadata.namespace ?? '', p.metadata.name ?? '', `${formatCpu(req.cpuMillis)} (${percent(req.cpuMillis, total.cpuMillis)})`, '0 (0%)',
      `${formatBytes(req.memoryBytes)} (${percent(req.memoryBytes, total.memoryBytes)})`, '0 (0%)', age(p.metadata.creationTimestamp, ctx.now, ctx.epochMs)]);
  }
  out.table(1, podRows);
  const used = allocated(pods);
  out.line(0, 'Allocated resources:');
  out.line(1, '(Total limits may be over 100 percent, i.e., overcommitted.)');
  out.table(1, [['Resource', 'Requests', 'Limits'], ['--------', '--------', '------'],
    ['cpu', `${formatCpu(used.cpuMillis)} (${percent(used.cpuMillis, total.cpuMillis)})`, '0 (0%)'],
    ['memory', `${formatBytes(used.memoryBytes)} (${percent(used.memoryBytes, total.memoryBytes)})`, '0 (0%)']]);
  eventsSection(out, node, ctx);
  return out.render();
}

function podTemplate(out: Out, template: Deployment['spec']['template']): void {
  out.line(0, 'Pod Template:');
  out.list(1, 'Labels', labelLines(template.metadata?.labels));
  out.line(1, 'Containers:');
  containerSection(out, undefined, template.spec.containers, 2);
  out.list(1, 'Volumes', (template.spec.volumes ?? []).map((v) => v.name));
  out.list(1, 'Node-Selectors', labelLines(template.spec.nodeSelector));
  out.list(1, 'Tolerations', (template.spec.tolerations ?? []).map(tolerationText));
}

function selectorText(sel: Deployment['spec']['selector'] | undefined): string {
  const parts = labelLines(sel?.matchLabels);
  for (const e of sel?.matchExpressions ?? []) parts.push(`${e.key} ${e.operator.toLowerCase()} (${(e.values ?? []).join(',')})`);
  return parts.join(',');
}

export function describeDeployment(d: Deployment, ctx: DescribeContext): string {
  const out = new Out();
  meta(out, d);
  out.kv(0, 'CreationTimestamp', describeTime(d.metadata.creationTimestamp));
  out.list(0, 'Labels', labelLines(d.metadata.labels));
  out.list(0, 'Annotations', annotationLines(d.metadata.annotations));
  out.kv(0, 'Selector', selectorText(d.spec.selector));
  const s = d.status ?? {};
  out.kv(0, 'Replicas', `${d.spec.replicas ?? 1} desired | ${s.updatedReplicas ?? 0} updated | ${s.replicas ?? 0} total | ${s.availableReplicas ?? 0} available | ${s.unavailableReplicas ?? 0} unavailable`);
  out.kv(0, 'StrategyType', d.spec.strategy?.type ?? 'RollingUpdate');
  out.kv(0, 'MinReadySeconds', d.spec.minReadySeconds ?? 0);
  if ((d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
    const ru = d.spec.strategy?.rollingUpdate;
    out.kv(0, 'RollingUpdateStrategy', `${ru?.maxUnavailable ?? '25%'} max unavailable, ${ru?.maxSurge ?? '25%'} max surge`);
  }
  podTemplate(out, d.spec.template);
  if (s.conditions?.length) {
    out.line(0, 'Conditions:');
    out.table(1, [['Type', 'Status', 'Reason'], ['----', '------', '------'], ...s.conditions.map((c) => [c.type, c.status, c.reason ?? ''])]);
  }
  const owned = ctx.replicaSets.filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === d.metadata.uid));
  const revision = (rs: ReplicaSet) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
  const newest = owned.slice().sort((a, b) => revision(b) - revision(a))[0];
  const line = (rs: ReplicaSet) => `${rs.metadata.name} (${rs.status?.replicas ?? 0}/${rs.spec.replicas ?? 0} replicas created)`;
  const old = owned.filter((rs) => rs !== newest && (rs.spec.replicas ?? 0) > 0);
  out.kv(0, 'OldReplicaSets', old.length > 0 ? old.map(line).join(', ') : '<none>');
  out.kv(0, 'NewReplicaSet', newest ? line(newest) : '<none>');
  eventsSection(out, d, ctx);
  return out.render();
}

export function describeReplicaSet(rs: ReplicaSet, ctx: DescribeContext): string {
  const out = new Out();
  meta(out, rs);
  out.kv(0, 'Selector', selectorText(rs.spec.selector));
  out.list(0, 'Labels', labelLines(rs.metadata.labels));
  out.list(0, 'Annotations', annotationLines(rs.metadata.annotations));
  const owner = rs.metadata.ownerReferences?.find((o) => o.controller);
  if (owner) out.kv(0, 'Controlled By', `${owner.kind}/${owner.name}`);
  out.kv(0, 'Replicas', `${rs.status?.replicas ?? 0} current / ${rs.spec.replicas ?? 1} desired`);
  const pods = ctx.pods.filter((p) => p.metadata.ownerReferences?.some((o) => o.uid === rs.metadata.uid));
  const count = (phase: string) => pods.filter((p) => (p.status?.phase ?? 'Pending') === phase).length;
  out.kv(0, 'Pods Status', `${count('Running')} Running / ${count('Pending')} Waiting / ${count('Succeeded')} Succeeded / ${count('Failed')} Failed`);
  podTemplate(out, rs.spec.template);
  eventsSection(out, rs, ctx);
  return out.render();
}

export function describeService(svc: Service, ctx: DescribeContext): string {
  const out = new Out();
  meta(out, svc);
  out.list(0, 'Labels', labelLines(svc.metadata.labels));
  out.list(0, 'Annotations', annotationLines(svc.metadata.annotations));
  out.kv(0, 'Selector', labelLines(svc.spec.selector).join(','));
  out.kv(0, 'Type', svc.spec.type ?? 'ClusterIP');
  out.kv(0, 'IP Family Policy', svc.spec.ipFamilyPolicy ?? 'SingleStack');
  out.kv(0, 'IP Families', (svc.spec.ipFamilies ?? ['IPv4']).join(','));
  out.kv(0, 'IP', svc.spec.clusterIP);
  out.kv(0, 'IPs', (svc.spec.clusterIPs ?? (svc.spec.clusterIP ? [svc.spec.clusterIP] : [])).join(','));
  const ep = ctx.endpoints.find((e) => e.metadata.namespace === svc.metadata.namespace && e.metadata.name === svc.metadata.name);
  for (const p of svc.spec.ports ?? []) {
    const name = p.name || '<unset>';
    out.kv(0, 'Port', `${name}  ${p.port}/${p.protocol ?? 'TCP'}`);
    out.kv(0, 'TargetPort', `${p.targetPort ?? p.port}/${p.protocol ?? 'TCP'}`);
    if (p.nodePort) out.kv(0, 'NodePort', `${name}  ${p.nodePort}/${p.protocol ?? 'TCP'}`);
    const addrs: string[] = [];
    for (const s of ep?.subsets ?? []) {
      const port = s.ports?.find((sp) => (sp.name ?? '') === (p.name ?? '')) ?? s.ports?.[0];
      for (const a of s.addresses ?? []) addrs.push(`${a.ip}:${port?.port ?? p.targetPort ?? p.port}`);
    }
    out.kv(0, 'Endpoints', addrs.join(','));
  }
  out.kv(0, 'Session Affinity', svc.spec.sessionAffinity ?? 'None');
  eventsSection(out, svc, ctx);
  return out.render();
}

/** Describe any object the lab serves; undefined for kinds without a describer (the caller shows YAML). */
export function describeObject(obj: KubeObject, ctx: DescribeContext): string | undefined {
  switch (obj.kind) {
    case 'Pod': return describePod(obj as Pod, ctx);
    case 'Node': return describeNode(obj as Node, ctx);
    case 'Deployment': return describeDeployment(obj as Deployment, ctx);
    case 'ReplicaSet': return describeReplicaSet(obj as ReplicaSet, ctx);
    case 'Service': return describeService(obj as Service, ctx);
    default: return undefined;
  }
}

