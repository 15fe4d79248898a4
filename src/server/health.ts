/**
 * /healthz, /livez and /readyz over HTTP. Each probe is a request through the load balancer to the
 * API server it picks, as any client's GET is, and that server runs its own checks
 * (src/sim/apiserver/health.ts): the probe shows in the event log, and a check fails when the
 * simulated cluster fails (etcd without quorum). The answer is text, written as upstream writes it;
 * a Status when no API server answered (the load balancer's 503, a timeout).
 */
import type { ServerResponse } from 'node:http';
import type { ApiRequest, ApiResponse } from '../sim/api/request';
import { writeJson, writeText } from './http-io';

export interface HealthRoute {
  /** "/readyz", "/livez/etcd" … */
  path: string;
  verbose: boolean;
  exclude: string[];
}

/** The simulated request for a health route. */
export function healthRequest(route: HealthRoute): Omit<ApiRequest, 'client'> {
  const query: NonNullable<ApiRequest['query']> = {};
  if (route.verbose) query.verbose = true;
  if (route.exclude.length > 0) query.exclude = route.exclude;
  return { verb: 'get', apiVersion: '', resource: '', nonResourcePath: route.path, query };
}

/** Write the API server's answer: its text as upstream's healthz handler does, or a Status as JSON. */
export function writeHealth(res: ServerResponse, response: ApiResponse): void {
  if (typeof response.body === 'string') writeText(res, response.code, response.body);
  else writeJson(res, response.code, response.body);
}
