import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers';

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'dist/cli.js'), 'validate', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('k8s-lab validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-lab-validate-'));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx\n    ports:\n    - containerPort: "80"\n');
  const good = join(repoRoot(), 'test/fixtures/manifests/valid/service.yaml');

  it('prints file:line:col: severity: message [rule] and exits 1 on errors', () => {
    const r = run(bad, good);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, `${bad}:10:22: error: spec.containers[0].ports[0].containerPort: expected integer, got string "80" [invalid-type]\n`);
  });

  it('exits 0 when every file is valid', () => {
    assert.equal(run(good).code, 0);
  });

  it('prints JSON with --output json', () => {
    const r = run('--output', 'json', bad);
    const report = JSON.parse(r.stdout) as { file: string; diagnostics: { line: number; column: number; rule: string; docs: string }[] }[];
    assert.equal(report[0].file, bad);
    assert.deepEqual(report[0].diagnostics.map((d) => [d.line, d.column, d.rule]), [[10, 22, 'invalid-type']]);
    assert.match(report[0].diagnostics[0].docs, /^https:\/\/kubernetes\.io\//);
  });

  it('exits 2 with a clear message for an unreadable file', () => {
    const r = run(join(dir, 'missing.yaml'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read ".*missing\.yaml": ENOENT/);
  });
});
