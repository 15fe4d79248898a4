import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ManifestDiagnostic, QuickFix } from '../../../src/manifest';

/** The repository root (tests run from dist/test/..., fixtures live in test/fixtures). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

export function fixture(name: string): string {
  return readFileSync(join(repoRoot(), 'test/fixtures/manifests', name), 'utf8');
}

/** A compact view of a diagnostic for assertions: rule and the exact text it underlines. */
export function brief(text: string, d: ManifestDiagnostic): { rule: string; text: string; start: number } {
  return { rule: d.rule, text: text.slice(d.offsets.start, d.offsets.end), start: d.offsets.start };
}

/** Applies a quick fix's edits (from last to first, so offsets stay valid). */
export function applyFix(text: string, fix: QuickFix): string {
  let out = text;
  for (const e of [...fix.edits].sort((a, b) => b.offsets.start - a.offsets.start)) {
    out = out.slice(0, e.offsets.start) + e.newText + out.slice(e.offsets.end);
  }
  return out;
}
