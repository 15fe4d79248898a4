/**
 * Who may talk to the lab's API: requests addressed to this server by name (Host is 127.0.0.1:PORT or
 * localhost:PORT — a DNS-rebinding page would send its own host name), not sent by a web page from
 * another origin, and carrying the bearer token of the kubeconfig. Pure functions of the headers.
 */
import { timingSafeEqual } from 'node:crypto';

export interface GuardFailure {
  code: 401 | 403;
  reason: 'Unauthorized' | 'Forbidden';
  message: string;
}

export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export function checkHost(host: string | undefined, port: number): GuardFailure | undefined {
  if (host !== undefined && allowedHosts(port).has(host.toLowerCase())) return undefined;
  return {
    code: 403,
    reason: 'Forbidden',
    message: `forbidden: Host ${JSON.stringify((host ?? '').slice(0, 100))} is not allowed: the lab's API answers only requests addressed to 127.0.0.1:${port} or localhost:${port}`,
  };
}

export function checkOrigin(origin: string | undefined, port: number): GuardFailure | undefined {
  if (origin === undefined) return undefined;
  const own = [...allowedHosts(port)].map((h) => `https://${h}`);
  if (own.includes(origin.toLowerCase())) return undefined;
  return {
    code: 403,
    reason: 'Forbidden',
    message: `forbidden: Origin ${JSON.stringify(origin.slice(0, 100))} is not allowed: the lab's API does not serve web pages of other origins`,
  };
}

export function checkToken(authorization: string | undefined, token: string): GuardFailure | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (match) {
    const given = Buffer.from(match[1]);
    const expected = Buffer.from(token);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return undefined;
  }
  return { code: 401, reason: 'Unauthorized', message: 'Unauthorized' };
}
