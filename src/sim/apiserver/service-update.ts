/**
 * What upstream's Service registry does to an update before validating it (pkg/registry/core/service):
 * the decoded body gets its defaults; addresses the client left out are kept from the stored object
 * (kubectl apply of the original manifest sends no clusterIP); fields the old type needed and the new
 * one does not are dropped when the client left them as they were (dropTypeDependentFields: a change
 * back to ClusterIP loses its externalTrafficPolicy, a change to ExternalName its cluster IP); a type
 * that now needs a cluster IP gets one; and a cluster IP, once set, may not change.
 * Node ports are the API server's (its allocator knows which are taken).
 */
import type { Service } from '../api/types';
import { isExternallyAccessible } from '../../manifest';
import { defaultServiceSpec } from './defaults';
import { deepEqual } from './objects';
import type { FieldError } from './status';

type Spec = Service['spec'];

const needsClusterIP = (s: Spec) => s.type !== 'ExternalName';
const externallyAccessible = (s: Spec) => isExternallyAccessible(s.type ?? 'ClusterIP', (s as { externalIPs?: unknown }).externalIPs);

/**
 * Prepare `svc` (the object to store, whose spec is replaced here by a changed copy, never written
 * into) as an update of `old`. Returns the errors the update rules find.
 */
export function prepareServiceUpdate(svc: Service, old: Service, allocateServiceIP: () => string): FieldError[] {
  const prev: Spec = old.spec ?? {};
  const spec: Spec = { ...svc.spec };
  defaultServiceSpec(spec);
  if (needsClusterIP(prev) && needsClusterIP(spec)) {
    if (!spec.clusterIP && prev.clusterIP) spec.clusterIP = prev.clusterIP;
    if (!spec.clusterIPs?.length && prev.clusterIPs?.length) spec.clusterIPs = prev.clusterIPs;
  }
  dropTypeDependentFields(spec, prev);
  if (needsClusterIP(spec)) {
    if (!spec.clusterIP) spec.clusterIP = allocateServiceIP();
    if (!spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
  }
  svc.spec = spec;
  const errs: FieldError[] = [];
  if (needsClusterIP(prev) && needsClusterIP(spec) && prev.clusterIPs?.length && spec.clusterIPs?.[0] !== prev.clusterIPs[0]) {
    const ips = `[]string{${(spec.clusterIPs ?? []).map((ip) => JSON.stringify(ip)).join(', ')}}`;
    errs.push({ type: 'Invalid', field: 'spec.clusterIPs[0]', value: spec.clusterIPs, detail: 'may not change once set', message: `spec.clusterIPs[0]: Invalid value: ${ips}: may not change once set` });
  }
  return errs;
}

/** Upstream's dropTypeDependentFields: only fields the old type had, the new does not need, and the client did not change. */
function dropTypeDependentFields(spec: Spec, prev: Spec): void {
  if (needsClusterIP(prev) && !needsClusterIP(spec)) {
    if (spec.clusterIP === prev.clusterIP && deepEqual(spec.clusterIPs, prev.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (deepEqual(spec.ipFamilies, prev.ipFamilies)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === prev.ipFamilyPolicy) delete spec.ipFamilyPolicy;
    if (spec.internalTrafficPolicy === prev.internalTrafficPolicy) delete spec.internalTrafficPolicy;
  }
  if (externallyAccessible(prev) && !externallyAccessible(spec) && spec.externalTrafficPolicy === prev.externalTrafficPolicy) {
    delete spec.externalTrafficPolicy;
  }
  if (prev.type === 'LoadBalancer' && spec.type !== 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === prev.allocateLoadBalancerNodePorts) {
    delete spec.allocateLoadBalancerNodePorts;
  }
}
