/**
 * The lab's built-in image registry: common public images with realistic tags and compressed
 * (download) sizes for linux/amd64, how an image reference resolves, and what each image does when
 * it runs (a long-running server with its start-up lines, or a shell that exits at once).
 *
 * Dependency-free on purpose: the manifest layer may use `lookupImage` for "unknown image" hints
 * without importing the simulation.
 */

export interface ImageTag {
  tag: string;
  /** Compressed size of the linux/amd64 image (what a pull downloads), in bytes. */
  sizeBytes: number;
  /** Version of the main program, shown in its start-up lines ({version}). */
  version?: string;
}

/**
 * What a known binary of the image does when it runs (data, interpreted by src/sim/runtime/program.ts).
 * Lines may use `{time:<format>}` (nginx, redis, apache, postgres, mysql, go, iso, date),
 * `{hostname}`, `{ip}` and `{version}` placeholders; line i is printed i ms after the start.
 */
export interface ProcessSpec {
  lines: string[];
  /** Undefined: the process keeps running until it is stopped. A number: it exits with this code. */
  exitCode?: number;
  /** At least one of these variables must be set, otherwise the process prints `lines` and exits 1. */
  requiresEnv?: { anyOf: string[]; lines: string[] };
  /** Lines printed when the process receives SIGTERM; it then exits 0 after `stopMs`. */
  stopLines?: string[];
  stopMs?: number;
  /** The TCP port the running process listens on, and how it answers (src/sim/runtime/http-answer.ts). */
  serves?: ServeSpec;
}

/**
 * A server's listening socket, as data: its default port (flags such as http-echo's `-listen` or whoami's
 * `--port` may move it) and which answer it gives to an HTTP request: a web server's pages, http-echo's
 * `-text`, whoami's report of the request, or `tcp` for a server of another protocol (it closes the
 * connection without an HTTP reply).
 */
export interface ServeSpec {
  port: number;
  answer: 'nginx' | 'httpd' | 'http-echo' | 'whoami' | 'tcp';
}

export interface ImageInfo {
  /** Fully qualified repository, e.g. "docker.io/library/nginx". */
  repository: string;
  /** One-line description (for hints and hovers). */
  description: string;
  tags: ImageTag[];
  /** ENTRYPOINT and CMD of the image config: the argv run when the pod gives no command/args. */
  entrypoint: string[];
  cmd: string[];
  /** Known binaries (by base name) and what they do; anything else is run by the generic interpreter. */
  processes: Record<string, ProcessSpec>;
  /** Extra binaries present in the image that the interpreter treats as silent successes. */
  binaries?: string[];
}

const MB = 1_000_000;

const NGINX_START = [
  '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
  '/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/',
  '/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh',
  '10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf',
  '10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf',
  '/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh',
  '/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh',
  '/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh',
  '/docker-entrypoint.sh: Configuration complete; ready for start up',
];
const NGINX_CORE = [
  '{time:nginx} [notice] 1#1: using the "epoll" event method',
  '{time:nginx} [notice] 1#1: nginx/{version}',
  '{time:nginx} [notice] 1#1: OS: Linux 6.8.0-1021-aws',
  '{time:nginx} [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576',
  '{time:nginx} [notice] 1#1: start worker processes',
  '{time:nginx} [notice] 1#1: start worker process 29',
  '{time:nginx} [notice] 1#1: start worker process 30',
];
const NGINX_SERVES: ServeSpec = { port: 80, answer: 'nginx' };
const MEMCACHED: ProcessSpec = { lines: [], serves: { port: 11211, answer: 'tcp' } };
const NGINX_STOP = [
  '{time:nginx} [notice] 1#1: signal 3 (SIGQUIT) received, shutting down',
  '{time:nginx} [notice] 29#29: gracefully shutting down',
  '{time:nginx} [notice] 1#1: exit',
];

