/**
 * The guided lessons in the editor: VS Code shows them as walkthroughs (package.json `contributes.walkthroughs`);
 * this class evaluates each step's check (src/lessons/catalogue.ts) against the lab's real state and sets the
 * context key that completes the step. It also offers the lessons' own commands: open a starter manifest, answer
 * a question, reset a lesson to its starting state. Progress (answers, baselines, counters) survives reloads.
 */
import * as vscode from 'vscode';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../sim/api/types';
import { emptyProgress, observeLogEntry, readLabFacts, type LabFacts, type LessonProgress } from '../../lessons/facts';
import { evaluate, LESSONS, QUESTIONS, STARTERS } from '../../lessons/catalogue';
import type { LabController } from '../lab-controller';
import { Throttle } from '../throttle';

const PROGRESS_KEY = 'k8sLab.lessons.progress';

export class LessonsHost implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly throttle = new Throttle(() => this.update(), 250);
  private progress: LessonProgress;
  private readonly contextValues = new Map<string, boolean>();
  private unsubscribeLog: (() => void) | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly lab: LabController,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.progress = { ...emptyProgress(), ...context.globalState.get<LessonProgress>(PROGRESS_KEY) };
    this.disposables.push(
      vscode.commands.registerCommand('k8sLab.lesson.openStarter', (id?: string) => this.openStarter(id)),
      vscode.commands.registerCommand('k8sLab.lesson.answer', (id?: string) => this.ask(id)),
      vscode.commands.registerCommand('k8sLab.lesson.reset', (id?: string) => this.reset(id)),
      lab.onDidChangeState(() => this.throttle.schedule()),
      lab.onDidChangeRunning(() => this.throttle.schedule()),
      lab.onDidChangeCluster(() => this.watchLog()),
      vscode.languages.onDidChangeDiagnostics(() => this.throttle.schedule()),
      { dispose: () => this.unsubscribeLog?.() },
    );
    this.watchLog();
    this.throttle.schedule();
  }

  /** The facts the checks read, from the lab's committed state, faults, log and the learner's progress. */
  facts(): LabFacts {
    return { ...readLabFacts(this.lab.cluster, this.lab.faults, this.progress), starterErrors: this.starterErrors() };
  }

  /** Whether the step whose context key is `key` has been completed in this window. */
  isDone(key: string): boolean {
    return this.contextValues.get(key) === true;
  }

  /** Re-evaluate every check and set the context keys that changed. */
  update(): void {
    for (const result of evaluate(this.facts())) {
      // A step stays completed once done (VS Code remembers it too); only new completions are set.
      if (!result.done || this.contextValues.get(result.key)) continue;
      this.contextValues.set(result.key, true);
      void vscode.commands.executeCommand('setContext', result.key, true);
      this.log.info(`Lesson step done: ${result.lesson} › ${result.step}`);
    }
  }

  /** Counts what the checks need from the event log: who asked the API for what, and Service requests. */
  private watchLog(): void {
    this.unsubscribeLog?.();
    this.unsubscribeLog = this.lab.cluster?.log.subscribe((entry) => {
      if (observeLogEntry(this.progress, entry)) this.save();
    });
  }

  private save(): void {
    void this.context.globalState.update(PROGRESS_KEY, this.progress);
    this.throttle.schedule();
  }

  private starterUri(id: string): vscode.Uri {
    return vscode.Uri.joinPath(this.context.globalStorageUri, 'lessons', `${id}.yaml`);
  }

  /** Error diagnostics of each starter file that is open in an editor. */
  private starterErrors(): Record<string, number> {
    const out: Record<string, number> = {};
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    for (const starter of STARTERS) {
      const uri = this.starterUri(starter.id);
      if (!open.has(uri.toString())) continue;
      out[starter.id] = vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length;
    }
    return out;
  }

  /** Copies a lesson's starter manifest into the lab's storage (once, or again on reset) and opens it. */
  async openStarter(id?: string, fresh = false): Promise<vscode.TextEditor | undefined> {
    const starter = STARTERS.find((s) => s.id === id);
    if (!starter) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Unknown lesson file "{0}".', String(id)));
      return undefined;
    }
    const target = this.starterUri(starter.id);
    const exists = await vscode.workspace.fs.stat(target).then(() => true, () => false);
    if (fresh || !exists) {
      const source = vscode.Uri.joinPath(this.context.extensionUri, starter.source);
      await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(target, '..'));
      await vscode.workspace.fs.writeFile(target, await vscode.workspace.fs.readFile(source));
    }
    const document = await vscode.workspace.openTextDocument(target);
    return vscode.window.showTextDocument(document, { preview: false });
  }

  /** Asks a lesson's question; a right answer completes its step, any answer gets an explanation. */
  async ask(id?: string): Promise<string | undefined> {
    const question = QUESTIONS.find((q) => q.id === id) ?? QUESTIONS[0];
    const pick = await vscode.window.showQuickPick(
      question.choices.map((c) => ({ label: c.label, id: c.id })),
      { title: question.prompt, placeHolder: vscode.l10n.t('Choose an answer'), ignoreFocusOut: true },
    );
    if (!pick) return undefined;
    this.answer(question.id, pick.id);
    return pick.id;
  }

  /** Records an answer and explains it (also used by tests, without the QuickPick). */
  answer(questionId: string, choiceId: string): boolean {
    const question = QUESTIONS.find((q) => q.id === questionId);
    const choice = question?.choices.find((c) => c.id === choiceId);
    if (!question || !choice) return false;
    const right = choice.id === question.correct;
    if (right) this.progress.answers = { ...this.progress.answers, [question.id]: choice.id };
    this.save();
    const show = right ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    void show(choice.explanation);
    return right;
  }

  /** Resets a lesson: a fresh cluster, the lesson's setup applied, its starter files restored. */
  async reset(id?: string): Promise<void> {
    const lesson = LESSONS.find((l) => l.id === id);
    if (!lesson) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Unknown lesson "{0}".', String(id)));
      return;
    }
    await this.lab.reset();
    const objects: KubeObject[] = [];
    for (const path of lesson.setup) {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.context.extensionUri, path)));
      for (const doc of parseAllDocuments(text)) {
        const value = doc.toJS() as KubeObject | null;
        if (value && typeof value === 'object' && value.kind) objects.push(value);
      }
    }
    if (objects.length > 0) {
      const results = await this.lab.apply(objects);
      for (const r of results) if (r.action === 'failed') this.log.warn(`Lesson ${lesson.id}: ${r.ref} failed: ${r.error?.message}`);
    }
    this.progress.baselines = { ...this.progress.baselines, [lesson.id]: { etcdRevision: this.lab.cluster?.read.revision() ?? 0 } };
    this.save();
    this.log.info(`Lesson ${lesson.id} reset to its starting state`);
  }

  dispose(): void {
    this.throttle.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
