/**
 * Exports of a trace: JSON (the view and the raw log entries behind it) and a Mermaid sequence diagram
 * in Markdown, which GitHub, VS Code's Markdown preview and most wikis render.
 */
import type { LogEntry } from '../log';
import type { Lifeline, StepSummary, TraceFilter } from './model';
import type { TraceProjection } from './projection';

export interface TraceExport {
  source: string;
  title: string;
  filter: TraceFilter;
  lifelines: Lifeline[];
  steps: StepSummary[];
  /** The log entries behind the visible steps (a collapsed step's entries included). */
  entries: LogEntry[];
}

export function exportTrace(projection: TraceProjection, filter: TraceFilter): TraceExport {
  const view = projection.view(filter);
  const all = projection.entries();
  const entries: LogEntry[] = [];
  const byId = new Map<number, number>();
  all.forEach((e, i) => byId.set(e.seq, i));
  let heartbeats: Set<number> | undefined;
  for (const step of view.steps) {
    const start = byId.get(step.id)!;
    if (!step.collapsed) {
      entries.push(all[start]);
      continue;
    }
    // A collapsed run: the next `collapsed` heartbeat entries that the filter keeps, in order.
    const members = (heartbeats ??= new Set(
      projection.steps({ ...filter, collapseHeartbeats: false }).filter((s) => s.stage === 'heartbeat').map((s) => s.id),
    ));
    for (let i = start, taken = 0; i < all.length && taken < step.collapsed; i++) {
      if (!members.has(all[i].seq)) continue;
      entries.push(all[i]);
      taken++;
    }
  }
  return { source: view.source, title: view.title, filter: view.filter, lifelines: view.lifelines, steps: view.steps, entries };
}

export function traceToJson(projection: TraceProjection, filter: TraceFilter): string {
  return JSON.stringify(exportTrace(projection, filter), null, 2) + '\n';
}

/** Text Mermaid shows verbatim: its statement separator, entity marker and angle brackets become entity codes. */
const MERMAID_ENTITIES: Record<string, string> = { '#': '#35;', ';': '#59;', '<': '#lt;', '>': '#gt;' };

export function mermaidText(text: string): string {
  return text.replace(/[#;<>]/g, (c) => MERMAID_ENTITIES[c]).replace(/[\r\n]+/g, ' ');
}

const ARROWS: Partial<Record<StepSummary['kind'], string>> = {
  response: '-->>',
  watch: '-)',
  'etcd-ack': '-->>',
  'etcd-error': '--x',
};

/** The trace as a Mermaid sequence diagram, fenced for Markdown, with the title as a heading. */
export function traceToMermaid(projection: TraceProjection, filter: TraceFilter): string {
  const view = projection.view(filter);
  const used = new Set<string>();
  for (const step of view.steps) used.add(step.from).add(step.to);
  const lifelines = view.lifelines.filter((l) => used.has(l.id));
  const alias = new Map(lifelines.map((l, i) => [l.id, `P${i + 1}`]));
  const lines = [`# ${mermaidText(view.title)}`, '', '```mermaid', 'sequenceDiagram', '  autonumber'];
  for (const l of lifelines) lines.push(`  participant ${alias.get(l.id)} as ${mermaidText(l.id)}`);
  for (const step of view.steps) {
    const arrow = ARROWS[step.kind] ?? '->>';
    const time = `+${(step.t / 1000).toFixed(3)}s`;
    lines.push(`  ${alias.get(step.from)}${arrow}${alias.get(step.to)}: ${mermaidText(`${time} ${step.title}`)}`);
  }
  lines.push('```', '');
  return lines.join('\n');
}
