/** Helpers for the Cluster view's integration tests (not a test file itself). */
import type { K8sLabApi } from '../../src/extension';
import type { Pod } from '../../src/sim/api/types';
import type { Row } from '../../src/host/tree/model';

/** Poll `check` every 50 ms of wall time until it holds (returns its value) or `ms` pass (throws `what`). */
export async function waitFor<T>(what: string, check: () => T | undefined | false, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Advance virtual time in steps of `stepMs` until `check` holds (at most `maxMs` of virtual time). */
export async function runUntil(api: K8sLabApi, what: string, check: () => boolean, maxMs: number, stepMs = 5_000): Promise<void> {
  for (let t = 0; t <= maxMs; t += stepMs) {
    if (check()) return;
    await api.lab.runFor(stepMs);
  }
  if (!check()) throw new Error(`${what}: not reached within ${maxMs / 1000} s of simulated time`);
}

/** Every row the tree provider yields from the root, as VS Code would see them fully expanded. */
export function allRows(api: K8sLabApi, from?: string, out: Row[] = []): Row[] {
  const model = api.tree.current;
  if (!model) return out;
  for (const id of api.tree.getChildren(from)) {
    const row = model.row(id);
    if (!row) continue;
    api.tree.getTreeItem(id);
    out.push(row);
    allRows(api, id, out);
  }
  return out;
}

export function podsOf(api: K8sLabApi, prefix: string): Pod[] {
  return api.lab.list<Pod>('pods').filter((p) => p.metadata.name?.startsWith(prefix));
}

export function running(pods: readonly Pod[]): Pod[] {
  return pods.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
}
