/**
 * The review endpoints of `kubectl auth can-i` and `kubectl auth whoami`: answers for the lab's admin
 * user, upstream's validation, discovery, and the protobuf bodies kubectl 1.32 really sends.
 */
import { strict as assert } from 'node:assert';
import { groupInfo, groupList, resourceList } from '../../../src/server/discovery';
import { decodeKubernetesProtobuf } from '../../../src/server/protobuf';
import { ALLOWED_REASON, answerReview, reviewEndpoint, type ReviewEndpoint } from '../../../src/server/reviews';
import { route } from '../../../src/server/routes';
import { labForSuite, send } from './https-client';

/** Request bodies captured from kubectl v1.32.4 (-v=9): `auth can-i create pods`, `auth can-i --list`, `auth whoami`. */
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const KUBECTL_CAN_I = hex(`6b 38 73 00 0a 32 0a 17 61 75 74 68 6f 72 69 7a 61 74 69 6f 6e 2e 6b 38 73 2e 69 6f 2f 76 31 12 17 53 65 6c 66
  53 75 62 6a 65 63 74 41 63 63 65 73 73 52 65 76 69 65 77 12 3f 0a 10 0a 00 12 00 1a 00 22 00 2a 00 32 00 38 00 42 00 12 21 0a 1f 0a 07
  64 65 66 61 75 6c 74 12 06 63 72 65 61 74 65 1a 00 22 00 2a 04 70 6f 64 73 32 00 3a 00 1a 08 08 00 12 00 1a 00 20 00 1a 00 22 00`);
const KUBECTL_CAN_I_LIST = hex(`6b 38 73 00 0a 31 0a 17 61 75 74 68 6f 72 69 7a 61 74 69 6f 6e 2e 6b 38 73 2e 69 6f 2f 76 31 12 16 53 65 6c 66
  53 75 62 6a 65 63 74 52 75 6c 65 73 52 65 76 69 65 77 12 23 0a 10 0a 00 12 00 1a 00 22 00 2a 00 32 00 38 00 42 00 12 09 0a 07 64 65 66
  61 75 6c 74 1a 04 18 00 22 00 1a 00 22 00`);
const KUBECTL_WHOAMI = hex(`6b 38 73 00 0a 2d 0a 18 61 75 74 68 65 6e 74 69 63 61 74 69 6f 6e 2e 6b 38 73 2e 69 6f 2f 76 31 12 11 53 65 6c
  66 53 75 62 6a 65 63 74 52 65 76 69 65 77 12 1a 0a 10 0a 00 12 00 1a 00 22 00 2a 00 32 00 38 00 42 00 12 06 0a 04 0a 00 12 00 1a 00 22 00`);

const ACCESS = reviewEndpoint('authorization.k8s.io/v1', 'selfsubjectaccessreviews')!;
const RULES = reviewEndpoint('authorization.k8s.io/v1', 'selfsubjectrulesreviews')!;
const WHOAMI = reviewEndpoint('authentication.k8s.io/v1', 'selfsubjectreviews')!;
const NOW = '2026-01-01T00:00:00Z';

const answer = (endpoint: ReviewEndpoint, body: Record<string, unknown>) => answerReview(endpoint, body, NOW) as { code: number; body: Record<string, unknown> };

