/**
 * A line diff (Myers' O(ND) algorithm): the shortest edit script turning `before` into `after`,
 * as unchanged / added / removed lines. Used to show how an object changed between two hops.
 */
import type { DiffLine } from './model';

export function diffLines(before: readonly string[], after: readonly string[]): DiffLine[] {
  // Strip the common head and tail first: objects usually change in a few places.
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (
    tail < before.length - head &&
    tail < after.length - head &&
    before[before.length - 1 - tail] === after[after.length - 1 - tail]
  ) tail++;
  const a = before.slice(head, before.length - tail);
  const b = after.slice(head, after.length - tail);
  const out: DiffLine[] = before.slice(0, head).map((text) => ({ op: ' ', text }));
  out.push(...middle(a, b));
  for (let i = before.length - tail; i < before.length; i++) out.push({ op: ' ', text: before[i] });
  return out;
}

function middle(a: readonly string[], b: readonly string[]): DiffLine[] {
  const n = a.length;
  const m = b.length;
  if (n === 0) return b.map((text) => ({ op: '+', text }));
  if (m === 0) return a.map((text) => ({ op: '-', text }));
  const max = n + m;
  const offset = max;
  let v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
    v = next;
  }
  // Walk back through the saved frontiers to recover the edit script.
  const edits: DiffLine[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d > 0; d--) {
    const frontier = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && frontier[offset + k - 1] < frontier[offset + k + 1]) ? k + 1 : k - 1;
    const prevX = frontier[offset + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      edits.push({ op: ' ', text: a[--x] });
      y--;
    }
    if (x === prevX) edits.push({ op: '+', text: b[--y] });
    else edits.push({ op: '-', text: a[--x] });
  }
  while (x > 0 && y > 0) {
    edits.push({ op: ' ', text: a[--x] });
    y--;
  }
  return edits.reverse();
}

/** Only the changed lines with `context` unchanged lines around each change; gaps become one "…" line. */
export function withContext(lines: readonly DiffLine[], context = 3): DiffLine[] {
  const keep = new Uint8Array(lines.length);
  lines.forEach((line, i) => {
    if (line.op === ' ') return;
    for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++) keep[j] = 1;
  });
  const out: DiffLine[] = [];
  let skipped = false;
  lines.forEach((line, i) => {
    if (keep[i]) {
      out.push(line);
      skipped = false;
    } else if (!skipped) {
      out.push({ op: ' ', text: '…' });
      skipped = true;
    }
  });
  return out;
}
