/**
 * Resolving what a command acts on: a Cluster-view row (its id), an object reference, or — from the
 * command palette — the learner's pick.
 */
import * as vscode from 'vscode';
import type { ObjectRef } from '../../sim/api/types';
import type { LabController } from '../lab-controller';
import { type ComponentKind, type RowTarget, targetOfRowId } from '../tree/model';

export function targetOf(lab: LabController, arg: unknown): RowTarget | undefined {
  if (typeof arg === 'string') return lab.model()?.row(arg)?.target ?? targetOfRowId(arg);
  if (arg && typeof arg === 'object') {
    const a = arg as Record<string, unknown>;
    if (typeof a.resource === 'string' && typeof a.name === 'string') return { kind: 'object', ref: arg as ObjectRef };
  }
  return undefined;
}

/** Makes sure the lab runs; tells the learner and returns false otherwise. */
export function requireLab(lab: LabController): boolean {
  if (lab.isRunning) return true;
  void vscode.window.showWarningMessage(vscode.l10n.t('The lab cluster is not running.'), vscode.l10n.t('Start the Lab Cluster')).then((choice) => {
    if (choice) void vscode.commands.executeCommand('k8sLab.start');
  });
  return false;
}

export async function pickObject(lab: LabController, resources: readonly string[], title: string): Promise<ObjectRef | undefined> {
  const items = resources.flatMap((resource) => lab.list(resource).map((o) => ({
    label: o.metadata.name ?? '',
    description: `${o.kind}${o.metadata.namespace ? ` · ${o.metadata.namespace}` : ''}`,
    ref: { resource, namespace: o.metadata.namespace, name: o.metadata.name ?? '' } as ObjectRef,
  })));
  const picked = await vscode.window.showQuickPick(items, { title, matchOnDescription: true });
  return picked?.ref;
}

export async function objectTarget(lab: LabController, arg: unknown, resources: readonly string[], title: string): Promise<ObjectRef | undefined> {
  if (!requireLab(lab)) return undefined;
  const t = targetOf(lab, arg);
  if (t?.kind === 'object') return t.ref;
  if (t?.kind === 'node') return { resource: 'nodes', name: t.name };
  return pickObject(lab, resources, title);
}

export async function nodeTarget(lab: LabController, arg: unknown, title: string): Promise<string | undefined> {
  if (!requireLab(lab)) return undefined;
  const t = targetOf(lab, arg);
  if (t?.kind === 'node') return t.name;
  if (t?.kind === 'object' && t.ref.resource === 'nodes') return t.ref.name;
  return (await pickObject(lab, ['nodes'], title))?.name;
}

export async function zoneTarget(lab: LabController, arg: unknown, title: string): Promise<string | undefined> {
  if (!requireLab(lab)) return undefined;
  const t = targetOf(lab, arg);
  if (t?.kind === 'zone') return t.name;
  return vscode.window.showQuickPick(lab.state()?.zones ?? [], { title });
}

export async function componentTarget(lab: LabController, arg: unknown, title: string): Promise<{ component: ComponentKind; host: string } | undefined> {
  if (!requireLab(lab)) return undefined;
  const t = targetOf(lab, arg);
  if (t?.kind === 'component') return { component: t.component, host: t.host };
  const items = (lab.state()?.masters ?? []).flatMap((m) => (['apiserver', 'etcd', 'scheduler', 'controller-manager'] as const).map((component) => ({
    label: `${component === 'apiserver' ? 'kube-apiserver' : component === 'etcd' ? 'etcd' : `kube-${component}`}`,
    description: m.host,
    component,
    host: m.host,
  })));
  const picked = await vscode.window.showQuickPick(items, { title, matchOnDescription: true });
  return picked && { component: picked.component, host: picked.host };
}
