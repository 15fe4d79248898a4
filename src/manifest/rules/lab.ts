/**
 * Lab-aware warnings: facts about the lab cluster (its image registry, its nodes) are passed in by the caller, so
 * the manifest layer stays independent of the simulation.
 */
import { formatPath } from '../field-path';
import { formatQuantity, quantityValue } from '../quantity-value';
import type { FieldError, FieldPath, LabFacts, LabNode } from '../types';
import { podRequest } from './resources';
import { isObj, listAt } from './util';

function warning(path: FieldPath, target: 'key' | 'value', rule: FieldError['rule'], message: string): FieldError {
  return { type: 'Invalid value', field: formatPath(path), rule, severity: 'warning', path, target, message };
}

function checkImages(errs: FieldError[], spec: Record<string, unknown>, path: FieldPath, facts: LabFacts): void {
  if (!facts.images) return;
  for (const list of ['initContainers', 'containers']) {
    listAt(spec, list).forEach((c, i) => {
      if (!isObj(c) || typeof c.image !== 'string' || c.image === '') return;
      if (facts.images!.isKnown(c.image)) return;
      errs.push(
        warning([...path, list, i, 'image'], 'value', 'unknown-image', `image "${c.image}" is not in the lab's registry: in the lab this container would fail with ErrImagePull, then ImagePullBackOff`),
      );
    });
  }
}

function allocatableOf(node: LabNode, resource: string): number {
  const raw = node.allocatable[resource];
  if (raw === undefined) return 0;
  const q = quantityValue(raw);
  return 'error' in q ? 0 : q.value;
}

function checkRequests(errs: FieldError[], spec: Record<string, unknown>, path: FieldPath, facts: LabFacts): void {
  const nodes = facts.nodes;
  if (!nodes || nodes.length === 0) return;
  for (const resource of ['cpu', 'memory']) {
    const request = podRequest(spec, resource);
    if (request <= 0) continue;
    const largest = Math.max(...nodes.map((n) => allocatableOf(n, resource)));
    if (request <= largest) continue;
    const where = firstRequestPath(spec, path, resource);
    errs.push(
      warning(
        where,
        'key',
        'unschedulable-resources',
        `the pod requests ${formatQuantity(request, resource)} ${resource} but the largest allocatable ${resource} of any lab node is ${formatQuantity(largest, resource)}: this pod would never be scheduled in the lab`,
      ),
    );
  }
}

/** Where to show a too-large request: the first container that requests the resource. */
function firstRequestPath(spec: Record<string, unknown>, path: FieldPath, resource: string): FieldPath {
  for (const list of ['containers', 'initContainers']) {
    const containers = listAt(spec, list);
    for (let i = 0; i < containers.length; i++) {
      const c = containers[i];
      if (!isObj(c) || !isObj(c.resources)) continue;
      for (const kind of ['requests', 'limits']) {
        const l = c.resources[kind];
        if (isObj(l) && l[resource] !== undefined) return [...path, list, i, 'resources', kind, resource];
      }
    }
  }
  return [...path, 'containers'];
}

function checkNodeSelector(errs: FieldError[], spec: Record<string, unknown>, path: FieldPath, facts: LabFacts): void {
  const nodes = facts.nodes;
  const selector = spec.nodeSelector;
  if (!nodes || nodes.length === 0 || !isObj(selector) || Object.keys(selector).length === 0) return;
  const matches = nodes.some((n) => Object.entries(selector).every(([k, v]) => n.labels[k] === v));
  if (matches) return;
  const shown = Object.entries(selector).map(([k, v]) => `${k}=${String(v)}`).join(',');
  errs.push(
    warning(
      [...path, 'nodeSelector'],
      'key',
      'unmatched-node-selector',
      `no node in the lab matches nodeSelector ${shown}: this pod would stay Pending, never scheduled in the lab`,
    ),
  );
}

/** Warnings for one pod spec (a Pod's spec or a template's). */
export function checkLabFacts(errs: FieldError[], spec: unknown, path: FieldPath, facts: LabFacts | undefined): void {
  if (!facts || !isObj(spec)) return;
  checkImages(errs, spec, path, facts);
  checkRequests(errs, spec, path, facts);
  checkNodeSelector(errs, spec, path, facts);
}
