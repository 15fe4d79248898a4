/**
 * The sequence diagram: a lifeline per component instance, an arrow per step. Only the rows in view
 * are drawn (a 10,000-step trace scrolls as fast as a 10-step one).
 */
import type { Lifeline, StepSummary } from '../../protocol';
import { clear, formatTime, h, s } from './dom';

const ROW_H = 26;
const GUTTER = 64;
const MIN_COL = 84;
const OVERSCAN = 6;
const CHAR_W = 6.4;

export class SequenceView {
  readonly element: HTMLElement;
  private readonly header: HTMLElement;
  private readonly headerInner: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly body: SVGSVGElement;
  private lifelines: readonly Lifeline[] = [];
  private column = new Map<string, number>();
  private steps: readonly StepSummary[] = [];
  private selected = -1;
  private colWidth = MIN_COL;
  private frame = 0;
  /** Rows drawn now, by step index; selection only moves a class and the highlight between them. */
  private drawn = new Map<number, SVGGElement>();
  private readonly highlight = s('rect', { x: 0, y: 0, width: 0, height: ROW_H, class: 'row-highlight' });
  onSelect: (index: number) => void = () => undefined;

  constructor() {
    this.headerInner = h('div', { class: 'seq-header-inner' });
    this.header = h('div', { class: 'seq-header', 'aria-hidden': 'true' }, this.headerInner);
    this.body = s('svg', { class: 'seq-body' });
    this.spacer = h('div', { class: 'seq-spacer' }, this.body);
    this.scroller = h('div', { class: 'seq-scroll', tabindex: 0, role: 'region', 'aria-label': 'Sequence diagram: one column per component instance, one arrow per step. Click a row to select its step.' }, this.spacer);
    this.element = h('section', { class: 'sequence' }, this.header, this.scroller);
    this.scroller.addEventListener('scroll', () => {
      this.headerInner.style.transform = `translateX(${-this.scroller.scrollLeft}px)`;
      this.schedule();
    });
    this.body.addEventListener('click', (event) => {
      const rect = this.spacer.getBoundingClientRect();
      const index = Math.floor((event.clientY - rect.top) / ROW_H);
      if (index >= 0 && index < this.steps.length) this.onSelect(index);
    });
    new ResizeObserver(() => this.layout()).observe(this.scroller);
  }

  setLifelines(lifelines: readonly Lifeline[]): void {
    this.lifelines = lifelines;
    this.column = new Map(lifelines.map((l, i) => [l.id, i]));
    this.layout();
  }

  setSteps(steps: readonly StepSummary[]): void {
    this.steps = steps;
    this.spacer.style.height = `${steps.length * ROW_H}px`;
    this.schedule();
  }

  select(index: number): void {
    this.drawn.get(this.selected)?.classList.remove('selected');
    this.selected = index;
    const top = index * ROW_H;
    const view = this.scroller.clientHeight;
    if (top < this.scroller.scrollTop || top + ROW_H > this.scroller.scrollTop + view) {
      this.scroller.scrollTop = Math.max(0, top - view / 3);
    }
    const row = this.drawn.get(index);
    if (!row) {
      this.draw();
      return;
    }
    row.classList.add('selected');
    this.placeHighlight();
  }

  private placeHighlight(): void {
    const visible = this.drawn.has(this.selected);
    this.highlight.setAttribute('visibility', visible ? 'visible' : 'hidden');
    this.highlight.setAttribute('y', String(this.selected * ROW_H));
  }

  focus(): void {
    this.scroller.focus();
  }

