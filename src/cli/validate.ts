/**
 * `k8s-lab validate FILE... [--output json]`: validates Kubernetes manifests like kubectl's strict validation and
 * the API server's rules, for CI (as kubeconform). Prints `file:line:col: severity: message [rule]`; exits 1 when
 * any file has an error, 2 when a file cannot be read or the arguments are wrong, 0 otherwise.
 */
import { readFileSync } from 'node:fs';
import { ManifestValidator, type ManifestDiagnostic } from '../manifest';

const USAGE = `Usage: k8s-lab validate FILE... [--output text|json]

Validates Kubernetes manifests (Pod, Deployment, ReplicaSet, Service, Namespace, ConfigMap) against the
official API schemas and the API server's rules. Exit status: 0 no errors, 1 errors found, 2 unreadable file
or bad arguments.`;

interface Options {
  files: string[];
  json: boolean;
}

function parseArgs(args: string[]): Options | string {
  const files: string[] = [];
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--output' || arg === '-o') {
      const value = args[++i];
      if (value !== 'json' && value !== 'text') return `--output must be "text" or "json", not ${JSON.stringify(value ?? '')}`;
      json = value === 'json';
    } else if (arg.startsWith('--output=')) {
      const value = arg.slice('--output='.length);
      if (value !== 'json' && value !== 'text') return `--output must be "text" or "json", not ${JSON.stringify(value)}`;
      json = value === 'json';
    } else if (arg.startsWith('-') && arg !== '-') {
      return `unknown option ${arg}`;
    } else {
      files.push(arg);
    }
  }
  return files.length === 0 ? 'no files given' : { files, json };
}

interface FileReport {
  file: string;
  error?: string;
  diagnostics: ManifestDiagnostic[];
}

function formatText(report: FileReport): string[] {
  return report.diagnostics.map(
    (d) => `${report.file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.message} [${d.rule}]`,
  );
}

function toJson(reports: FileReport[]): unknown {
  return reports.map((r) => ({
    file: r.file,
    ...(r.error ? { error: r.error } : {}),
    diagnostics: r.diagnostics.map((d) => ({
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      endLine: d.range.end.line + 1,
      endColumn: d.range.end.character + 1,
      severity: d.severity,
      message: d.message,
      rule: d.rule,
      ...(d.field ? { field: d.field } : {}),
      docs: d.docsUrl,
      document: d.document,
    })),
  }));
}

export default async function validate(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const options = parseArgs(args);
  if (typeof options === 'string') {
    process.stderr.write(`k8s-lab validate: ${options}\n\n${USAGE}\n`);
    return 2;
  }
  const validator = new ManifestValidator();
  const reports: FileReport[] = [];
  for (const file of options.files) {
    let text: string;
    try {
      text = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      reports.push({ file, error: `cannot read ${JSON.stringify(file)}: ${reason}`, diagnostics: [] });
      continue;
    }
    reports.push({ file, diagnostics: validator.validate(text).diagnostics });
  }
  const unreadable = reports.filter((r) => r.error);
  const errors = reports.reduce((n, r) => n + r.diagnostics.filter((d) => d.severity === 'error').length, 0);
  const warnings = reports.reduce((n, r) => n + r.diagnostics.filter((d) => d.severity === 'warning').length, 0);
  if (options.json) {
    process.stdout.write(JSON.stringify(toJson(reports), null, 2) + '\n');
  } else {
    const lines = reports.flatMap(formatText);
    if (lines.length) process.stdout.write(lines.join('\n') + '\n');
    for (const r of unreadable) process.stderr.write(`k8s-lab validate: ${r.error}\n`);
    const files = reports.length - unreadable.length;
    process.stderr.write(`${errors} error(s), ${warnings} warning(s) in ${files} file(s)\n`);
  }
  if (unreadable.length > 0) return 2;
  return errors > 0 ? 1 : 0;
}
