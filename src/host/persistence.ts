/**
 * The lab's snapshot on disk, so its state survives a window reload: `lab-snapshot.json` in the
 * workspace storage (or the global storage without a workspace). Written atomically (a temporary file,
 * then a rename), debounced while the cluster changes. A snapshot that cannot be read is renamed aside
 * (`lab-snapshot.corrupt-<time>.json`), reported, and the lab starts fresh.
 */
import { promises as fs, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Cluster } from '../sim/cluster';
import { parseSnapshot, serializeSnapshot, SnapshotError, takeSnapshot, type LabSnapshot } from '../sim/snapshot';
import { PRESETS, type LabTopology } from './lab-cluster';
import { Debounce } from './throttle';

export const SNAPSHOT_FILE = 'lab-snapshot.json';

export type SnapshotInputs = () => { cluster: Cluster; topology: LabTopology; faults: { kind: string; name: string }[] } | undefined;

export function parseTopology(value: unknown): LabTopology | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { preset, seed } = value as Record<string, unknown>;
  if (typeof preset !== 'string' || !(PRESETS as readonly string[]).includes(preset)) return undefined;
  if (typeof seed !== 'number' || !Number.isInteger(seed)) return undefined;
  return { preset: preset as LabTopology['preset'], seed };
}

export class LabPersistence implements vscode.Disposable {
  readonly dir: string;
  private inputs: SnapshotInputs | undefined;
  private readonly debounce = new Debounce(() => void this.saveNow(), 2_000, 10_000);
  /** Saves written so far, and how long the last one took (ms), for tests and the log. */
  saves = 0;
  lastSaveMs = 0;
  lastSaveBytes = 0;

  constructor(context: vscode.ExtensionContext, private readonly log: vscode.LogOutputChannel) {
    this.dir = (context.storageUri ?? context.globalStorageUri).fsPath;
  }

  get file(): string {
    return join(this.dir, SNAPSHOT_FILE);
  }

  attach(inputs: SnapshotInputs): void {
    this.inputs = inputs;
  }

  detach(): void {
    this.debounce.dispose();
    this.inputs = undefined;
  }

  /** The cluster changed: save soon. */
  changed(): void {
    if (this.inputs) this.debounce.schedule();
  }

  private serialize(): string | undefined {
    const inputs = this.inputs?.();
    if (!inputs) return undefined;
    return serializeSnapshot(takeSnapshot(inputs.cluster, inputs.topology, inputs.faults));
  }

  async saveNow(): Promise<void> {
    this.debounce.dispose();
    const began = performance.now();
    const text = this.serialize();
    if (text === undefined) return;
    try {
      await fs.mkdir(this.dir, { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await fs.writeFile(tmp, text, 'utf8');
      await fs.rename(tmp, this.file);
      this.noteSave(began, text);
    } catch (err) {
      this.log.error(`Could not save the lab snapshot to ${this.file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** For deactivation, which cannot wait for promises. */
  saveNowSync(): void {
    this.debounce.dispose();
    const began = performance.now();
    const text = this.serialize();
    if (text === undefined) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, text, 'utf8');
      renameSync(tmp, this.file);
      this.noteSave(began, text);
    } catch (err) {
      this.log.error(`Could not save the lab snapshot to ${this.file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private noteSave(began: number, text: string): void {
    this.saves++;
    this.lastSaveMs = performance.now() - began;
    this.lastSaveBytes = text.length;
    this.log.debug(`Saved the lab snapshot (${(text.length / 1024).toFixed(0)} KiB in ${this.lastSaveMs.toFixed(0)} ms)`);
  }

  /** The saved snapshot, undefined when there is none; a corrupt one is set aside and reported. */
  async load(): Promise<LabSnapshot<LabTopology> | undefined> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch {
      return undefined;
    }
    try {
      return parseSnapshot(text, parseTopology);
    } catch (err) {
      const reason = err instanceof SnapshotError ? err.message : err instanceof Error ? err.message : String(err);
      const aside = join(this.dir, `lab-snapshot.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
      try {
        await fs.rename(this.file, aside);
      } catch (renameErr) {
        this.log.error(`Could not move the unreadable snapshot aside: ${String(renameErr)}`);
      }
      this.log.error(`The saved lab snapshot could not be read (${reason}); it was kept as ${aside}. Starting a fresh cluster.`);
      void vscode.window.showWarningMessage(
        vscode.l10n.t('The saved lab cluster could not be restored ({0}). A fresh cluster was started; the unreadable snapshot was kept as {1}.', reason, aside),
      );
      return undefined;
    }
  }

  /** Delete the snapshot (Reset). */
  async discard(): Promise<void> {
    this.debounce.dispose();
    await fs.rm(this.file, { force: true });
  }

  dispose(): void {
    this.debounce.dispose();
  }
}