const REDIS: ProcessSpec = {
  lines: [
    '1:C {time:redis} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo',
    '1:C {time:redis} * Redis version={version}, bits=64, commit=00000000, modified=0, pid=1, just started',
    '1:C {time:redis} # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf',
    '1:M {time:redis} * monotonic clock: POSIX clock_gettime',
    '1:M {time:redis} * Running mode=standalone, port=6379.',
    '1:M {time:redis} * Server initialized',
    '1:M {time:redis} * Ready to accept connections tcp',
  ],
  serves: { port: 6379, answer: 'tcp' },
  stopLines: [
    '1:signal-handler ({time:redis}) Received SIGTERM scheduling shutdown...',
    '1:M {time:redis} * User requested shutdown...',
    '1:M {time:redis} # Redis is now ready to exit, bye bye...',
  ],
  stopMs: 20,
};

const POSTGRES: ProcessSpec = {
  requiresEnv: {
    anyOf: ['POSTGRES_PASSWORD', 'POSTGRES_HOST_AUTH_METHOD'],
    lines: [
      'Error: Database is uninitialized and superuser password is not specified.',
      '       You must specify POSTGRES_PASSWORD to a non-empty value for the',
      '       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".',
      '',
      '       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all',
      '       connections without a password. This is *not* recommended.',
    ],
  },
  lines: [
    'The files belonging to this database system will be owned by user "postgres".',
    'This user must also own the server process.',
    '',
    'The database cluster will be initialized with locale "en_US.utf8".',
    'fixing permissions on existing directory /var/lib/postgresql/data ... ok',
    'creating subdirectories ... ok',
    'performing post-bootstrap initialization ... ok',
    'syncing data to disk ... ok',
    '',
    'Success. You can now start the database server using:',
    '',
    'PostgreSQL init process complete; ready for start up.',
    '',
    '{time:postgres} [1] LOG:  starting PostgreSQL {version} on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit',
    '{time:postgres} [1] LOG:  listening on IPv4 address "0.0.0.0", port 5432',
    '{time:postgres} [1] LOG:  listening on Unix socket "/var/run/postgresql/.s.PGSQL.5432"',
    '{time:postgres} [1] LOG:  database system is ready to accept connections',
  ],
  serves: { port: 5432, answer: 'tcp' },
  stopLines: [
    '{time:postgres} [1] LOG:  received fast shutdown request',
    '{time:postgres} [1] LOG:  aborting any active transactions',
    '{time:postgres} [1] LOG:  database system is shut down',
  ],
  stopMs: 200,
};

const MYSQL: ProcessSpec = {
  requiresEnv: {
    anyOf: ['MYSQL_ROOT_PASSWORD', 'MYSQL_ALLOW_EMPTY_PASSWORD', 'MYSQL_RANDOM_ROOT_PASSWORD'],
    lines: [
      '{time:mysql} [Note] [Entrypoint]: Entrypoint script for MySQL Server {version} started.',
      '{time:mysql} [ERROR] [Entrypoint]: Database is uninitialized and password option is not specified',
      '    You need to specify one of the following as an environment variable:',
      '    - MYSQL_ROOT_PASSWORD',
      '    - MYSQL_ALLOW_EMPTY_PASSWORD',
      '    - MYSQL_RANDOM_ROOT_PASSWORD',
    ],
  },
  lines: [
    '{time:mysql} [Note] [Entrypoint]: Entrypoint script for MySQL Server {version} started.',
    '{time:mysql} [Note] [Entrypoint]: Initializing database files',
    '{time:mysql} [Note] [Entrypoint]: Database files initialized',
    '{time:mysql} [Note] [Entrypoint]: MySQL init process done. Ready for start up.',
    '{time:iso} 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: \'{version}\'  socket: \'/var/run/mysqld/mysqld.sock\'  port: 3306  MySQL Community Server - GPL.',
  ],
  serves: { port: 3306, answer: 'tcp' },
  stopLines: ['{time:iso} 0 [System] [MY-010910] [Server] /usr/sbin/mysqld: Shutdown complete (mysqld {version})  MySQL Community Server - GPL.'],
  stopMs: 500,
};

const HTTPD: ProcessSpec = {
  lines: [
    "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using {ip}. Set the 'ServerName' directive globally to suppress this message",
    "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using {ip}. Set the 'ServerName' directive globally to suppress this message",
    '[{time:apache}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/{version} (Unix) configured -- resuming normal operations',
    "[{time:apache}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'",
  ],
  serves: { port: 80, answer: 'httpd' },
  stopLines: ['[{time:apache}] [mpm_event:notice] [pid 1:tid 1] AH00491: caught SIGTERM, shutting down'],
  stopMs: 50,
};

