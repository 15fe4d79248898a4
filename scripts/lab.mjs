// `npm run lab`: builds the extension and serves VS Code (code-server, on 127.0.0.1 only) with the extension
// loaded and examples/ as the workspace. Prints the URL to open in a browser; Ctrl+C stops it.
// Options: --port N (default: a free port), --no-build.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const portArg = args.indexOf('--port');
const port = portArg >= 0 ? Number(args[portArg + 1]) : 0;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`lab: --port wants a number from 0 to 65535, got "${args[portArg + 1]}"`);
  process.exit(2);
}

if (!args.includes('--no-build')) {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const { ensureCodeServer } = await import('./install-code-server.mjs');
ensureCodeServer();

const workbench = createRequire(import.meta.url)(join(root, 'dist/test/support/workbench.js'));
const state = join(root, '.lab');
mkdirSync(state, { recursive: true });
const server = await workbench.startCodeServer({
  port,
  userDataDir: join(state, 'user-data'),
  extensionsDir: join(state, 'extensions'),
  settings: { 'workbench.startupEditor': 'none' },
});
const url = workbench.workbenchUrl(server, { folder: join(root, 'examples'), extensionDevelopmentPath: root });
console.log(`\nKubernetes Lab is ready. Open this URL in a browser on this machine:\n\n  ${url}\n\nPress Ctrl+C to stop.`);

const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.process.on('exit', (code) => {
  console.error(`code-server exited (${code})`);
  process.exit(code ?? 1);
});
