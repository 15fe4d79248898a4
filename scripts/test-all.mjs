// `npm test`: every layer, in order — static checks, unit (plain mocha), kubectl (the real kubectl against
// `k8s-lab serve`), integration (mocha inside a real
// VS Code extension host), e2e (a real browser driving the real workbench). Prints each layer's time and,
// as the very last line, the totals over all layers: "N passed, N failed, N skipped".
// Options: --only=unit,kubectl,integration,e2e,static,package   (comma-separated subset)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = onlyArg ? new Set(onlyArg.split(',')) : undefined;
const npx = (...args) => ['npx', '--no-install', ...args];

/** Runs a command, echoing its output; resolves with its exit code and what it printed. */
function run(argv, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const echo = (stream) => (chunk) => {
      output += chunk;
      stream.write(chunk);
    };
    child.stdout.on('data', echo(process.stdout));
    child.stderr.on('data', echo(process.stderr));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** A mocha run whose counts the counting reporter writes to a file. */
async function mochaLayer(config) {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-lab-counts-'));
  const file = join(dir, 'counts.json');
  const { code } = await run(npx('mocha', '--config', config), { MOCHA_COUNTS_FILE: file });
  let counts;
  try {
    counts = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    counts = { passed: 0, failed: 1, skipped: 0 }; // mocha died before reporting: count the layer as failed
  }
  rmSync(dir, { recursive: true, force: true });
  if (code !== 0 && counts.failed === 0) counts.failed = 1;
  return counts;
}

/** A layer that is a command with no test count of its own: one check, passed or failed. */
async function checkLayer(argv) {
  const { code } = await run(argv);
  return { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 };
}

const layers = [
  { name: 'build', always: true, run: () => checkLayer(['node', 'scripts/build.mjs']) },
  { name: 'static', run: async () => {
      const tsc = await checkLayer(npx('tsc', '-p', 'tsconfig.core.json'));
      const host = await checkLayer(npx('tsc', '-p', 'tsconfig.host.json'));
      const hasWebview = existsSync(join(root, 'src/protocol.ts')) || existsSync(join(root, 'src/webview'));
      const webview = hasWebview ? await checkLayer(npx('tsc', '-p', 'tsconfig.webview.json')) : { passed: 0, failed: 0, skipped: 0 };
      const tests = await checkLayer(npx('tsc', '-p', 'tsconfig.test.json'));
      const lint = await checkLayer(npx('eslint', '--no-error-on-unmatched-pattern', 'src', 'test', 'scripts', 'bench'));
      return [tsc, host, webview, tests, lint].reduce(add);
    } },
  { name: 'unit', run: () => mochaLayer('.mocharc.unit.json') },
  { name: 'kubectl', run: () => (existsSync(join(root, 'test/kubectl')) ? mochaLayer('.mocharc.kubectl.json') : { passed: 0, failed: 0, skipped: 0 }) },
  { name: 'integration', run: async () => {
      const { code, output } = await run(['node', 'scripts/run-integration.mjs']);
      const match = /K8S_LAB_RESULTS (\{.*\})/.exec(output);
      const counts = match ? JSON.parse(match[1]) : { passed: 0, failed: 1, skipped: 0 };
      if (code !== 0 && counts.failed === 0) counts.failed = 1;
      return counts;
    } },
  { name: 'e2e', run: async () => {
      const install = await checkLayer(['node', 'scripts/install-code-server.mjs']);
      if (install.failed) return install;
      return mochaLayer('.mocharc.e2e.json');
    } },
  // Last: it rebuilds dist/ for production. The .vsix a learner installs must build from a fresh clone.
  { name: 'package', run: () => checkLayer(['npm', 'run', 'package']) },
];

function add(a, b) {
  return { passed: a.passed + b.passed, failed: a.failed + b.failed, skipped: a.skipped + b.skipped };
}

const summary = [];
let total = { passed: 0, failed: 0, skipped: 0 };
for (const layer of layers) {
  if (only && !layer.always && !only.has(layer.name)) continue;
  process.stdout.write(`\n=== ${layer.name} ===\n`);
  const started = Date.now();
  const counts = await layer.run();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  summary.push(`${layer.name.padEnd(12)} ${String(counts.passed).padStart(5)} passed ${String(counts.failed).padStart(4)} failed ${String(counts.skipped).padStart(4)} skipped  ${seconds.padStart(7)} s`);
  total = add(total, counts);
  if (layer.name === 'build' && counts.failed) break;
}

process.stdout.write(`\n=== summary ===\n${summary.join('\n')}\n`);
process.stdout.write(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
process.exitCode = total.failed > 0 ? 1 : 0;