const SHELL_UTILS = ['ls', 'mkdir', 'touch', 'cp', 'mv', 'rm', 'chmod', 'tee', 'wget', 'nc', 'ping', 'nslookup', 'grep', 'sed', 'awk', 'head', 'id', 'whoami', 'uname', 'ps', 'kill', 'top', 'wc', 'sort', 'uniq'];

function tags(list: [string, number, string?][]): ImageTag[] {
  return list.map(([tag, mb, version]) => ({ tag, sizeBytes: Math.round(mb * MB), ...(version ? { version } : {}) }));
}

/** The registry's contents. A lesson may add images with `registerImage`. */
const IMAGES: ImageInfo[] = [
  {
    repository: 'docker.io/library/nginx',
    description: 'nginx web server (listens on port 80)',
    tags: tags([
      ['latest', 72.1, '1.27.3'], ['1.27', 72.1, '1.27.3'], ['1.27.3', 72.1, '1.27.3'], ['mainline', 72.1, '1.27.3'],
      ['1.26', 71.6, '1.26.2'], ['1.26.2', 71.6, '1.26.2'], ['stable', 71.6, '1.26.2'], ['1.25', 70.5, '1.25.5'],
      ['1.25.5', 70.5, '1.25.5'], ['alpine', 20.3, '1.27.3'], ['1.27-alpine', 20.3, '1.27.3'], ['stable-alpine', 19.9, '1.26.2'],
      ['1.14.2', 44.7, '1.14.2'],
    ]),
    entrypoint: ['/docker-entrypoint.sh'],
    cmd: ['nginx', '-g', 'daemon off;'],
    processes: {
      'docker-entrypoint.sh': { lines: [...NGINX_START, ...NGINX_CORE], stopLines: NGINX_STOP, stopMs: 30, serves: NGINX_SERVES },
      nginx: { lines: NGINX_CORE, stopLines: NGINX_STOP, stopMs: 30, serves: NGINX_SERVES },
    },
    binaries: SHELL_UTILS,
  },
  {
    repository: 'docker.io/library/busybox',
    description: 'BusyBox: a tiny shell and Unix utilities (default command: sh)',
    tags: tags([['latest', 2.2], ['1.37', 2.2], ['1.37.0', 2.2], ['1.36', 2.15], ['1.36.1', 2.15], ['1.35', 2.1], ['stable', 2.2], ['musl', 0.86], ['glibc', 2.2], ['1.28', 0.73]]),
    entrypoint: [],
    cmd: ['sh'],
    processes: {},
    binaries: SHELL_UTILS,
  },
  {
    repository: 'docker.io/library/alpine',
    description: 'Alpine Linux (default command: /bin/sh)',
    tags: tags([['latest', 3.6], ['3.21', 3.6], ['3.20', 3.6], ['3.19', 3.4], ['3.18', 3.3], ['edge', 3.7]]),
    entrypoint: [],
    cmd: ['/bin/sh'],
    processes: {},
    binaries: [...SHELL_UTILS, 'apk'],
  },
  {
    repository: 'docker.io/library/ubuntu',
    description: 'Ubuntu (default command: /bin/bash)',
    tags: tags([['latest', 29.7], ['24.04', 29.7], ['noble', 29.7], ['22.04', 29.5], ['jammy', 29.5], ['20.04', 27.5]]),
    entrypoint: [],
    cmd: ['/bin/bash'],
    processes: {},
    binaries: [...SHELL_UTILS, 'apt-get', 'apt'],
  },
  {
    repository: 'docker.io/library/debian',
    description: 'Debian (default command: bash)',
    tags: tags([['latest', 48.5], ['bookworm', 48.5], ['12', 48.5], ['bookworm-slim', 28.2], ['bullseye', 53.7]]),
    entrypoint: [],
    cmd: ['bash'],
    processes: {},
    binaries: [...SHELL_UTILS, 'apt-get', 'apt'],
  },
  {
    repository: 'docker.io/library/redis',
    description: 'Redis key-value store (listens on port 6379)',
    tags: tags([['latest', 45.1, '7.4.1'], ['7', 45.1, '7.4.1'], ['7.4', 45.1, '7.4.1'], ['7.4.1', 45.1, '7.4.1'], ['7.2', 43.6, '7.2.6'], ['6.2', 40.2, '6.2.16'], ['alpine', 17.4, '7.4.1'], ['7-alpine', 17.4, '7.4.1']]),
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['redis-server'],
    processes: { 'docker-entrypoint.sh': REDIS, 'redis-server': REDIS },
    binaries: SHELL_UTILS,
  },
  {
    repository: 'docker.io/library/postgres',
    description: 'PostgreSQL database (needs POSTGRES_PASSWORD; listens on port 5432)',
    tags: tags([['latest', 151.2, '17.2'], ['17', 151.2, '17.2'], ['17.2', 151.2, '17.2'], ['16', 150.1, '16.6'], ['16.6', 150.1, '16.6'], ['15', 148.8, '15.10'], ['alpine', 104.6, '17.2'], ['16-alpine', 103.9, '16.6']]),
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['postgres'],
    processes: { 'docker-entrypoint.sh': POSTGRES, postgres: POSTGRES },
    binaries: SHELL_UTILS,
  },
  {
    repository: 'docker.io/library/mysql',
    description: 'MySQL database (needs MYSQL_ROOT_PASSWORD; listens on port 3306)',
    tags: tags([['latest', 170.4, '9.1.0'], ['9', 170.4, '9.1.0'], ['8.4', 165.3, '8.4.3'], ['8.0', 163.9, '8.0.40'], ['8', 165.3, '8.4.3'], ['lts', 165.3, '8.4.3']]),
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['mysqld'],
    processes: { 'docker-entrypoint.sh': MYSQL, mysqld: MYSQL },
    binaries: SHELL_UTILS,
  },
  {
    repository: 'docker.io/library/httpd',
    description: 'Apache HTTP Server (listens on port 80)',
    tags: tags([['latest', 58.3, '2.4.62'], ['2.4', 58.3, '2.4.62'], ['2.4.62', 58.3, '2.4.62'], ['alpine', 23.1, '2.4.62'], ['2.4-alpine', 23.1, '2.4.62']]),
    entrypoint: [],
    cmd: ['httpd-foreground'],
    processes: { 'httpd-foreground': HTTPD, httpd: HTTPD },
    binaries: SHELL_UTILS,
  },
  {
    repository: 'docker.io/library/python',
    description: 'Python (default command: python3, which exits at once without a terminal)',
    tags: tags([['latest', 381.2], ['3', 381.2], ['3.13', 381.2], ['3.12', 377.6], ['3.11', 374.3], ['3.12-slim', 45.4], ['3.13-slim', 43.9], ['3.12-alpine', 18.6], ['alpine', 18.4]]),
    entrypoint: [],
    cmd: ['python3'],
    processes: {},
    binaries: [...SHELL_UTILS, 'pip'],
  },
  {
    repository: 'docker.io/library/node',
    description: 'Node.js (default command: node, which exits at once without a terminal)',
    tags: tags([['latest', 394.7], ['22', 394.7], ['20', 391.2], ['18', 383.5], ['lts', 394.7], ['22-alpine', 52.8], ['20-alpine', 47.3], ['22-slim', 74.8], ['alpine', 52.8]]),
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['node'],
    processes: {},
    binaries: [...SHELL_UTILS, 'npm', 'npx'],
  },
  {
    repository: 'docker.io/library/golang',
    description: 'Go toolchain (default command: bash)',
    tags: tags([['latest', 299.5], ['1.23', 299.5], ['1.22', 295.9], ['1.23-alpine', 79.4], ['alpine', 79.4]]),
    entrypoint: [],
    cmd: ['bash'],
    processes: {},
    binaries: [...SHELL_UTILS, 'go'],
  },
  {
    repository: 'docker.io/library/memcached',
    description: 'memcached (listens on port 11211)',
    tags: tags([['latest', 31.2, '1.6.32'], ['1.6', 31.2, '1.6.32'], ['alpine', 4.9, '1.6.32']]),
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['memcached'],
    processes: { 'docker-entrypoint.sh': MEMCACHED, memcached: MEMCACHED },
    binaries: SHELL_UTILS,
  },
  {
    repository: 'registry.k8s.io/pause',
    description: "the pause container: holds a pod's namespaces and sleeps",
    tags: tags([['3.10', 0.32], ['3.9', 0.32], ['3.8', 0.31], ['latest', 0.32]]),
    entrypoint: ['/pause'],
    cmd: [],
    processes: { pause: { lines: [] } },
  },
  {
    repository: 'docker.io/hashicorp/http-echo',
    description: 'a tiny HTTP server that answers with the text given by -text (port 5678)',
    tags: tags([['latest', 2.9, '1.0.0'], ['1.0', 2.9, '1.0.0'], ['1.0.0', 2.9, '1.0.0'], ['0.2.3', 2.5, '0.2.3']]),
    entrypoint: ['/http-echo'],
    cmd: [],
    processes: { 'http-echo': { lines: ['{time:go} [INFO] server is listening on :5678'], serves: { port: 5678, answer: 'http-echo' } } },
  },
  {
    repository: 'docker.io/curlimages/curl',
    description: 'curl (the entrypoint is curl: give the URL as args)',
    tags: tags([['latest', 10.5, '8.11.0'], ['8.11.0', 10.5, '8.11.0'], ['8.10.1', 10.3, '8.10.1'], ['8.5.0', 9.8, '8.5.0']]),
    entrypoint: ['/entrypoint.sh'],
    cmd: ['curl'],
    processes: {},
    binaries: [...SHELL_UTILS, 'curl'],
  },
  {
    repository: 'docker.io/traefik/whoami',
    description: 'a tiny HTTP server that prints OS and request information (port 80)',
    tags: tags([['latest', 3.3, '1.10.3'], ['v1.10', 3.3, '1.10.3'], ['v1.10.3', 3.3, '1.10.3']]),
    entrypoint: ['/whoami'],
    cmd: [],
    processes: { whoami: { lines: ['{time:go} Starting up on port 80'], serves: { port: 80, answer: 'whoami' } } },
  },
];

