/**
 * `k8s-lab trace -f FILE [--seed N] [--json]`: start the default lab cluster, apply every document
 * of FILE as kubectl apply would, run until the pods settle, and print the request flow step by
 * step — time, from → to, what was sent, the object, its resourceVersion, and what changed.
 * Exit 0 when every pod is Running (or Succeeded); 1 with the reason otherwise (FailedScheduling,
 * ImagePullBackOff ...) or when the API refused an object; 2 for a bad file or bad arguments.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { KubeObject, Pod } from '../sim/api/types';
import type { Status } from '../sim/api/request';
import { changedFields, isPlainObject } from '../sim/apiserver/objects';
import { STATUS_TEXT } from '../sim/apiserver/paths';
import { Cluster, type ApplyResult, type ClusterOptions } from '../sim/cluster';
import type { LogEntry } from '../sim/log';
import { argumentsOrExitCode } from './verb';

const HELP = `Usage: k8s-lab trace -f FILE [--seed N] [--json]

Start the simulated cluster (3 masters, 3 workers), apply every document of FILE, run until the
pods settle, and print each message of the request flow.

Options:
  -f, --filename FILE   the manifest to apply (YAML, several documents allowed)
  --seed N              seed of the simulation (default 1): the same seed gives the same trace
  --json                print the log entries as JSON lines instead
`;

export interface TraceArgs {
  file: string;
  seed: number;
  json: boolean;
  /** Cluster options beyond the seed (tests and lessons; the command uses the defaults). */
  cluster?: Omit<ClusterOptions, 'seed'>;
}

export interface TraceIO {
  out(line: string): void;
  err(line: string): void;
  readFile(path: string): string;
}

export function parseTraceArgs(args: string[]): TraceArgs | { error: string } | 'help' {
  let file: string | undefined;
  let seed = 1;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? args[++i];
    if (flag === '--help' || flag === '-h') return 'help';
    else if (flag === '-f' || flag === '--filename') file = value();
    else if (flag === '--seed') {
      const v = value();
      seed = Number(v);
      if (!Number.isInteger(seed)) return { error: `invalid --seed "${v ?? ''}": must be an integer` };
    } else if (flag === '--json') json = true;
    else return { error: `unknown flag: ${arg}` };
  }
  if (!file) return { error: 'required flag "-f" not set' };
  return { file, seed, json };
}

/** The documents of a manifest, or the first problem located as FILE:line:col. */
export function readManifest(file: string, text: string): { objects: KubeObject[] } | { error: string } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, version: '1.1', uniqueKeys: true, prettyErrors: false });
  const at = (offset: number) => {
    const p = lines.linePos(offset);
    return `${file}:${p.line}:${p.col}`;
  };
  const objects: KubeObject[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const problem = doc.errors[0];
    if (problem) return { error: `${at(problem.pos[0])}: ${problem.message.split('\n')[0]}` };
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    const start = doc.contents?.range?.[0] ?? 0;
    if (!isPlainObject(value)) return { error: `${at(start)}: a Kubernetes object must be a mapping` };
    const missing = ['apiVersion', 'kind'].filter((k) => typeof value[k] !== 'string' || value[k] === '');
    if (missing.length > 0) return { error: `${at(start)}: error validating data: [${missing.map((k) => `${k} not set`).join(', ')}]` };
    if (!isPlainObject(value.metadata) || typeof value.metadata.name !== 'string') return { error: `${at(start)}: metadata.name: Required value` };
    objects.push(value as KubeObject);
  }
  return { objects };
}

const IGNORED = new Set(['metadata.resourceVersion', 'metadata.managedFields']);

