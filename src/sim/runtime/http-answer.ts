/**
 * What a container answers when something connects to it: which TCP ports its running process listens
 * on (from the image catalog's `serves`, moved by the flags the program reads: http-echo's `-listen`,
 * whoami's `--port`, `python -m http.server PORT`), and the HTTP response that process gives — nginx's
 * welcome page and error pages, httpd's "It works!", http-echo's `-text`, whoami's report of the request,
 * Python's directory listing. A server of another protocol (redis, postgres …) closes the connection
 * without an HTTP reply. Pure: the caller says which container and which request.
 */
import type { ImageInfo, ServeSpec } from '../images';
import { unwrapEntrypoint } from './command';

/** A container's main process as the runtime knows it. */
export interface ServingProcess {
  image: Pick<ImageInfo, 'repository' | 'processes' | 'cmd'>;
  /** The tag's program version ("1.27.3"), shown in Server headers and error pages. */
  version?: string;
  /** The process's argv (command/args over the image's ENTRYPOINT/CMD, $(VAR) expanded). */
  argv: readonly string[];
  env: ReadonlyMap<string, string>;
  hostname: string;
  podIP: string;
}

export interface HttpRequest {
  method: string;
  /** Path and query, "/" at least. */
  path: string;
  /** The Host header: "10.96.0.12" or "10.96.0.12:8080". */
  host: string;
  /** Headers the client sends after Host, in its order (User-Agent, Accept …). */
  headers: [string, string][];
  /** The client's address as the server sees it, "10.244.2.3:43512" (after any SNAT). */
  remoteAddr: string;
}

export type HttpAnswer =
  | { kind: 'response'; status: number; reason: string; headers: [string, string][]; body: string }
  /** The server accepted the connection and closed it without an HTTP reply (another protocol). */
  | { kind: 'closed' };

export interface Listener {
  port: number;
  answer(req: HttpRequest): HttpAnswer;
}

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** The value of a Go-style flag: `-name=v`, `--name=v`, `-name v`, `--name v`. */
export function flagValue(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    for (const prefix of [`-${name}`, `--${name}`]) {
      if (a === prefix) return args[i + 1];
      if (a.startsWith(`${prefix}=`)) return a.slice(prefix.length + 1);
    }
  }
  return undefined;
}

function portOf(text: string | undefined): number | undefined {
  const m = /(?:^|:)(\d{1,5})$/.exec(text ?? '');
  const n = m ? Number(m[1]) : NaN;
  return n > 0 && n < 65536 ? n : undefined;
}

/** The ports the process listens on (none for a process that serves nothing: a shell, `sleep` …). */
export function listenersOf(p: ServingProcess): Listener[] {
  const unwrapped = unwrapEntrypoint(p.argv, p.image);
  if ('exitAtOnce' in unwrapped) return [];
  let spec: ServeSpec | undefined;
  let args: readonly string[] = [];
  if ('spec' in unwrapped) spec = unwrapped.spec.serves;
  else {
    args = unwrapped.args.slice(1);
    const name = base(unwrapped.args[0] ?? '');
    spec = p.image.processes[name]?.serves;
    if (!spec && (name === 'python' || name === 'python3') && args[0] === '-m' && args[1] === 'http.server') {
      const port = portOf(args.find((a, i) => i >= 2 && /^\d+$/.test(a))) ?? 8000;
      return [{ port, answer: (req) => pythonListing(req, p) }];
    }
  }
  if (!spec) return [];
  switch (spec.answer) {
    case 'nginx':
      return [{ port: spec.port, answer: (req) => nginx(req, p.version ?? '') }];
    case 'httpd':
      return [{ port: spec.port, answer: (req) => httpd(req, p.version ?? '') }];
    case 'http-echo': {
      const port = portOf(flagValue(args, 'listen')) ?? spec.port;
      const text = flagValue(args, 'text') ?? p.env.get('ECHO_TEXT') ?? '';
      return [{ port, answer: () => httpEcho(text, p.version ?? '') }];
    }
    case 'whoami': {
      const port = portOf(flagValue(args, 'port')) ?? portOf(p.env.get('WHOAMI_PORT_NUMBER')) ?? spec.port;
      const name = flagValue(args, 'name') ?? p.env.get('WHOAMI_NAME');
      return [{ port, answer: (req) => whoami(req, p, name) }];
    }
    case 'tcp':
      return [{ port: spec.port, answer: () => ({ kind: 'closed' }) }];
  }
}

// ---------------------------------------------------------------- the servers' answers

/** nginx's default index.html (since 1.23, with color-scheme). */
export const NGINX_WELCOME = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

const pathOnly = (path: string) => path.split('?')[0] || '/';