const byRepository = new Map<string, ImageInfo>(IMAGES.map((image) => [image.repository, image]));

/** Add (or replace) an image in the registry, e.g. for a lesson about a custom application image. */
export function registerImage(image: ImageInfo): void {
  byRepository.set(image.repository, image);
  lookups.clear();
}

/** Every known image, for completion lists and hints. */
export function knownImages(): readonly ImageInfo[] {
  return [...byRepository.values()];
}

// ---------------------------------------------------------------- references

export interface ImageReference {
  /** Registry host, e.g. "docker.io", "registry.k8s.io". */
  domain: string;
  /** Repository path inside the registry, e.g. "library/nginx". */
  path: string;
  tag?: string;
  digest?: string;
  /** domain/path, e.g. "docker.io/library/nginx". */
  repository: string;
  /** Fully qualified reference, e.g. "docker.io/library/nginx:latest" (the tag defaults to latest). */
  normalized: string;
}

export type ParseResult = { ok: true; reference: ImageReference } | { ok: false; error: string };

const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_RE = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;

/**
 * Parse `name[:tag][@digest]` the way container runtimes do (docker's reference normalisation):
 * a first component with a dot or a port, or "localhost", is a registry; otherwise the registry is
 * docker.io, and a single-component name lives under "library/". Without tag and digest the tag is
 * "latest". Errors read like the runtime's "invalid reference format" messages.
 */
