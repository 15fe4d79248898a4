// Installs what the VS Code layers of the test suite and `npm run lab` need, idempotently and offline-friendly:
//   - Debian packages: chromium (the browser), ripgrep, libkrb5-dev (to build code-server's kerberos module);
//   - code-server 4.100.3 (the real VS Code 1.100.3 workbench, served over HTTP) into .vscode-test/code-server,
//     with ripgrep's download cache seeded from Debian's binary so nothing is fetched from GitHub.
// Usage: node scripts/install-code-server.mjs   (prints the code-server entry point on its last line)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const installDir = join(root, '.vscode-test', 'code-server');
export const codeServerEntry = join(installDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const marker = join(installDir, `.installed-${CODE_SERVER_VERSION}`);

function log(message) {
  process.stderr.write(`[install-code-server] ${message}\n`);
}

function ensureDebianPackages() {
  const wanted = { chromium: '/usr/bin/chromium', ripgrep: '/usr/bin/rg', 'libkrb5-dev': '/usr/include/krb5.h' };
  const missing = Object.entries(wanted).filter(([, path]) => !existsSync(path)).map(([name]) => name);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(' ')} — run: sudo apt-get install -y ${missing.join(' ')}`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
}

function seedRipgrepCache() {
  const cacheDir = join(process.env.TMPDIR || tmpdir(), `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  const archive = join(cacheDir, RIPGREP_ASSET);
  if (existsSync(archive)) return;
  mkdirSync(cacheDir, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'rg-'));
  copyFileSync('/usr/bin/rg', join(staging, 'rg'));
  execFileSync('tar', ['-czf', archive, '-C', staging, 'rg']);
  rmSync(staging, { recursive: true, force: true });
  log(`seeded ${archive} from Debian's ripgrep`);
}

export function ensureCodeServer() {
  ensureDebianPackages();
  if (existsSync(marker) && existsSync(codeServerEntry)) return codeServerEntry;
  seedRipgrepCache();
  mkdirSync(installDir, { recursive: true });
  writeFileSync(join(installDir, 'package.json'), JSON.stringify({ name: 'k8s-lab-code-server', private: true }, null, 2));
  log(`installing code-server@${CODE_SERVER_VERSION} (about a minute and a half) ...`);
  const started = Date.now();
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: installDir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true' },
  });
  if (result.status !== 0 || !existsSync(codeServerEntry)) {
    throw new Error(`npm install code-server@${CODE_SERVER_VERSION} failed (exit ${result.status})`);
  }
  writeFileSync(marker, new Date().toISOString());
  log(`code-server installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return codeServerEntry;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    console.log(ensureCodeServer());
  } catch (err) {
    log(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
