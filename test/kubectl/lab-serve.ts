/**
 * Test helpers for the kubectl layer: start `k8s-lab serve` (the built dist/cli.js) as a child process on a
 * free port with its own kubeconfig, and run the real kubectl against it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';
const CLI = join(__dirname, '..', '..', 'cli.js');

export interface Lab {
  url: string;
  kubeconfig: string;
  dir: string;
  child: ChildProcess;
  /** What the server printed on stderr so far (component failures are reported there). */
  stderr(): string;
  stop(): Promise<void>;
}

export async function startLab(args: string[] = ['--speed', '50']): Promise<Lab> {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-lab-kubectl-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--kubeconfig', kubeconfig, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`k8s-lab serve did not start: ${out}${err}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving at (https:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`k8s-lab serve exited with ${code}: ${out}${err}`)));
  });
  return {
    url,
    kubeconfig,
    dir,
    child,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          rmSync(dir, { recursive: true, force: true });
          return resolve();
        }
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectl(lab: Lab, args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      KUBECTL,
      args,
      {
        env: { ...process.env, KUBECONFIG: lab.kubeconfig, HOME: lab.dir, KUBECACHEDIR: join(lab.dir, 'cache'), ...options.env },
        timeout: options.timeoutMs ?? 45_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

export function k8sLab(lab: Lab, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, KUBECONFIG: lab.kubeconfig } }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Header cells of a kubectl table, split on runs of 2+ spaces. */
export function header(table: string): string[] {
  return table.split('\n')[0].trim().split(/\s{2,}/);
}

export function rows(table: string): string[][] {
  return table.trim().split('\n').slice(1).map((l) => l.trim().split(/\s{2,}/));
}

/** Polls `check` until it returns true or `ms` pass. */
export async function eventually(check: () => Promise<boolean>, ms: number, everyMs = 300): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