  private layout(): void {
    const available = this.scroller.clientWidth - GUTTER;
    this.colWidth = Math.max(MIN_COL, Math.floor(available / Math.max(1, this.lifelines.length)));
    const width = GUTTER + this.colWidth * this.lifelines.length;
    this.spacer.style.width = `${width}px`;
    clear(this.headerInner);
    this.headerInner.style.width = `${width}px`;
    this.headerInner.append(h('div', { class: 'seq-gutter-head' }, 'step'));
    for (const l of this.lifelines) {
      const at = l.id.indexOf('@');
      this.headerInner.append(
        h('div', { class: `seq-col-head kind-${l.kind}`, title: l.id },
          h('span', { class: 'seq-col-name' }, at < 0 ? l.id : l.id.slice(0, at)),
          h('span', { class: 'seq-col-host' }, at < 0 ? '\u00a0' : l.id.slice(at + 1))),
      );
      (this.headerInner.lastElementChild as HTMLElement).style.width = `${this.colWidth}px`;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private x(id: string): number {
    return GUTTER + (this.column.get(id) ?? 0) * this.colWidth + this.colWidth / 2;
  }

  /** Draw the rows in view (and a few around them). */
  draw(): void {
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_H) - OVERSCAN);
    const last = Math.min(this.steps.length, Math.ceil((this.scroller.scrollTop + this.scroller.clientHeight) / ROW_H) + OVERSCAN);
    const width = GUTTER + this.colWidth * this.lifelines.length;
    const height = Math.max(0, last - first) * ROW_H;
    clear(this.body);
    this.drawn.clear();
    this.body.setAttribute('width', String(width));
    this.body.setAttribute('height', String(height));
    this.body.setAttribute('viewBox', `0 ${first * ROW_H} ${width} ${height}`);
    this.body.style.top = `${first * ROW_H}px`;
    for (const l of this.lifelines) {
      const x = this.x(l.id);
      this.body.append(s('line', { x1: x, x2: x, y1: first * ROW_H, y2: last * ROW_H, class: 'lifeline' }));
    }
    this.highlight.setAttribute('width', String(width));
    this.body.append(this.highlight);
    for (let i = first; i < last; i++) this.row(i, width);
    this.placeHighlight();
  }

  private row(i: number, width: number): void {
    const step = this.steps[i];
    const y = i * ROW_H;
    const g = s('g', { class: `seq-row stage-${step.stage}${i === this.selected ? ' selected' : ''}` });
    this.drawn.set(i, g);
    g.append(s('text', { x: 4, y: y + 11, class: 'seq-index' }, String(i + 1)), s('text', { x: 4, y: y + 22, class: 'seq-time' }, formatTime(step.t)));
    const x1 = this.x(step.from);
    const x2 = this.x(step.to);
    const lineY = y + ROW_H - 6;
    const dashed = step.kind === 'response' || step.kind === 'etcd-ack' || step.kind === 'watch';
    if (x1 === x2) {
      g.append(s('path', { d: `M${x1} ${y + 8} h16 v${lineY - y - 8} h-14`, class: `seq-arrow${dashed ? ' dashed' : ''}`, 'marker-end': 'url(#seq-arrow)' }));
    } else {
      g.append(s('line', { x1, x2: x2 + (x2 > x1 ? -2 : 2), y1: lineY, y2: lineY, class: `seq-arrow${dashed ? ' dashed' : ''}`, 'marker-end': 'url(#seq-arrow)' }));
    }
    const label = step.collapsed ? `⋯ ${step.title}` : step.title;
    // Left-aligned from the arrow's start; near the right edge, right-aligned to the arrow's end instead.
    const startX = Math.min(x1, x2) + (x1 === x2 ? 22 : 6);
    const endX = Math.max(x1, x2) - 6;
    const visibleRight = Math.min(width, this.scroller.scrollLeft + this.scroller.clientWidth);
    const roomRight = Math.floor((visibleRight - startX - 4) / CHAR_W);
    const roomLeft = Math.floor((endX - Math.max(GUTTER, this.scroller.scrollLeft + GUTTER)) / CHAR_W);
    const rightAligned = label.length > roomRight && roomLeft > roomRight;
    const room = Math.max(8, rightAligned ? roomLeft : roomRight);
    const text = label.length > room ? `${label.slice(0, room - 1)}…` : label;
    g.append(s('text', { x: rightAligned ? endX : startX, y: y + 13, class: 'seq-label', 'text-anchor': rightAligned ? 'end' : 'start' }, text));
    this.body.append(g);
  }

  /** The arrowhead marker lives in the page once (see flow.main.ts). */
  static markers(): SVGSVGElement {
    return s('svg', { width: 0, height: 0, class: 'defs', 'aria-hidden': 'true' },
      s('defs', undefined, s('marker', { id: 'seq-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' }, s('path', { d: 'M0 0L10 5L0 10z', class: 'arrowhead' }))));
  }
}
