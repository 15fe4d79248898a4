/**
 * The review endpoints kubectl's `auth` commands create, answered for the lab's one user. They are
 * virtual, as upstream's are (nothing is stored, so they are not in the simulated API server's
 * resources): POST only, cluster-scoped, 201 with the review and its status filled in.
 *
 *   authentication.k8s.io/v1  selfsubjectreviews        `kubectl auth whoami`: who the token is
 *   authorization.k8s.io/v1   selfsubjectaccessreviews  `kubectl auth can-i VERB RESOURCE`
 *   authorization.k8s.io/v1   selfsubjectrulesreviews   `kubectl auth can-i --list`
 *
 * The user is the one of a kubeadm admin kubeconfig (kind's too), since Kubernetes 1.29: the client
 * certificate of /etc/kubernetes/admin.conf names user "kubernetes-admin" in group
 * "kubeadm:cluster-admins", which kubeadm binds to ClusterRole cluster-admin with a ClusterRoleBinding
 * of the same name (before 1.29 the group was system:masters, now kept for super-admin.conf only).
 * The authenticator adds system:authenticated. RBAC allows that user everything, with the reason
 * upstream's RBAC authorizer gives for the binding that allowed it.
 */
import { statusBody } from './http-io';

export interface ReviewEndpoint {
  apiVersion: string;
  resource: string;
  kind: string;
}

export const REVIEW_ENDPOINTS: readonly ReviewEndpoint[] = [
  { apiVersion: 'authentication.k8s.io/v1', resource: 'selfsubjectreviews', kind: 'SelfSubjectReview' },
  { apiVersion: 'authorization.k8s.io/v1', resource: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview' },
  { apiVersion: 'authorization.k8s.io/v1', resource: 'selfsubjectrulesreviews', kind: 'SelfSubjectRulesReview' },
];

export function reviewEndpoint(apiVersion: string, resource: string): ReviewEndpoint | undefined {
  return REVIEW_ENDPOINTS.find((e) => e.apiVersion === apiVersion && e.resource === resource);
}

/** The user behind the lab's token (its kubeconfig is an admin kubeconfig). */
export const LAB_USER = { username: 'kubernetes-admin', groups: ['kubeadm:cluster-admins', 'system:authenticated'] } as const;

/** upstream's RBAC reason: `allowed by ClusterRoleBinding "NAME" of ClusterRole "ROLE" to Group "GROUP"`. */
export const ALLOWED_REASON = 'RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" to Group "kubeadm:cluster-admins"';

/** ClusterRole cluster-admin's rules, as a SelfSubjectRulesReview lists them. */
function clusterAdminRules(): Obj {
  return {
    resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
    nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
  };
}

export interface ReviewAnswer {
  code: number;
  body: unknown;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The answer to creating `body` (already decoded to an object) at `endpoint`; `now` is the lab's clock (RFC 3339). */
export function answerReview(endpoint: ReviewEndpoint, body: Obj, now: string): ReviewAnswer {
  if (body.apiVersion !== undefined && body.apiVersion !== endpoint.apiVersion) {
    return bad(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${endpoint.apiVersion})`);
  }
  if (body.kind !== undefined && body.kind !== endpoint.kind) return bad(`not a ${endpoint.kind}: the data's kind is ${JSON.stringify(body.kind)}`);
  const typeMeta = { kind: endpoint.kind, apiVersion: endpoint.apiVersion };
  if (body.metadata !== undefined && body.metadata !== null && !isObj(body.metadata)) return bad('metadata must be an object');
  if (body.spec !== undefined && body.spec !== null && !isObj(body.spec)) return bad('spec must be an object');
  const spec: Obj = isObj(body.spec) ? body.spec : {};
  switch (endpoint.kind) {
    case 'SelfSubjectReview':
      return created({ ...typeMeta, metadata: { creationTimestamp: now }, status: { userInfo: { username: LAB_USER.username, groups: [...LAB_USER.groups] } } });
    case 'SelfSubjectRulesReview': {
      if (spec.namespace !== undefined && typeof spec.namespace !== 'string') return bad('spec.namespace must be a string');
      if (!spec.namespace) return bad('no namespace on request');
      return created({ ...typeMeta, metadata: { creationTimestamp: null }, spec: {}, status: { ...clusterAdminRules(), incomplete: false } });
    }
    default:
      return accessReview(endpoint, typeMeta, isObj(body.metadata) ? body.metadata : {}, spec);
  }
}

/** SelfSubjectAccessReview: validated as upstream (exactly one kind of attributes, empty metadata), then allowed. */
function accessReview(endpoint: ReviewEndpoint, typeMeta: Obj, metadata: Obj, spec: Obj): ReviewAnswer {
  for (const [field, strings] of [['resourceAttributes', ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name']], ['nonResourceAttributes', ['path', 'verb']]] as const) {
    const value = spec[field];
    if (value === undefined || value === null) continue;
    if (!isObj(value)) return bad(`spec.${field} must be an object`);
    const wrong = strings.find((key) => value[key] !== undefined && value[key] !== null && typeof value[key] !== 'string');
    if (wrong) return bad(`spec.${field}.${wrong} must be a string`);
  }
  const has = (field: string) => spec[field] !== undefined && spec[field] !== null;
  const causes: { field: string; message: string }[] = [];
  if (has('resourceAttributes') && has('nonResourceAttributes')) {
    causes.push({ field: 'spec.nonResourceAttributes', message: `Invalid value: ${JSON.stringify(JSON.stringify(spec.nonResourceAttributes))}: cannot be specified in combination with resourceAttributes` });
  }
  if (!has('resourceAttributes') && !has('nonResourceAttributes')) {
    causes.push({ field: 'spec.resourceAttributes', message: 'Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified' });
  }
  const setMetadata = Object.keys(metadata).filter((key) => key !== 'managedFields' && metadata[key] !== null && metadata[key] !== undefined);
  if (setMetadata.length > 0) causes.push({ field: 'metadata', message: `Invalid value: ${JSON.stringify(JSON.stringify(metadata))}: must be empty` });
  if (causes.length > 0) return invalid(endpoint, causes);
  return created({ ...typeMeta, metadata: { creationTimestamp: null }, spec, status: { allowed: true, reason: ALLOWED_REASON } });
}

function created(body: Obj): ReviewAnswer {
  return { code: 201, body };
}

function bad(message: string): ReviewAnswer {
  return { code: 400, body: statusBody(400, 'BadRequest', message) };
}

/** 422 Invalid, worded as upstream's field errors: `KIND.GROUP "" is invalid: FIELD: DETAIL`. */
function invalid(endpoint: ReviewEndpoint, causes: { field: string; message: string }[]): ReviewAnswer {
  const group = endpoint.apiVersion.split('/')[0];
  const list = causes.map((c) => `${c.field}: ${c.message}`);
  const message = `${endpoint.kind}.${group} "" is invalid: ${list.length === 1 ? list[0] : `[${list.join(', ')}]`}`;
  const details = { name: '', group, kind: endpoint.kind, causes: causes.map((c) => ({ reason: 'FieldValueInvalid', message: c.message, field: c.field })) };
  return { code: 422, body: statusBody(422, 'Invalid', message, details) };
}
