/**
 * `pods/log`: the API server finds the pod's node and asks that node's kubelet (upstream: a GET to
 * https://<node>:10250/containerLogs/<ns>/<pod>/<container>). This is the hook's shape; a Kubelet
 * implements it, and the cluster hands the API server a lookup from node name to provider.
 */
import type { ContainerStatus, Pod } from '../api/types';

export interface PodLogOptions {
  previous?: boolean;
  tailLines?: number;
  timestamps?: boolean;
}

export type PodLogResult =
  | { code: 200; text: string }
  | { code: number; reason: 'BadRequest' | 'NotFound' | 'InternalError'; message: string };

export interface PodLogProvider {
  /** The log of `container` (optional when the pod has one container) of pod `namespace/pod`. */
  logs(namespace: string, pod: string, container: string | undefined, options?: PodLogOptions): PodLogResult;
}

/** What the API server calls: the provider of a node, if its kubelet exists. */
export type PodLogProviders = (nodeName: string) => PodLogProvider | undefined;

const badRequest = (message: string): PodLogResult => ({ code: 400, reason: 'BadRequest', message });

/**
 * Which container instance a log request reads (upstream validateContainerLogStatus), given the
 * container's API status: its container ID, or the error the user sees.
 */
export function logTarget(pod: Pod, status: ContainerStatus | undefined, previous: boolean): { containerId: string } | { error: PodLogResult } {
  const name = status?.name ?? '';
  const podName = pod.metadata.name ?? '';
  const id = (cid: string | undefined) => (cid ?? '').replace(/^containerd:\/\//, '');
  if (!status) return { error: badRequest(`container "${name}" in pod "${podName}" is not available`) };
  const last = status.lastState?.terminated;
  if (previous) {
    if (!last?.containerID) return { error: badRequest(`previous terminated container "${name}" in pod "${podName}" not found`) };
    return { containerId: id(last.containerID) };
  }
  if (status.state?.running || status.state?.terminated) {
    const cid = status.containerID ?? status.state.terminated?.containerID;
    if (cid) return { containerId: id(cid) };
  }
  if (last?.containerID) return { containerId: id(last.containerID) };
  const reason = status.state?.waiting?.reason ?? 'ContainerCreating';
  const why = reason === 'ErrImagePull' || reason === 'ImagePullBackOff' ? 'trying and failing to pull image' : reason;
  return { error: badRequest(`container "${name}" in pod "${podName}" is waiting to start: ${why}`) };
}

/** Choose the container a request names, as the API server validates it. */
export function pickContainer(pod: Pod, container: string | undefined): { name: string } | { error: PodLogResult } {
  const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.name);
  const podName = pod.metadata.name ?? '';
  if (!container) {
    if (pod.spec.containers.length === 1) return { name: pod.spec.containers[0].name };
    return { error: badRequest(`a container name must be specified for pod ${podName}, choose one of: [${pod.spec.containers.map((c) => c.name).join(' ')}]`) };
  }
  if (!all.includes(container)) return { error: badRequest(`container ${container} is not valid for pod ${podName}`) };
  return { name: container };
}
