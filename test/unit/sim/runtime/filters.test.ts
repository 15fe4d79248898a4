import { strict as assert } from 'node:assert';
import { runFilter } from '../../../../src/sim/runtime/filters';

const page = ['<!DOCTYPE html>', '<html>', '<head>', '<title>Welcome to nginx!</title>', '<style>', 'html { color-scheme: light dark; }', '</style>', '</head>'];

describe('sim/runtime/filters', () => {
  it('grep: basic and extended patterns, -i -v -c -n -o -q -w -F -m, and its exit status', () => {
    assert.deepEqual(runFilter('grep', ['title'], page), { out: ['<title>Welcome to nginx!</title>'], err: [], status: 0 });
    assert.deepEqual(runFilter('grep', ['-i', 'WELCOME'], page)?.out, ['<title>Welcome to nginx!</title>']);
    assert.deepEqual(runFilter('grep', ['-c', 'html'], page)?.out, ['3']);
    assert.deepEqual(runFilter('grep', ['-vc', 'html'], page)?.out, ['5']);
    assert.deepEqual(runFilter('grep', ['-n', 'style'], page)?.out, ['5:<style>', '7:</style>']);
    assert.deepEqual(runFilter('grep', ['-o', 'nginx'], page)?.out, ['nginx']);
    assert.deepEqual(runFilter('grep', ['-E', 'head|title'], page)?.out, ['<head>', '<title>Welcome to nginx!</title>', '</head>']);
    // Basic regular expressions: | is literal, \| alternates.
    assert.deepEqual(runFilter('grep', ['head|title'], page)?.out, []);
    assert.deepEqual(runFilter('grep', ['head\\|title'], page)?.out, ['<head>', '<title>Welcome to nginx!</title>', '</head>']);
    assert.deepEqual(runFilter('grep', ['-F', '{ color'], page)?.out, ['html { color-scheme: light dark; }']);
    assert.deepEqual(runFilter('grep', ['-w', 'html'], ['html', 'xhtmlx', 'a html b'])?.out, ['html', 'a html b']);
    assert.deepEqual(runFilter('grep', ['-m', '1', 'h'], page)?.out, ['<!DOCTYPE html>']);
    assert.deepEqual(runFilter('grep', ['-q', 'title'], page), { out: [], err: [], status: 0 });
    assert.equal(runFilter('grep', ['nothing'], page)?.status, 1);
    assert.equal(runFilter('grep', ['x', 'index.html'], page)?.err[0], 'grep: index.html: No such file or directory');
    assert.deepEqual(runFilter('grep', ['f('], ['f(x)', 'g'])?.out, ['f(x)'], 'a literal ( in a basic pattern');
    assert.equal(runFilter('grep', ['-E', '('], page)?.err[0], "grep: bad regex '('");
  });

  it('head and tail: -n N, -N, tail +N', () => {
    const seq = Array.from({ length: 12 }, (_, i) => String(i + 1));
    assert.deepEqual(runFilter('head', [], seq)?.out, seq.slice(0, 10));
    assert.deepEqual(runFilter('head', ['-n', '3'], seq)?.out, ['1', '2', '3']);
    assert.deepEqual(runFilter('head', ['-2'], seq)?.out, ['1', '2']);
    assert.deepEqual(runFilter('tail', ['-n', '2'], seq)?.out, ['11', '12']);
    assert.deepEqual(runFilter('tail', ['-n', '+11'], seq)?.out, ['11', '12']);
    assert.equal(runFilter('head', ['-n', 'x'], seq)?.err[0], "head: invalid number 'x'");
  });

  it('wc: lines, words and bytes as BusyBox prints them', () => {
    const input = ['hello world', 'é'];
    assert.deepEqual(runFilter('wc', ['-l'], input)?.out, ['2']);
    assert.deepEqual(runFilter('wc', ['-w'], input)?.out, ['3']);
    assert.deepEqual(runFilter('wc', ['-c'], input)?.out, ['15']);
    assert.deepEqual(runFilter('wc', [], input)?.out, ['        2        3       15']);
  });

  it('sort (-n -r -u) and uniq (-c -d -u)', () => {
    assert.deepEqual(runFilter('sort', [], ['b', 'a', 'c'])?.out, ['a', 'b', 'c']);
    assert.deepEqual(runFilter('sort', ['-n'], ['10', '9', '100'])?.out, ['9', '10', '100']);
    assert.deepEqual(runFilter('sort', ['-rn'], ['10', '9', '100'])?.out, ['100', '10', '9']);
    assert.deepEqual(runFilter('sort', ['-u'], ['b', 'a', 'b'])?.out, ['a', 'b']);
    assert.deepEqual(runFilter('uniq', [], ['a', 'a', 'b', 'a'])?.out, ['a', 'b', 'a']);
    assert.deepEqual(runFilter('uniq', ['-c'], ['a', 'a', 'b'])?.out, ['      2 a', '      1 b']);
    assert.deepEqual(runFilter('uniq', ['-d'], ['a', 'a', 'b'])?.out, ['a']);
    assert.deepEqual(runFilter('uniq', ['-u'], ['a', 'a', 'b'])?.out, ['b']);
  });

  it('is undefined for what is not a filter', () => {
    assert.equal(runFilter('jq', ['.'], []), undefined);
  });
});
