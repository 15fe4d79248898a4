/**
 * Secret rules (upstream ValidateSecret, pkg/apis/core/validation): keys are config keys, the total size of the
 * keys and decoded values is at most 1 MiB, and the well-known types need their keys. The API server sees `data`
 * after `stringData` was merged into it (the v1 conversion does that); the editor sees both, so keys of either
 * are checked, reported under `data[key]` as upstream names them. A `data` value that is not base64 is a decoding
 * error on the server (400 before validation); the editor reports it on the value.
 */
import { base64Error, decodeBase64, utf8Bytes, utf8String } from '../base64';
import { fieldError } from '../field-errors';
import { formatKeyPath } from '../field-path';
import { isConfigMapKey } from '../names';
import type { FieldError } from '../types';
import { isObj, objAt } from './util';

/** Upstream's corev1.MaxSecretSize. */
export const MAX_SECRET_BYTES = 1024 * 1024;

export const SECRET_TYPES = {
  opaque: 'Opaque',
  serviceAccountToken: 'kubernetes.io/service-account-token',
  dockercfg: 'kubernetes.io/dockercfg',
  dockerConfigJson: 'kubernetes.io/dockerconfigjson',
  basicAuth: 'kubernetes.io/basic-auth',
  sshAuth: 'kubernetes.io/ssh-auth',
  tls: 'kubernetes.io/tls',
} as const;

/** Go's json.Unmarshal message for the commonest failures (JavaScript's parser words them differently). */
function goJsonError(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    const first = text.trimStart()[0];
    if (first === undefined) return 'unexpected end of JSON input';
    if (!'{["-0123456789tfn'.includes(first)) return `invalid character '${first}' looking for beginning of value`;
    return 'unexpected end of JSON input';
  }
}

export function checkSecret(errs: FieldError[], obj: Record<string, unknown>): void {
  const data = isObj(obj.data) ? obj.data : {};
  const stringData = isObj(obj.stringData) ? obj.stringData : {};
  // Decoded sizes by key, stringData winning as in the merge; the decoded values of the well-known keys.
  const sizes = new Map<string, number>();
  const values = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(data)) {
    const field = formatKeyPath(['data'], key);
    for (const m of isConfigMapKey(key)) errs.push(fieldError.invalid(['data', key], key, m, { rule: 'invalid-value', field, target: 'key' }));
    let size = 0;
    let text: string | undefined;
    if (typeof value === 'string') {
      const decoded = decodeBase64(value);
      if (decoded.ok) {
        size = decoded.bytes.length;
        if (key === '.dockercfg' || key === '.dockerconfigjson') text = utf8String(decoded.bytes);
      } else errs.push(fieldError.invalid(['data', key], value, base64Error(decoded.offset), { rule: 'invalid-value', field }));
    }
    sizes.set(key, size);
    values.set(key, text);
  }
  for (const [key, value] of Object.entries(stringData)) {
    const field = formatKeyPath(['data'], key);
    for (const m of isConfigMapKey(key)) errs.push(fieldError.invalid(['stringData', key], key, m, { rule: 'invalid-value', field, target: 'key' }));
    sizes.set(key, typeof value === 'string' ? utf8Bytes(value).length : 0);
    values.set(key, typeof value === 'string' ? value : undefined);
  }
  const where = (key: string): (string | number)[] => (Object.prototype.hasOwnProperty.call(stringData, key) ? ['stringData', key] : ['data', key]);
  const required = (key: string) => {
    if (!sizes.has(key)) errs.push(fieldError.required(['data', key], undefined, { rule: 'required-field', field: formatKeyPath(['data'], key) }));
  };
  const json = (key: string) => {
    const text = values.get(key);
    const problem = text === undefined ? undefined : goJsonError(text);
    if (problem) errs.push(fieldError.invalid(where(key), '<secret contents redacted>', problem, { rule: 'invalid-value', field: formatKeyPath(['data'], key) }));
  };
  switch (obj.type) {
    case SECRET_TYPES.serviceAccountToken: {
      const key = 'kubernetes.io/service-account.name';
      const annotations = objAt(obj.metadata, 'annotations');
      if (!annotations || !annotations[key]) {
        errs.push(fieldError.required(['metadata', 'annotations', key], undefined, { rule: 'required-field', field: formatKeyPath(['metadata', 'annotations'], key) }));
      }
      break;
    }
    case SECRET_TYPES.dockercfg:
      required('.dockercfg');
      json('.dockercfg');
      break;
    case SECRET_TYPES.dockerConfigJson:
      required('.dockerconfigjson');
      json('.dockerconfigjson');
      break;
    case SECRET_TYPES.basicAuth:
      // Either may be empty, but one of them must be there.
      if (!sizes.has('username') && !sizes.has('password')) {
        required('username');
        required('password');
      }
      break;
    case SECRET_TYPES.sshAuth:
      required('ssh-privatekey');
      break;
    case SECRET_TYPES.tls:
      required('tls.crt');
      required('tls.key');
      break;
  }
  let total = 0;
  for (const [key, size] of sizes) total += key.length + size;
  if (total > MAX_SECRET_BYTES) {
    errs.push({ ...fieldError.forbidden(['data'], '', { rule: 'invalid-value', target: 'key' }), type: 'Too long', field: 'data', message: `data: Too long: must have at most ${MAX_SECRET_BYTES} bytes` });
  }
}
