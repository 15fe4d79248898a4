import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as l10n from '@vscode/l10n';
import { ROOT_ID, TreeModel } from '../../../src/host/tree/model';
import { defaultState, master } from './fixtures';

/**
 * The tree model is pure (no vscode import) and localizes through @vscode/l10n, which the extension configures
 * at activation with VS Code's bundle for the display language. Here a small pseudo-translated bundle stands in
 * for it; the English strings are the bundle's keys, as in l10n/bundle.l10n.json.
 */
const PSEUDO: Record<string, string> = {
  'Control plane': '[Ƈǿƞŧřǿŀ ƥŀȧƞḗ]',
  // A translation may reorder the placeholders.
  '{0}/{1} API servers in rotation': '[{1} ȦƤƗ şḗřṽḗřş, {0} īƞ řǿŧȧŧīǿƞ]',
  'Healthy': '[Ħḗȧŀŧħẏ]',
  'Simulated time: {0}': '[Şīḿŭŀȧŧḗḓ ŧīḿḗ: {0}]',
};

describe('tree model localization', () => {
  afterEach(() => l10n.config({ contents: {} }));

  it('uses the bundle @vscode/l10n was configured with, and keeps the health value the code compares', () => {
    l10n.config({ contents: PSEUDO });
    const model = new TreeModel(defaultState());
    const labels = model.roots().map((id) => model.row(id)!.label);
    assert.equal(labels[1], '[Ƈǿƞŧřǿŀ ƥŀȧƞḗ]');
    assert.equal(labels[0], 'Cluster', 'a message the bundle lacks stays English');
    const lb = model.row(model.children('cluster/control-plane')[0])!;
    assert.equal(lb.description, '[3 ȦƤƗ şḗřṽḗřş, 3 īƞ řǿŧȧŧīǿƞ]');
    const root = model.row(ROOT_ID)!;
    assert.equal(model.health, 'Healthy', 'the Health value is not translated');
    assert.equal(root.description, '[Ħḗȧŀŧħẏ] · T+1m30s');
    // The translated health is a value inserted into a markdown line: it goes in md()-escaped.
    assert.equal(root.tooltip.split('  \n').slice(0, 3).join('|'), '**Cluster: \\[Ħḗȧŀŧħẏ\\]**||[Şīḿŭŀȧŧḗḓ ŧīḿḗ: T+1m30s]');
    assert.equal(root.icon.color, 'charts.green', 'logic still reads the Health value');
  });

  it('falls back to English with the arguments substituted when no bundle is configured', () => {
    const state = defaultState({ masters: [master('master-1', 'us-east-2a', { apiserver: { running: true, inRotation: false } }), master('master-2', 'us-east-2b')] });
    const model = new TreeModel(state);
    assert.equal(model.row('cluster/control-plane')!.label, 'Control plane');
    assert.equal(model.row('cluster/control-plane/lb:lb')!.description, '1/2 API servers in rotation');
    assert.equal(model.row('cluster/control-plane/master:master-1/component:apiserver')!.description, 'out of rotation');
  });
});

const root = join(__dirname, '..', '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

describe('l10n bundle', () => {
  it('l10n/bundle.l10n.json lists every message of the host (run `npm run l10n` after adding one)', () => {
    const bundle = JSON.parse(readFileSync(join(root, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<string, string>;
    const messages = new Set<string>();
    for (const file of [...sources(join(root, 'src', 'host')), join(root, 'src', 'extension.ts')]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bl10n\.t\(\s*'((?:[^'\\]|\\.)*)'/g)) {
        messages.add(m[1].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)));
      }
    }
    assert.ok(messages.has('{0}/{1} API servers in rotation') && messages.size > 100, `found ${messages.size} messages`);
    assert.deepEqual([...messages].filter((m) => !(m in bundle)), []);
  });
});
