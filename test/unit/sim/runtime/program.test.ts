import { strict as assert } from 'node:assert';
import { lookupImage, type ImageInfo } from '../../../../src/sim/images';
import { containerArgv, programFor } from '../../../../src/sim/runtime/command';
import { outputWithin, programDuration, renderLine, type Program } from '../../../../src/sim/runtime/program';
import { EPOCH_MS } from '../../../../src/sim/clock';

function image(ref: string): { image: ImageInfo; version?: string } {
  const found = lookupImage(ref);
  if (found.status !== 'found') throw new Error(`unknown test image ${ref}`);
  return { image: found.image, version: found.tag.version };
}

function run(ref: string, command?: string[], args?: string[], env: Record<string, string> = {}): Program {
  const { image: img, version } = image(ref);
  const envMap = new Map(Object.entries({ HOSTNAME: 'web', ...env }));
  return programFor(containerArgv({ command, args }, img, envMap), { image: img, version, hostname: 'web', podIP: '10.244.1.5', env: envMap });
}

const text = (p: Program, ms: number) => outputWithin(p, ms).map((l) => renderLine(l.text, EPOCH_MS + l.at));

describe('sim/runtime/program', () => {
  const table: { name: string; ref: string; command?: string[]; args?: string[]; env?: Record<string, string>; exit?: number; duration?: number; out?: string[]; runs?: boolean }[] = [
    { name: 'echo exits 0 with its output', ref: 'busybox', command: ['echo', 'hi'], exit: 0, duration: 0, out: ['hi'] },
    { name: 'sh -c with ; and sleep', ref: 'busybox', command: ['sh', '-c', 'echo start; sleep 5; echo done'], exit: 0, duration: 5000, out: ['start', 'done'] },
    { name: 'exit N', ref: 'busybox', command: ['sh', '-c', 'echo boom && exit 3'], exit: 3, out: ['boom'] },
    { name: 'false', ref: 'alpine', command: ['false'], exit: 1, out: [] },
    { name: '|| and && short-circuit', ref: 'busybox', command: ['sh', '-c', 'false && echo no || echo yes'], exit: 0, out: ['yes'] },
    { name: 'unknown command in sh', ref: 'busybox', command: ['sh', '-c', 'frobnicate'], exit: 127, out: ['sh: frobnicate: not found'] },
    { name: '$VAR and ${VAR:-default}', ref: 'busybox', command: ['sh', '-c', 'echo "hello $NAME from ${HOSTNAME}" ${MISSING:-dflt}'], env: { NAME: 'lab' }, exit: 0, out: ['hello lab from web dflt'] },
    { name: '$(VAR) expansion by Kubernetes in args', ref: 'busybox', command: ['echo'], args: ['$(GREETING)', '$$(GREETING)'], env: { GREETING: 'hey' }, exit: 0, out: ['hey $(GREETING)'] },
    { name: 'for loop', ref: 'busybox', command: ['sh', '-c', 'for i in 1 2 3; do echo n=$i; done'], exit: 0, out: ['n=1', 'n=2', 'n=3'] },
    { name: 'command substitution', ref: 'busybox', command: ['sh', '-c', 'echo "I am $(hostname)"'], exit: 0, out: ['I am web'] },
    { name: 'sleep then exit 1', ref: 'busybox', command: ['sh', '-c', 'sleep 2; exit 1'], exit: 1, duration: 2000 },
    { name: 'busybox default: sh with no terminal exits at once', ref: 'busybox', exit: 0, duration: 0, out: [] },
    { name: 'python default exits at once', ref: 'python:3.12', exit: 0 },
    { name: 'postgres without a password fails', ref: 'postgres:16', exit: 1 },
    { name: 'curl without a URL prints usage', ref: 'curlimages/curl', exit: 2, out: ["curl: try 'curl --help' or 'curl --manual' for more information"] },
    { name: 'nginx runs', ref: 'nginx:1.27', runs: true },
    { name: 'redis-server runs', ref: 'redis:7', runs: true },
    { name: 'postgres with a password runs', ref: 'postgres:16', env: { POSTGRES_PASSWORD: 'x' }, runs: true },
    { name: 'a pipe into grep keeps the matching lines', ref: 'busybox', command: ['sh', '-c', 'env | grep ^NAME= ; seq 12 | grep -c 1'], env: { NAME: 'lab' }, exit: 0, out: ['NAME=lab', '4'] },
    { name: 'a pipe into head, tail, sort, uniq and wc', ref: 'busybox', command: ['sh', '-c', 'seq 5 | head -n 2; seq 5 | tail -1; printf "b\\na\\nb\\n" | sort | uniq -c; seq 30 | wc -l'], exit: 0, out: ['1', '2', '5', '      1 a', '      2 b', '30'] },
    { name: 'grep finding nothing exits 1; a missing filter is not found', ref: 'busybox', command: ['sh', '-c', 'echo hi | grep bye; echo $?; echo hi | jq .'], exit: 127, out: ['1', 'sh: jq: not found'] },
    { name: 'a bare cat passes the output on as it comes', ref: 'busybox', command: ['sh', '-c', 'echo a; sleep 3; echo b | cat'], exit: 0, duration: 3000, out: ['a', 'b'] },
    { name: 'sleep infinity runs', ref: 'busybox', command: ['sleep', 'infinity'], runs: true },
    { name: 'tail -f /dev/null runs', ref: 'ubuntu:24.04', command: ['tail', '-f', '/dev/null'], runs: true },
    { name: 'python -m http.server runs', ref: 'python:3.12', command: ['python', '-m', 'http.server', '8080'], runs: true, out: ['Serving HTTP on 0.0.0.0 port 8080 (http://0.0.0.0:8080/) ...'] },
  ];
  for (const row of table) {
    it(row.name, () => {
      const p = run(row.ref, row.command, row.args, row.env);
      assert.equal(p.startError, undefined);
      if (row.runs) assert.equal(programDuration(p), undefined);
      if (row.exit !== undefined) assert.deepEqual(p.then, { exit: row.exit });
      if (row.duration !== undefined) assert.equal(programDuration(p), row.duration);
      if (row.out) assert.deepEqual(text(p, 1e9).slice(0, row.out.length || undefined), row.out);
    });
  }

  it('nginx prints its start-up lines with its version and time', () => {
    const lines = text(run('nginx:1.27'), 1000);
    assert.ok(lines.some((l) => l === '/docker-entrypoint.sh: Configuration complete; ready for start up'));
    assert.ok(lines.some((l) => /^2026\/01\/01 00:00:00 \[notice\] 1#1: nginx\/1\.27\.3$/.test(l)), lines.join('\n'));
  });

  it('an endless loop repeats its output at its period, computed on demand', () => {
    const p = run('busybox', ['sh', '-c', 'while true; do echo tick; sleep 10; done']);
    assert.ok('loop' in p.then);
    assert.equal(outputWithin(p, 25_000).length, 3);
    assert.deepEqual(outputWithin(p, 25_000).map((l) => l.at), [0, 10_000, 20_000]);
    const tail = outputWithin(p, 1e9, 5);
    assert.equal(tail.length, 5);
    assert.equal(tail[4].at, 1e9 - (1e9 % 10_000));
  });

  it('shells ignore SIGTERM as PID 1 unless they trap it; servers stop gracefully', () => {
    assert.equal(run('busybox', ['sh', '-c', 'sleep 3600']).onSigterm, 'ignore');
    const trapped = run('busybox', ['sh', '-c', "trap 'exit 0' TERM; sleep 3600"]).onSigterm;
    assert.notEqual(trapped, 'ignore');
    if (trapped !== 'ignore') assert.equal(trapped.exit, 0);
    const nginx = run('nginx').onSigterm;
    assert.notEqual(nginx, 'ignore');
  });

  it('a missing binary fails to start, as runc reports it', () => {
    const p = run('busybox', ['frobnicate']);
    assert.match(p.startError ?? '', /exec: "frobnicate": executable file not found in \$PATH: unknown$/);
  });
});
