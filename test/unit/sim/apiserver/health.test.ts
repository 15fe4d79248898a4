import { strict as assert } from 'node:assert';
import type { ApiRequest } from '../../../../src/sim/api/request';
import type { Cluster } from '../../../../src/sim/cluster';
import { bootCluster, call, message } from '../support/harness';

/** GET a health path as kubectl would, through the load balancer. */
function probe(cluster: Cluster, path: string, query: ApiRequest['query'] = {}, client = cluster.client()) {
  return call(cluster, { verb: 'get', apiVersion: '', resource: '', nonResourcePath: path, query }, client);
}

/** Stop two of the three etcd members and run until the survivor has stepped down (no leader: no quorum). */
function loseQuorum(cluster: Cluster): void {
  cluster.etcd.member('master-2')!.stop();
  cluster.etcd.member('master-3')!.stop();
  assert.ok(cluster.clock.runUntilCondition(() => cluster.etcd.leader() === undefined, 10_000), 'no etcd leader without quorum');
}

describe('sim/apiserver health endpoints', () => {
  let cluster: Cluster;
  beforeEach(() => {
    cluster = bootCluster({ kubelets: false, controlPlane: [] });
  });

  it('lists each endpoint\'s checks with ?verbose, and answers a bare "ok" without it', () => {
    const readyz = probe(cluster, '/readyz', { verbose: true });
    assert.equal(readyz.code, 200);
    assert.equal(readyz.body, '[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]etcd-readiness ok\n[+]informer-sync ok\n[+]shutdown ok\nreadyz check passed\n');
    assert.equal(probe(cluster, '/livez', { verbose: true }).body, '[+]ping ok\n[+]log ok\n[+]etcd ok\nlivez check passed\n');
    assert.equal(probe(cluster, '/healthz', { verbose: true }).body, '[+]ping ok\n[+]log ok\n[+]etcd ok\nhealthz check passed\n');
    for (const path of ['/readyz', '/livez', '/healthz', '/readyz/etcd', '/livez/ping']) {
      const r = probe(cluster, path);
      assert.deepEqual([r.code, r.body], [200, 'ok'], path);
    }
  });

  it('goes through the load balancer to an API server, and the log shows the probe without an object', () => {
    const r = probe(cluster, '/readyz', { verbose: true });
    const trace = cluster.log.all().filter((e) => e.traceId === r.traceId);
    assert.deepEqual(trace.map((e) => [e.kind, e.from]), [['request', 'kubectl'], ['forward', 'lb'], ['response', trace[2].from]]);
    assert.equal(trace[0].summary, 'GET /readyz?verbose');
    assert.match(trace[2].from, /^apiserver@master-\d$/);
    assert.equal(trace[2].summary, '200 OK');
    assert.ok(trace.every((e) => e.objectRef === undefined), 'a non-resource request concerns no object');
  });

  it('etcd without quorum: etcd and etcd-readiness fail (500, reason withheld, always verbose); excluding them passes', () => {
    loseQuorum(cluster);
    const started = cluster.clock.now();
    const failed = probe(cluster, '/readyz');
    assert.equal(failed.code, 500);
    assert.equal(failed.body, '[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[-]etcd-readiness failed: reason withheld\n[+]informer-sync ok\n[+]shutdown ok\nreadyz check failed\n');
    assert.ok(cluster.clock.now() - started <= 5_000, 'each etcd check gives up after 2 s');
    assert.equal(probe(cluster, '/livez', { verbose: true }).body, '[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\nlivez check failed\n');
    const one = probe(cluster, '/livez/etcd');
    assert.deepEqual([one.code, one.body], [500, 'internal server error: error getting data from etcd: context deadline exceeded\n']);
    const excluded = probe(cluster, '/readyz', { verbose: true, exclude: ['etcd', 'etcd-readiness'] });
    assert.equal(excluded.code, 200);
    assert.equal(excluded.body, '[+]ping ok\n[+]log ok\n[+]etcd excluded: ok\n[+]etcd-readiness excluded: ok\n[+]informer-sync ok\n[+]shutdown ok\nreadyz check passed\n');
    cluster.etcd.member('master-2')!.start();
    cluster.clock.runUntilCondition(() => cluster.etcd.leader() !== undefined, 30_000);
    assert.deepEqual([probe(cluster, '/readyz').code, probe(cluster, '/readyz').body], [200, 'ok'], 'quorum is back');
  });

  it('an API server still loading its cache answers /readyz with informer-sync failed', () => {
    loseQuorum(cluster);
    const server = cluster.apiserver('master-1')!;
    server.stop();
    server.start(); // it cannot load its cache from etcd without quorum
    const direct = cluster.env('master-1', 'probe', 'local').client;
    const r = probe(cluster, '/readyz', { exclude: ['etcd', 'etcd-readiness'] }, direct);
    assert.equal(server.ready, false);
    assert.equal(r.code, 500);
    assert.match(r.body as string, /^\[-\]informer-sync failed: reason withheld$/m);
  });

  it('warns about exclusions that match no check, and does not know other paths', () => {
    const r = probe(cluster, '/livez', { verbose: true, exclude: ['nope', 'etcd', 'also-nope'] });
    assert.equal(r.body, '[+]ping ok\n[+]log ok\n[+]etcd excluded: ok\nwarn: some health checks cannot be excluded: no matches for "also-nope","nope"\nlivez check passed\n');
    for (const path of ['/livez/informer-sync', '/readyz/bogus', '/statusz']) {
      const missing = probe(cluster, path);
      assert.equal(missing.code, 404, path);
      assert.equal(message(missing), `the server could not find the requested resource (${path})`);
    }
  });
});
