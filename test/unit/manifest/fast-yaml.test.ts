import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import { fastParse } from '../../../src/manifest/fast-yaml';
import { parseYamlDocument, splitDocuments } from '../../../src/manifest/yaml-document';
import { fixture, repoRoot } from './helpers';

/** Every node's position, as the checks downstream use them: [start, valueEnd] of scalars, start of collections. */
function shape(node: unknown, path = '$', out: string[] = []): string[] {
  if (isMap(node)) {
    out.push(`${path} map@${node.range?.[0]}${node.flow ? ' flow' : ''}`);
    for (const p of node.items) {
      if (!isPair(p) || !isScalar(p.key)) throw new Error('complex key');
      out.push(`${path}.${String(p.key.value)} key@${p.key.range?.[0]}-${p.key.range?.[1]}`);
      shape(p.value, `${path}.${String(p.key.value)}`, out);
    }
  } else if (isSeq(node)) {
    out.push(`${path} seq@${node.range?.[0]}${node.flow ? ' flow' : ''}`);
    node.items.forEach((item, i) => shape(item, `${path}[${i}]`, out));
  } else if (isScalar(node)) {
    out.push(`${path} scalar@${node.range?.[0]}-${node.range?.[1]} ${JSON.stringify(node.value)}`);
  } else {
    out.push(`${path} ${String(node)}`);
  }
  return out;
}

/** The fast reader either declines or agrees with the yaml package exactly (values and positions). */
function agrees(text: string): boolean {
  const fast = fastParse(text);
  if (!fast) return false;
  const full = parseYamlDocument(text);
  assert.deepEqual(full.errors, [], `yaml rejects what the fast reader accepted:\n${text}`);
  assert.deepEqual(fast.value, full.toJS(), `values differ for:\n${text}`);
  assert.deepEqual(shape(fast.contents), shape(full.contents), `positions differ for:\n${text}`);
  return true;
}

describe('manifest/fast-yaml', () => {
  it('reads every valid fixture document exactly as the yaml package does (or declines)', () => {
    const dir = join(repoRoot(), 'test/fixtures/manifests/valid');
    let read = 0;
    let total = 0;
    for (const file of readdirSync(dir)) {
      for (const doc of splitDocuments(fixture(`valid/${file}`))) {
        total++;
        if (agrees(doc.text)) read++;
      }
    }
    assert.ok(read >= total - 6, `the fast reader handled only ${read} of ${total} documents`);
  });

  const cases: [string, string][] = [
    ['YAML 1.1 booleans and nulls', 'a: yes\nb: off\nc: ~\nd: Null\ne: y\nf: N\ng: True\n'],
    ['numbers', 'a: 1\nb: -2\nc: +3\nd: 1.5\ne: .5\nf: 0\ng: 2.\n'],
    ['quantities stay strings', 'cpu: 250m\nmemory: 64Mi\nx: 2Gi\n'],
    ['quoted strings and comments', 'a: "x # y" # c\nb: \'it\'\'s\'\nc: plain # c\n"d": 1\n'],
    ['flow lists and empty collections', 'a: [x, "y", 3]\nb: []\nc: {}\nd: [ ]\n'],
    ['compact and indented lists', 'a:\n- x\n- w: 1\n  z: 2\nb:\n  - p\n  -\n    q: 1\n'],
    ['literal block scalars', 'a: |\n  x\n    y\n\n  z\nb: |-\n  s\nc: |+\n  k\n\nd: 1\n'],
    ['empty values', 'a:\nb: \nc:\n  d:\ne: # c\n'],
    ['a leading document marker', '---\na: 1\n'],
  ];
  for (const [name, text] of cases) {
    it(`agrees on ${name}`, () => assert.ok(agrees(text), 'the fast reader declined'));
  }

  const declined: [string, string][] = [
    ['anchors and aliases', 'a: &x 1\nb: *x\n'],
    ['tags', 'a: !!str 1\n'],
    ['folded scalars', 'a: >\n  x\n'],
    ['multi-line plain scalars', 'a: x\n  y\n'],
    ['flow maps', 'a: {b: 1}\n'],
    ['tabs', 'a:\tb\n'],
    ['duplicate keys', 'a: 1\na: 2\n'],
    ['octal and sexagesimal numbers', 'a: 0777\n'],
    ['timestamps', 'a: 2024-01-01\n'],
    ['keys that are not strings', 'on: push\n'],
    ['merge keys', 'a:\n  <<: {}\n'],
    ['escapes in double quotes', 'a: "x\\ty"\n'],
    ['bad indentation', 'a:\n    b: 1\n  c: 2\n'],
  ];
  for (const [name, text] of declined) {
    it(`leaves ${name} to the yaml package`, () => assert.equal(fastParse(text), undefined));
  }

  it('agrees with the yaml package on generated block documents (property)', () => {
    const key = fc.constantFrom('name', 'image', 'app', 'a.b/c', 'x_y', 'port', 'on', 'y', 'Key', '"quoted"');
    const scalarText = fc.constantFrom('web', '80', '-1', '1.5', 'yes', 'no', '~', '', '"80"', "'x'", '250m', '64Mi', 'a b', 'nginx:1.27', '[a, b]', '[]', '{}', '0x1F', '1e3', 'x # c', '-x');
    const block: fc.Arbitrary<string[]> = fc.letrec<{ map: string[]; seq: string[]; value: string[] }>((tie) => ({
      value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalarText.map((s) => [s]), tie('map'), tie('seq')),
      map: fc.array(fc.tuple(key, tie('value')), { minLength: 1, maxLength: 4 }).map((entries) =>
        entries.flatMap(([k, v]) => (v.length === 1 && !v[0].startsWith('  ') && !v[0].startsWith('- ') ? [`${k}: ${v[0]}`] : [`${k}:`, ...v.map((l) => `  ${l}`)])),
      ),
      seq: fc.array(tie('value'), { minLength: 1, maxLength: 3 }).map((items) =>
        items.flatMap((v) => (v.length === 1 && !v[0].startsWith('  ') && !v[0].startsWith('- ') ? [`- ${v[0]}`] : [`- ${v[0].trimStart()}`, ...v.slice(1).map((l) => `  ${l}`)])),
      ),
    })).map;
    fc.assert(
      fc.property(block, (lines) => {
        const text = lines.join('\n') + '\n';
        const fast = fastParse(text);
        if (!fast) return;
        const full = parseYamlDocument(text);
        if (full.errors.length > 0) throw new Error(`fast reader accepted invalid YAML:\n${text}`);
        agrees(text);
      }),
      { numRuns: 400, seed: 42 },
    );
  });
});
