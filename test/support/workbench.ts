/**
 * Starts the real VS Code workbench (code-server) and a real browser (Debian's Chromium, driven by
 * playwright-core). Shared by the integration-test launcher, the e2e tests and `npm run lab`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const repoRoot = resolve(__dirname, '..', '..', '..');
export const codeServerEntry = join(repoRoot, '.vscode-test', 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface CodeServer {
  readonly port: number;
  readonly origin: string;
  readonly process: ChildProcess;
  /** Lines code-server printed. */
  readonly output: string[];
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  /** Where user settings and state live (a fresh temporary folder by default). */
  userDataDir?: string;
  extensionsDir?: string;
  /** 0 picks a free port. */
  port?: number;
  /** User settings to write before start. */
  settings?: Record<string, unknown>;
  onOutput?: (line: string) => void;
}

const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'window.commandCenter': false,
  'chat.commandCenter.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'git.openRepositoryInParentFolders': 'never',
  'git.enabled': false,
};

export function freshDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  if (!existsSync(codeServerEntry)) {
    throw new Error(`code-server is not installed at ${codeServerEntry}: run node scripts/install-code-server.mjs`);
  }
  const userDataDir = options.userDataDir ?? freshDir('k8s-lab-ud-');
  const extensionsDir = options.extensionsDir ?? freshDir('k8s-lab-ext-');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...options.settings }, null, 2));
  const args = [
    codeServerEntry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${options.port ?? 0}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VSCODE_OPTIONS: 'enable-smoke-test-driver' },
  });
  const output: string[] = [];
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start within 60 s:\n${output.join('\n')}`)), 60_000);
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        output.push(line);
        options.onOutput?.(line);
        const match = /HTTP server listening on https?:\/\/127\.0\.0\.1:(\d+)/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolvePort(Number(match[1]));
        }
      }
    };
    child.stdout!.on('data', onLine);
    child.stderr!.on('data', onLine);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited with ${code}:\n${output.join('\n')}`));
    });
  });
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    process: child,
    output,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

export interface WorkbenchTarget {
  /** Absolute path of the folder to open. */
  folder: string;
  /** Absolute path of the extension under development. */
  extensionDevelopmentPath?: string;
  /** Absolute path of the compiled test entry (exports `run(): Promise<void>`). */
  extensionTestsPath?: string;
}

/** The workbench URL; development paths travel in the `payload` parameter as the desktop's CLI flags would. */
export function workbenchUrl(server: Pick<CodeServer, 'port' | 'origin'>, target: WorkbenchTarget): string {
  const remote = (path: string) => `vscode-remote://127.0.0.1:${server.port}${path}`;
  const payload: [string, string][] = [];
  if (target.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(target.extensionDevelopmentPath)]);
  if (target.extensionTestsPath) payload.push(['extensionTestsPath', remote(target.extensionTestsPath)]);
  const query = new URLSearchParams({ folder: target.folder });
  if (payload.length > 0) query.set('payload', JSON.stringify(payload));
  return `${server.origin}/?${query.toString()}`;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export async function newWorkbenchPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
  return context.newPage();
}

/** Where e2e screenshots go (git-ignored; look at them). */
export const resultsDir = join(repoRoot, 'test-results');

export interface Workbench {
  server: CodeServer;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/** The real workbench with the extension under development and examples/ open, ready to be driven. */
export async function openWorkbench(options: CodeServerOptions = {}): Promise<Workbench> {
  mkdirSync(resultsDir, { recursive: true });
  const server = await startCodeServer({ ...options, settings: { 'workbench.colorTheme': 'Default Dark Modern', ...options.settings } });
  const browser = await launchBrowser();
  const page = await newWorkbenchPage(browser);
  await page.goto(workbenchUrl(server, { folder: join(repoRoot, 'examples'), extensionDevelopmentPath: repoRoot }));
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  return {
    server,
    browser,
    page,
    close: async () => {
      await browser.close();
      await server.stop();
    },
  };
}

/** Runs a command from the Command Palette by its title, as a person would. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 15_000 });
  await input.press('Enter');
}

/** Mocha hooks for a suite that drives the workbench: opened before the suite, closed after it. */
export function useWorkbench(onOpen: (page: Page, workbench: Workbench) => void, options: CodeServerOptions = {}): void {
  let workbench: Workbench | undefined;
  before(async function () {
    workbench = await openWorkbench(options);
    onOpen(workbench.page, workbench);
  });
  after(async () => {
    await workbench?.close();
  });
}
