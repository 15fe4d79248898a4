import { strict as assert } from 'node:assert';
import { ManifestValidator, validateText } from '../../../src/manifest';

function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

describe('manifest: bad input', () => {
  it('empty files and empty documents are fine', () => {
    for (const text of ['', '\n', '---\n', '---\n---\n', '# only a comment\n', '...\n']) {
      assert.deepEqual(validateText(text).diagnostics, [], JSON.stringify(text));
    }
  });

  it('binary junk gives one clear diagnostic', () => {
    const bytes = Array.from({ length: 4096 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join('');
    const { value, ms } = timed(() => validateText(bytes));
    assert.ok(value.diagnostics.length >= 1 && value.diagnostics.length <= 3, `${value.diagnostics.length} diagnostics`);
    assert.match(value.diagnostics[0].message, /control characters are not allowed/);
    assert.ok(ms < 500, `${ms} ms`);
  });

  it('a 5 MB file validates in bounded time', () => {
    const doc = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n' + Array.from({ length: 40 }, (_, i) => `  key${i}: "${'x'.repeat(40)}"`).join('\n') + '\n';
    const text = Array.from({ length: Math.ceil((5 * 1024 * 1024) / doc.length) }, () => doc).join('---\n');
    assert.ok(text.length >= 5 * 1024 * 1024);
    const { value, ms } = timed(() => validateText(text));
    assert.equal(value.diagnostics.length, 0);
    assert.ok(ms < 15_000, `${ms} ms`);
  });

  it('a single document over the API server limit is refused without parsing', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  big: "' + 'x'.repeat(3 * 1024 * 1024 + 10) + '"\n';
    const { value, ms } = timed(() => validateText(text));
    assert.deepEqual(value.diagnostics.map((d) => d.rule), ['document-too-large']);
    assert.match(value.diagnostics[0].message, /^Request entity too large: limit is 3145728/);
    assert.ok(ms < 2000, `${ms} ms`);
  });

  it('a YAML alias bomb is stopped by the alias limit', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      lines.push(`${next}: &${next} [${Array.from({ length: 9 }, () => `*${prev}`).join(',')}]`);
    }
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\n${lines.join('\n')}\n`;
    const { value, ms } = timed(() => validateText(text));
    assert.deepEqual(value.diagnostics.map((d) => d.rule), ['yaml-alias-limit']);
    assert.ok(ms < 2000, `${ms} ms`);
  });

  it('deeply nested documents get a diagnostic, not a stack overflow', () => {
    for (const text of ['a: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n', 'a: ' + '{b: '.repeat(3000) + '1' + '}'.repeat(3000) + '\n', Array.from({ length: 300 }, (_, i) => `${' '.repeat(i * 2)}k${i}:`).join('\n') + ' 1\n']) {
      const { value, ms } = timed(() => validateText(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\n${text}`));
      assert.ok(value.diagnostics.length >= 1 && value.diagnostics.length <= 5, `${value.diagnostics.map((d) => d.message).join('\n')}`);
      assert.ok(value.diagnostics.some((d) => d.severity === 'error'));
      assert.ok(ms < 5000, `${ms} ms`);
    }
  });

  it('garbage YAML gives bounded diagnostics', () => {
    const text = Array.from({ length: 2000 }, (_, i) => (i % 3 === 0 ? 'key: [unclosed' : i % 3 === 1 ? '  - : :' : '"open')).join('\n');
    const { value, ms } = timed(() => new ManifestValidator().validate(`apiVersion: v1\nkind: Pod\n${text}`));
    assert.ok(value.diagnostics.length >= 1 && value.diagnostics.length <= 200, `${value.diagnostics.length}`);
    assert.ok(ms < 5000, `${ms} ms`);
  });
});