function nginx(req: HttpRequest, version: string): HttpAnswer {
  const server = `nginx/${version}`;
  const path = pathOnly(req.path);
  if (req.method !== 'GET' && req.method !== 'HEAD') return nginxError(405, 'Not Allowed', server);
  if (path === '/' || path === '/index.html') {
    return { kind: 'response', status: 200, reason: 'OK', headers: [['Server', server], ['Content-Type', 'text/html'], ['Content-Length', String(NGINX_WELCOME.length)], ['Connection', 'keep-alive'], ['Accept-Ranges', 'bytes']], body: NGINX_WELCOME };
  }
  return nginxError(404, 'Not Found', server);
}

function nginxError(status: number, reason: string, server: string): HttpAnswer {
  const body = `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>${server}</center>\r\n</body>\r\n</html>\r\n`;
  return { kind: 'response', status, reason, headers: [['Server', server], ['Content-Type', 'text/html'], ['Content-Length', String(body.length)], ['Connection', 'keep-alive']], body };
}

/** httpd's htdocs/index.html. */
export const HTTPD_INDEX = '<html><body><h1>It works!</h1></body></html>\n';

function httpd(req: HttpRequest, version: string): HttpAnswer {
  const server = `Apache/${version} (Unix)`;
  const path = pathOnly(req.path);
  if (path === '/' || path === '/index.html') {
    return { kind: 'response', status: 200, reason: 'OK', headers: [['Server', server], ['Content-Length', String(HTTPD_INDEX.length)], ['Content-Type', 'text/html']], body: HTTPD_INDEX };
  }
  const body = `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n`;
  return { kind: 'response', status: 404, reason: 'Not Found', headers: [['Server', server], ['Content-Length', String(body.length)], ['Content-Type', 'text/html; charset=iso-8859-1']], body };
}

/** http-echo answers every path with its text and a newline. */
function httpEcho(text: string, version: string): HttpAnswer {
  const body = `${text}\n`;
  return {
    kind: 'response', status: 200, reason: 'OK',
    headers: [['X-App-Name', 'http-echo'], ['X-App-Version', version], ['Content-Length', String(body.length)], ['Content-Type', 'text/plain; charset=utf-8']],
    body,
  };
}

/** traefik/whoami: the host name, the addresses, the peer, then the request as received (Go's Request.Write). */
function whoami(req: HttpRequest, p: ServingProcess, name: string | undefined): HttpAnswer {
  const lines: string[] = [];
  if (name) lines.push(`Name: ${name}`);
  lines.push(`Hostname: ${p.hostname}`, 'IP: 127.0.0.1', 'IP: ::1', `IP: ${p.podIP}`, `RemoteAddr: ${req.remoteAddr}`);
  const request = [`${req.method} ${req.path} HTTP/1.1`, `Host: ${req.host}`, ...req.headers.map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  const body = `${lines.join('\n')}\n${request}\r\n\r\n`;
  return { kind: 'response', status: 200, reason: 'OK', headers: [['Content-Length', String(body.length)], ['Content-Type', 'text/plain; charset=utf-8']], body };
}

const ROOT_ENTRIES = ['bin@', 'boot/', 'dev/', 'etc/', 'home/', 'lib@', 'media/', 'mnt/', 'opt/', 'proc/', 'root/', 'run/', 'sbin@', 'srv/', 'sys/', 'tmp/', 'usr/', 'var/'];

/** `python -m http.server`, serving the container's working directory (/). */
function pythonListing(req: HttpRequest, _p: ServingProcess): HttpAnswer {
  if (pathOnly(req.path) !== '/') {
    const body = `<!DOCTYPE HTML>\n<html lang="en">\n    <head>\n        <meta charset="utf-8">\n        <title>Error response</title>\n    </head>\n    <body>\n        <h1>Error response</h1>\n        <p>Error code: 404</p>\n        <p>Message: File not found.</p>\n        <p>Error code explanation: 404 - Nothing matches the given URI.</p>\n    </body>\n</html>\n`;
    return { kind: 'response', status: 404, reason: 'File not found', headers: [['Server', 'SimpleHTTP/0.6 Python/3.13.1'], ['Content-Type', 'text/html;charset=utf-8'], ['Content-Length', String(body.length)]], body };
  }
  const items = ROOT_ENTRIES.map((e) => `<li><a href="${e.replace(/@$/, '/')}">${e}</a></li>`).join('\n');
  const body = `<!DOCTYPE HTML>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Directory listing for /</title>\n</head>\n<body>\n<h1>Directory listing for /</h1>\n<hr>\n<ul>\n${items}\n</ul>\n<hr>\n</body>\n</html>\n`;
  return { kind: 'response', status: 200, reason: 'OK', headers: [['Server', 'SimpleHTTP/0.6 Python/3.13.1'], ['Content-type', 'text/html; charset=utf-8'], ['Content-Length', String(body.length)]], body };
}
