/**
 * `kubectl rollout undo deployment/NAME [--to-revision=N]`, as kubectl 1.32 does it — on the client:
 * find the ReplicaSet of the wanted revision (default: the one before the newest), copy its pod
 * template (without the pod-template-hash label) and its annotations back into the Deployment with
 * a JSON patch. The Deployment controller then finds that old ReplicaSet matching the template,
 * makes it the newest revision and rolls to it. There is no rollback API on the server.
 */
import type { TraceContext } from '../../log';
import type { ApiClient, ListObject } from '../../api/request';
import type { Deployment, ReplicaSet } from '../../api/types';
import { formatLabelSelector } from '../../api/labels';
import { ANNOTATIONS_TO_SKIP, equalIgnoreHash, POD_TEMPLATE_HASH, revisionOf } from './util';
import { controllerRef } from '../pods';
import { message } from '../context';

export type UndoResult = { ok: true; message: string } | { ok: false; message: string };

/** deploymentRevision: the ReplicaSet of `toRevision`, or (0) the previous one. */
export function replicaSetForRevision(d: Deployment, rss: readonly ReplicaSet[], toRevision: number): ReplicaSet | string {
  if (toRevision < 0) return `unable to find specified revision ${toRevision} in history`;
  let latest: ReplicaSet | undefined;
  let latestRev = -1;
  let previous: ReplicaSet | undefined;
  let previousRev = -1;
  for (const rs of rss) {
    if (!rs.metadata.annotations?.['deployment.kubernetes.io/revision']) continue;
    const v = revisionOf(rs);
    if (toRevision === 0) {
      if (latestRev < v) {
        previousRev = latestRev;
        previous = latest;
        latestRev = v;
        latest = rs;
      } else if (previousRev < v) {
        previousRev = v;
        previous = rs;
      }
    } else if (toRevision === v) return rs;
  }
  if (toRevision > 0) return `unable to find specified revision ${toRevision} in history`;
  if (!previous) return `no rollout history found for deployment "${d.metadata.name}"`;
  return previous;
}

/** Undo a rollout; `done` gets kubectl's output line or its error. */
export function rolloutUndo(client: ApiClient, namespace: string, name: string, toRevision: number, ctx: TraceContext, done: (r: UndoResult) => void): void {
  const base = { apiVersion: 'apps/v1', namespace };
  client.request({ ...base, verb: 'get', resource: 'deployments', name }, ctx, (res, gctx) => {
    if (res.code !== 200) return done({ ok: false, message: `Error from server (${(res.body as { reason?: string }).reason ?? res.code}): ${message(res)}` });
    const d = res.body as Deployment;
    const selector = formatLabelSelector(d.spec.selector);
    client.request({ ...base, verb: 'list', resource: 'replicasets', query: { labelSelector: selector } }, gctx, (lres, lctx) => {
      if (lres.code !== 200) return done({ ok: false, message: message(lres) });
      const owned = (lres.body as ListObject<ReplicaSet>).items.filter((rs) => controllerRef(rs)?.uid === d.metadata.uid);
      const rs = replicaSetForRevision(d, owned, toRevision);
      if (typeof rs === 'string') return done({ ok: false, message: `error: ${rs}` });
      if (d.spec.paused) return done({ ok: false, message: `error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again` });
      const ref = `deployment.apps/${name}`;
      if (equalIgnoreHash(rs.spec.template, d.spec.template)) {
        return done({ ok: true, message: `${ref} skipped rollback (current template already matches revision ${revisionOf(rs)})` });
      }
      const labels = { ...rs.spec.template.metadata?.labels };
      delete labels[POD_TEMPLATE_HASH];
      const template = { ...rs.spec.template, metadata: { ...rs.spec.template.metadata, labels } };
      const annotations: Record<string, string> = {};
      for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
      for (const [k, v] of Object.entries(rs.metadata.annotations ?? {})) if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
      const patch = [
        { op: 'replace', path: '/spec/template', value: template },
        { op: 'replace', path: '/metadata/annotations', value: annotations },
      ];
      client.request({ ...base, verb: 'patch', resource: 'deployments', name, patchType: 'application/json-patch+json', body: patch }, lctx, (pres) => {
        if (pres.code !== 200) return done({ ok: false, message: `error: failed restoring revision ${toRevision}: ${message(pres)}` });
        done({ ok: true, message: `${ref} rolled back` });
      });
    });
  });
}
