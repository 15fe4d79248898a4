/**
 * The "Kubernetes Lab" output channel as a component log: every event-log entry of the running cluster
 * at the level log-levels.ts gives it. Entries below the channel's level are not even formatted, so the
 * default level (info) costs almost nothing while the cluster runs in fast-forward.
 */
import * as vscode from 'vscode';
import type { EventLog, LogEntry } from '../sim/log';
import { formatEntry } from './log-levels';

export class ComponentLog implements vscode.Disposable {
  private unsubscribe: (() => void) | undefined;
  /** Lines written since attach (for tests). */
  written = 0;

  constructor(private readonly channel: vscode.LogOutputChannel) {}

  attach(log: EventLog): void {
    this.detach();
    this.unsubscribe = log.subscribe((entry) => this.write(entry));
  }

  detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private write(entry: LogEntry): void {
    const level = this.channel.logLevel;
    if (level === vscode.LogLevel.Off) return;
    const line = formatEntry(entry, level);
    if (!line) return;
    this.written++;
    switch (line.level) {
      case 'trace': return this.channel.trace(line.text);
      case 'debug': return this.channel.debug(line.text);
      case 'info': return this.channel.info(line.text);
      case 'warn': return this.channel.warn(line.text);
      case 'error': return this.channel.error(line.text);
    }
  }

  dispose(): void {
    this.detach();
  }
}
