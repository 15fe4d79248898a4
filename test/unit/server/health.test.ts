/**
 * /healthz, /livez and /readyz over HTTPS: routed to an API server of the simulated cluster through
 * the load balancer, written as upstream's healthz handler writes them, failing with etcd's quorum.
 */
import { strict as assert } from 'node:assert';
import { route } from '../../../src/server/routes';
import { labForSuite, send } from './https-client';

describe('server/health', () => {
  it('routes the three endpoints and their single checks, with verbose and exclude', () => {
    assert.deepEqual(route('GET', '/readyz?verbose'), { type: 'health', path: '/readyz', verbose: true, exclude: [] });
    assert.deepEqual(route('GET', '/livez/etcd'), { type: 'health', path: '/livez/etcd', verbose: false, exclude: [] });
    assert.deepEqual(route('HEAD', '/healthz?exclude=etcd&exclude=log&verbose=false'), { type: 'health', path: '/healthz', verbose: true, exclude: ['etcd', 'log'] });
    const post = route('POST', '/readyz');
    assert.equal(post.type === 'error' ? post.code : post.type, 405);
  });

  describe('over HTTPS', function () {
    this.timeout(30_000);
    const lab = labForSuite(8, 50);

    const get = (path: string) => send(lab.server, 'GET', path, { headers: { 'User-Agent': 'kubectl/v1.32.4 (linux/amd64)' } });

    it('?verbose lists the checks of the API server the load balancer picked, as text; without it, "ok"', async () => {
      const r = await get('/readyz?verbose');
      assert.equal(r.code, 200);
      assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.text, '[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]etcd-readiness ok\n[+]informer-sync ok\n[+]shutdown ok\nreadyz check passed\n');
      assert.equal((await get('/livez?verbose')).text, '[+]ping ok\n[+]log ok\n[+]etcd ok\nlivez check passed\n');
      for (const path of ['/readyz', '/livez', '/healthz', '/readyz/etcd']) {
        const plain = await get(path);
        assert.deepEqual([plain.code, plain.text], [200, 'ok'], path);
      }
      const logged = lab.cluster.log.all().filter((e) => e.kind === 'request' && e.from === 'kubectl' && e.summary === 'GET /readyz?verbose');
      assert.equal(logged.length, 1, 'the probe is a request in the event log, from kubectl');
      assert.ok(lab.cluster.log.all().some((e) => e.kind === 'forward' && e.traceId === logged[0].traceId), 'forwarded by the load balancer');
    });

    it('fails while etcd has no quorum: 500 and the list of checks, verbose or not; recovers with quorum', async () => {
      lab.driver.external(() => {
        lab.cluster.etcd.member('master-2')!.stop();
        lab.cluster.etcd.member('master-3')!.stop();
      });
      try {
        // The survivor steps down within an election timeout (1 s of virtual time): then there is no quorum.
        for (let i = 0; i < 200 && lab.cluster.etcd.leader() !== undefined; i++) await new Promise((resolve) => setTimeout(resolve, 10));
        assert.equal(lab.cluster.etcd.leader(), undefined, 'no etcd leader without quorum');
        const failed = await get('/readyz');
        assert.equal(failed.code, 500);
        assert.equal(failed.headers['content-type'], 'text/plain; charset=utf-8');
        assert.equal(failed.text, '[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[-]etcd-readiness failed: reason withheld\n[+]informer-sync ok\n[+]shutdown ok\nreadyz check failed\n');
        const single = await get('/readyz/etcd');
        assert.deepEqual([single.code, single.text], [500, 'internal server error: error getting data from etcd: context deadline exceeded\n']);
        const excluded = await get('/readyz?verbose&exclude=etcd&exclude=etcd-readiness');
        assert.equal(excluded.code, 200);
        assert.match(excluded.text, /^\[\+\]etcd excluded: ok$/m);
      } finally {
        lab.driver.external(() => lab.cluster.etcd.member('master-2')!.start());
      }
      let back = await get('/readyz');
      for (let i = 0; i < 20 && back.code !== 200; i++) back = await get('/readyz');
      assert.deepEqual([back.code, back.text], [200, 'ok']);
    });

    it('unknown checks are 404 Status objects', async () => {
      const r = await get('/readyz/bogus');
      assert.equal(r.code, 404);
      assert.deepEqual([r.json?.kind, r.json?.reason], ['Status', 'NotFound']);
    });
  });
});