export function parseImageReference(ref: string): ParseResult {
  const invalid = (why = ''): ParseResult => ({ ok: false, error: `couldn't parse image name "${ref}": invalid reference format${why}` });
  if (ref === '' || ref.trim() !== ref) return invalid();
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) return invalid();
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) return invalid();
  }
  if (rest === '') return invalid();
  const parts = rest.split('/');
  let domain = 'docker.io';
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) {
    domain = parts.shift()!;
    if (!DOMAIN_RE.test(domain)) return invalid();
  }
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && parts.length === 1) parts.unshift('library');
  const path = parts.join('/');
  if (path.toLowerCase() !== path) return invalid(`: repository name (${path}) must be lowercase`);
  if (!parts.every((p) => COMPONENT_RE.test(p))) return invalid();
  const repository = `${domain}/${path}`;
  if (!tag && !digest) tag = 'latest';
  const normalized = `${repository}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  return { ok: true, reference: { domain, path, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}), repository, normalized } };
}

/** The shortest form users write: "nginx:1.27" for docker.io/library/nginx:1.27. */
export function familiarName(reference: ImageReference): string {
  let name = reference.repository;
  if (name.startsWith('docker.io/library/')) name = name.slice('docker.io/library/'.length);
  else if (name.startsWith('docker.io/')) name = name.slice('docker.io/'.length);
  return `${name}${reference.tag ? `:${reference.tag}` : ''}${reference.digest ? `@${reference.digest}` : ''}`;
}

/** A stable, realistic-looking sha256 digest for an image tag (the same for every run). */
export function imageDigest(repository: string, tag: string): string {
  let out = '';
  for (let round = 0; out.length < 64; round++) {
    let h = 0x811c9dc5 ^ round;
    for (const ch of `${repository}:${tag}#${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return `sha256:${out.slice(0, 64)}`;
}

