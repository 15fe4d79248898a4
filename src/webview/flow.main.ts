/**
 * The request-flow webview: two synchronized views of one trace — the HA topology with the current
 * message drawn along its path, and a sequence diagram — plus step controls and the step's details.
 * Talks to the host only through src/protocol.ts; keeps its state with getState/setState.
 */
import { DEFAULT_FLOW_STATE, type FlowState, type HostToWebview, type Lifeline, type StepDetail, type StepSummary, type TraceListItem, type TraceView } from '../protocol';
import { Bridge } from './flow/bridge';
import { Controls, SPEEDS } from './flow/controls';
import { DetailView } from './flow/detail-view';
import { formatTime, h } from './flow/dom';
import { SequenceView } from './flow/sequence-view';
import { TopologyView } from './flow/topology-view';

class FlowApp {
  private readonly bridge = new Bridge();
  private state: FlowState;
  private view: TraceView | undefined;
  private steps: StepSummary[] = [];
  private index = -1;
  private playing = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly details = new Map<number, StepDetail>();
  private readonly controls: Controls;
  private readonly topology: TopologyView;
  private readonly sequence = new SequenceView();
  private readonly detailView = new DetailView();
  private readonly title = h('h1', { class: 'trace-title' });
  private readonly announcer = h('div', { class: 'visually-hidden', 'aria-live': 'polite' });
  private lifelineKey = '';

  constructor(root: HTMLElement) {
    const restored = this.bridge.state;
    this.state = restored ? { ...DEFAULT_FLOW_STATE, ...restored, filter: { ...DEFAULT_FLOW_STATE.filter, ...restored.filter } } : { ...DEFAULT_FLOW_STATE };
    this.topology = new TopologyView(matchMedia('(prefers-reduced-motion: reduce)').matches);
    this.controls = new Controls({
      first: () => this.go(0),
      previous: () => this.go(this.index - 1),
      togglePlay: () => this.setPlaying(!this.playing),
      next: () => this.go(this.index + 1),
      last: () => this.go(this.steps.length - 1),
      seek: (i) => this.go(i),
      speed: (v) => this.setSpeed(v),
      openTrace: (source) => this.bridge.ask((requestId) => ({ type: 'openTrace', requestId, source })),
      filter: (object, component, collapseHeartbeats) => {
        this.state = { ...this.state, filter: { object, component, collapseHeartbeats } };
        this.save();
        this.bridge.ask((requestId) => ({ type: 'setFilter', requestId, filter: this.state.filter }));
      },
      follow: (on) => {
        this.state = { ...this.state, follow: on };
        this.save();
        if (on) this.go(this.steps.length - 1);
      },
      exportAs: (format) => this.bridge.ask((requestId) => ({ type: 'export', requestId, format })),
    });
    this.controls.setFollow(this.state.follow);
    this.controls.setSpeed(this.state.speed);
    this.sequence.onSelect = (i) => this.go(i);
    root.append(
      SequenceView.markers(),
      h('header', { class: 'top' }, this.title, this.controls.toolbar, this.controls.player),
      h('main', { class: 'panes' },
        h('div', { class: 'left' }, h('section', { class: 'topology-pane', 'aria-label': 'Topology' }, this.topology.element), this.sequence.element),
        this.detailView.element),
      this.announcer,
    );
    this.bridge.onMessage = (m) => this.receive(m);
    window.addEventListener('keydown', (e) => this.key(e));
    this.bridge.post({ type: 'ready', state: this.state });
  }

  private receive(message: HostToWebview): void {
    switch (message.type) {
      case 'trace':
        this.showTrace(message.view, message.traces, message.select);
        break;
      case 'steps': {
        if (!this.view) return;
        const selectedId = this.steps[this.index]?.id;
        this.steps = this.steps.slice(0, message.from).concat(message.steps);
        this.view = { ...this.view, steps: this.steps, totalEntries: message.totalEntries, lifelines: message.lifelines, topology: message.topology, objects: message.objects, components: message.components };
        for (const step of message.steps) if (step.collapsed) this.details.delete(step.id);
        this.refreshLifelines(message.lifelines);
        this.sequence.setSteps(this.steps);
        this.controls.setFilterOptions(message.objects, message.components, this.state.filter.object, this.state.filter.component, this.state.filter.collapseHeartbeats);
        const keep = selectedId === undefined ? -1 : this.steps.findIndex((s) => s.id === selectedId);
        if (this.state.follow || this.index < 0) this.go(this.steps.length - 1);
        else this.go(keep < 0 ? Math.min(this.index, this.steps.length - 1) : keep);
        break;
      }
      case 'exported':
        this.announcer.textContent = message.ok ? 'Exported.' : `Export failed: ${message.message ?? ''}`;
        break;
      case 'error':
        this.announcer.textContent = message.message;
        break;
      case 'stepDetail':
        break;
    }
  }

  private showTrace(view: TraceView, traces: readonly TraceListItem[], select?: number): void {
    const started = performance.now();
    this.view = view;
    this.steps = view.steps;
    this.details.clear();
    this.state = { ...this.state, source: view.source, filter: view.filter };
    this.title.textContent = view.title;
    this.controls.setTraces(traces, view.source);
    this.controls.setFilterOptions(view.objects, view.components, view.filter.object, view.filter.component, view.filter.collapseHeartbeats);
    this.lifelineKey = '';
    this.refreshLifelines(view.lifelines);
    this.sequence.setSteps(this.steps);
    const wanted = select ?? this.state.selected;
    const at = wanted === undefined ? -1 : this.steps.findIndex((s) => s.id === wanted);
    this.index = -1;
    this.go(this.state.follow ? this.steps.length - 1 : Math.max(0, at), started);
  }

