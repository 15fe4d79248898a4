/**
 * curl and BusyBox wget inside a container, run symbolically: the options a learner uses, the request
 * over the pod's network (PodNet: the node's kube-proxy rules for a Service, the pod network for a pod
 * IP), and what the tools print — the body, curl's progress meter on stderr when its output is not a
 * terminal, wget's "Connecting to …" lines — and their errors and exit codes as the real tools word
 * them: `curl: (6) Could not resolve host: web`, `curl: (7) Failed to connect to … after 0 ms: Couldn't
 * connect to server`, `wget: bad address 'web'`, `wget: can't connect to remote host (…): Connection
 * refused`. Pure apart from the PodNet it is given; a connect that times out is a pause in the output.
 */
import type { HttpAnswer, HttpRequest } from './http-answer';
import type { Step } from './program';

/** The pod's view of the network, given to the processes an exec starts. */
export interface PodNet {
  /**
   * A host name to an IPv4 address as the pod's resolver does: /etc/hosts (the pod's own name), or
   * undefined (the lab runs no cluster DNS add-on, so Service names do not resolve).
   */
  resolve(host: string): string | undefined;
  /** Open a TCP connection from the pod to ip:port and send `req`; what happens. */
  connect(ip: string, port: number, req: Omit<HttpRequest, 'remoteAddr'>): ConnectOutcome;
}

export type ConnectOutcome =
  | { kind: 'answer'; answer: HttpAnswer }
  /** RST: nothing listens on the port, or kube-proxy REJECTs a Service without endpoints. */
  | { kind: 'refused' }
  /** No answer at all: the peer's machine is down or cut off, or nothing routes there. */
  | { kind: 'timeout' };

export interface ToolContext {
  net: PodNet;
  /** Whether stdout is a terminal (`kubectl exec -t`). */
  tty: boolean;
  /** curl's version, for its User-Agent. */
  curlVersion?: string;
}

export interface ToolResult {
  steps: Step[];
  status: number;
}

/** How long a connect waits for a peer that never answers: Linux gives up after its SYN retries (~127 s). */
export const KERNEL_CONNECT_TIMEOUT_MS = 127_000;

export interface ParsedUrl {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** Path and query, at least "/". */
  path: string;
  /** The Host header: the host, with the port when it is not the scheme's. */
  hostHeader: string;
}

