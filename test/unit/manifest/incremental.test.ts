import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { ManifestValidator, validateText } from '../../../src/manifest';
import { fixture } from './helpers';

const FILE = ['pod.yaml', 'deployment.yaml', 'service.yaml', 'configmap.yaml', 'multi.yaml'].map((f) => fixture(`valid/${f}`).trimEnd()).join('\n---\n') + '\n';

describe('manifest: incremental validation', () => {
  it('re-validates only the document that changed', () => {
    const validator = new ManifestValidator();
    const first = validator.validate(FILE);
    assert.equal(first.revalidated, first.documents.length);
    const again = validator.validate(FILE);
    assert.equal(again.revalidated, 0);
    const edited = validator.validate(FILE.replace('replicas: 3', 'replicas: "3"'));
    assert.equal(edited.revalidated, 1);
    assert.deepEqual(edited.diagnostics.map((d) => d.rule), ['invalid-type']);
  });

  it('places cached diagnostics at their new offsets when text above them moves', () => {
    const validator = new ManifestValidator();
    const broken = FILE.replace('type: NodePort', 'type: Nodeport');
    validator.validate(broken);
    const shifted = validator.validate('# a new comment line\n' + broken);
    assert.equal(shifted.revalidated, 1); // only the first document's text changed
    const d = shifted.diagnostics.find((x) => x.rule === 'unsupported-value')!;
    const text = '# a new comment line\n' + broken;
    assert.equal(text.slice(d.offsets.start, d.offsets.end), 'Nodeport');
    assert.equal(d.range.start.line, text.slice(0, d.offsets.start).split('\n').length - 1);
  });

  it('gives the same result as a fresh validation after any sequence of edits (property)', () => {
    const edits = fc.array(
      fc.record({ at: fc.nat(FILE.length), remove: fc.nat(12), insert: fc.constantFrom('', 'x', ' ', '\n', ': ', '- ', '---\n', '"', '80', 'name: Web\n') }),
      { minLength: 1, maxLength: 6 },
    );
    fc.assert(
      fc.property(edits, (list) => {
        const validator = new ManifestValidator();
        let text = FILE;
        validator.validate(text);
        for (const e of list) {
          const at = Math.min(e.at, text.length);
          text = text.slice(0, at) + e.insert + text.slice(at + e.remove);
          const incremental = validator.validate(text);
          assert.deepEqual(incremental.diagnostics, validateText(text).diagnostics);
        }
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it('re-validates one document of a 2,000-line file quickly', () => {
    const big = Array.from({ length: 46 }, (_, i) => fixture('valid/deployment.yaml').replace('name: web\n  labels', `name: web-${i}\n  labels`)).join('---\n');
    assert.ok(big.split('\n').length >= 1800);
    const validator = new ManifestValidator();
    validator.validate(big);
    const start = performance.now();
    const result = validator.validate(big.replace('name: web-7\n', 'name: web-seven\n'));
    const ms = performance.now() - start;
    assert.equal(result.revalidated, 1);
    assert.ok(ms < 50, `${ms} ms`);
    assert.equal(result.documents.length, 46);
  });
});
