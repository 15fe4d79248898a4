/**
 * `k8s-lab serve [--port N] [--kubeconfig PATH] [--speed X] [--preset default|large] [--seed N]`
 * Starts the simulated cluster, drives it in real time (× speed) and serves the Kubernetes API on
 * 127.0.0.1 for real kubectl; writes a kubeconfig (context k8s-lab) and prints how to use it.
 * Stops cleanly on SIGINT/SIGTERM.
 */
import { Cluster } from '../sim/cluster';
import { faultsOf } from '../sim/faults';
import { presetOptions, type PresetName } from '../sim/presets';
import { FAST_FORWARD, RealtimeDriver, formatSpeed, parseSpeed } from '../sim/realtime';
import { BOOT_LEAD_MS, bundledSchemasDir, defaultKubeconfigPath, loadKindSchemas, nodeTimers, startLabServer, wallClockEpoch, wallClockLag } from '../server';
import type { LabCluster } from '../server';
import { argumentsOrExitCode } from './verb';

const HELP = `Usage: k8s-lab serve [options]

Start the lab cluster and serve the Kubernetes API on 127.0.0.1 for kubectl.

Options:
  --port N            port to listen on (default: a free port)
  --kubeconfig PATH   where to write the kubeconfig (default: ~/.kube/k8s-lab.config)
  --speed X           simulated time runs X times faster than the wall clock:
                      0 (paused), 1 (default), 10, ..., or "ff" (fast-forward)
  --preset NAME       default (3 masters + 3 workers) or large (3 masters + 1,000 workers)
  --seed N            random seed of the simulation (default 1)
`;

export interface ServeOptions {
  port: number;
  kubeconfig: string;
  speed: number;
  preset: 'default' | 'large';
  seed: number;
}

export function parseServeArgs(args: string[]): ServeOptions | { error: string } | 'help' {
  const out: ServeOptions = { port: 0, kubeconfig: defaultKubeconfigPath(), speed: 1, preset: 'default', seed: 1 };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') return 'help';
    const eq = arg.indexOf('=');
    const [flag, inline] = arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = () => inline ?? args[++i];
    switch (flag) {
      case '--port': {
        const v = value();
        if (!/^\d+$/.test(v ?? '') || Number(v) > 65535) return { error: `invalid --port ${JSON.stringify(v ?? '')}: expected 0-65535` };
        out.port = Number(v);
        break;
      }
      case '--kubeconfig': {
        const v = value();
        if (!v) return { error: '--kubeconfig needs a path' };
        out.kubeconfig = v;
        break;
      }
      case '--speed': {
        const v = value();
        const speed = parseSpeed(v ?? '');
        if (speed === undefined) return { error: `invalid --speed ${JSON.stringify(v ?? '')}: expected a number >= 0 or "ff"` };
        out.speed = speed;
        break;
      }
      case '--preset': {
        const v = value();
        if (v !== 'default' && v !== 'large') return { error: `invalid --preset ${JSON.stringify(v ?? '')}: expected default or large` };
        out.preset = v;
        break;
      }
      case '--seed': {
        const v = value();
        if (!/^\d+$/.test(v ?? '')) return { error: `invalid --seed ${JSON.stringify(v ?? '')}: expected a non-negative integer` };
        out.seed = Number(v);
        break;
      }
      default:
        return { error: `unknown option ${JSON.stringify(arg)}` };
    }
  }
  return out;
}

/**
 * The cluster of a preset: HA control plane with leader election, controllers and kube-proxy on every node.
 * Its clock starts at `epochMs` (default: the wall time now less the boot lead), since kubectl computes some
 * ages on its own clock.
 */
export function createLabCluster(preset: PresetName, seed: number, epochMs: number = wallClockEpoch(Date.now(), BOOT_LEAD_MS)): Cluster {
  // Keep the UI-less server's memory bounded: the newest entries are what a trace needs.
  return new Cluster(presetOptions(preset, { seed, logCapacity: 200_000, epochMs }));
}

export default async function serve(args: string[]): Promise<number> {
  const parsed = argumentsOrExitCode('serve', HELP, parseServeArgs(args));
  if (typeof parsed === 'number') return parsed;
  const started = performance.now();
  const cluster = createLabCluster(parsed.preset, parsed.seed);
  cluster.start();
  const reported = new Set<string>();
  const driver = new RealtimeDriver(cluster.clock, nodeTimers(), parsed.speed, {
    onError: (error) => {
      // A bug in one simulated component must not take the whole lab down: report it once and go on.
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      const key = text.split('\n').slice(0, 2).join('\n');
      if (reported.has(key)) return;
      reported.add(key);
      process.stderr.write(`k8s-lab serve: a simulated component failed at t=${cluster.clock.now()} ms (the lab goes on):\n${text}\n`);
    },
  });
  // The clock started BOOT_LEAD_MS in the past: run (fast) until it meets the wall clock.
  const lag = wallClockLag(cluster.clock);
  if (lag > 0) driver.runFor(lag);
  let server;
  try {
    server = await startLabServer(cluster as LabCluster, {
      port: parsed.port,
      kubeconfigPath: parsed.kubeconfig,
      driver,
      schemas: loadKindSchemas(bundledSchemasDir()),
      faults: faultsOf(cluster),
    });
  } catch (err) {
    driver.dispose();
    process.stderr.write(`k8s-lab serve: cannot listen on 127.0.0.1:${parsed.port}: ${(err as Error).message}\n`);
    return 1;
  }
  const nodes = cluster.nodes.length;
  process.stdout.write(
    [
      `Kubernetes Lab (${parsed.preset}: ${nodes} nodes, seed ${parsed.seed}) is serving at ${server.url}`,
      `  speed: ${formatSpeed(parsed.speed)}${parsed.speed === FAST_FORWARD ? '' : ' (simulated time per wall-clock second)'}`,
      `  kubeconfig: ${server.kubeconfigPath}`,
      `  started in ${Math.round(performance.now() - started)} ms`,
      '',
      `  export KUBECONFIG=${server.kubeconfigPath}`,
      '  kubectl get nodes',
      '',
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      process.stdout.write(`\n${signal}: stopping the lab (served ${server.requests} requests)\n`);
      driver.dispose();
      void server.close().then(resolve);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  return 0;
}
