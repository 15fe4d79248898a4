/** Small readers for untyped objects, shared by the rules (manifests are checked before they are trusted). */
import { fieldError } from '../field-errors';
import type { FieldError, FieldPath, RuleId } from '../types';

export type Obj = Record<string, unknown>;

export function isObj(value: unknown): value is Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function objAt(value: unknown, key: string): Obj | undefined {
  if (!isObj(value)) return undefined;
  const child = value[key];
  return isObj(child) ? child : undefined;
}

export function listAt(value: unknown, key: string): unknown[] {
  if (!isObj(value)) return [];
  const child = value[key];
  return Array.isArray(child) ? child : [];
}

export function strAt(value: unknown, key: string): string | undefined {
  if (!isObj(value)) return undefined;
  const child = value[key];
  return typeof child === 'string' ? child : undefined;
}

/** True when the field is absent, null or an empty string/list/map (what Go sees as its zero value). */
export function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isObj(value)) return Object.keys(value).length === 0;
  return false;
}

/** Reports `Unsupported value` when a set string field is not one of `allowed` (upstream lists them sorted). */
export function checkEnum(errs: FieldError[], value: unknown, path: FieldPath, allowed: readonly string[], rule: RuleId = 'unsupported-value'): void {
  if (value === undefined || value === null) return;
  if (typeof value === 'string' && allowed.includes(value)) return;
  if (typeof value !== 'string') return; // the schema reports a wrong type
  errs.push(fieldError.notSupported(path, value, [...allowed].sort(), { rule }));
}

/** Reports every message of a syntax check as `Invalid value` on the field. */
export function checkSyntax(
  errs: FieldError[],
  value: string,
  path: FieldPath,
  check: (v: string) => string[],
  rule: RuleId,
  extra: { field?: string; target?: 'key' | 'value'; suggestions?: readonly string[] } = {},
): boolean {
  const messages = check(value);
  for (const m of messages) errs.push(fieldError.invalid(path, value, m, { rule, ...extra }));
  return messages.length === 0;
}

export const ENUMS = {
  imagePullPolicy: ['Always', 'IfNotPresent', 'Never'],
  restartPolicy: ['Always', 'OnFailure', 'Never'],
  containerRestartPolicy: ['Always'],
  dnsPolicy: ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'],
  protocol: ['TCP', 'UDP', 'SCTP'],
  serviceType: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'],
  sessionAffinity: ['ClientIP', 'None'],
  trafficPolicy: ['Cluster', 'Local'],
  deploymentStrategy: ['Recreate', 'RollingUpdate'],
  tolerationOperator: ['Equal', 'Exists'],
  taintEffect: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'],
  selectorOperator: ['In', 'NotIn', 'Exists', 'DoesNotExist'],
  terminationMessagePolicy: ['File', 'FallbackToLogsOnError'],
} as const;
