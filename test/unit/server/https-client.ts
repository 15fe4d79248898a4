/** Test helpers: a LabServer for a suite, and one HTTPS request to it, with its token unless told otherwise. */
import { request } from 'node:https';
import { nodeTimers, startLabServer, type LabServer } from '../../../src/server';
import { Cluster } from '../../../src/sim/cluster';
import { RealtimeDriver } from '../../../src/sim/realtime';

export interface SuiteLab {
  cluster: Cluster;
  driver: RealtimeDriver;
  server: LabServer;
}

/**
 * A LabServer over a cluster without a control plane's controllers or kubelets (seeded), driven at `speed`,
 * started before the calling suite's tests and closed after them.
 */
export function labForSuite(seed: number, speed: number): SuiteLab {
  const lab = {} as SuiteLab;
  before(async () => {
    lab.cluster = new Cluster({ seed, controlPlane: [], kubelets: false });
    lab.cluster.start();
    lab.driver = new RealtimeDriver(lab.cluster.clock, nodeTimers(), speed);
    lab.server = await startLabServer(lab.cluster, { driver: lab.driver });
  });
  after(async () => {
    await lab.server?.close();
    lab.driver?.dispose();
  });
  return lab;
}

export interface Reply {
  code: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json?: Record<string, unknown>;
}

export function send(server: LabServer, method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer; token?: string | null } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? server.token : options.token;
  if (token !== null) headers.Authorization ??= `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, method, path, headers, ca: server.certificate, servername: 'localhost', agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> | undefined;
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = undefined;
          }
          resolve({ code: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
