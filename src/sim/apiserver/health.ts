/**
 * kube-apiserver's health endpoints, as its healthz package serves them. /healthz, /livez and /readyz
 * run their named checks in order; a failed one reads "[-]NAME failed: reason withheld" (the endpoints
 * are public, so the reason stays in the server's log), `?exclude=NAME` skips one ("[+]NAME excluded:
 * ok"), `?verbose` lists them all and ends "readyz check passed", and any failure answers 500 with the
 * whole list ending "readyz check failed" (always verbose on failure). Without `verbose` a healthy
 * server answers a bare "ok". /readyz/NAME runs that one check: "ok", or 500 "internal server error: …".
 *
 * The checks are this API server's own:
 *   ping, log        pass whenever the server answers
 *   etcd             every endpoint: a read through etcd's leader within 2 s (upstream's storage
 *                    health check, --etcd-healthcheck-timeout), so it fails while etcd has no quorum
 *   etcd-readiness   /readyz only: the same read (--etcd-readycheck-timeout, 2 s)
 *   informer-sync    /readyz only: passes once the server's watch cache has loaded from etcd
 *   shutdown         /readyz only: passes while the server is not shutting down
 * Upstream also lists its post-start hooks ("poststarthook/…"); the lab has none, so none are listed.
 */
import type { ApiRequest, ApiResponse } from '../api/request';
import type { Clock } from '../clock';
import type { EtcdClient } from '../etcd/client';
import type { TraceContext } from '../log';
import { errors } from './status';

export const HEALTH_ENDPOINTS = ['healthz', 'livez', 'readyz'] as const;
export type HealthEndpoint = (typeof HEALTH_ENDPOINTS)[number];

/** upstream's DefaultHealthcheckTimeout and --etcd-readycheck-timeout. */
export const ETCD_HEALTHCHECK_TIMEOUT_MS = 2000;

/** What the checks look at: the API server that answers. */
export interface HealthProbe {
  /** A linearizable read from etcd; `done` gets the reason when it fails. */
  etcd(done: (error?: string) => void): void;
  /** The watch cache has loaded from etcd. */
  cacheLoaded(): boolean;
}

type Done = (error?: string) => void;

interface HealthCheck {
  name: string;
  on: readonly HealthEndpoint[];
  run(probe: HealthProbe, done: Done): void;
}

const EVERY = HEALTH_ENDPOINTS;
const READYZ: readonly HealthEndpoint[] = ['readyz'];

const CHECKS: readonly HealthCheck[] = [
  { name: 'ping', on: EVERY, run: (_probe, done) => done() },
  { name: 'log', on: EVERY, run: (_probe, done) => done() },
  { name: 'etcd', on: EVERY, run: (probe, done) => probe.etcd(done) },
  { name: 'etcd-readiness', on: READYZ, run: (probe, done) => probe.etcd(done) },
  { name: 'informer-sync', on: READYZ, run: (probe, done) => done(probe.cacheLoaded() ? undefined : 'the watch cache has not loaded from etcd yet') },
  { name: 'shutdown', on: READYZ, run: (_probe, done) => done() },
];

/** The checks of an endpoint, in the order they run. */
export function healthChecks(endpoint: HealthEndpoint): string[] {
  return CHECKS.filter((c) => c.on.includes(endpoint)).map((c) => c.name);
}

/** Answer GET `path` ("/readyz", "/livez/etcd" …) for `probe`'s server; `done` gets a text body or a Status. */
export function serveHealth(path: string, query: ApiRequest['query'], probe: HealthProbe, done: (res: ApiResponse) => void): void {
  const [endpoint, ...rest] = path.split('/').filter((s) => s !== '');
  const checks = CHECKS.filter((c) => (c.on as readonly string[]).includes(endpoint));
  if (checks.length === 0) return done(errors.notFoundResource(path));
  if (rest.length > 0) {
    const check = checks.find((c) => c.name === rest.join('/'));
    if (!check) return done(errors.notFoundResource(path));
    return check.run(probe, (error) => done(error === undefined ? { code: 200, body: 'ok' } : { code: 500, body: `internal server error: ${error}\n` }));
  }
  const excluded = new Set(query?.exclude ?? []);
  let out = '';
  let failed = false;
  const next = (i: number): void => {
    if (i === checks.length) return done(report(endpoint, out, failed, [...excluded], query?.verbose === true));
    const name = checks[i].name;
    if (excluded.delete(name)) {
      out += `[+]${name} excluded: ok\n`;
      return next(i + 1);
    }
    checks[i].run(probe, (error) => {
      if (error === undefined) out += `[+]${name} ok\n`;
      else {
        out += `[-]${name} failed: reason withheld\n`;
        failed = true;
      }
      next(i + 1);
    });
  };
  next(0);
}

function report(endpoint: string, lines: string, failed: boolean, unmatched: string[], verbose: boolean): ApiResponse {
  if (unmatched.length > 0) lines += `warn: some health checks cannot be excluded: no matches for ${unmatched.sort().map((n) => JSON.stringify(n)).join(',')}\n`;
  if (failed) return { code: 500, body: `${lines}${endpoint} check failed\n` };
  return { code: 200, body: verbose ? `${lines}${endpoint} check passed\n` : 'ok' };
}

/**
 * upstream's etcd health check: a read confirmed by etcd's leader (it needs a quorum), given up after
 * ETCD_HEALTHCHECK_TIMEOUT_MS as its context deadline.
 */
export function readEtcdForHealth(clock: Clock, etcd: EtcdClient, ctx: TraceContext, done: Done): void {
  let settled = false;
  const timer = clock.schedule(ETCD_HEALTHCHECK_TIMEOUT_MS, () => finish('context deadline exceeded'), 'apiserver etcd health check');
  etcd.currentRevision(ctx, (r) => finish(r.ok ? undefined : r.error));
  function finish(error?: string): void {
    if (settled) return;
    settled = true;
    clock.cancel(timer);
    done(error === undefined ? undefined : `error getting data from etcd: ${error}`);
  }
}
