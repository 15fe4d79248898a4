/**
 * Node-side helpers for whoever runs the lab with a server (the CLI's `serve`, the extension): the host
 * timers the RealtimeDriver needs, and the kind schemas (schemas/*.json) for the OpenAPI document.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { HostTimers } from '../sim/realtime';
import type { KindSchemas } from './openapi';

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
