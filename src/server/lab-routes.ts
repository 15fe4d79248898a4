/**
 * The lab's own endpoints, next to the Kubernetes API and behind the same token:
 *   GET  /lab/v1/faults                                   the active faults
 *   POST /lab/v1/faults  {action, kind, name}             stop|start node|zone|apiserver|etcd|scheduler|controller-manager|partition
 * Faults are injected through the simulation's fault API; recovery is the simulated components' work.
 */
import type { ServerResponse } from 'node:http';
import { statusBody, writeJson, writeStatus } from './http-io';
import { FAULT_KINDS, type FaultKind, type LabFaults } from './lab-cluster';

export const FAULTS_PATH = '/lab/v1/faults';

export interface FaultRequest {
  action: 'stop' | 'start';
  kind: FaultKind;
  name: string;
}

/** Checks a fault request body; returns the request or an error message. */
export function parseFaultRequest(value: unknown): FaultRequest | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the body must be a JSON object {action, kind, name}';
  const { action, kind, name } = value as Record<string, unknown>;
  if (action !== 'stop' && action !== 'start') return `action: Unsupported value: ${JSON.stringify(action ?? null)}: supported values: "stop", "start"`;
  if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) {
    return `kind: Unsupported value: ${JSON.stringify(kind ?? null)}: supported values: ${FAULT_KINDS.map((k) => `"${k}"`).join(', ')}`;
  }
  if (typeof name !== 'string' || name === '' || name.length > 253) return 'name: Required value';
  return { action, kind: kind as FaultKind, name };
}

export function handleLabRoute(
  method: string,
  path: string,
  body: Buffer | undefined,
  res: ServerResponse,
  faults: LabFaults | undefined,
  simulate: (fn: () => void) => void,
): void {
  if (path !== FAULTS_PATH) return writeStatus(res, 404, 'NotFound', `the server could not find the requested resource (${path})`);
  if (!faults) return writeStatus(res, 503, 'ServiceUnavailable', 'this lab cluster has no fault injection');
  if (method === 'GET') {
    simulate(() => writeJson(res, 200, { kind: 'FaultList', items: faults.list() }));
    return;
  }
  if (method !== 'POST') return writeStatus(res, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  let value: unknown;
  try {
    value = JSON.parse((body ?? Buffer.alloc(0)).toString('utf8'));
  } catch (err) {
    return writeStatus(res, 400, 'BadRequest', `the body of the request could not be decoded: ${(err as Error).message.slice(0, 200)}`);
  }
  const request = parseFaultRequest(value);
  if (typeof request === 'string') return writeStatus(res, 400, 'BadRequest', request);
  simulate(() => {
    try {
      const result = request.action === 'stop' ? faults.stop(request.kind, request.name) : faults.start(request.kind, request.name);
      writeJson(res, 200, { action: request.action, fault: { kind: request.kind, name: request.name }, result: result ?? null, active: faults.list() });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const code = /not found|unknown|no such/i.test(message) ? 404 : 400;
      writeJson(res, code, statusBody(code, code === 404 ? 'NotFound' : 'BadRequest', message));
    }
  });
}
