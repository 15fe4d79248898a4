/**
 * `pods/exec` at the kubelet: the API server connects to https://<node>:10250/exec/<ns>/<pod>/<container>
 * (upstream getExec / GetExec). The kubelet knows the pod or answers 404 "pod does not exist"; finds the
 * container running in the runtime or answers "container not found (\"name\")" (a 500, which the API
 * server reports as "unable to upgrade connection: …"); then asks the runtime's CRI Exec and proxies the
 * stream to the runtime's streaming server. This is the hook's shape; a Kubelet implements it.
 */
import type { ExecRequestOptions } from '../api/exec';
import type { TraceContext } from '../log';
import type { ExecStreams } from '../runtime/exec';
import type { ExecHandle } from '../runtime/runtime';

export type KubeletExecResult = { ok: true; handle: ExecHandle } | { ok: false; code: number; message: string };

export interface PodExecProvider {
  exec(namespace: string, pod: string, container: string, options: ExecRequestOptions, streams: ExecStreams, ctx: TraceContext, done: (result: KubeletExecResult, ctx: TraceContext) => void): void;
}

/** The kubelet's check of the stream options (remotecommand NewOptions): a TTY has no separate stderr. */
export function streamOptionsError(options: ExecRequestOptions): string | undefined {
  if (!options.stdin && !options.stdout && !options.stderr) return 'you must specify at least 1 of stdin, stdout, stderr';
  return undefined;
}