/** "http://10.96.0.12:8080/x", "10.96.0.12:80", "web/path" … (another scheme: undefined). */
export function parseUrl(raw: string): ParsedUrl | undefined {
  const m = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):\/\/)?([^/:?#\s]*)(?::(\d*))?([/?][^#\s]*)?/.exec(raw);
  if (!m) return undefined;
  const scheme = (m[1] ?? 'http').toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  const host = m[2];
  const defaultPort = scheme === 'https' ? 443 : 80;
  const port = m[3] ? Number(m[3]) : defaultPort;
  let path = m[4] ?? '/';
  if (path.startsWith('?')) path = `/${path}`;
  return { scheme, host, port, path, hostHeader: port === defaultPort ? host : `${host}:${port}` };
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function resolveHost(net: PodNet, host: string): string | undefined {
  if (IPV4.test(host)) return host;
  if (host === 'localhost') return '127.0.0.1';
  return net.resolve(host);
}

const err = (text: string): Step => ({ out: text, err: true });

/** Split a body into output lines: the last line has no newline when the body does not end with one. */
export function bodySteps(body: string, toStderr = false): Step[] {
  if (body === '') return [];
  const lines = body.split('\n');
  const complete = lines[lines.length - 1] === '';
  if (complete) lines.pop();
  return lines.map((text, i) => {
    const step: Step = toStderr ? { out: text, err: true } : { out: text };
    if (!complete && i === lines.length - 1) step.nl = false;
    return step;
  });
}

function headerBlock(answer: Extract<HttpAnswer, { kind: 'response' }>): string {
  return [`HTTP/1.1 ${answer.status} ${answer.reason}`, ...answer.headers.map(([k, v]) => `${k}: ${v}`), ''].join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------- curl

interface CurlOptions {
  silent: boolean;
  showError: boolean;
  include: boolean;
  head: boolean;
  fail: boolean;
  verbose: boolean;
  output?: string;
  method?: string;
  headers: [string, string][];
  timeoutMs?: number;
  urls: string[];
}

const CURL_FLAGS_WITH_VALUE = new Set(['o', 'X', 'H', 'm', 'w', 'd', 'A', 'u', 'e', 'x', 'T', 'F', 'b', 'c', 'r', 'Y', 'y', 'z', 'E', 'K']);

/** A time given in seconds (fractions allowed), in ms; undefined unless a positive number. */
function seconds(v: string | undefined): number | undefined {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? Math.round(n * 1000) : undefined;
}

/** "--name=value" → [name, value]; "--name" → [name, undefined] (its value, if any, is the next argument). */
function longOption(a: string): [string, string | undefined] {
  const eq = a.indexOf('=');
  return eq >= 0 ? [a.slice(2, eq), a.slice(eq + 1)] : [a.slice(2), undefined];
}

function parseCurl(args: readonly string[]): CurlOptions | { usage: true } {
  const o: CurlOptions = { silent: false, showError: false, include: false, head: false, fail: false, verbose: false, headers: [], urls: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const [name, inline] = longOption(a);
      const value = () => inline ?? args[++i];
      switch (name) {
        case 'silent': o.silent = true; break;
        case 'show-error': o.showError = true; break;
        case 'include': o.include = true; break;
        case 'head': o.head = true; break;
        case 'fail': o.fail = true; break;
        case 'verbose': o.verbose = true; break;
        case 'output': o.output = value(); break;
        case 'request': o.method = value(); break;
        case 'header': {
          const h = value() ?? '';
          const colon = h.indexOf(':');
          if (colon > 0) o.headers.push([h.slice(0, colon).trim(), h.slice(colon + 1).trim()]);
          break;
        }
        case 'connect-timeout':
        case 'max-time': {
          const ms = seconds(value());
          if (ms !== undefined) o.timeoutMs = Math.min(o.timeoutMs ?? ms, ms);
          break;
        }
        case 'url': o.urls.push(value() ?? ''); break;
        case 'data': case 'user-agent': case 'write-out': case 'user': case 'retry': case 'resolve': value(); break;
        default: break;
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const f = a[j];
        if (CURL_FLAGS_WITH_VALUE.has(f)) {
          const v = j + 1 < a.length ? a.slice(j + 1) : args[++i];
          if (f === 'o') o.output = v;
          else if (f === 'X') o.method = v;
          else if (f === 'm') {
            const ms = seconds(v);
            if (ms !== undefined) o.timeoutMs = Math.min(o.timeoutMs ?? ms, ms);
          } else if (f === 'H' && v) {
            const colon = v.indexOf(':');
            if (colon > 0) o.headers.push([v.slice(0, colon).trim(), v.slice(colon + 1).trim()]);
          }
          break;
        }
        if (f === 's') o.silent = true;
        else if (f === 'S') o.showError = true;
        else if (f === 'i') o.include = true;
        else if (f === 'I') o.head = true;
        else if (f === 'f') o.fail = true;
        else if (f === 'v') o.verbose = true;
      }
      continue;
    }
    o.urls.push(a);
  }
  if (o.urls.length === 0) return { usage: true };
  return o;
}

/** curl's progress meter (stderr), as a run that took about a millisecond ends it. */
function progressMeter(bytes: number, failedLine?: string): Step[] {
  const speed = (n: number) => {
    const perSecond = n * 1000;
    const text = perSecond >= 1024 * 1024 ? `${Math.round(perSecond / 1048576)}M` : perSecond >= 1024 ? `${Math.round(perSecond / 1024)}k` : String(perSecond);
    return text.padStart(6);
  };
  const zero = '  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0';
  const head = [
    err('  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current'),
    err('                                 Dload  Upload   Total   Spent    Left  Speed'),
  ];
  if (failedLine !== undefined) return [...head, err(`${zero}${failedLine}`)];
  const size = String(bytes).padStart(5);
  const done = `100 ${size}  100 ${size}    0     0 ${speed(bytes)}      0 --:--:-- --:--:-- --:--:-- ${speed(bytes)}`;
  return [...head, err(`\r${zero}\r${done}`)];
}

export function runCurl(args: readonly string[], ctx: ToolContext): ToolResult {
  const parsed = parseCurl(args);
  if ('usage' in parsed) return { steps: [err("curl: try 'curl --help' or 'curl --manual' for more information")], status: 2 };
  const o = parsed;
  const steps: Step[] = [];
  let status = 0;
  const toFile = o.output !== undefined && o.output !== '-';
  const meter = !o.silent && (!ctx.tty || toFile);
  const showErrors = !o.silent || o.showError;
  const fail = (code: number, message: string): void => {
    status = code;
    const line = `curl: (${code}) ${message}`;
    if (meter) steps.push(...progressMeter(0, showErrors ? line : ''));
    else if (showErrors) steps.push(err(line));
  };
  for (const raw of o.urls) {
    const url = parseUrl(raw);
    if (!url) {
      fail(1, `Protocol "${raw.split('://')[0]}" not supported`);
      continue;
    }
    if (url.host === '') {
      fail(3, 'URL rejected: No host part in the URL');
      continue;
    }
    const ip = resolveHost(ctx.net, url.host);
    if (o.verbose && ip) steps.push(err(`*   Trying ${ip}:${url.port}...`));
    if (!ip) {
      fail(6, `Could not resolve host: ${url.host}`);
      continue;
    }
    const method = o.method ?? (o.head ? 'HEAD' : 'GET');
    const headers: [string, string][] = [['User-Agent', `curl/${ctx.curlVersion ?? '8.11.0'}`], ['Accept', '*/*'], ...o.headers];
    const result = ctx.net.connect(ip, url.port, { method, path: url.path, host: url.hostHeader, headers });
    if (result.kind === 'refused') {
      fail(7, `Failed to connect to ${url.host} port ${url.port} after 0 ms: Couldn't connect to server`);
      continue;
    }
    if (result.kind === 'timeout') {
      const waited = o.timeoutMs ?? KERNEL_CONNECT_TIMEOUT_MS;
      steps.push({ sleepMs: waited });
      fail(28, `Failed to connect to ${url.host} port ${url.port} after ${waited} ms: ${o.timeoutMs !== undefined ? 'Timeout was reached' : "Couldn't connect to server"}`);
      continue;
    }
    if (o.verbose) {
      steps.push(err(`* Connected to ${url.host} (${ip}) port ${url.port}`));
      steps.push(err(`> ${method} ${url.path} HTTP/1.1`), err(`> Host: ${url.hostHeader}`), ...headers.map(([k, v]) => err(`> ${k}: ${v}`)), err('> '));
    }
    const answer = result.answer;
    if (answer.kind === 'closed' || url.scheme === 'https') {
      if (url.scheme === 'https' && answer.kind === 'response') fail(35, 'OpenSSL/3.3.2: error:0A00010B:SSL routines::wrong version number');
      else fail(52, 'Empty reply from server');
      continue;
    }
    if (o.verbose) {
      steps.push(err(`< HTTP/1.1 ${answer.status} ${answer.reason}`), ...answer.headers.map(([k, v]) => err(`< ${k}: ${v}`)), err('< '));
    }
    if (o.fail && answer.status >= 400) {
      fail(22, `The requested URL returned error: ${answer.status}`);
      continue;
    }
    const body = method === 'HEAD' ? '' : answer.body;
    const shown = (o.include || o.head ? headerBlock(answer) : '') + body;
    if (meter) steps.push(...progressMeter(body.length));
    if (!toFile) steps.push(...bodySteps(shown));
  }
  return { steps, status };
}

// ---------------------------------------------------------------- BusyBox wget

interface WgetOptions {
  quiet: boolean;
  output?: string;
  timeoutMs?: number;
  serverResponse: boolean;
  spider: boolean;
  userAgent?: string;
  headers: [string, string][];
  urls: string[];
}

function parseWget(args: readonly string[]): WgetOptions | { usage: true } {
  const o: WgetOptions = { quiet: false, serverResponse: false, spider: false, headers: [], urls: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const [name, inline] = longOption(a);
      const value = () => inline ?? args[++i];
      if (name === 'quiet') o.quiet = true;
      else if (name === 'output-document') o.output = value();
      else if (name === 'timeout') o.timeoutMs = seconds(value());
      else if (name === 'server-response') o.serverResponse = true;
      else if (name === 'spider') o.spider = true;
      else if (name === 'user-agent') o.userAgent = value();
      else if (name === 'header') {
        const h = value() ?? '';
        const colon = h.indexOf(':');
        if (colon > 0) o.headers.push([h.slice(0, colon).trim(), h.slice(colon + 1).trim()]);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const f = a[j];
        if (f === 'O' || f === 'T' || f === 'U' || f === 'P' || f === 'Y' || f === 'o') {
          const v = j + 1 < a.length ? a.slice(j + 1) : args[++i];
          if (f === 'O') o.output = v;
          else if (f === 'T') o.timeoutMs = seconds(v);
          else if (f === 'U') o.userAgent = v;
          break;
        }
        if (f === 'q') o.quiet = true;
        else if (f === 'S') o.serverResponse = true;
      }
      continue;
    }
    o.urls.push(a);
  }
  if (o.urls.length === 0) return { usage: true };
  return o;
}

/** BusyBox's progress bar line, as at the end of a transfer. */
function wgetBar(name: string, bytes: number): string {
  const size = bytes < 100_000 ? String(bytes).padStart(5) : `${Math.round(bytes / 1024)}k`.padStart(5);
  return `${name.padEnd(20).slice(0, 20)} 100% |********************************| ${size}  0:00:00 ETA`;
}

export function runWget(args: readonly string[], ctx: ToolContext): ToolResult {
  const parsed = parseWget(args);
  if ('usage' in parsed) {
    return { steps: [err('BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.'), err(''), err('Usage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]'), err('\t[--post-data STR | --post-file FILE] [-Y on/off]'), err('\t[-P DIR] [-U AGENT] [-T SEC] URL...')], status: 1 };
  }
  const o = parsed;
  const steps: Step[] = [];
  const info = (text: string) => {
    if (!o.quiet) steps.push(err(text));
  };
  const die = (text: string): ToolResult => {
    steps.push(err(`wget: ${text}`));
    return { steps, status: 1 };
  };
  for (const raw of o.urls) {
    const url = parseUrl(raw);
    if (!url) return die(`not an http or ftp url: ${raw}`);
    const ip = resolveHost(ctx.net, url.host);
    if (!ip) return die(`bad address '${url.host}'`);
    info(`Connecting to ${url.hostHeader} (${ip}:${url.port})`);
    const method = o.spider ? 'HEAD' : 'GET';
    const headers: [string, string][] = [['User-Agent', o.userAgent ?? 'Wget'], ...o.headers, ['Connection', 'close']];
    const result = ctx.net.connect(ip, url.port, { method, path: url.path, host: url.hostHeader, headers });
    if (result.kind === 'refused') return die(`can't connect to remote host (${ip}): Connection refused`);
    if (result.kind === 'timeout') {
      steps.push({ sleepMs: o.timeoutMs ?? KERNEL_CONNECT_TIMEOUT_MS });
      return die(o.timeoutMs !== undefined ? 'download timed out' : `can't connect to remote host (${ip}): Connection timed out`);
    }
    const answer = result.answer;
    if (answer.kind === 'closed' || url.scheme === 'https') return die('error getting response: Connection reset by peer');
    if (o.serverResponse) {
      steps.push(err(`  HTTP/1.1 ${answer.status} ${answer.reason}`), ...answer.headers.map(([k, v]) => err(`  ${k}: ${v}`)));
    }
    if (answer.status >= 400) return die(`server returned error: HTTP/1.1 ${answer.status} ${answer.reason}`);
    if (o.spider) {
      info('remote file exists');
      continue;
    }
    const toStdout = o.output === '-';
    const file = o.output ?? (url.path.split('?')[0].split('/').pop() || 'index.html');
    info(toStdout ? 'writing to stdout' : `saving to '${file}'`);
    if (toStdout) steps.push(...bodySteps(answer.body));
    info(wgetBar(toStdout ? '-' : file, answer.body.length));
    info(toStdout ? 'written to stdout' : `'${file}' saved`);
  }
  return { steps, status: 0 };
}