function show(v: unknown): string {
  if (v === undefined) return '<none>';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function objectOf(e: LogEntry): KubeObject | undefined {
  const d = e.detail ?? {};
  const candidate = e.kind === 'watch' ? d.object : e.kind === 'response' ? d.body : undefined;
  return isPlainObject(candidate) && candidate.kind !== 'Status' && isPlainObject(candidate.metadata) ? (candidate as KubeObject) : undefined;
}

/** One line per entry (plus indented lines for what changed). */
export function formatEntries(entries: readonly LogEntry[], t0: number): string[] {
  const last = new Map<string, KubeObject>();
  const out: string[] = [];
  for (const e of entries) {
    const t = `t=+${((e.t - t0) / 1000).toFixed(3)}s`;
    const who = e.from === e.to ? e.from : `${e.from} → ${e.to}`;
    const ref = e.objectRef ? `  ${e.objectRef.resource.replace(/s$/, '')}/${e.objectRef.name}${e.objectRef.subresource ? `/${e.objectRef.subresource}` : ''}` : '';
    const obj = objectOf(e);
    const rv = obj?.metadata.resourceVersion ?? (typeof e.detail?.revision === 'number' ? String(e.detail.revision) : undefined);
    let what = e.summary;
    if (e.kind === 'forward') what = 'forward';
    if (e.kind === 'response') {
      const code = Number(e.detail?.code);
      const body = e.detail?.body as Partial<Status> | undefined;
      what = `${code} ${STATUS_TEXT[code] ?? ''}${body?.kind === 'Status' && body.status === 'Failure' ? `: ${body.message}` : ''}`;
    }
    out.push(`${t}  ${who}  ${what}${e.kind === 'request' || e.kind === 'response' ? ref : ''}${rv ? `  rv=${rv}` : ''}`);
    if (obj) {
      const key = `${e.objectRef?.resource ?? obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
      const previous = last.get(key);
      if (previous && previous.metadata.resourceVersion !== obj.metadata.resourceVersion) {
        const changes = changedFields(previous, obj, IGNORED);
        for (const c of changes.slice(0, 8)) out.push(`      ${c.path}: ${show(c.before)} → ${show(c.after)}`);
        if (changes.length > 8) out.push(`      ... and ${changes.length - 8} more`);
      }
      last.set(key, obj);
    }
  }
  return out;
}

/** Why a pod is not Running, in the words kubectl describe would use. */
export function podProblem(pod: Pod): string | undefined {
  const phase = pod.status?.phase ?? 'Pending';
  if (phase === 'Running' || phase === 'Succeeded') return undefined;
  const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled) return `${phase}: ${unscheduled.reason ?? 'Unschedulable'}: ${unscheduled.message ?? ''}`.trim();
  for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const waiting = s.state?.waiting;
    if (waiting?.reason) return `${phase}: container ${s.name}: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
    const done = s.state?.terminated;
    if (done && done.exitCode !== 0) return `${phase}: container ${s.name} exited with code ${done.exitCode} (${done.reason ?? 'Error'})`;
  }
  return pod.status?.message ? `${phase}: ${pod.status.message}` : phase;
}

function applyLine(r: ApplyResult, file: string): string {
  if (r.action !== 'failed') return `${r.ref} ${r.action}`;
  const e = r.error as Status;
  return `Error from server (${e.reason ?? 'Unknown'}): error when applying "${file}": ${e.message}`;
}

export function runTrace(args: TraceArgs, io: TraceIO): number {
  let text: string;
  try {
    text = io.readFile(args.file);
  } catch (e) {
    io.err(`k8s-lab trace: open ${args.file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
    return 2;
  }
  const manifest = readManifest(args.file, text);
  if ('error' in manifest) {
    io.err(manifest.error);
    return 2;
  }
  const cluster = new Cluster({ ...args.cluster, seed: args.seed });
  cluster.start();
  const t0 = cluster.clock.now();
  const results = cluster.applyAndWait(manifest.objects, 120_000);
  cluster.settle(600_000);
  const traces = new Set(results.map((r) => r.traceId));
  const entries = cluster.log.all().filter((e) => traces.has(e.traceId));
  if (args.json) for (const e of entries) io.out(JSON.stringify(e));
  else for (const line of formatEntries(entries, t0)) io.out(line);
  let code = 0;
  const summary: string[] = [];
  for (const r of results) {
    summary.push(applyLine(r, args.file));
    if (r.action === 'failed') code = 1;
  }
  for (const r of results) {
    if (r.action === 'failed' || r.object?.kind !== 'Pod') continue;
    const pod = cluster.read.get<Pod>('pods', r.object.metadata.namespace, r.object.metadata.name!);
    const problem = pod ? podProblem(pod) : 'deleted';
    summary.push(`pod/${r.object.metadata.name}: ${problem ?? pod!.status!.phase} ${problem ? '' : `on ${pod!.spec.nodeName}`}`.trimEnd());
    if (problem) code = 1;
  }
  const write = args.json ? io.err : io.out;
  write('');
  for (const line of summary) write(line);
  return code;
}

export default async function trace(args: string[]): Promise<number> {
  const parsed = argumentsOrExitCode('trace', HELP, parseTraceArgs(args));
  if (typeof parsed === 'number') return parsed;
  return runTrace(parsed, {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    readFile: (path) => readFileSync(path, 'utf8'),
  });
}
