import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  ERR_FORMAT_WRONG,
  ERR_SUFFIX,
  canonicalQuantity,
  cpuMillis,
  formatBytes,
  formatCpu,
  isQuantityError,
  memoryBytes,
  parseQuantity,
} from '../../../src/manifest/quantity';

describe('manifest/quantity', () => {
  const valid: [string | number, number, string][] = [
    // input, value, canonical form
    ['500m', 0.5, '500m'],
    ['1', 1, '1'],
    ['1.5', 1.5, '1500m'],
    ['0.1', 0.1, '100m'],
    ['2k', 2000, '2k'],
    ['1M', 1e6, '1M'],
    ['1G', 1e9, '1G'],
    ['1Ki', 1024, '1Ki'],
    ['128Mi', 134217728, '128Mi'],
    ['1.5Gi', 1610612736, '1536Mi'],
    ['1Ti', 1099511627776, '1Ti'],
    ['0.5Ki', 512, '512'],
    ['1e3', 1000, '1e3'],
    ['1E3', 1000, '1e3'],
    ['1.5e3', 1500, '1500'],
    ['12e-3', 0.012, '12e-3'],
    ['+7', 7, '7'],
    ['-3', -3, '-3'],
    ['100u', 0.0001, '100u'],
    ['5n', 5e-9, '5n'],
    ['1E', 1e18, '1E'],
    ['0', 0, '0'],
    ['1.', 1, '1'],
    ['.5', 0.5, '500m'],
    [2, 2, '2'],
    [0.25, 0.25, '250m'],
  ];
  for (const [input, value, canonical] of valid) {
    it(`parses ${JSON.stringify(input)} as ${value} (canonical ${canonical})`, () => {
      const q = parseQuantity(input);
      assert.ok(!isQuantityError(q), String((q as { error?: string }).error));
      assert.equal(q.value, value);
      assert.equal(canonicalQuantity(q), canonical);
    });
  }

  const invalid: [string, string][] = [
    ['', ERR_FORMAT_WRONG],
    ['1.5.5', ERR_FORMAT_WRONG],
    ['abc', ERR_FORMAT_WRONG],
    ['1 Gi', ERR_FORMAT_WRONG],
    ['1Gi ', ERR_FORMAT_WRONG],
    ['1GiB', ERR_FORMAT_WRONG],
    ['1mi', ERR_SUFFIX],
    ['1e', ERR_SUFFIX],
    ['5i', ERR_SUFFIX],
    ['1KB', ERR_FORMAT_WRONG],
  ];
  for (const [input, error] of invalid) {
    it(`rejects ${JSON.stringify(input)} with upstream's message`, () => {
      assert.deepEqual(parseQuantity(input), { error });
    });
  }

  it('quotes the upstream regular expression in the format error', () => {
    assert.equal(ERR_FORMAT_WRONG, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  });

  it('rounds up as MilliValue and Value do', () => {
    assert.equal(cpuMillis('0.1'), 100);
    assert.equal(cpuMillis('0.0001'), 1);
    assert.equal(cpuMillis('250m'), 250);
    assert.equal(cpuMillis(2), 2000);
    assert.equal(cpuMillis('1.5'), 1500);
    assert.equal(memoryBytes('1.5Gi'), 1610612736);
    assert.equal(memoryBytes('100m'), 1);
    assert.equal(memoryBytes('1e3'), 1000);
    assert.throws(() => cpuMillis('lots'), /quantities must match/);
  });

  it('rounds sub-nano amounts up to 1n', () => {
    const q = parseQuantity('0.1n');
    assert.ok(!isQuantityError(q));
    assert.equal(q.nanos, 1n);
    assert.equal(canonicalQuantity(q), '1n');
  });

  it('formats for display', () => {
    assert.equal(formatCpu(1500), '1500m');
    assert.equal(formatCpu(2000), '2');
    assert.equal(formatCpu(0), '0');
    assert.equal(formatBytes(1610612736), '1.5Gi');
    assert.equal(formatBytes(134217728), '128Mi');
    assert.equal(formatBytes(512), '512');
    assert.equal(formatBytes(8 * 1024 ** 3), '8Gi');
  });

  it('canonical form parses back to the same amount (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom('', 'm', 'k', 'Ki', 'Mi', 'Gi', 'M', 'G', 'e2', 'u'), (n, suffix) => {
        const q = parseQuantity(`${n}${suffix}`);
        assert.ok(!isQuantityError(q));
        const back = parseQuantity(canonicalQuantity(q));
        assert.ok(!isQuantityError(back));
        assert.equal(back.nanos, q.nanos);
      }),
    );
  });
});