export type ImageLookup =
  | { status: 'found'; reference: ImageReference; image: ImageInfo; tag: ImageTag; digest: string; imageRef: string }
  | { status: 'invalid'; error: string }
  | { status: 'unknown-repository'; reference: ImageReference }
  | { status: 'unknown-tag'; reference: ImageReference; image: ImageInfo; knownTags: string[] };

/** Answers of lookupImage by reference (frozen, shared): a kubelet asks about its containers' images on every start. */
const lookups = new Map<string, ImageLookup>();
const MAX_LOOKUPS = 1024;

/**
 * Resolve an image reference against the built-in registry. `imageRef` is the digest reference the
 * runtime reports as the container's imageID, e.g. "docker.io/library/nginx@sha256:…". The answer is
 * frozen and shared by every caller asking about the same reference.
 */
export function lookupImage(ref: string): ImageLookup {
  let answer = lookups.get(ref);
  if (!answer) {
    if (lookups.size >= MAX_LOOKUPS) lookups.clear();
    answer = resolveImage(ref);
    // Freeze what the answer made itself (the registry's ImageInfo and ImageTag are its own).
    if ('reference' in answer) Object.freeze(answer.reference);
    if ('knownTags' in answer) Object.freeze(answer.knownTags);
    lookups.set(ref, Object.freeze(answer));
  }
  return answer;
}

function resolveImage(ref: string): ImageLookup {
  const parsed = parseImageReference(ref);
  if (!parsed.ok) return { status: 'invalid', error: parsed.error };
  const reference = parsed.reference;
  const image = byRepository.get(reference.repository);
  if (!image) return { status: 'unknown-repository', reference };
  const knownTags = image.tags.map((t) => t.tag);
  let tag: ImageTag | undefined;
  if (reference.digest) {
    tag = image.tags.find((t) => imageDigest(image.repository, t.tag) === reference.digest && (!reference.tag || t.tag === reference.tag));
  } else {
    tag = image.tags.find((t) => t.tag === reference.tag);
  }
  if (!tag) return { status: 'unknown-tag', reference, image, knownTags };
  const digest = imageDigest(image.repository, tag.tag);
  return { status: 'found', reference, image, tag, digest, imageRef: `${image.repository}@${digest}` };
}

/**
 * The error a real pull of a missing image reports (containerd through the CRI), without the
 * "rpc error" envelope: Docker Hub answers "pull access denied" for a repository that does not
 * exist, and "not found" for a missing tag or for other registries.
 */
export function pullFailureMessage(lookup: Exclude<ImageLookup, { status: 'found' } | { status: 'invalid' }>): { code: 'NotFound' | 'Unknown'; desc: string } {
  const n = lookup.reference.normalized;
  const prefix = `failed to pull and unpack image "${n}": failed to resolve reference "${n}"`;
  if (lookup.status === 'unknown-repository' && lookup.reference.domain === 'docker.io') {
    return {
      code: 'Unknown',
      desc: `${prefix}: pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`,
    };
  }
  return { code: 'NotFound', desc: `${prefix}: ${n}: not found` };
}
