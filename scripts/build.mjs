// Builds every bundle with esbuild:
//   dist/extension.js        the extension host code (node, cjs, `vscode` external)
//   dist/cli.js              the headless `k8s-lab` CLI
//   dist/webview/*.js        browser bundles for webviews (+ the @vscode-elements bundle)
//   dist/test/**             unit, integration and e2e tests (node, cjs, packages external)
//   dist/bench/**            benchmarks
// Flags: --production (minify, no sourcemaps), --watch.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

function filesUnder(dir, suffix) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  const out = [];
  for (const name of readdirSync(abs)) {
    const path = join(abs, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(relative(root, path), suffix));
    else if (name.endsWith(suffix)) out.push(relative(root, path));
  }
  return out.sort();
}

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
};

const node = { ...common, platform: 'node', format: 'cjs', target: 'node20' };

// ws loads these optional native helpers inside try/catch and works without them: left out of the bundles
// (esbuild would fail to resolve them), so the extension and the CLI carry none and use ws's JavaScript paths.
const WS_OPTIONAL = ['bufferutil', 'utf-8-validate'];

const builds = [
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', ...WS_OPTIONAL] },
  existsSync(join(root, 'src/cli/main.ts')) && {
    ...node,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    external: WS_OPTIONAL,
    banner: { js: '#!/usr/bin/env node' },
  },
  ...filesUnder('src/webview', '.main.ts').map((entry) => ({
    ...common,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    entryPoints: [entry],
    outfile: join('dist/webview', entry.replace(/^src\/webview\//, '').replace(/\.main\.ts$/, '.js')),
  })),
  // One bundle per test file, so that one file that does not compile does not stop the others from running.
  ...[
    ...filesUnder('test/unit', '.test.ts'),
    ...filesUnder('test/integration', '.ts'),
    ...filesUnder('test/e2e', '.ts'),
    ...filesUnder('test/kubectl', '.ts'),
    ...filesUnder('test/support', '.ts'),
  ].map((entry) => ({
    ...node,
    entryPoints: [entry],
    outfile: join('dist', entry.replace(/\.ts$/, '.js')),
    packages: 'external',
    external: ['vscode'],
    sourcemap: 'inline',
    minify: false,
  })),
  filesUnder('bench', '.ts').length > 0 && {
    ...node,
    entryPoints: filesUnder('bench', '.ts'),
    outdir: 'dist/bench',
    outbase: 'bench',
    packages: 'external',
    minify: false,
  },
].filter(Boolean);

function copyWebviewLibraries() {
  mkdirSync(join(root, 'dist/webview'), { recursive: true });
  copyFileSync(
    join(root, 'node_modules/@vscode-elements/elements/dist/bundled.js'),
    join(root, 'dist/webview/vscode-elements.js'),
  );
}

// Precompile the JSON Schema validators (ajv standalone) before bundling, when the manifest layer has them.
const compileValidators = join(root, 'scripts/compile-validators.mjs');
if (existsSync(compileValidators)) await (await import(compileValidators)).default();

if (watch) {
  copyWebviewLibraries();
  for (const options of builds) (await esbuild.context(options)).watch();
  console.log('[build] watching for changes');
} else {
  const started = Date.now();
  const results = await Promise.allSettled(builds.map((options) => esbuild.build(options)));
  copyWebviewLibraries();
  const failed = results.filter((r) => r.status === 'rejected').length;
  console.log(`[build] ${builds.length - failed} of ${builds.length} bundles in ${Date.now() - started} ms`);
  if (failed > 0) {
    console.error(`[build] ${failed} bundle(s) failed (errors above)`);
    process.exitCode = 1;
  }
}
