/**
 * What the API server does to a Secret or ConfigMap body before its validation, as upstream's decoding and
 * registry do (pkg/apis/core/v1 conversion, SetDefaults_Secret, pkg/registry/core/secret/strategy.go):
 *  - `data` (Secret) and `binaryData` (ConfigMap) values are Go []byte, base64 in JSON: a value that is not
 *    base64 fails decoding (400 "Secret in version "v1" cannot be handled as a Secret: illegal base64 ...");
 *  - `stringData` is merged into `data` (its values win, base64-encoded) and never stored;
 *  - `type` defaults to Opaque, on create and on update (every decoded body is defaulted);
 * and the update rules of both kinds (ValidateSecretUpdate, ValidateConfigMapUpdate): `type` is immutable, and
 * once `immutable` is true neither it nor the data may change.
 */
import type { ConfigMap, KubeObject, Secret } from '../api/types';
import { base64Error, decodeBase64, encodeStringBase64 } from '../../manifest/base64';
import { deepEqual, isPlainObject } from './objects';
import type { ResourceDef } from './resources';
import type { FieldError } from './status';

/** Decoding's error for `obj`, undefined when its byte fields are base64; for the kinds that have them. */
export function decodeError(def: ResourceDef, obj: KubeObject): string | undefined {
  const field = def.kind === 'Secret' ? 'data' : def.kind === 'ConfigMap' ? 'binaryData' : undefined;
  if (!field) return undefined;
  const map = (obj as { [k: string]: unknown })[field];
  if (!isPlainObject(map)) return undefined;
  for (const value of Object.values(map)) {
    if (typeof value !== 'string') continue;
    const r = decodeBase64(value);
    if (!r.ok) return `${def.kind} in version "v1" cannot be handled as a ${def.kind}: ${base64Error(r.offset)}`;
  }
  return undefined;
}

/**
 * Merge `stringData` into `data` and default `type`. `secret` is the request's own object (its top level is
 * not shared), but its `data` may be the stored object's: a merged map is a new one.
 */
export function prepareSecret(secret: Secret): void {
  const stringData = secret.stringData;
  if (isPlainObject(stringData)) {
    const data: Record<string, string> = isPlainObject(secret.data) ? { ...secret.data } : {};
    for (const [key, value] of Object.entries(stringData)) data[key] = encodeStringBase64(typeof value === 'string' ? value : String(value));
    secret.data = data;
  }
  delete secret.stringData;
  if (!secret.type) secret.type = 'Opaque';
}

const IMMUTABLE_DETAIL = 'field is immutable when `immutable` is set';

/** ValidateSecretUpdate / ValidateConfigMapUpdate beyond the object's own rules. */
export function validateDataUpdate(def: ResourceDef, obj: KubeObject, old: KubeObject, errs: FieldError[]): void {
  if (def.kind === 'Secret') {
    const s = obj as Secret;
    const o = old as Secret;
    if (s.type !== o.type) errs.push({ type: 'Invalid', field: 'type', value: s.type ?? '', detail: 'field is immutable' });
  } else if (def.kind !== 'ConfigMap') return;
  if ((old as Secret | ConfigMap).immutable !== true) return;
  if ((obj as Secret | ConfigMap).immutable !== true) errs.push({ type: 'Forbidden', field: 'immutable', detail: IMMUTABLE_DETAIL });
  if (!deepEqual((obj as Secret).data ?? {}, (old as Secret).data ?? {})) errs.push({ type: 'Forbidden', field: 'data', detail: IMMUTABLE_DETAIL });
  if (def.kind === 'ConfigMap' && !deepEqual((obj as ConfigMap).binaryData ?? {}, (old as ConfigMap).binaryData ?? {})) {
    errs.push({ type: 'Forbidden', field: 'binaryData', detail: IMMUTABLE_DETAIL });
  }
}
