/**
 * `k8s-lab fault stop|start KIND NAME [--kubeconfig PATH]` and `k8s-lab fault list`: injects or heals a
 * fault in a running `k8s-lab serve` (or the editor's lab) through its /lab/v1/faults endpoint, with
 * the URL and token of the kubeconfig the server wrote.
 */
import { request } from 'node:https';
import { FAULT_KINDS, FAULTS_PATH, defaultKubeconfigPath, readKubeconfig } from '../server';

const HELP = `Usage: k8s-lab fault stop|start KIND NAME [--kubeconfig PATH]
       k8s-lab fault list [--kubeconfig PATH]

Stop or start a part of the running lab cluster; the simulated components recover by themselves.

KIND is one of: ${FAULT_KINDS.join(', ')}
Examples:
  k8s-lab fault stop node worker-1
  k8s-lab fault stop zone us-east-2a
  k8s-lab fault stop etcd master-2
  k8s-lab fault start node worker-1

Options:
  --kubeconfig PATH   the kubeconfig "k8s-lab serve" wrote (default: $KUBECONFIG if it has a k8s-lab
                      context, else ~/.kube/k8s-lab.config)
`;

interface Reply {
  code: number;
  body: unknown;
}

function call(server: string, token: string, ca: string | undefined, method: string, body?: unknown): Promise<Reply> {
  const url = new URL(FAULTS_PATH, server);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          'User-Agent': 'k8s-lab-fault/1.0',
          Accept: 'application/json',
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) } : {}),
        },
        timeout: 30_000,
        ca,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          try {
            resolve({ code: res.statusCode ?? 0, body: JSON.parse(text) });
          } catch {
            resolve({ code: res.statusCode ?? 0, body: text });
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(payload);
  });
}

function kubeconfigFrom(args: string[]): { path: string; rest: string[] } | { error: string } {
  const rest: string[] = [];
  let path: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--kubeconfig') {
      path = args[++i];
      if (!path) return { error: '--kubeconfig needs a path' };
    } else if (args[i].startsWith('--kubeconfig=')) path = args[i].slice('--kubeconfig='.length);
    else rest.push(args[i]);
  }
  if (!path) {
    const env = process.env.KUBECONFIG?.split(':').find((p) => p.endsWith('k8s-lab.config'));
    path = env ?? defaultKubeconfigPath();
  }
  return { path, rest };
}

function describeFault(f: unknown): string {
  if (typeof f !== 'object' || f === null) return String(f);
  const o = f as Record<string, unknown>;
  if (typeof o.kind === 'string' && typeof o.name === 'string') return `${o.kind} ${o.name}${o.since !== undefined ? ` (since ${String(o.since)})` : ''}`;
  return JSON.stringify(f);
}

export default async function fault(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const parsed = kubeconfigFrom(args);
  if ('error' in parsed) {
    process.stderr.write(`k8s-lab fault: ${parsed.error}\n`);
    return 2;
  }
  const [action, kind, name, ...extra] = parsed.rest;
  const listing = action === 'list';
  if (!listing && (action !== 'stop' && action !== 'start')) {
    process.stderr.write(`k8s-lab fault: expected "stop", "start" or "list", got ${JSON.stringify(action ?? '')}\n\n${HELP}`);
    return 2;
  }
  if (!listing && (!kind || !name || extra.length > 0)) {
    process.stderr.write(`k8s-lab fault: expected ${action} KIND NAME\n\n${HELP}`);
    return 2;
  }
  if (!listing && !(FAULT_KINDS as readonly string[]).includes(kind)) {
    process.stderr.write(`k8s-lab fault: unknown kind ${JSON.stringify(kind)}: expected one of ${FAULT_KINDS.join(', ')}\n`);
    return 2;
  }
  let endpoint;
  try {
    endpoint = readKubeconfig(parsed.path);
  } catch (err) {
    process.stderr.write(`k8s-lab fault: cannot read the lab's kubeconfig: ${(err as Error).message}\n(is "k8s-lab serve" running?)\n`);
    return 1;
  }
  let reply: Reply;
  try {
    reply = listing ? await call(endpoint.server, endpoint.token, endpoint.ca, 'GET') : await call(endpoint.server, endpoint.token, endpoint.ca, 'POST', { action, kind, name });
  } catch (err) {
    process.stderr.write(`k8s-lab fault: cannot reach the lab at ${endpoint.server}: ${(err as Error).message}\n`);
    return 1;
  }
  const body = reply.body as { message?: string; items?: unknown[]; active?: unknown[] };
  if (reply.code !== 200) {
    process.stderr.write(`Error from server: ${body?.message ?? JSON.stringify(reply.body)}\n`);
    return 1;
  }
  if (listing) {
    const items = body.items ?? [];
    process.stdout.write(items.length === 0 ? 'No active faults.\n' : items.map((f) => `${describeFault(f)}\n`).join(''));
    return 0;
  }
  process.stdout.write(`${kind} ${name} ${action === 'stop' ? 'stopped' : 'started'}\n`);
  const active = body.active ?? [];
  if (active.length > 0) process.stdout.write(`Active faults: ${active.map(describeFault).join('; ')}\n`);
  return 0;
}
