import { strict as assert } from 'node:assert';
import { KERNEL_CONNECT_TIMEOUT_MS, parseUrl, runCurl, runWget, type ConnectOutcome, type PodNet } from '../../../../src/sim/runtime/http-tools';
import type { HttpRequest } from '../../../../src/sim/runtime/http-answer';
import type { Step } from '../../../../src/sim/runtime/program';

/** A pod network where 10.96.0.10:80 answers `body`, 10.96.0.11 refuses, 10.96.0.12 never answers. */
function fakeNet(body = 'hello\n', status = 200): PodNet & { requests: { ip: string; port: number; req: Omit<HttpRequest, 'remoteAddr'> }[] } {
  const requests: { ip: string; port: number; req: Omit<HttpRequest, 'remoteAddr'> }[] = [];
  return {
    requests,
    resolve: (host) => (host === 'me' ? '10.244.1.2' : undefined),
    connect: (ip, port, req): ConnectOutcome => {
      requests.push({ ip, port, req });
      if (ip === '10.96.0.11') return { kind: 'refused' };
      if (ip === '10.96.0.12') return { kind: 'timeout' };
      return { kind: 'answer', answer: { kind: 'response', status, reason: status === 200 ? 'OK' : 'Not Found', headers: [['Content-Length', String(body.length)]], body } };
    },
  };
}

const text = (steps: Step[], err?: boolean) => steps.filter((s): s is Extract<Step, { out: string }> => 'out' in s && !!s.err === !!err).map((s) => s.out + (s.nl === false ? '' : '\n')).join('');
const slept = (steps: Step[]) => steps.reduce((t, s) => t + ('sleepMs' in s ? s.sleepMs : 0), 0);

describe('sim/runtime/http-tools: curl and wget in a pod', () => {
  it('parses the URLs learners type', () => {
    assert.deepEqual(parseUrl('10.96.0.10:8080'), { scheme: 'http', host: '10.96.0.10', port: 8080, path: '/', hostHeader: '10.96.0.10:8080' });
    assert.deepEqual(parseUrl('http://web/x?y=1'), { scheme: 'http', host: 'web', port: 80, path: '/x?y=1', hostHeader: 'web' });
    assert.equal(parseUrl('ftp://x'), undefined);
  });

  it('curl -s prints the body, sends its User-Agent, and exits 0', () => {
    const net = fakeNet();
    const r = runCurl(['-s', 'http://10.96.0.10/'], { net, tty: false });
    assert.equal(r.status, 0);
    assert.equal(text(r.steps), 'hello\n');
    assert.equal(text(r.steps, true), '');
    assert.deepEqual(net.requests[0].req.headers[0], ['User-Agent', 'curl/8.11.0']);
  });

  it('curl without -s shows the progress meter on stderr when stdout is not a terminal, and not on one', () => {
    const piped = runCurl(['10.96.0.10'], { net: fakeNet(), tty: false });
    assert.match(text(piped.steps, true), /% Total {4}% Received % Xferd {2}Average Speed/);
    assert.match(text(piped.steps, true), /100 {5}6  100 {5}6/);
    const terminal = runCurl(['10.96.0.10'], { net: fakeNet(), tty: true });
    assert.equal(text(terminal.steps, true), '');
    assert.equal(text(terminal.steps), 'hello\n');
  });

  it('curl reports refused connections, unknown hosts and timeouts as curl does', () => {
    const refused = runCurl(['-sS', '10.96.0.11:80'], { net: fakeNet(), tty: false });
    assert.equal(refused.status, 7);
    assert.equal(text(refused.steps, true), "curl: (7) Failed to connect to 10.96.0.11 port 80 after 0 ms: Couldn't connect to server\n");
    const unknown = runCurl(['http://web'], { net: fakeNet(), tty: true });
    assert.equal(unknown.status, 6);
    assert.equal(text(unknown.steps, true), 'curl: (6) Could not resolve host: web\n');
    const silent = runCurl(['-s', 'http://web'], { net: fakeNet(), tty: true });
    assert.equal(silent.status, 6);
    assert.equal(text(silent.steps, true), '', '-s hides the error');
    const late = runCurl(['--connect-timeout', '2', '10.96.0.12'], { net: fakeNet(), tty: true });
    assert.equal(late.status, 28);
    assert.equal(slept(late.steps), 2000);
    assert.match(text(late.steps, true), /after 2000 ms: Timeout was reached/);
    assert.equal(slept(runCurl(['10.96.0.12'], { net: fakeNet(), tty: true }).steps), KERNEL_CONNECT_TIMEOUT_MS);
  });

  it('curl -f fails on an HTTP error with 22, -i shows the status line and headers', () => {
    const failed = runCurl(['-sSf', '10.96.0.10/nope'], { net: fakeNet('gone\n', 404), tty: true });
    assert.equal(failed.status, 22);
    assert.equal(text(failed.steps, true), 'curl: (22) The requested URL returned error: 404\n');
    const included = runCurl(['-si', '10.96.0.10'], { net: fakeNet(), tty: true });
    assert.match(text(included.steps), /^HTTP\/1\.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n$/);
  });

  it('BusyBox wget -qO- prints the body; without -q it says where it connects and writes', () => {
    const quiet = runWget(['-qO-', '10.96.0.10:80'], { net: fakeNet(), tty: false });
    assert.equal(quiet.status, 0);
    assert.equal(text(quiet.steps), 'hello\n');
    assert.equal(text(quiet.steps, true), '');
    const loud = runWget(['-O', '-', 'http://10.96.0.10'], { net: fakeNet(), tty: false });
    assert.match(text(loud.steps, true), /^Connecting to 10\.96\.0\.10 \(10\.96\.0\.10:80\)\nwriting to stdout\n-  +100% \|\*+\| +6  0:00:00 ETA\nwritten to stdout\n$/);
    const saved = runWget(['http://10.96.0.10/'], { net: fakeNet(), tty: false });
    assert.equal(text(saved.steps), '', 'saved to a file, not printed');
    assert.match(text(saved.steps, true), /saving to 'index\.html'/);
  });

  it('wget errors read as BusyBox words them, with exit code 1', () => {
    const cases: [string[], string][] = [
      [['-qO-', 'web'], "wget: bad address 'web'\n"],
      [['-qO-', '10.96.0.11'], "wget: can't connect to remote host (10.96.0.11): Connection refused\n"],
      [['-qO-', '10.96.0.12'], "wget: can't connect to remote host (10.96.0.12): Connection timed out\n"],
    ];
    for (const [args, expected] of cases) {
      const r = runWget(args, { net: fakeNet(), tty: false });
      assert.equal(r.status, 1, args.join(' '));
      assert.equal(text(r.steps, true), expected);
    }
    const missing = runWget(['-qO-', '10.96.0.10/x'], { net: fakeNet('', 404), tty: false });
    assert.equal(text(missing.steps, true), 'wget: server returned error: HTTP/1.1 404 Not Found\n');
    assert.equal(text(runWget(['-qO-', 'me'], { net: fakeNet(), tty: false }).steps), 'hello\n', "the pod's own name is in /etc/hosts");
  });
});
