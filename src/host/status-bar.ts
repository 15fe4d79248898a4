/**
 * The status bar item: the lab's health and simulated time ("$(pass) Healthy · T+4m12s · 10×"); a click
 * opens the speed picker (`k8sLab.setSpeed`: pause, 1×, 10×, fast-forward).
 */
import * as vscode from 'vscode';
import { FAST_FORWARD, formatSpeed } from '../sim/realtime';
import type { LabController } from './lab-controller';
import { computeHealth, healthLabel, simulatedTime } from './tree/model';

const HEALTH_ICON = { Healthy: '$(pass)', Degraded: '$(warning)', 'No etcd quorum': '$(error)' } as const;

/** The speed picker's choices, in the display language (a function: vscode.l10n.t runs when the picker opens). */
export function speedChoices(): readonly { label: string; speed: number; detail: string }[] {
  return [
    { label: vscode.l10n.t('Pause'), speed: 0, detail: vscode.l10n.t('Virtual time stands still; requests wait until you resume.') },
    { label: '1×', speed: 1, detail: vscode.l10n.t('Real time: a 10 s lease renewal takes 10 s.') },
    { label: '10×', speed: 10, detail: vscode.l10n.t('A 5-minute eviction window passes in 30 s.') },
    { label: '100×', speed: 100, detail: vscode.l10n.t('A 5-minute eviction window passes in 3 s.') },
    { label: vscode.l10n.t('Fast-forward'), speed: FAST_FORWARD, detail: vscode.l10n.t('As fast as the machine can run the simulation.') },
  ];
}

export class LabStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly lab: LabController) {
    this.item = vscode.window.createStatusBarItem('k8sLab.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = vscode.l10n.t('Kubernetes Lab');
    this.item.command = 'k8sLab.setSpeed';
    this.disposables.push(
      this.item,
      vscode.commands.registerCommand('k8sLab.setSpeed', (speed?: number | string) => this.pickSpeed(speed)),
      lab.onDidTick(() => this.update()),
      lab.onDidChangeState(() => this.update()),
      lab.onDidChangeRunning(() => this.update()),
      lab.onDidChangeSpeed(() => this.update()),
    );
    this.update();
  }

  update(): void {
    const state = this.lab.state();
    if (!state) {
      this.item.hide();
      return;
    }
    const health = computeHealth(state);
    const now = this.lab.cluster?.clock.now() ?? state.now;
    this.item.text = `${HEALTH_ICON[health]} ${healthLabel(health)} · ${simulatedTime(now)} · ${this.speedText()}`;
    this.item.backgroundColor = health === 'No etcd quorum' ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : health === 'Degraded' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.tooltip = vscode.l10n.t('Kubernetes Lab: {0}, simulated time {1}, speed {2}. Click to change the speed.', healthLabel(health), simulatedTime(now), formatSpeed(this.lab.speed));
    this.item.show();
  }

  private speedText(): string {
    const speed = this.lab.speed;
    if (speed === 0) return vscode.l10n.t('paused');
    if (speed === FAST_FORWARD) return vscode.l10n.t('fast-forward');
    return `${speed}×`;
  }

  /** Set the speed from an argument (a number, "fast-forward", "pause") or the learner's pick. */
  private async pickSpeed(arg?: number | string): Promise<number | undefined> {
    let speed: number | undefined;
    if (typeof arg === 'number' && arg >= 0) speed = arg;
    else if (arg === 'fast-forward') speed = FAST_FORWARD;
    else if (arg === 'pause') speed = 0;
    else {
      const current = this.lab.speed;
      const items = speedChoices().map((s) => ({ label: s.speed === current ? `$(check) ${s.label}` : s.label, detail: s.detail, speed: s.speed }));
      speed = (await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Simulation speed') }))?.speed;
    }
    if (speed === undefined) return undefined;
    this.lab.setSpeed(speed);
    return speed;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