  private refreshLifelines(lifelines: readonly Lifeline[]): void {
    const key = lifelines.map((l) => l.id).join(',');
    if (key === this.lifelineKey || !this.view) return;
    this.lifelineKey = key;
    this.topology.render(this.view.topology, lifelines);
    this.sequence.setLifelines(lifelines);
  }

  /** Select step `i` (clamped): both views, the details, the scrubber. */
  private go(i: number, started = performance.now()): void {
    if (this.steps.length === 0) {
      this.index = -1;
      this.topology.show(undefined);
      this.detailView.show(undefined, -1, 0);
      this.controls.setPosition(0, 0, '');
      this.setPlaying(false);
      this.rendered(started);
      return;
    }
    const index = Math.max(0, Math.min(this.steps.length - 1, i));
    const step = this.steps[index];
    this.index = index;
    this.sequence.select(index);
    this.topology.show(step);
    this.controls.setPosition(index, this.steps.length, formatTime(step.t));
    this.announcer.textContent = `Step ${index + 1} of ${this.steps.length}: ${step.from} to ${step.to}, ${step.title}`;
    this.state = { ...this.state, selected: step.id };
    this.save();
    const cached = this.details.get(step.id);
    this.detailView.show(step, index, this.steps.length, cached, this.indexOfId);
    if (cached) this.rendered(started);
    else this.fetchDetail(step.id, started);
    // Ask ahead for the neighbours, so that stepping and playing draw at once.
    for (const near of [index + 1, index + 2, index - 1]) {
      const id = this.steps[near]?.id;
      if (id !== undefined && !this.details.has(id) && !this.requested.has(id)) this.fetchDetail(id);
    }
  }

  private readonly requested = new Set<number>();

  private fetchDetail(id: number, started?: number): void {
    this.requested.add(id);
    this.bridge.stepDetail(id, (detail) => {
      this.requested.delete(id);
      if (detail) {
        if (this.details.size > 2000) this.details.clear();
        this.details.set(id, detail);
      }
      const index = this.index;
      const step = this.steps[index];
      if (step?.id !== id) return;
      this.detailView.show(step, index, this.steps.length, detail, this.indexOfId);
      this.rendered(started ?? performance.now());
    });
  }

  private readonly indexOfId = (id: number): number => this.steps.findIndex((s) => s.id === id);

  private rendered(started: number): void {
    this.bridge.post({ type: 'rendered', steps: this.steps.length, selected: this.steps[this.index]?.id, ms: performance.now() - started });
  }

  private setPlaying(playing: boolean): void {
    this.playing = playing && this.steps.length > 0;
    this.controls.setPlaying(this.playing);
    clearTimeout(this.timer);
    if (!this.playing) return;
    if (this.index >= this.steps.length - 1) this.go(0);
    const tick = () => {
      if (!this.playing) return;
      if (this.index >= this.steps.length - 1) return this.setPlaying(false);
      this.go(this.index + 1);
      this.timer = setTimeout(tick, 1000 / this.state.speed);
    };
    this.timer = setTimeout(tick, 1000 / this.state.speed);
  }

  private setSpeed(speed: number): void {
    if (!SPEEDS.includes(speed)) return;
    this.state = { ...this.state, speed };
    this.controls.setSpeed(speed);
    this.save();
  }

  private key(e: KeyboardEvent): void {
    const target = e.target as HTMLElement | null;
    // Fields handle their own keys (the scrubber steps with the arrows itself); a focused button clicks on Space.
    if (target && /^(INPUT|TEXTAREA|VSCODE-SINGLE-SELECT|VSCODE-CHECKBOX|VSCODE-TEXTFIELD)$/.test(target.tagName)) return;
    if (target?.tagName === 'VSCODE-BUTTON' && (e.key === ' ' || e.key === 'Enter')) return;
    const speedIndex = SPEEDS.indexOf(this.state.speed);
    const actions: Record<string, () => void> = {
      ArrowRight: () => this.go(this.index + 1),
      ArrowDown: () => this.go(this.index + 1),
      ArrowLeft: () => this.go(this.index - 1),
      ArrowUp: () => this.go(this.index - 1),
      Home: () => this.go(0),
      End: () => this.go(this.steps.length - 1),
      ' ': () => this.setPlaying(!this.playing),
      '+': () => this.setSpeed(SPEEDS[Math.min(SPEEDS.length - 1, speedIndex + 1)]),
      '-': () => this.setSpeed(SPEEDS[Math.max(0, speedIndex - 1)]),
      f: () => {
        this.state = { ...this.state, follow: !this.state.follow };
        this.controls.setFollow(this.state.follow);
        this.save();
      },
    };
    const action = actions[e.key];
    if (!action || e.ctrlKey || e.metaKey || e.altKey) return;
    e.preventDefault();
    action();
  }

  private save(): void {
    this.bridge.saveState(this.state);
  }
}

new FlowApp(document.getElementById('flow') ?? document.body);
