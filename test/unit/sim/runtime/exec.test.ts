import { strict as assert } from 'node:assert';
import { Clock } from '../../../../src/sim/clock';
import { lookupImage, type ImageInfo } from '../../../../src/sim/images';
import { execFailure, ExecProcess, promptOf, type ExecEnd, type ExecOptions } from '../../../../src/sim/runtime/exec';

const EXEC_ID = 'a'.repeat(64);

function start(image: string, argv: string[], options: Partial<ExecOptions> = {}) {
  const clock = new Clock(3);
  const found = lookupImage(image) as { image: ImageInfo; tag: { version?: string }; reference: { tag?: string } };
  const out: { stream: string; text: string; at: number }[] = [];
  let end: ExecEnd | undefined;
  const p = new ExecProcess(clock, {
    argv,
    options: { stdin: false, stdout: true, stderr: true, tty: false, ...options },
    context: { image: found.image, version: found.tag.version, hostname: 'web', podIP: '10.244.1.5', env: new Map([['HOSTNAME', 'web'], ['GREETING', 'hi']]) },
    tag: found.reference.tag,
    execId: EXEC_ID,
  }, {
    write: (stream, text) => out.push({ stream, text, at: clock.now() }),
    end: (r) => (end = r),
  });
  p.start();
  const stdout = () => out.filter((o) => o.stream === 'stdout').map((o) => o.text).join('');
  const stderr = () => out.filter((o) => o.stream === 'stderr').map((o) => o.text).join('');
  return { clock, p, out, stdout, stderr, end: () => end };
}

describe('sim/runtime/exec: a process started by kubectl exec', () => {
  it('runs a command with the container\'s environment, on the virtual clock, and ends with its exit code', () => {
    const t = start('busybox:1.37', ['sh', '-c', 'echo $GREETING from $(hostname); sleep 2; echo late >&2; exit 3']);
    assert.equal(t.stdout(), 'hi from web\n');
    assert.equal(t.end(), undefined, 'still sleeping');
    t.clock.advance(2000);
    assert.equal(t.stderr(), 'late\n');
    assert.deepEqual(t.end(), { exitCode: 3 });
    assert.equal(t.out.find((o) => o.text === 'late\n')!.at, 2000);
  });

  it('a file the image lacks fails as containerd and runc report it', () => {
    const t = start('nginx:1.27', ['foo']);
    assert.deepEqual(t.end(), {
      error: `Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "${EXEC_ID}": OCI runtime exec failed: exec failed: unable to start container process: exec: "foo": executable file not found in $PATH: unknown`,
    });
    assert.equal(execFailure('bash', (lookupImage('busybox:1.37') as { image: ImageInfo }).image, '1.37'), 'exec: "bash": executable file not found in $PATH');
    assert.equal(execFailure('bash', (lookupImage('nginx:1.27') as { image: ImageInfo }).image, '1.27'), undefined);
    assert.equal(execFailure('bash', (lookupImage('nginx:alpine') as { image: ImageInfo }).image, 'alpine'), 'exec: "bash": executable file not found in $PATH');
    assert.equal(execFailure('sh', (lookupImage('hashicorp/http-echo:1.0') as { image: ImageInfo }).image, '1.0'), 'exec: "sh": executable file not found in $PATH', 'a scratch image has no shell');
    assert.equal(execFailure('/bin/zsh', (lookupImage('ubuntu:24.04') as { image: ImageInfo }).image, '24.04'), 'stat /bin/zsh: no such file or directory');
  });

  it('a shell reads its commands from stdin line by line and exits with the last status at end of input', () => {
    const t = start('busybox:1.37', ['sh'], { stdin: true });
    t.p.input('X=1; echo a$X\nfalse');
    assert.equal(t.stdout(), 'a1\n');
    t.p.input('\nhostname\n');
    assert.equal(t.stdout(), 'a1\nweb\n');
    t.p.input('false');
    t.p.closeStdin();
    assert.deepEqual(t.end(), { exitCode: 1 });
  });

  it('with a terminal: a prompt, echo of what is typed, CR LF, a continuation prompt, Ctrl-C and exit', () => {
    const t = start('busybox:1.37', ['sh'], { stdin: true, tty: true, stderr: false });
    assert.equal(t.stdout(), '/ # ');
    t.p.input('echo hi\r');
    assert.equal(t.stdout(), '/ # echo hi\r\nhi\r\n/ # ');
    t.p.input('if true\r');
    assert.ok(t.stdout().endsWith('if true\r\n> '));
    t.p.input('then echo yes; fi\r');
    assert.ok(t.stdout().endsWith('yes\r\n/ # '));
    t.p.input('sleep 100\r');
    t.clock.advance(1000);
    t.p.input('\x03');
    assert.ok(t.stdout().endsWith('sleep 100\r\n^C\r\n/ # '));
    t.p.input('echo $?\r');
    assert.ok(t.stdout().endsWith('130\r\n/ # '));
    t.p.input('exit 4\r');
    assert.deepEqual(t.end(), { exitCode: 4 });
    assert.equal(promptOf('bash', 'web', '/'), 'root@web:/# ');
    assert.equal(promptOf('dash', 'web', '/'), '# ');
  });

  it('an endless command runs until the client goes away; cat echoes stdin', () => {
    const t = start('busybox:1.37', ['sh', '-c', 'while true; do echo tick; sleep 1; done']);
    t.clock.advance(3500);
    assert.equal(t.stdout(), 'tick\ntick\ntick\ntick\n');
    t.p.kill();
    t.clock.advance(5000);
    assert.equal(t.stdout(), 'tick\ntick\ntick\ntick\n');
    assert.equal(t.end(), undefined);
    const cat = start('busybox:1.37', ['cat'], { stdin: true });
    cat.p.input('one\n');
    cat.p.closeStdin();
    assert.equal(cat.stdout(), 'one\n');
    assert.deepEqual(cat.end(), { exitCode: 0 });
  });
});