describe('server/reviews', () => {
  describe('answers', () => {
    it('SelfSubjectAccessReview: allowed, with the RBAC reason of kubeadm\'s cluster-admins binding, the review echoed', () => {
      const spec = { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } };
      const r = answer(ACCESS, { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec });
      assert.equal(r.code, 201);
      assert.deepEqual(r.body, {
        kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec,
        status: { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" to Group "kubeadm:cluster-admins"' },
      });
      const nonResource = answer(ACCESS, { spec: { nonResourceAttributes: { path: '/healthz', verb: 'get' } } });
      assert.deepEqual([nonResource.code, (nonResource.body.status as { allowed: boolean }).allowed], [201, true]);
    });

    it('SelfSubjectAccessReview is validated as upstream: exactly one kind of attributes, empty metadata (422)', () => {
      const none = answer(ACCESS, { spec: {} });
      assert.equal(none.code, 422);
      assert.equal(none.body.reason, 'Invalid');
      assert.equal(none.body.message, 'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified');
      assert.deepEqual((none.body.details as { causes: unknown[] }).causes, [{ reason: 'FieldValueInvalid', field: 'spec.resourceAttributes', message: 'Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified' }]);
      const both = answer(ACCESS, { spec: { resourceAttributes: { verb: 'get' }, nonResourceAttributes: { path: '/', verb: 'get' } } });
      assert.equal(both.code, 422);
      assert.match(String(both.body.message), /spec\.nonResourceAttributes: Invalid value: .*: cannot be specified in combination with resourceAttributes$/);
      const named = answer(ACCESS, { metadata: { name: 'x', creationTimestamp: null }, spec: { resourceAttributes: { verb: 'get' } } });
      assert.equal(named.code, 422);
      assert.match(String(named.body.message), /metadata: Invalid value: .*: must be empty$/);
      assert.equal(answer(ACCESS, { metadata: { creationTimestamp: null }, spec: { resourceAttributes: { verb: 'get' } } }).code, 201, 'kubectl sends a null creationTimestamp');
    });

    it('bad bodies are a clear 400, never a throw', () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ apiVersion: 'v1', spec: {} }, 'the API version in the data (v1) does not match the expected API version (authorization.k8s.io/v1)'],
        [{ kind: 'Pod' }, 'not a SelfSubjectAccessReview: the data\'s kind is "Pod"'],
        [{ spec: 'all' }, 'spec must be an object'],
        [{ metadata: [] }, 'metadata must be an object'],
        [{ spec: { resourceAttributes: 'pods' } }, 'spec.resourceAttributes must be an object'],
        [{ spec: { resourceAttributes: { verb: 1 } } }, 'spec.resourceAttributes.verb must be a string'],
        [{ spec: { nonResourceAttributes: { path: ['/'] } } }, 'spec.nonResourceAttributes.path must be a string'],
      ];
      for (const [body, message] of cases) {
        const r = answer(ACCESS, body);
        assert.equal(r.code, 400, JSON.stringify(body));
        assert.deepEqual([r.body.kind, r.body.reason, r.body.message], ['Status', 'BadRequest', message]);
      }
      assert.equal(answer(RULES, { spec: {} }).body.message, 'no namespace on request');
      assert.equal(answer(RULES, { spec: { namespace: 3 } }).body.message, 'spec.namespace must be a string');
    });

    it('SelfSubjectRulesReview lists cluster-admin\'s rules: everything, complete', () => {
      const r = answer(RULES, { spec: { namespace: 'default' } });
      assert.equal(r.code, 201);
      assert.deepEqual(r.body.status, {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        incomplete: false,
      });
    });

    it('SelfSubjectReview: the user of a kubeadm admin.conf, as authenticated', () => {
      const r = answer(WHOAMI, {});
      assert.equal(r.code, 201);
      assert.deepEqual(r.body, {
        kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: NOW },
        status: { userInfo: { username: 'kubernetes-admin', groups: ['kubeadm:cluster-admins', 'system:authenticated'] } },
      });
    });
  });

  describe('protobuf bodies from kubectl', () => {
    it('decodes the three reviews kubectl sends', () => {
      assert.deepEqual(decodeKubernetesProtobuf(KUBECTL_CAN_I), {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {},
        spec: { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } }, status: {},
      });
      assert.deepEqual(decodeKubernetesProtobuf(KUBECTL_CAN_I_LIST), {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', metadata: {}, spec: { namespace: 'default' }, status: {},
      });
      assert.deepEqual(decodeKubernetesProtobuf(KUBECTL_WHOAMI), {
        apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {}, status: { userInfo: {} },
      });
    });
  });

  describe('routes and discovery', () => {
    it('routes POST to the review endpoints; other methods are 405; names under them are 404', () => {
      assert.deepEqual(route('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'), { type: 'review', endpoint: ACCESS });
      assert.deepEqual(route('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews'), { type: 'review', endpoint: WHOAMI });
      const get = route('GET', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews');
      assert.deepEqual(get.type === 'error' ? get.code : get.type, 405);
      const named = route('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews/x');
      assert.deepEqual(named.type === 'error' ? named.code : named.type, 404);
    });

    it('lists both groups and the three kinds: create only, cluster-scoped', () => {
      const names = (groupList() as { groups: { name: string }[] }).groups.map((g) => g.name);
      assert.ok(names.includes('authentication.k8s.io') && names.includes('authorization.k8s.io'), names.join());
      assert.deepEqual((groupInfo('authorization.k8s.io') as { preferredVersion: unknown }).preferredVersion, { groupVersion: 'authorization.k8s.io/v1', version: 'v1' });
      assert.deepEqual((resourceList('authorization.k8s.io/v1') as { resources: unknown[] }).resources, [
        { name: 'selfsubjectaccessreviews', singularName: 'selfsubjectaccessreview', namespaced: false, kind: 'SelfSubjectAccessReview', verbs: ['create'] },
        { name: 'selfsubjectrulesreviews', singularName: 'selfsubjectrulesreview', namespaced: false, kind: 'SelfSubjectRulesReview', verbs: ['create'] },
      ]);
      assert.deepEqual((resourceList('authentication.k8s.io/v1') as { resources: unknown[] }).resources, [
        { name: 'selfsubjectreviews', singularName: 'selfsubjectreview', namespaced: false, kind: 'SelfSubjectReview', verbs: ['create'] },
      ]);
      assert.equal(resourceList('authorization.k8s.io/v1beta1'), undefined);
    });
  });

  describe('over HTTPS', function () {
    this.timeout(30_000);
    const lab = labForSuite(5, 20);

    const post = (path: string, body: string | Buffer, type = 'application/json') => send(lab.server, 'POST', path, { body, headers: { 'Content-Type': type } });
    const PROTOBUF = 'application/vnd.kubernetes.protobuf';

    it('answers kubectl\'s protobuf reviews with 201 JSON', async () => {
      const can = await post('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', KUBECTL_CAN_I, PROTOBUF);
      assert.equal(can.code, 201, can.text);
      assert.match(String(can.headers['content-type']), /^application\/json/);
      assert.deepEqual(can.json?.status, { allowed: true, reason: ALLOWED_REASON });
      const list = await post('/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', KUBECTL_CAN_I_LIST, PROTOBUF);
      assert.equal(list.code, 201, list.text);
      assert.equal((list.json?.status as { incomplete: boolean }).incomplete, false);
      const who = await post('/apis/authentication.k8s.io/v1/selfsubjectreviews', KUBECTL_WHOAMI, PROTOBUF);
      assert.equal(who.code, 201, who.text);
      assert.equal((who.json?.status as { userInfo: { username: string } }).userInfo.username, 'kubernetes-admin');
      assert.match(String((who.json?.metadata as { creationTimestamp: string }).creationTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    });

    it('undecodable, empty or invalid bodies are Status objects (400, 415, 422); GET is 405', async () => {
      const path = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
      const expect = async (reply: Promise<{ code: number; json?: Record<string, unknown> }>, code: number) => {
        const r = await reply;
        assert.equal(r.code, code, JSON.stringify(r.json));
        assert.deepEqual([r.json?.kind, r.json?.code], ['Status', code]);
      };
      await expect(post(path, '{nope'), 400);
      await expect(post(path, ''), 400);
      await expect(post(path, '[1]'), 400);
      await expect(post(path, 'k8s\0garbage', PROTOBUF), 400);
      await expect(post(path, '{}', 'text/plain'), 415);
      await expect(post(path, '{"spec":{}}'), 422);
      await expect(send(lab.server, 'GET', path), 405);
      await expect(send(lab.server, 'POST', path, { body: '{}', token: null }), 401);
    });
  });
});
