/** Shared assertions over request-flow steps (unit and integration tests). */
import { strict as assert } from 'node:assert';
import type { StepSummary } from '../../src/protocol';

/** Asserts that steps matching each predicate appear in this order. */
export function inOrder(steps: readonly StepSummary[], expected: [string, (s: StepSummary) => boolean][]): void {
  let at = -1;
  for (const [what, match] of expected) {
    const found = steps.findIndex((s, i) => i > at && match(s));
    assert.ok(found > at, `${what} after step ${at + 1}:\n${steps.map((s, i) => `${i + 1} ${s.kind} ${s.from} → ${s.to} ${s.title}`).join('\n')}`);
    at = found;
  }
}
