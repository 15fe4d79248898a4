import { strict as assert } from 'node:assert';
import type { ConfigMap, KubeObject, Secret } from '../../../../src/sim/api/types';
import type { PatchType, Status } from '../../../../src/sim/api/request';
import { bootCluster, call, message } from '../support/harness';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('sim/apiserver: Secrets and ConfigMaps (ValidateSecret, the secret strategy)', () => {
  const cluster = bootCluster({ kubelets: false, controlPlane: [] });
  const create = (body: Record<string, unknown>, resource = 'secrets') =>
    call(cluster, { verb: 'create', apiVersion: 'v1', resource, namespace: 'default', body: { apiVersion: 'v1', kind: resource === 'secrets' ? 'Secret' : 'ConfigMap', ...body } });
  const patch = (name: string, body: unknown, resource = 'secrets', patchType: PatchType = 'application/merge-patch+json') =>
    call(cluster, { verb: 'patch', apiVersion: 'v1', resource, namespace: 'default', name, patchType, body });
  const causes = (res: { body?: unknown }) => ((res.body as Status).details?.causes ?? []).map((c) => `${c.field}: ${c.message}`);

  it('merges stringData into data as base64 (stringData wins), stores no stringData, and defaults type to Opaque', () => {
    const res = create({ metadata: { name: 'db' }, data: { user: b64('root'), password: b64('old') }, stringData: { password: 'héllo wörld' } });
    assert.equal(res.code, 201, message(res));
    const stored = cluster.read.get<Secret>('secrets', 'default', 'db')!;
    assert.deepEqual(stored.data, { user: b64('root'), password: b64('héllo wörld') });
    assert.equal(stored.stringData, undefined);
    assert.equal(stored.type, 'Opaque');
    // An update's stringData is merged too (a strategic merge patch, as kubectl patch sends it).
    const upd = patch('db', { stringData: { extra: 'x' } }, 'secrets', 'application/strategic-merge-patch+json');
    assert.equal(upd.code, 200, message(upd));
    assert.deepEqual(Object.keys((upd.body as Secret).data!).sort(), ['extra', 'password', 'user']);
    assert.equal((upd.body as Secret).stringData, undefined);
  });

  it('refuses keys that are not config keys with upstream\'s message, located at data[key]', () => {
    const res = create({ metadata: { name: 'bad' }, stringData: { 'bad key': 'v' } });
    assert.equal(res.code, 422);
    assert.equal(
      message(res),
      'Secret "bad" is invalid: data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, \'-\', \'_\' or \'.\' (e.g. \'key.name\',  or \'KEY_NAME\',  or \'key-name\', regex used for validation is \'[-._a-zA-Z0-9]+\')',
    );
    assert.equal((res.body as Status).details?.causes?.[0].field, 'data[bad key]');
    assert.equal(cluster.read.get('secrets', 'default', 'bad'), undefined);
  });

  it('answers 400 for data that is not base64, as decoding a Go []byte does', () => {
    const res = create({ metadata: { name: 'raw' }, data: { k: 'not base64!' } });
    assert.equal(res.code, 400);
    assert.equal(message(res), 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3');
  });

  it('checks the keys of the well-known types', () => {
    const tls = create({ metadata: { name: 'tls' }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'CERT' } });
    assert.equal(tls.code, 422);
    assert.equal(message(tls), 'Secret "tls" is invalid: data[tls.key]: Required value');
    assert.equal(create({ metadata: { name: 'tls' }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'C', 'tls.key': 'K' } }).code, 201);
    const basic = create({ metadata: { name: 'basic' }, type: 'kubernetes.io/basic-auth', data: {} });
    assert.deepEqual(causes(basic), ['data[username]: Required value', 'data[password]: Required value']);
    assert.equal(create({ metadata: { name: 'basic' }, type: 'kubernetes.io/basic-auth', stringData: { password: '' } }).code, 201);
    assert.deepEqual(causes(create({ metadata: { name: 'ssh' }, type: 'kubernetes.io/ssh-auth' })), ['data[ssh-privatekey]: Required value']);
    assert.deepEqual(causes(create({ metadata: { name: 'reg' }, type: 'kubernetes.io/dockerconfigjson' })), ['data[.dockerconfigjson]: Required value']);
    assert.deepEqual(
      causes(create({ metadata: { name: 'reg' }, type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': 'oops' } })),
      ['data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character \'o\' looking for beginning of value'],
    );
    assert.deepEqual(
      causes(create({ metadata: { name: 'sa' }, type: 'kubernetes.io/service-account-token' })),
      ['metadata.annotations[kubernetes.io/service-account.name]: Required value'],
    );
  });

  it('refuses more than 1 MiB of keys and values', () => {
    const res = create({ metadata: { name: 'big' }, stringData: { a: 'x'.repeat(1024 * 1024) } });
    assert.equal(res.code, 422);
    assert.equal(message(res), 'Secret "big" is invalid: data: Too long: must have at most 1048576 bytes');
  });

  it('keeps type immutable, and an immutable Secret or ConfigMap keeps its data and stays immutable', () => {
    assert.equal(create({ metadata: { name: 'frozen' }, immutable: true, stringData: { a: '1' } }).code, 201);
    assert.equal(message(patch('frozen', { stringData: { a: '2' } })), 'Secret "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set');
    assert.equal(message(patch('frozen', { immutable: false })), 'Secret "frozen" is invalid: immutable: Forbidden: field is immutable when `immutable` is set');
    assert.equal(patch('frozen', { metadata: { labels: { a: 'b' } } }).code, 200, 'metadata may still change');
    assert.equal(message(patch('db', { type: 'kubernetes.io/ssh-auth', stringData: { 'ssh-privatekey': 'k' } })), 'Secret "db" is invalid: type: Invalid value: "kubernetes.io/ssh-auth": field is immutable');
    assert.equal(create({ metadata: { name: 'cfg' }, immutable: true, data: { a: '1' }, binaryData: { b: 'AAE=' } }, 'configmaps').code, 201);
    const cm = patch('cfg', { data: { a: '2' } }, 'configmaps');
    assert.equal(message(cm), 'ConfigMap "cfg" is invalid: data: Forbidden: field is immutable when `immutable` is set');
    assert.deepEqual((cluster.read.get<ConfigMap>('configmaps', 'default', 'cfg') as KubeObject & ConfigMap).data, { a: '1' });
  });

  it('gives ConfigMaps the key rule and base64 binaryData', () => {
    assert.deepEqual(causes(create({ metadata: { name: 'c1' }, data: { 'a/b': 'x' } }, 'configmaps')).map((c) => c.split(':')[0]), ['data[a/b]']);
    const res = create({ metadata: { name: 'c2' }, binaryData: { b: '@@' } }, 'configmaps');
    assert.equal(res.code, 400);
    assert.equal(message(res), 'ConfigMap in version "v1" cannot be handled as a ConfigMap: illegal base64 data at input byte 0');
  });
});
