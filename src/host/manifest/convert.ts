/** Conversions between the manifest layer's data and VS Code's types. */
import * as vscode from 'vscode';
import type { ManifestDiagnostic, Range, Severity } from '../../manifest';

/** Every diagnostic of ours carries this source, so it is easy to tell apart from Red Hat YAML's. */
export const DIAGNOSTIC_SOURCE = 'Kubernetes Lab';

export function toRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

export function toDiagnostic(d: ManifestDiagnostic): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(toRange(d.range), d.message, SEVERITY[d.severity]);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  diagnostic.code = { value: d.rule, target: vscode.Uri.parse(d.docsUrl) };
  return diagnostic;
}

/** Whether a VS Code diagnostic is the rendering of one of ours. */
export function sameDiagnostic(v: vscode.Diagnostic, d: ManifestDiagnostic): boolean {
  const code = typeof v.code === 'object' ? v.code.value : v.code;
  return v.source === DIAGNOSTIC_SOURCE && code === d.rule && v.message === d.message && v.range.isEqual(toRange(d.range));
}
