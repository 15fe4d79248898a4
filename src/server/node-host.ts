/**
 * Node-side helpers for whoever runs the lab with a server (the CLI's `serve`, the extension): the host
 * timers the RealtimeDriver needs, the wall-clock epoch of a new lab's clock, and the kind schemas
 * (schemas/*.json) for the OpenAPI document.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../sim/clock';
import type { HostTimers } from '../sim/realtime';
import type { KindSchemas } from './openapi';

/**
 * Virtual time a new lab is given to boot before its clock meets the wall clock. Booting (etcd elects a
 * leader, API servers become ready: about 9 s of virtual time) runs ahead of wall time; starting the
 * clock this far in the past, then catching up (`wallClockLag`), leaves it neither ahead nor behind.
 */
export const BOOT_LEAD_MS = 30_000;

/**
 * The clock epoch for a lab that real kubectl talks to: the wall time now less `leadMs`, in whole
 * seconds. kubectl computes some ages on its own clock (describe's Events), so virtual time must track
 * wall time (at speed 1 the two stay together; faster, virtual time runs ahead and kubectl says <invalid>).
 */
export function wallClockEpoch(nowMs: number = Date.now(), leadMs = 0): number {
  return Math.round((nowMs - leadMs) / 1000) * 1000;
}

/** Virtual ms the clock must run (as fast as possible: `driver.runFor`) to meet the wall clock; ≤ 0 when ahead. */
export function wallClockLag(clock: Clock, nowMs: number = Date.now()): number {
  return Math.floor(nowMs - clock.wallMs());
}

export function nodeTimers(): HostTimers<ReturnType<typeof setTimeout>> {
  return {
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (handle) => clearTimeout(handle),
    now: () => performance.now(),
  };
}

/**
 * Reads the generated JSON Schemas of kinds (each file carries x-kubernetes-group-version-kind).
 * Returns undefined when the folder is missing; `explain` then shows only the top-level fields.
 */
export function loadKindSchemas(dir: string): KindSchemas | undefined {
  if (!existsSync(dir)) return undefined;
  const out: KindSchemas = {};
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.json')) continue;
    try {
      const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
      const gvks = schema['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined;
      for (const gvk of gvks ?? []) out[`${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`] = schema;
    } catch {
      // A broken schema file only costs `explain` its detail.
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** schemas/ next to the bundle (dist/cli.js and dist/extension.js live one level below the package root). */
export function bundledSchemasDir(): string {
  return join(__dirname, '..', 'schemas');
}
