/**
 * The lab's HTTP API over loopback (TLS, keep-alive): requests per second for GET one pod and POST a pod
 * (autocannon), at real-time speed and in fast-forward, and the latency of the real `kubectl get pods -A`
 * with 10,000 pods. Every request crosses the simulated network, load balancer, API server and etcd quorum.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Cluster } from '../src/sim/cluster';
import { FAST_FORWARD, RealtimeDriver, formatSpeed } from '../src/sim/realtime';
import { nodeTimers, startLabServer } from '../src/server';

const PODS = 10_000;
const SECONDS = 3;

function podBody(name?: string): string {
  const metadata = name ? { name } : { generateName: 'bench-' };
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } });
}

/** The part of autocannon's result printed here (the package ships no types). */
interface CannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (options: Record<string, unknown>, done: (err: Error | null, result: CannonResult) => void) => unknown;

async function loadAutocannon(): Promise<Autocannon> {
  const name = 'autocannon';
  const mod = (await import(name)) as { default?: Autocannon } & Autocannon;
  return mod.default ?? mod;
}

async function cannon(url: string, token: string, method: 'GET' | 'POST', path: string, body?: string): Promise<CannonResult> {
  const autocannon = await loadAutocannon();
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: url + path,
        method,
        connections: 10,
        duration: SECONDS,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'User-Agent': 'autocannon/8' },
        body,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

function print(label: string, r: CannonResult): void {
  const non2xx = r.non2xx + r.errors + r.timeouts;
  console.log(`${label.padEnd(38)} ${Math.round(r.requests.average).toString().padStart(7)} req/s   p50 ${r.latency.p50} ms   p99 ${r.latency.p99} ms   (${non2xx} failed or timed out)`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-lab-bench-'));
  const cluster = new Cluster({ seed: 7, kubelets: false, storeLog: false });
  cluster.start();

  // 10,000 pods (Pending: no kubelets, no scheduler), created through the simulated API in fast-forward.
  const client = cluster.client('bench');
  let created = 0;
  const t0 = performance.now();
  for (let i = 0; i < PODS; i++) {
    client.request({ verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: i % 2 ? 'default' : 'kube-public', body: JSON.parse(podBody(`p-${i}`)) }, { traceId: `seed${i}` }, (res) => {
      if (res.code === 201) created++;
    });
  }
  cluster.clock.runUntilCondition(() => created === PODS, 3_600_000);
  console.log(`created ${created} pods through the simulated API in ${Math.round(performance.now() - t0)} ms (fast-forward)`);

  // BENCH_SPEED=ff measures fast-forward only (e.g. under --cpu-prof).
  const speeds = process.env.BENCH_SPEED === 'ff' ? [FAST_FORWARD] : [1, FAST_FORWARD];
  for (const speed of speeds) {
    const driver = new RealtimeDriver(cluster.clock, nodeTimers(), speed);
    const server = await startLabServer(cluster, { driver, kubeconfigPath: join(dir, 'kubeconfig') });
    const mode = formatSpeed(speed);
    print(`GET one pod (${mode})`, await cannon(server.url, server.token, 'GET', '/api/v1/namespaces/default/pods/p-1'));
    print(`POST a pod (${mode})`, await cannon(server.url, server.token, 'POST', '/api/v1/namespaces/default/pods', podBody()));
    if (speed === 1) {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        // Asynchronously: the server runs in this process and must keep serving while kubectl waits.
        const out = await new Promise<string>((resolve, reject) => {
          execFile('/usr/bin/kubectl', ['get', 'pods', '-A', '--no-headers'], {
            env: { ...process.env, KUBECONFIG: join(dir, 'kubeconfig'), HOME: dir },
            maxBuffer: 256 * 1024 * 1024,
          }, (err, stdout, stderr) => (err ? reject(new Error(`kubectl failed: ${stderr}`)) : resolve(stdout)));
        });
        times.push(performance.now() - started);
        if (i === 0) console.log(`kubectl get pods -A: ${out.trim().split('\n').length} rows`);
      }
      times.sort((a, b) => a - b);
      console.log(`kubectl get pods -A with ${PODS}+ pods (${mode}): median ${Math.round(times[1])} ms (min ${Math.round(times[0])}, max ${Math.round(times[2])})`);
    }
    await server.close();
    driver.dispose();
  }
  rmSync(dir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
