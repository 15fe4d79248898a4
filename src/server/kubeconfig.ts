/**
 * The kubeconfig the lab writes (cluster, user and context all named `k8s-lab`), and reading it back for
 * `k8s-lab fault`. Written atomically with mode 0600: it holds the bearer token.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';

export const CONTEXT_NAME = 'k8s-lab';

/** ~/.kube/k8s-lab.config: next to, never instead of, the user's own ~/.kube/config. */
export function defaultKubeconfigPath(): string {
  return join(homedir(), '.kube', 'k8s-lab.config');
}

export function kubeconfigText(server: string, token: string, certificate: string, namespace = 'default'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT_NAME, cluster: { server, 'certificate-authority-data': Buffer.from(certificate).toString('base64') } }],
    users: [{ name: CONTEXT_NAME, user: { token } }],
    contexts: [{ name: CONTEXT_NAME, context: { cluster: CONTEXT_NAME, user: CONTEXT_NAME, namespace } }],
    'current-context': CONTEXT_NAME,
    preferences: {},
  });
}

export function writeKubeconfig(path: string, server: string, token: string, certificate: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, kubeconfigText(server, token, certificate), { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

export interface LabEndpoint {
  server: string;
  token: string;
  /** PEM certificate authority of the server. */
  ca?: string;
}

/** The server URL and token of the `k8s-lab` context (or the current context) of a kubeconfig. */
export function readKubeconfig(path: string): LabEndpoint {
  const doc = parse(readFileSync(path, 'utf8')) as {
    'current-context'?: string;
    contexts?: { name: string; context?: { cluster?: string; user?: string } }[];
    clusters?: { name: string; cluster?: { server?: string; 'certificate-authority-data'?: string } }[];
    users?: { name: string; user?: { token?: string } }[];
  } | null;
  const contexts = doc?.contexts ?? [];
  const context = contexts.find((c) => c.name === CONTEXT_NAME) ?? contexts.find((c) => c.name === doc?.['current-context']);
  if (!context?.context) throw new Error(`${path}: no "${CONTEXT_NAME}" context`);
  const cluster = doc?.clusters?.find((c) => c.name === context.context!.cluster)?.cluster;
  const server = cluster?.server;
  const caData = cluster?.['certificate-authority-data'];
  const token = doc?.users?.find((u) => u.name === context.context!.user)?.user?.token;
  if (!server || !token) throw new Error(`${path}: the "${context.name}" context has no server or token`);
  return { server, token, ca: caData ? Buffer.from(caData, 'base64').toString('utf8') : undefined };
}
