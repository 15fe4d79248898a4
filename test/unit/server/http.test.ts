/**
 * The lab's HTTP API over a real simulated Cluster driven in real time: security (token, Host, Origin,
 * body size), well-formed Status objects on every error, and fuzzing with random requests.
 */
import { strict as assert } from 'node:assert';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Cluster } from '../../../src/sim/cluster';
import { RealtimeDriver } from '../../../src/sim/realtime';
import { Scheduler } from '../../../src/sim/scheduler/scheduler';
import { nodeTimers, readKubeconfig, startLabServer, type LabServer } from '../../../src/server';
import { send, type Reply } from './https-client';

function assertStatus(reply: Reply, code: number, reason?: string): void {
  assert.equal(reply.code, code, reply.text);
  assert.equal(reply.json?.kind, 'Status', reply.text);
  assert.equal(reply.json?.apiVersion, 'v1');
  assert.equal(reply.json?.status, 'Failure');
  assert.equal(reply.json?.code, code);
  assert.equal(typeof reply.json?.message, 'string');
  if (reason) assert.equal(reply.json?.reason, reason);
}

describe('server/http', function () {
  this.timeout(30_000);
  let cluster: Cluster;
  let driver: RealtimeDriver;
  let server: LabServer;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8s-lab-http-'));
    cluster = new Cluster({ seed: 3, controlPlane: [(env, _m, i) => new Scheduler(env, { leader: () => i === 0 })] });
    cluster.start();
    driver = new RealtimeDriver(cluster.clock, nodeTimers(), 20);
    server = await startLabServer(cluster, { driver, kubeconfigPath: join(dir, 'kubeconfig') });
  });

  after(async () => {
    await server?.close();
    driver?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('transport and kubeconfig', () => {
    it('serves TLS on 127.0.0.1 with a certificate for 127.0.0.1 and localhost', () => {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const cert = new X509Certificate(server.certificate);
      assert.match(cert.subjectAltName ?? '', /DNS:localhost/);
      assert.match(cert.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
      assert.ok(cert.checkIssued(cert), 'self-signed');
    });

    it('writes a kubeconfig with mode 0600 holding the URL, token and certificate', () => {
      const path = join(dir, 'kubeconfig');
      assert.equal(statSync(path).mode & 0o777, 0o600);
      const endpoint = readKubeconfig(path);
      assert.equal(endpoint.server, server.url);
      assert.equal(endpoint.token, server.token);
      assert.equal(endpoint.ca, server.certificate);
      assert.match(readFileSync(path, 'utf8'), /current-context: k8s-lab/);
    });
  });

  describe('security', () => {
    it('no token → 401 Unauthorized', async () => {
      assertStatus(await send(server, 'GET', '/api/v1/pods', { token: null }), 401, 'Unauthorized');
    });

    it('a wrong token → 401', async () => {
      assertStatus(await send(server, 'GET', '/api/v1/pods', { token: 'x'.repeat(43) }), 401, 'Unauthorized');
      assertStatus(await send(server, 'GET', '/api/v1/pods', { headers: { Authorization: `Basic ${server.token}` } }), 401);
    });

    it('a Host that is not the server (DNS rebinding) → 403', async () => {
      assertStatus(await send(server, 'GET', '/api/v1/pods', { headers: { Host: `evil.example:${server.port}` } }), 403, 'Forbidden');
      assertStatus(await send(server, 'GET', '/api/v1/pods', { headers: { Host: `127.0.0.1:${server.port + 1}` } }), 403);
    });

    it('localhost:PORT is accepted as Host', async () => {
      const r = await send(server, 'GET', '/version', { headers: { Host: `localhost:${server.port}` } });
      assert.equal(r.code, 200);
    });

    it('a foreign Origin (a web page) → 403, even with the token', async () => {
      assertStatus(await send(server, 'GET', '/api/v1/pods', { headers: { Origin: 'https://evil.example' } }), 403, 'Forbidden');
      const own = await send(server, 'GET', '/version', { headers: { Origin: `https://127.0.0.1:${server.port}` } });
      assert.equal(own.code, 200);
    });

    it('a body over 3 MiB → 413', async () => {
      const body = Buffer.alloc(3 * 1024 * 1024 + 10, 0x20);
      assertStatus(await send(server, 'POST', '/api/v1/namespaces/default/configmaps', { body, headers: { 'Content-Type': 'application/json' } }), 413, 'RequestEntityTooLarge');
      const after = await send(server, 'GET', '/version');
      assert.equal(after.code, 200, 'the server lives on');
    });
  });

  describe('the Kubernetes API', () => {
    it('discovery and version', async () => {
      const api = await send(server, 'GET', '/api');
      assert.equal(api.json?.kind, 'APIVersions');
      const groups = await send(server, 'GET', '/apis');
      assert.deepEqual((groups.json?.groups as { name: string }[]).map((g) => g.name).sort(), ['apps', 'authentication.k8s.io', 'authorization.k8s.io', 'batch', 'coordination.k8s.io', 'discovery.k8s.io', 'policy', 'scheduling.k8s.io']);
      const v1 = await send(server, 'GET', '/api/v1');
      const pods = (v1.json?.resources as { name: string; shortNames?: string[] }[]).find((r) => r.name === 'pods');
      assert.deepEqual(pods?.shortNames, ['po']);
      const version = await send(server, 'GET', '/version');
      assert.equal(version.json?.major, '1');
    });

    it('OpenAPI v3 advertises fieldValidation on PATCH for every kind', async () => {
      const root = await send(server, 'GET', '/openapi/v3');
      const paths = root.json?.paths as Record<string, { serverRelativeURL: string }>;
      const doc = await send(server, 'GET', paths['apis/apps/v1'].serverRelativeURL);
      const ops = Object.values(doc.json?.paths as Record<string, { patch?: { parameters: { name: string }[]; 'x-kubernetes-group-version-kind': { kind: string } } }>)
        .map((p) => p.patch)
        .filter((p) => p !== undefined);
      assert.deepEqual(ops.map((p) => p['x-kubernetes-group-version-kind'].kind).sort(), ['ControllerRevision', 'DaemonSet', 'Deployment', 'ReplicaSet']);
      for (const op of ops) assert.ok(op.parameters.some((p) => p.name === 'fieldValidation'));
    });

    it('creates a pod through the load balancer, logged with the client name', async () => {
      const body = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'http-pod' }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } });
      const r = await send(server, 'POST', '/api/v1/namespaces/default/pods', { body, headers: { 'Content-Type': 'application/json', 'User-Agent': 'kubectl/v1.32.4 (linux/amd64)' } });
      assert.equal(r.code, 201, r.text);
      assert.equal((r.json?.metadata as { name: string }).name, 'http-pod');
      const entries = cluster.log.all().filter((e) => e.kind === 'request' && e.from === 'kubectl' && e.summary.includes('/api/v1/namespaces/default/pods'));
      assert.ok(entries.length >= 1, 'the request is in the event log, from kubectl');
    });

    it('answers a Table for kubectl get', async () => {
      const r = await send(server, 'GET', '/api/v1/namespaces/default/pods', { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
      assert.equal(r.json?.kind, 'Table');
      const columns = (r.json?.columnDefinitions as { name: string; priority: number }[]).filter((c) => c.priority === 0).map((c) => c.name);
      assert.deepEqual(columns, ['Name', 'Ready', 'Status', 'Restarts', 'Age']);
      const row = (r.json?.rows as { cells: unknown[]; object: { kind: string } }[]).find((x) => x.cells[0] === 'http-pod');
      assert.equal(row?.object.kind, 'PartialObjectMetadata');
    });

    it('NotFound and AlreadyExists come back as the API server wrote them', async () => {
      assertStatus(await send(server, 'GET', '/api/v1/namespaces/default/pods/nope'), 404, 'NotFound');
      const body = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'http-pod' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
      assertStatus(await send(server, 'POST', '/api/v1/namespaces/default/pods', { body, headers: { 'Content-Type': 'application/json' } }), 409, 'AlreadyExists');
    });

    it('malformed bodies, unknown paths and bad methods are 4xx Status objects', async () => {
      assertStatus(await send(server, 'POST', '/api/v1/namespaces/default/pods', { body: '{nope', headers: { 'Content-Type': 'application/json' } }), 400, 'BadRequest');
      assertStatus(await send(server, 'GET', '/api/v1/widgets'), 404, 'NotFound');
      assertStatus(await send(server, 'PUT', '/api/v1/namespaces/default/pods'), 405, 'MethodNotAllowed');
      assertStatus(await send(server, 'PATCH', '/api/v1/namespaces/default/pods/http-pod', { body: '{}', headers: { 'Content-Type': 'text/plain' } }), 415, 'UnsupportedMediaType');
      assertStatus(await send(server, 'GET', '/api/v1/pods?limit=abc'), 400);
      assertStatus(await send(server, 'GET', '/api/v1/pods', { headers: { Accept: 'application/vnd.kubernetes.protobuf' } }), 406, 'NotAcceptable');
    });

    it('streams a watch as one JSON event per line', async () => {
      const events = await new Promise<string[]>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: server.port, path: '/api/v1/namespaces?watch=true', headers: { Authorization: `Bearer ${server.token}` }, ca: server.certificate, agent: false },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => {
              text += c.toString();
              const lines = text.split('\n').filter(Boolean);
              if (lines.length >= 4) {
                req.destroy();
                resolve(lines);
              }
            });
          },
        );
        req.on('error', (err) => (err.message.includes('socket hang up') ? undefined : reject(err)));
        req.end();
      });
      for (const line of events) {
        const event = JSON.parse(line) as { type: string; object: { kind: string } };
        assert.equal(event.type, 'ADDED');
        assert.equal(event.object.kind, 'Namespace');
      }
    });

    it('the fault endpoint is behind the token and says when faults are unavailable', async () => {
      assertStatus(await send(server, 'GET', '/lab/v1/faults', { token: null }), 401);
      const r = await send(server, 'POST', '/lab/v1/faults', { body: JSON.stringify({ action: 'stop', kind: 'rack', name: 'x' }), headers: { 'Content-Type': 'application/json' } });
      assert.ok(r.code === 400 || r.code === 503, r.text);
      assert.equal(r.json?.kind, 'Status');
    });
  });

  describe('fuzzing', () => {
    const methods = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND');
    const segment = fc.oneof(
      fc.constantFrom('api', 'apis', 'v1', 'apps', 'namespaces', 'default', 'kube-system', 'pods', 'nodes', 'deployments', 'status', 'log', 'scale', 'binding', 'watch', 'openapi', 'v3', 'lab', 'faults', 'readyz', 'livez', 'etcd', 'authorization.k8s.io', 'selfsubjectaccessreviews', 'authentication.k8s.io', 'selfsubjectreviews', '..', '%2e%2e', '%ZZ', ''),
      fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s)),
    );
    const path = fc.array(segment, { maxLength: 7 }).chain((segs) =>
      fc.constantFrom('', '?watch=true&timeoutSeconds=1', '?limit=-1', '?labelSelector=a%20in%20(', '?fieldSelector=spec.nodeName%3Dx', '?dryRun=All', '?gracePeriodSeconds=x', '?follow=true', '?verbose&exclude=etcd').map((q) => `/${segs.join('/')}${q}`),
    );
    const contentType = fc.constantFrom('application/json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json', 'application/apply-patch+yaml', 'application/vnd.kubernetes.protobuf', 'text/plain', 'application/yaml');
    const body = fc.oneof(
      fc.constant(''),
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 3 }),
      fc.constantFrom('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"fz"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}', '[{"op":"replace","path":"/x","value":1}]', 'k8s\u0000garbage', 'a: [1, 2\n'),
    );

    it('random requests always get a well-formed answer and never crash the server', async () => {
      await fc.assert(
        fc.asyncProperty(methods, path, contentType, body, fc.constantFrom('application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io', '*/*', 'text/html', ''), async (method, p, type, b, accept) => {
          const headers: Record<string, string> = { 'Content-Type': type };
          if (accept) headers.Accept = accept;
          const r = await send(server, method, p, { headers, body: method === 'GET' || method === 'HEAD' ? undefined : b });
          assert.ok(r.code >= 200 && r.code < 600, `status ${r.code}`);
          assert.ok(r.code < 500 || r.code === 503 || r.code === 504, `${method} ${p} → ${r.code} ${r.text.slice(0, 300)}`);
          if (r.code >= 400 && method !== 'HEAD') {
            assert.equal(r.json?.kind, 'Status', `${method} ${p} → ${r.code} ${r.text.slice(0, 200)}`);
            assert.equal(r.json?.code, r.code);
          }
        }),
        { numRuns: 150, seed: 42 },
      );
      const alive = await send(server, 'GET', '/version');
      assert.equal(alive.code, 200);
    });
  });
});
