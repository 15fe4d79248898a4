import { strict as assert } from 'node:assert';
import { lookupImage, type ImageInfo } from '../../../../src/sim/images';
import { HTTPD_INDEX, listenersOf, NGINX_WELCOME, type HttpRequest, type ServingProcess } from '../../../../src/sim/runtime/http-answer';

function processOf(image: string, argv?: string[], env: Record<string, string> = {}): ServingProcess {
  const found = lookupImage(image);
  assert.equal(found.status, 'found');
  const info = (found as { image: ImageInfo }).image;
  const version = (found as { tag: { version?: string } }).tag.version;
  return { image: info, version, argv: argv ?? [...info.entrypoint, ...info.cmd], env: new Map(Object.entries(env)), hostname: 'web-1', podIP: '10.244.1.7' };
}

const get = (path = '/'): HttpRequest => ({ method: 'GET', path, host: '10.96.0.10', headers: [['User-Agent', 'curl/8.11.0'], ['Accept', '*/*']], remoteAddr: '10.244.2.3:41000' });

describe('sim/runtime/http-answer: what a container answers', () => {
  it('nginx listens on 80 and serves its 615-byte welcome page, and its 404 page elsewhere', () => {
    const [l] = listenersOf(processOf('nginx:1.27'));
    assert.equal(l.port, 80);
    const ok = l.answer(get());
    assert.ok(ok.kind === 'response' && ok.status === 200 && ok.body === NGINX_WELCOME);
    assert.equal(NGINX_WELCOME.length, 615);
    assert.ok(ok.headers.some(([k, v]) => k === 'Server' && v === 'nginx/1.27.3'));
    const missing = l.answer(get('/nope'));
    assert.ok(missing.kind === 'response' && missing.status === 404 && missing.body.includes('<center>nginx/1.27.3</center>'));
  });

  it('a container whose command replaces the server listens on nothing', () => {
    assert.deepEqual(listenersOf(processOf('nginx:1.27', ['sleep', '3600'])), []);
    assert.deepEqual(listenersOf(processOf('busybox:1.37')), []);
  });

  it('httpd says It works!; http-echo answers its -text on -listen (default 5678)', () => {
    const httpd = listenersOf(processOf('httpd:2.4'))[0].answer(get());
    assert.ok(httpd.kind === 'response' && httpd.body === HTTPD_INDEX);
    const [echo] = listenersOf(processOf('hashicorp/http-echo:1.0', ['/http-echo', '-text=hello from v1', '-listen=:8080']));
    assert.equal(echo.port, 8080);
    const r = echo.answer(get('/anything'));
    assert.ok(r.kind === 'response' && r.body === 'hello from v1\n');
    assert.equal(listenersOf(processOf('hashicorp/http-echo:1.0', ['/http-echo', '-text', 'x']))[0].port, 5678);
  });

  it('whoami reports the pod and the request as it received it', () => {
    const [l] = listenersOf(processOf('traefik/whoami:v1.10'));
    assert.equal(l.port, 80);
    const r = l.answer(get());
    assert.ok(r.kind === 'response');
    assert.match(r.body, /^Hostname: web-1\nIP: 127\.0\.0\.1\nIP: ::1\nIP: 10\.244\.1\.7\nRemoteAddr: 10\.244\.2\.3:41000\nGET \/ HTTP\/1\.1\r\nHost: 10\.96\.0\.10\r\nUser-Agent: curl\/8\.11\.0\r\nAccept: \*\/\*\r\n\r\n$/);
    assert.equal(listenersOf(processOf('traefik/whoami:v1.10', ['/whoami', '--port', '9000']))[0].port, 9000);
  });

  it('a server of another protocol closes the connection without an HTTP answer', () => {
    const [redis] = listenersOf(processOf('redis:7.4'));
    assert.equal(redis.port, 6379);
    assert.deepEqual(redis.answer(get()), { kind: 'closed' });
  });
});
