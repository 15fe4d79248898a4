/** Service rules (upstream ValidateService): type, ports, names, target ports, node ports, type-dependent fields, selector. */
import { fieldError } from '../field-errors';
import { isDNS1123Label, isValidPortName, isValidPortNum } from '../names';
import type { FieldError, FieldPath } from '../types';
import { checkLabels } from './metadata';
import { checkEnum, ENUMS, isEmpty, isObj, listAt } from './util';

/** The lab's API server uses upstream's default --service-node-port-range. */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 };

function checkServicePort(errs: FieldError[], port: Record<string, unknown>, p: FieldPath, type: string, multiple: boolean, names: Set<string>): void {
  if (isEmpty(port.name)) {
    if (multiple) errs.push(fieldError.required([...p, 'name'], undefined, { rule: 'required-field', target: 'key' }));
  } else if (typeof port.name === 'string') {
    const messages = isDNS1123Label(port.name);
    for (const m of messages) errs.push(fieldError.invalid([...p, 'name'], port.name, m, { rule: 'invalid-port' }));
    if (names.has(port.name)) errs.push(fieldError.duplicate([...p, 'name'], port.name, { rule: 'duplicate-value' }));
    names.add(port.name);
  }
  if (typeof port.port === 'number') {
    for (const m of isValidPortNum(port.port)) errs.push(fieldError.invalid([...p, 'port'], port.port, m, { rule: 'invalid-port' }));
  }
  checkEnum(errs, port.protocol, [...p, 'protocol'], ENUMS.protocol);
  const target = port.targetPort;
  if (typeof target === 'number' && target !== 0) {
    for (const m of isValidPortNum(target)) errs.push(fieldError.invalid([...p, 'targetPort'], target, m, { rule: 'invalid-port' }));
  } else if (typeof target === 'string' && target !== '') {
    for (const m of isValidPortName(target)) errs.push(fieldError.invalid([...p, 'targetPort'], target, m, { rule: 'invalid-port' }));
  }
  if (typeof port.nodePort === 'number' && port.nodePort !== 0 && (ENUMS.serviceType as readonly string[]).includes(type)) {
    if (type !== 'NodePort' && type !== 'LoadBalancer') {
      errs.push(fieldError.forbidden([...p, 'nodePort'], `may not be used when \`type\` is '${type}'`, { rule: 'invalid-port', target: 'key' }));
    } else if (port.nodePort < NODE_PORT_RANGE.min || port.nodePort > NODE_PORT_RANGE.max) {
      errs.push(
        fieldError.invalid([...p, 'nodePort'], port.nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`, { rule: 'invalid-port' }),
      );
    }
  }
}

/**
 * Fields that only mean something for some types (upstream validateServiceExternalTrafficPolicy and the
 * allocateLoadBalancerNodePorts check): a ClusterIP Service receives no traffic from outside unless it
 * has external IPs, so it may not say how to route it.
 */
function checkTypeDependentFields(errs: FieldError[], s: Record<string, unknown>, path: FieldPath, type: string): void {
  if (!(ENUMS.serviceType as readonly string[]).includes(type)) return;
  if (s.externalTrafficPolicy !== undefined && s.externalTrafficPolicy !== '' && !isExternallyAccessible(type, s.externalIPs)) {
    errs.push(fieldError.invalid([...path, 'externalTrafficPolicy'], s.externalTrafficPolicy, 'may only be set for externally-accessible services', { rule: 'invalid-value' }));
  }
  if (s.allocateLoadBalancerNodePorts !== undefined && s.allocateLoadBalancerNodePorts !== null && type !== 'LoadBalancer') {
    errs.push(fieldError.forbidden([...path, 'allocateLoadBalancerNodePorts'], "may only be used when `type` is 'LoadBalancer'", { rule: 'invalid-value', target: 'key' }));
  }
}

/** Upstream's ExternallyAccessible: traffic can reach the Service from outside the cluster. */
export function isExternallyAccessible(type: string, externalIPs: unknown): boolean {
  return type === 'NodePort' || type === 'LoadBalancer' || (type === 'ClusterIP' && Array.isArray(externalIPs) && externalIPs.length > 0);
}

export function checkServiceSpec(errs: FieldError[], spec: unknown, path: FieldPath): void {
  const s = isObj(spec) ? spec : {};
  const type = typeof s.type === 'string' ? s.type : 'ClusterIP';
  checkEnum(errs, s.type, [...path, 'type'], ENUMS.serviceType);
  checkEnum(errs, s.sessionAffinity, [...path, 'sessionAffinity'], ENUMS.sessionAffinity);
  checkEnum(errs, s.externalTrafficPolicy, [...path, 'externalTrafficPolicy'], ENUMS.trafficPolicy);
  checkEnum(errs, s.internalTrafficPolicy, [...path, 'internalTrafficPolicy'], ENUMS.trafficPolicy);
  checkTypeDependentFields(errs, s, path, type);
  const ports = listAt(s, 'ports');
  if (type === 'ExternalName') {
    if (isEmpty(s.externalName)) errs.push(fieldError.required([...path, 'externalName'], undefined, { rule: 'required-field' }));
  } else if (ports.length === 0 && s.clusterIP !== 'None') {
    errs.push(fieldError.required([...path, 'ports'], undefined, { rule: 'required-field', target: 'key' }));
  }
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((port, i) => {
    if (!isObj(port)) return;
    const p = [...path, 'ports', i];
    checkServicePort(errs, port, p, type, ports.length > 1, names);
    const key = `${String(port.port)}/${typeof port.protocol === 'string' ? port.protocol : 'TCP'}`;
    if (seen.has(key)) errs.push(fieldError.duplicate(p, key, { rule: 'duplicate-value', target: 'value' }));
    seen.add(key);
  });
  checkLabels(errs, s.selector, [...path, 'selector']);
}
