/**
 * ConfigMap rules (upstream ValidateConfigMap): key syntax, no key in both data and binaryData, total size (of keys
 * and values, binaryData values decoded). A binaryData value that is not base64 fails decoding on the server (400);
 * the editor reports it on the value.
 */
import { base64Error, decodeBase64 } from '../base64';
import { fieldError } from '../field-errors';
import { formatKeyPath } from '../field-path';
import { isConfigMapKey } from '../names';
import type { FieldError } from '../types';
import { isObj } from './util';

/** Upstream's corev1.MaxSecretSize, the limit of a ConfigMap's data. */
const MAX_CONFIGMAP_BYTES = 1024 * 1024;

export function checkConfigMap(errs: FieldError[], obj: Record<string, unknown>): void {
  let size = 0;
  const data = isObj(obj.data) ? obj.data : {};
  const binary = isObj(obj.binaryData) ? obj.binaryData : {};
  for (const [section, map] of [['data', data], ['binaryData', binary]] as const) {
    for (const [key, value] of Object.entries(map)) {
      const field = formatKeyPath([section], key);
      for (const m of isConfigMapKey(key)) errs.push(fieldError.invalid([section, key], key, m, { rule: 'invalid-value', field, target: 'key' }));
      if (section === 'binaryData' && Object.prototype.hasOwnProperty.call(data, key)) {
        errs.push(fieldError.invalid([section, key], key, 'duplicate of key present in data', { rule: 'duplicate-value', field, target: 'key' }));
      }
      if (typeof value !== 'string') continue;
      if (section === 'data') {
        size += value.length + key.length;
        continue;
      }
      const decoded = decodeBase64(value);
      if (decoded.ok) size += decoded.bytes.length + key.length;
      else errs.push(fieldError.invalid([section, key], value, base64Error(decoded.offset), { rule: 'invalid-value', field }));
    }
  }
  if (size > MAX_CONFIGMAP_BYTES) {
    errs.push({ ...fieldError.forbidden([], '', { rule: 'invalid-value', target: 'key' }), type: 'Too long', field: '', message: `Too long: must have at most ${MAX_CONFIGMAP_BYTES} bytes` });
  }
}
