import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { diffLines, withContext } from '../../../../src/sim/trace/line-diff';

function lcsLength(a: string[], b: string[]): number {
  const dp: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) dp[i][j] = a[i - 1] === b[j - 1] ? dp[i - 1][j - 1] + 1 : Math.max(dp[i - 1][j], dp[i][j - 1]);
  }
  return dp[a.length][b.length];
}

describe('trace/line-diff', () => {
  it('marks an added field and a changed value', () => {
    const before = ['metadata:', '  name: web', 'spec:', '  containers: []'];
    const after = ['metadata:', '  name: web', '  resourceVersion: "12"', 'spec:', '  containers: []', '  nodeName: worker-2'];
    assert.deepEqual(diffLines(before, after), [
      { op: ' ', text: 'metadata:' },
      { op: ' ', text: '  name: web' },
      { op: '+', text: '  resourceVersion: "12"' },
      { op: ' ', text: 'spec:' },
      { op: ' ', text: '  containers: []' },
      { op: '+', text: '  nodeName: worker-2' },
    ]);
    assert.deepEqual(diffLines(['phase: Pending'], ['phase: Running']), [
      { op: '-', text: 'phase: Pending' },
      { op: '+', text: 'phase: Running' },
    ]);
  });

  it('reconstructs both sides with a shortest edit script (property)', () => {
    const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 30 });
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const diff = diffLines(a, b);
        assert.deepEqual(diff.filter((l) => l.op !== '+').map((l) => l.text), a);
        assert.deepEqual(diff.filter((l) => l.op !== '-').map((l) => l.text), b);
        const edits = diff.filter((l) => l.op !== ' ').length;
        assert.equal(edits, a.length + b.length - 2 * lcsLength(a, b));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps only the context around changes', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    const after = before.map((l, i) => (i === 10 ? 'changed' : l));
    const shown = withContext(diffLines(before, after), 2);
    assert.deepEqual(shown.map((l) => `${l.op}${l.text}`), [' …', ' line 8', ' line 9', '-line 10', '+changed', ' line 11', ' line 12', ' …']);
  });
});
