/**
 * The selected step's details: what happens and why, verb and path, resourceVersion and etcd revision,
 * the quorum of an etcd commit, the scheduler's per-node table, and the object as YAML with its diff.
 */
import type { StepDetail, StepSummary } from '../../protocol';
import { clear, formatTime, h } from './dom';

type ScheduleTable = NonNullable<StepDetail['schedule']>;
type Quorum = NonNullable<StepDetail['quorum']>;

export class DetailView {
  readonly element: HTMLElement;

  constructor() {
    this.element = h('section', { class: 'details', 'aria-label': 'Step details', tabindex: 0 });
  }

  /** The summary is drawn at once; the detail fills in when the host answers. */
  show(step: StepSummary | undefined, index: number, count: number, detail?: StepDetail, indexOfId?: (id: number) => number): void {
    clear(this.element);
    if (!step) {
      this.element.append(h('p', { class: 'empty' }, count === 0 ? 'No steps match. Change the filters, or apply a manifest to the lab.' : 'Select a step.'));
      return;
    }
    const facts = h('div', { class: 'facts' });
    const fact = (label: string, value: string | number | undefined, cls = '') => {
      if (value === undefined || value === '') return;
      facts.append(h('span', { class: `fact ${cls}` }, h('span', { class: 'fact-label' }, label), h('span', { class: 'fact-value' }, String(value))));
    };
    if (step.verb || step.path) fact('request', `${step.verb ?? ''} ${step.path ?? ''}`.trim(), 'request');
    fact('code', step.code, step.code !== undefined && step.code >= 400 ? 'bad' : '');
    fact('object', step.objectKey);
    fact('resourceVersion', step.resourceVersion);
    fact('etcd revision', step.revision);
    this.element.append(
      h('div', { class: 'step-position' }, `Step ${index + 1} of ${count} · ${formatTime(step.t)} · ${step.kind}`),
      h('h2', { class: `step-title stage-${step.stage}` }, step.title),
      h('div', { class: 'route' }, h('span', { class: 'endpoint' }, step.from), h('span', { class: 'route-arrow', 'aria-label': 'to' }, step.from === step.to ? ' ⟲ ' : ' → '), h('span', { class: 'endpoint' }, step.to)),
      facts,
    );
    if (!detail) {
      this.element.append(h('p', { class: 'loading' }, 'Loading details…'));
      return;
    }
    this.element.append(h('p', { class: 'explanation' }, detail.explanation));
    if (detail.reality) this.element.append(h('aside', { class: 'reality', 'aria-label': 'What really happens' }, h('strong', undefined, 'What really happens: '), detail.reality));
    if (detail.quorum) this.element.append(quorumView(detail.quorum));
    if (detail.schedule) this.element.append(scheduleView(detail.schedule));
    if (detail.objectYaml) {
      const previous = detail.previousVersionStep === undefined || !indexOfId ? -1 : indexOfId(detail.previousVersionStep);
      this.element.append(objectView(detail, previous >= 0 ? `step ${previous + 1}` : 'an earlier step'));
    }
    if (detail.members) {
      const list = h('ol', { class: 'members' });
      for (const m of detail.members) list.append(h('li', undefined, `${formatTime(m.t)} ${m.title}`));
      this.element.append(h('h3', undefined, 'Collapsed messages'), list);
    }
    if (detail.detailYaml) {
      const more = h('vscode-collapsible', { title: 'Log entry detail', class: 'raw' });
      more.append(h('pre', { class: 'yaml' }, detail.detailYaml));
      this.element.append(more);
    }
  }
}

function quorumView(q: Quorum): HTMLElement {
  const reached = q.acks.length >= q.needed;
  const list = h('ul', { class: 'quorum-list' });
  for (const member of q.acks) list.append(h('li', { class: 'ack' }, `✓ ${member}`));
  return h('div', { class: 'quorum' },
    h('h3', undefined, 'etcd quorum'),
    h('p', undefined, `${q.acks.length} of ${q.members} members hold the entry; ${q.needed} are needed — ${reached ? 'committed' : 'not committed'}.`),
    list);
}

function scheduleView(t: ScheduleTable): HTMLElement {
  const head = h('tr', undefined, h('th', { scope: 'col' }, 'Node'), h('th', { scope: 'col' }, 'Filter'));
  // Plugin names may break between their words (NodeResources​Fit) in a narrow pane.
  for (const plugin of t.scorePlugins) head.append(h('th', { scope: 'col', class: 'num', title: plugin }, plugin.replace(/([a-z])([A-Z])/g, '$1\u200b$2')));
  head.append(h('th', { scope: 'col', class: 'num' }, 'Total'));
  const body = h('tbody');
  for (const row of t.rows) {
    const tr = h('tr', { class: row.chosen ? 'chosen' : row.feasible ? '' : 'rejected' },
      h('th', { scope: 'row' }, row.chosen ? `★ ${row.node}` : row.node),
      h('td', undefined, row.feasible ? 'fits' : row.filters.map((f) => `${f.plugin ? `${f.plugin}: ` : ''}${f.reasons.join('; ') || f.code}`).join(' · ')));
    for (const plugin of t.scorePlugins) tr.append(h('td', { class: 'num' }, row.scores[plugin] === undefined ? '' : String(row.scores[plugin])));
    tr.append(h('td', { class: 'num' }, row.total === undefined ? '' : String(row.total)));
    body.append(tr);
  }
  const caption = t.selected
    ? `Scheduling ${t.pod ?? 'the pod'}: ${t.selected} wins${t.evaluated !== undefined && t.nodes !== undefined ? ` (${t.evaluated} of ${t.nodes} nodes evaluated)` : ''}.`
    : t.message ?? 'No node fits.';
  return h('div', { class: 'schedule' }, h('h3', undefined, 'Filter and score, per node'), h('table', { class: 'schedule-table' }, h('caption', undefined, caption), h('thead', undefined, head), body));
}

function objectView(d: StepDetail, previous: string): HTMLElement {
  const whole = h('pre', { class: 'yaml', 'aria-label': 'The whole object at this step' }, d.objectYaml!);
  if (!d.diff) return h('div', { class: 'object' }, h('h3', undefined, 'Object at this step'), whole);
  const title = `What changed since ${previous}`;
  const pre = h('pre', { class: 'yaml diff', 'aria-label': title });
  for (const line of d.diff) {
    const cls = line.op === '+' ? 'added' : line.op === '-' ? 'removed' : line.text === '…' ? 'gap' : 'same';
    pre.append(h('span', { class: `line ${cls}` }, `${line.op} ${line.text}\n`));
  }
  const added = d.diff.filter((l) => l.op === '+').length;
  const removed = d.diff.filter((l) => l.op === '-').length;
  const all = h('vscode-collapsible', { title: 'The whole object at this step', class: 'whole-object' });
  all.append(whole);
  return h('div', { class: 'object' },
    h('h3', undefined, title),
    h('p', { class: 'diff-stats' }, added + removed === 0 ? 'No change: the same version, delivered again.' : `${added} line${added === 1 ? '' : 's'} added, ${removed} removed`),
    pre, all);
}
