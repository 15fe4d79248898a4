/**
 * The HA topology: kubectl outside, the load balancer in front, three zone columns with their masters
 * and workers, one row per component instance; the current message is drawn along its path.
 */
import type { Lifeline, StepSummary, Topology } from '../../protocol';
import { clear, s } from './dom';

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const WIDTH = 1000;
const ROW = 20;
const HOST_TITLE = 22;
const PAD = 6;
const ZONE_X = 250;
const ZONE_W = 240;
const ZONE_GAP = 10;
const TOP = 36;
/** Silent hosts shown per zone (hosts taking part in the trace are always shown). */
const SILENT_PER_ZONE = 3;

export class TopologyView {
  readonly element: SVGSVGElement;
  private readonly boxes = new Map<string, Box>();
  private readonly rows = new Map<string, SVGGElement>();
  private readonly messageLayer: SVGGElement;
  private readonly base: SVGGElement;
  private active: SVGGElement[] = [];

  constructor(private readonly reducedMotion: boolean) {
    this.element = s('svg', { class: 'topology', role: 'img', 'aria-label': 'Cluster topology: kubectl, the load balancer and the machines in three zones' });
    const defs = s('defs', undefined,
      s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M0 0L10 5L0 10z', class: 'arrowhead' })));
    this.base = s('g');
    this.messageLayer = s('g', { class: 'message-layer' });
    this.element.append(defs, this.base, this.messageLayer);
  }

  render(topology: Topology, lifelines: readonly Lifeline[]): void {
    clear(this.base);
    this.boxes.clear();
    this.rows.clear();
    const byId = new Map(lifelines.map((l) => [l.id, l]));
    let height = TOP;
    // kubectl and other outside clients, then the load balancer.
    let clientY = TOP + 40;
    for (const host of topology.hosts.filter((h) => h.role === 'client')) clientY = this.host(host.name, 'outside', host.lifelines, byId, 8, clientY, 110) + 12;
    let lbY = TOP + 40;
    for (const host of topology.hosts.filter((h) => h.role === 'lb')) lbY = this.host(host.name, 'load balancer', host.lifelines, byId, 134, lbY, 100) + 12;
    height = Math.max(height, clientY, lbY);
    topology.zones.slice(0, 3).forEach((zone, i) => {
      const x = ZONE_X + i * (ZONE_W + ZONE_GAP);
      const zoneHosts = topology.hosts.filter((h) => h.zone === zone);
      const shown = zoneHosts.filter((h, n) => h.lifelines.length > 0 || n < SILENT_PER_ZONE);
      let y = TOP;
      const column = s('rect', { x, y: 4, width: ZONE_W, height: 0, rx: 6, class: 'zone' });
      this.base.append(column, s('text', { x: x + ZONE_W / 2, y: 22, class: 'zone-label', 'text-anchor': 'middle' }, zone));
      for (const host of shown) {
        const role = host.role === 'control-plane' ? 'control plane' : 'worker';
        y = this.host(host.name, role, host.lifelines, byId, x + 8, y, ZONE_W - 16) + 10;
      }
      const hidden = zoneHosts.length - shown.length;
      if (hidden > 0) {
        this.base.append(s('text', { x: x + ZONE_W / 2, y: y + 12, class: 'more', 'text-anchor': 'middle' }, `+${hidden} more node${hidden === 1 ? '' : 's'}`));
        y += 22;
      }
      column.setAttribute('height', String(y - 4));
      height = Math.max(height, y);
    });
    this.element.setAttribute('viewBox', `0 0 ${WIDTH} ${height + 4}`);
    this.active = [];
    clear(this.messageLayer);
  }

  /** Draw one machine with a row per component; returns the y below it. */
  private host(name: string, role: string, ids: readonly string[], byId: Map<string, Lifeline>, x: number, y: number, w: number): number {
    const components = ids.length > 0 ? ids : [];
    const outside = role === 'outside' || role === 'load balancer';
    const h = (outside ? 0 : HOST_TITLE) + Math.max(1, components.length) * ROW + PAD * 2;
    const group = s('g', { class: `host ${role.replace(' ', '-')}` });
    group.append(s('rect', { x, y, width: w, height: h, rx: 4, class: 'host-box' }));
    let rowY = y + PAD;
    if (!outside) {
      group.append(s('text', { x: x + 8, y: rowY + 13, class: 'host-name' }, name), s('text', { x: x + w - 8, y: rowY + 13, class: 'host-role', 'text-anchor': 'end' }, role));
      rowY += HOST_TITLE;
    }
    if (components.length === 0) group.append(s('text', { x: x + 8, y: rowY + 14, class: 'silent' }, outside ? name : 'no messages in this trace'));
    for (const id of components) {
      const lifeline = byId.get(id);
      const row = s('g', { class: `component kind-${lifeline?.kind ?? 'other'}`, 'data-id': id });
      row.append(
        s('rect', { x: x + 4, y: rowY, width: w - 8, height: ROW - 2, rx: 3, class: 'component-box' }),
        s('text', { x: x + 10, y: rowY + 13, class: 'component-label' }, outside ? id : lifeline?.label ?? id),
      );
      group.append(row);
      this.rows.set(id, row);
      this.boxes.set(id, { x: x + 4, y: rowY, w: w - 8, h: ROW - 2 });
      rowY += ROW;
    }
    this.base.append(group);
    return y + h;
  }

  /** Highlight the step's sender and receiver and draw the message between them. */
  show(step: StepSummary | undefined): void {
    for (const row of this.active) row.classList.remove('from', 'to');
    this.active = [];
    clear(this.messageLayer);
    if (!step) return;
    const from = this.boxes.get(step.from);
    const to = this.boxes.get(step.to);
    for (const [id, cls] of [[step.from, 'from'], [step.to, 'to']] as const) {
      const row = this.rows.get(id);
      if (row) {
        row.classList.add(cls);
        this.active.push(row);
      }
    }
    if (!from || !to) return;
    const stage = `stage-${step.stage}`;
    if (step.from === step.to) {
      this.messageLayer.append(s('rect', { x: from.x - 3, y: from.y - 3, width: from.w + 6, height: from.h + 6, rx: 5, class: `self-message ${stage}` }));
      return;
    }
    const d = pathBetween(from, to);
    const path = s('path', { d, class: `message ${stage}`, 'marker-end': 'url(#arrow)' });
    this.messageLayer.append(path);
    if (!this.reducedMotion) {
      const dot = s('circle', { r: 5, class: `message-dot ${stage}` });
      dot.append(s('animateMotion', { dur: '0.6s', repeatCount: '1', fill: 'freeze', path: d }));
      this.messageLayer.append(dot);
    }
  }
}

/** A gentle curve from the sender's edge to the receiver's edge (a loop on the right within one host). */
function pathBetween(a: Box, b: Box): string {
  const ay = a.y + a.h / 2;
  const by = b.y + b.h / 2;
  if (Math.abs(a.x - b.x) < 1) {
    const x = a.x + a.w;
    const bulge = 30 + Math.min(40, Math.abs(ay - by) / 3);
    return `M${x} ${ay} C${x + bulge} ${ay} ${x + bulge} ${by} ${x} ${by}`;
  }
  const leftToRight = a.x < b.x;
  const x1 = leftToRight ? a.x + a.w : a.x;
  const x2 = leftToRight ? b.x : b.x + b.w;
  const mx = (x1 + x2) / 2;
  const my = (ay + by) / 2 - Math.min(40, Math.abs(x2 - x1) / 6);
  return `M${x1} ${ay} Q${mx} ${my} ${x2} ${by}`;
}
