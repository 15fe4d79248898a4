#!/usr/bin/env node
// A stand-in "VS Code executable" for @vscode/test-electron and @vscode/test-cli on machines that cannot
// download VS Code: it accepts VS Code's test arguments (--extensionDevelopmentPath=…, --extensionTestsPath=…,
// a folder), serves the real VS Code workbench with code-server, opens it in Debian's Chromium with the same
// development arguments in the `payload` query parameter, forwards the extension host's log lines, and exits
// with the exit code the test run reports through `codeAutomationExit`.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { ensureCodeServer } = await import('./install-code-server.mjs');
const workbench = require(join(root, 'dist/test/support/workbench.js'));

const TIMEOUT_MS = Number(process.env.K8S_LAB_TEST_TIMEOUT_MS ?? 15 * 60_000);

function parseArgs(argv) {
  const flags = {};
  const positional = [];
  for (const arg of argv) {
    const match = /^--([^=]+)(?:=(.*))?$/.exec(arg);
    if (match) flags[match[1]] = match[2] ?? true;
    else positional.push(arg);
  }
  return { flags, positional };
}

// The workbench's own chatter that says nothing about the tests (the gallery is unreachable offline).
const QUIET = [/ENOTFOUND open-vsx\.org/, /^\s+at /, /^(Resolving|Resolved) connection token/, /^Creating a socket/, /^\[Service Worker\]/];

/** console.log-style formatting: the first argument may carry %s, %d, %i, %f, %o, %O, %j, %c placeholders. */
function formatLogArgs(args) {
  const show = (a) => (typeof a === 'string' ? a : JSON.stringify(a));
  if (typeof args[0] !== 'string') return args.map(show).join(' ');
  let rest = args.slice(1);
  const head = args[0].replace(/%([sdifoOjc%])/g, (whole, kind) => {
    if (kind === '%') return '%';
    if (rest.length === 0) return whole;
    const [value] = rest;
    rest = rest.slice(1);
    return kind === 'c' ? '' : show(value);
  });
  return [head, ...rest.map(show)].join(' ');
}

const { flags, positional } = parseArgs(process.argv.slice(2));
const extensionDevelopmentPath = flags.extensionDevelopmentPath && resolve(flags.extensionDevelopmentPath);
const extensionTestsPath = flags.extensionTestsPath && resolve(flags.extensionTestsPath);
if (!extensionDevelopmentPath || !extensionTestsPath) {
  console.error('usage: code-server-vscode.mjs --extensionDevelopmentPath=DIR --extensionTestsPath=FILE [FOLDER]');
  process.exit(2);
}
const folder = resolve(positional.find((p) => !p.startsWith('-')) ?? join(root, 'examples'));
const resultsDir = join(root, 'test-results');
mkdirSync(resultsDir, { recursive: true });

ensureCodeServer();
const server = await workbench.startCodeServer({
  userDataDir: flags['user-data-dir'] ? resolve(flags['user-data-dir']) : undefined,
  extensionsDir: flags['extensions-dir'] ? resolve(flags['extensions-dir']) : undefined,
});
const browser = await workbench.launchBrowser();
let exitCode = 1;
try {
  const page = await workbench.newWorkbenchPage(browser);
  const exited = new Promise((done) => {
    page.exposeFunction('codeAutomationExit', (code) => done(Number(code)));
  });
  await page.exposeFunction('codeAutomationLog', (_level, args) => {
    const text = formatLogArgs(Array.isArray(args) ? args : [args]);
    if (!QUIET.some((pattern) => pattern.test(text))) process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  });
  await page.goto(workbench.workbenchUrl(server, { folder, extensionDevelopmentPath, extensionTestsPath }));
  const timedOut = new Promise((done) => setTimeout(() => done('timeout'), TIMEOUT_MS).unref());
  const outcome = await Promise.race([exited, timedOut]);
  if (outcome === 'timeout') {
    const shot = join(resultsDir, 'integration-timeout.png');
    await page.screenshot({ path: shot }).catch(() => {});
    console.error(`The test run reported no exit code within ${TIMEOUT_MS / 1000} s (screenshot: ${shot}).`);
    console.error(server.output.slice(-30).join('\n'));
    exitCode = 1;
  } else {
    exitCode = outcome;
  }
} catch (err) {
  console.error(err);
  exitCode = 1;
} finally {
  await browser.close().catch(() => {});
  await server.stop();
}
process.exit(exitCode);
