/**
 * The toolbar: which trace, filters by object and component, heartbeat folding, follow, export;
 * and the player: first / previous / play-pause / next / last, speed, a timeline scrubber.
 * Built from @vscode-elements/elements (buttons, selects, checkboxes) with VS Code's look.
 */
import type { FilterOption, TraceListItem } from '../../protocol';
import { clear, h, icon } from './dom';

export const SPEEDS = [0.5, 1, 2, 4, 8, 16];
const ALL = '*';

interface SelectElement extends HTMLElement {
  value: string;
}
interface CheckboxElement extends HTMLElement {
  checked: boolean;
}

export interface ControlHandlers {
  first(): void;
  previous(): void;
  togglePlay(): void;
  next(): void;
  last(): void;
  seek(index: number): void;
  speed(stepsPerSecond: number): void;
  openTrace(source: string): void;
  filter(object: string | undefined, component: string | undefined, collapseHeartbeats: boolean): void;
  follow(on: boolean): void;
  exportAs(format: 'json' | 'mermaid'): void;
}

function button(label: string, iconName: string, shortcut: string, onClick: () => void): HTMLElement {
  const b = h('vscode-button', { secondary: true, 'aria-label': `${label} (${shortcut})`, title: `${label} (${shortcut})`, class: 'icon-button' }, icon(iconName));
  b.addEventListener('click', onClick);
  return b;
}

function select(label: string, onChange: (value: string) => void): SelectElement {
  const el = h('vscode-single-select', { 'aria-label': label, title: label }) as SelectElement;
  el.addEventListener('change', () => onChange(el.value));
  return el;
}

function fillOptions(el: SelectElement, options: { value: string; label: string }[], value: string): void {
  clear(el);
  for (const o of options) el.append(h('vscode-option', { value: o.value, selected: o.value === value }, o.label));
  el.value = value;
}

export class Controls {
  readonly toolbar: HTMLElement;
  readonly player: HTMLElement;
  private readonly traceSelect: SelectElement;
  private readonly objectSelect: SelectElement;
  private readonly componentSelect: SelectElement;
  private readonly collapse: CheckboxElement;
  private readonly followBox: CheckboxElement;
  private readonly speedSelect: SelectElement;
  private readonly playButton: HTMLElement;
  private readonly scrubber: HTMLInputElement;
  private readonly position: HTMLElement;

  constructor(private readonly on: ControlHandlers) {
    this.traceSelect = select('Trace to show', (v) => on.openTrace(v));
    this.objectSelect = select('Show only messages about this object', () => this.emitFilter());
    this.componentSelect = select('Show only messages of this component', () => this.emitFilter());
    this.collapse = h('vscode-checkbox', { label: 'Fold heartbeats', title: 'Fold consecutive lease renewals into one step' }) as CheckboxElement;
    this.collapse.addEventListener('change', () => this.emitFilter());
    this.followBox = h('vscode-checkbox', { label: 'Follow live', title: 'Jump to each new step as it happens (F)' }) as CheckboxElement;
    this.followBox.addEventListener('change', () => on.follow(this.followBox.checked));
    const exportJson = h('vscode-button', { secondary: true, title: 'Export the trace as JSON' }, 'Export JSON');
    exportJson.addEventListener('click', () => on.exportAs('json'));
    const exportMermaid = h('vscode-button', { secondary: true, title: 'Export the trace as a Mermaid sequence diagram in Markdown' }, 'Export Mermaid');
    exportMermaid.addEventListener('click', () => on.exportAs('mermaid'));
    this.toolbar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Trace and filters' },
      h('label', { class: 'field trace-field' }, h('span', undefined, 'Trace'), this.traceSelect),
      h('label', { class: 'field' }, h('span', undefined, 'Object'), this.objectSelect),
      h('label', { class: 'field' }, h('span', undefined, 'Component'), this.componentSelect),
      this.collapse, this.followBox, h('span', { class: 'spacer' }), exportJson, exportMermaid);

    this.playButton = button('Play', 'play', 'Space', () => on.togglePlay());
    this.speedSelect = select('Playback speed', (v) => on.speed(Number(v)));
    fillOptions(this.speedSelect, SPEEDS.map((s) => ({ value: String(s), label: `${s} steps/s` })), '2');
    this.scrubber = h('input', { type: 'range', min: 0, max: 0, value: 0, class: 'scrubber', 'aria-label': 'Timeline: step' });
    this.scrubber.addEventListener('input', () => on.seek(Number(this.scrubber.value)));
    this.position = h('span', { class: 'position', 'aria-hidden': 'true' });
    this.player = h('div', { class: 'player', role: 'toolbar', 'aria-label': 'Step through the trace' },
      button('First step', 'first', 'Home', () => on.first()),
      button('Previous step', 'previous', '←', () => on.previous()),
      this.playButton,
      button('Next step', 'next', '→', () => on.next()),
      button('Last step', 'last', 'End', () => on.last()),
      this.speedSelect, this.scrubber, this.position);
  }

  private emitFilter(): void {
    const object = this.objectSelect.value;
    const component = this.componentSelect.value;
    this.on.filter(object && object !== ALL ? object : undefined, component && component !== ALL ? component : undefined, this.collapse.checked);
  }

  setTraces(traces: readonly TraceListItem[], current: string): void {
    const options = traces.map((t) => ({ value: t.source, label: t.label }));
    if (!options.some((o) => o.value === current)) options.unshift({ value: current, label: current });
    fillOptions(this.traceSelect, options, current);
  }

  setFilterOptions(objects: readonly FilterOption[], components: readonly FilterOption[], object: string | undefined, component: string | undefined, collapse: boolean): void {
    const withAll = (all: string, list: readonly FilterOption[], value: string | undefined) => {
      const options = [{ value: ALL, label: all }, ...list.map((o) => ({ value: o.value, label: `${o.label} (${o.count})` }))];
      if (value && !list.some((o) => o.value === value)) options.push({ value, label: value });
      return options;
    };
    fillOptions(this.objectSelect, withAll('every object', objects, object), object ?? ALL);
    fillOptions(this.componentSelect, withAll('every component', components, component), component ?? ALL);
    this.collapse.checked = collapse;
  }

  setFollow(on: boolean): void {
    this.followBox.checked = on;
  }

  setSpeed(speed: number): void {
    this.speedSelect.value = String(speed);
  }

  setPlaying(playing: boolean): void {
    const label = playing ? 'Pause' : 'Play';
    this.playButton.setAttribute('aria-label', `${label} (Space)`);
    this.playButton.setAttribute('title', `${label} (Space)`);
    clear(this.playButton);
    this.playButton.append(icon(playing ? 'pause' : 'play'));
  }

  setPosition(index: number, count: number, time: string): void {
    this.scrubber.max = String(Math.max(0, count - 1));
    this.scrubber.value = String(Math.max(0, index));
    this.scrubber.setAttribute('aria-valuetext', count === 0 ? 'no steps' : `step ${index + 1} of ${count}`);
    this.scrubber.disabled = count === 0;
    this.position.textContent = count === 0 ? 'no steps' : `${index + 1} / ${count} · ${time}`;
  }
}
