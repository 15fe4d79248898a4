import { strict as assert } from 'node:assert';
import {
  NodeSelectorMatcher,
  formatLabelSelector,
  isQualifiedName,
  labelSelectorAsSelector,
  matchesLabelSelector,
  nodeSelectorTermMatches,
  parseSelector,
  tryParseSelector,
} from '../../../src/sim/api/labels';
import type { LabelSelector, NodeSelectorTerm } from '../../../src/sim/api/types';

describe('sim/api/labels', () => {
  describe('parsing selector strings', () => {
    const cases: [string, string][] = [
      // input, canonical string (requirements sorted by key, values sorted)
      ['', ''],
      ['a=b', 'a=b'],
      ['a==b', 'a==b'],
      ['a!=b', 'a!=b'],
      ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
      ['app=web, tier in (db, cache),!legacy', 'app=web,!legacy,tier in (cache,db)'], // sorted by key, as upstream
      ['env notin (prod)', 'env notin (prod)'],
      ['gpu>2,mem<5', 'gpu>2,mem<5'],
      ['a=', 'a='],
      ['example.com/role=edge', 'example.com/role=edge'],
      ['in in (in)', 'in in (in)'],
    ];
    for (const [input, canonical] of cases) {
      it(`"${input}" → "${canonical}"`, () => assert.equal(parseSelector(input).toString(), canonical));
    }

    const errors: [string, string][] = [
      ['a=b,', "found '', expected: identifier after ','"],
      ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
      ['=b', "found '=', expected: !, identifier, or 'end of string'"],
      ['a in b', "unable to parse requirement: found 'b' expected: '('"],
      ['a in (b c)', "unable to parse requirement: found 'c', expected: ',' or ')'"],
      ['a (b)', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
      ['a>x', "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"],
      ['!a=b', "found '=', expected: ',' or 'end of string'"],
      [
        '-a=b',
        `unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      ],
      [
        'a=b.',
        `unable to parse requirement: values[0][a]: Invalid value: "b.": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      ],
    ];
    for (const [input, message] of errors) {
      it(`rejects "${input}"`, () => assert.deepEqual(tryParseSelector(input), { error: message }));
    }
  });

  describe('matching', () => {
    const labels = { app: 'web', tier: 'db', gpu: '4', legacy: '' };
    const cases: [string, boolean][] = [
      ['', true],
      ['app=web', true],
      ['app=api', false],
      ['app!=api', true],
      ['missing!=x', true],
      ['tier in (db,cache)', true],
      ['tier notin (db)', false],
      ['missing notin (db)', true],
      ['legacy', true],
      ['!legacy', false],
      ['!missing', true],
      ['gpu>3', true],
      ['gpu<4', false],
      ['app>1', false],
      ['legacy=', true],
      ['app=web,tier=cache', false],
    ];
    for (const [selector, expected] of cases) {
      it(`"${selector}" ${expected ? 'matches' : 'does not match'}`, () => assert.equal(parseSelector(selector).matches(labels), expected));
    }
  });

  describe('LabelSelector objects', () => {
    const cases: [string, LabelSelector | undefined, string, boolean][] = [
      ['nil selects nothing', undefined, '<none>', false],
      ['empty selects everything', {}, '<none>', true],
      ['matchLabels', { matchLabels: { app: 'web' } }, 'app=web', true],
      ['matchLabels, other value', { matchLabels: { app: 'api' } }, 'app=api', false],
      [
        'matchLabels and expressions',
        { matchLabels: { tier: 'db' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }, { key: 'app', operator: 'Exists' }] },
        'app,env in (dev,prod),tier=db',
        true,
      ],
      ['NotIn', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, 'env notin (prod)', false],
      ['DoesNotExist', { matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] }, '!canary', true],
      ['In without values is invalid', { matchExpressions: [{ key: 'env', operator: 'In', values: [] }] }, '<error>', false],
    ];
    const labels = { app: 'web', tier: 'db', env: 'prod' };
    for (const [name, selector, text, matches] of cases) {
      it(name, () => {
        assert.equal(formatLabelSelector(selector), text);
        assert.equal(matchesLabelSelector(selector, labels), matches);
      });
    }

    it('reports a bad operator like upstream', () => {
      assert.throws(
        () => labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'Gt' as 'In', values: ['1'] }] }),
        { message: '"Gt" is not a valid label selector operator' },
      );
    });
  });

  describe('node selector terms', () => {
    const node = { name: 'worker-2', labels: { 'topology.kubernetes.io/zone': 'us-east-2b', 'cpu-count': '8', disk: 'ssd' } };
    const cases: [string, NodeSelectorTerm[], boolean][] = [
      ['no terms match nothing', [], false],
      ['an empty term matches nothing', [{}], false],
      ['In', [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }], true],
      ['NotIn', [{ matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['ssd'] }] }], false],
      ['Exists', [{ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }], true],
      ['DoesNotExist', [{ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }], true],
      ['Gt', [{ matchExpressions: [{ key: 'cpu-count', operator: 'Gt', values: ['4'] }] }], true],
      ['Lt', [{ matchExpressions: [{ key: 'cpu-count', operator: 'Lt', values: ['4'] }] }], false],
      ['expressions in a term are ANDed', [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }, { key: 'gpu', operator: 'Exists' }] }], false],
      ['terms are ORed', [{ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }, { matchExpressions: [{ key: 'disk', operator: 'Exists' }] }], true],
      ['matchFields metadata.name In', [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['worker-2'] }] }], true],
      ['matchFields metadata.name NotIn', [{ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['worker-2'] }] }], false],
      ['matchFields with an unsupported key never matches', [{ matchFields: [{ key: 'metadata.uid', operator: 'In', values: ['x'] }] }], false],
      [
        'an invalid term is skipped, the valid one still matches',
        [{ matchExpressions: [{ key: 'cpu-count', operator: 'Gt', values: ['many'] }] }, { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }],
        true,
      ],
    ];
    for (const [name, terms, expected] of cases) {
      it(name, () => assert.equal(new NodeSelectorMatcher(terms).matches(node), expected));
    }

    it('records why an invalid term was skipped', () => {
      const m = new NodeSelectorMatcher([{ matchExpressions: [{ key: 'cpu-count', operator: 'Gt', values: ['many'] }] }]);
      assert.deepEqual(m.errors, ["matchExpressions[0].values[0]: Invalid value: \"many\": for 'Gt', 'Lt' operators, the value must be an integer"]);
    });

    it('matches a single preferred term', () => {
      assert.equal(nodeSelectorTermMatches({ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd', 'nvme'] }] }, node), true);
      assert.equal(nodeSelectorTermMatches({}, node), false);
    });
  });

  it('validates qualified names', () => {
    assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
    assert.deepEqual(isQualifiedName('/name'), ['prefix part must be non-empty']);
    assert.equal(isQualifiedName('a/b/c').length, 1);
    assert.deepEqual(isQualifiedName('x'.repeat(64)), ['name part must be no more than 63 characters']);
  });
});
