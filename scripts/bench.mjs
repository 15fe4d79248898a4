// `npm run bench`: runs every benchmark bundle (dist/bench/*.bench.js) in its own process, one after another,
// so that one benchmark's heap and JIT state do not colour the next. Benchmarks print numbers and ratios against
// the peer measured in the same run; they are not tests and never decide an exit code.
// Options: a name filter, e.g. `npm run bench -- manifest`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'dist/bench');
const filter = process.argv[2];
const benches = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bench.js') && (!filter || f.includes(filter))).sort() : [];
if (benches.length === 0) console.log('No benchmarks found (run `node scripts/build.mjs` first).');
// Node flags per benchmark (default: a 4 GB old generation). The scale run allocates ~150 KB a pod, most of it
// dying young: a 64 MB young generation (default 16 MB) halves the scavenges (at 40,000 pods the run took 54.7 s
// instead of 60.0). It runs with the 2 GB heap of its floor as V8's limit, so the run itself shows the floor is kept
// (peak in use ~1.7 GB; with a 4 GB limit V8 lets garbage pile up to ~2.6 GB before collecting, and is ~5% faster).
const NODE_FLAGS = { 'scale.bench.js': ['--max-old-space-size=2048', '--max-semi-space-size=64'] };
const DEFAULT_FLAGS = ['--max-old-space-size=4096'];
for (const file of benches) {
  console.log(`\n### ${file.replace(/\.bench\.js$/, '')}\n`);
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--expose-gc', ...(NODE_FLAGS[file] ?? DEFAULT_FLAGS), join(dir, file)], { stdio: 'inherit', cwd: root });
  console.log(`\n(${file}: ${((Date.now() - started) / 1000).toFixed(1)} s${result.status ? `, exited ${result.status}` : ''})`);
}
