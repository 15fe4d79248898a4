/**
 * A Job's podFailurePolicy applied to one failed pod (upstream pkg/controller/job/pod_failure_policy.go): the rules
 * are tried in order and the first that matches decides.
 * - onExitCodes matches a terminated container (the containers first, then the init containers; only the one named
 *   by containerName when set) whose exit code is not 0 and is In / NotIn the values;
 * - onPodConditions matches when the pod has a condition of one of the patterns' type with its status;
 * - the action: FailJob fails the Job (with upstream's message), FailIndex fails the pod's index (backoffLimitPerIndex),
 *   Ignore does not count the failure against backoffLimit, Count counts it as usual.
 * No policy, or no rule matching: the failure counts.
 */
import type { ContainerStatus, Job, Pod, PodFailurePolicy, PodFailurePolicyAction, PodFailurePolicyOnExitCodes, PodFailurePolicyOnPodCondition } from '../../api/types';

export interface PodFailurePolicyMatch {
  /** The action of the rule that matched, if any. */
  action?: PodFailurePolicyAction;
  /** Whether the failure counts towards backoffLimit (false only for Ignore). */
  countFailed: boolean;
  /** For FailJob: the Job's failure message. */
  failJobMessage?: string;
}

function exitCodeMatches(code: number, req: PodFailurePolicyOnExitCodes): boolean {
  if (req.operator === 'In') return req.values.includes(code);
  if (req.operator === 'NotIn') return !req.values.includes(code);
  return false;
}

function matchingContainer(statuses: readonly ContainerStatus[] | undefined, req: PodFailurePolicyOnExitCodes): ContainerStatus | undefined {
  for (const s of statuses ?? []) {
    const terminated = s.state?.terminated;
    if (!terminated) continue; // still running or terminating: no exit code to match
    if (req.containerName !== undefined && req.containerName !== s.name) continue;
    if (terminated.exitCode !== 0 && exitCodeMatches(terminated.exitCode, req)) return s;
  }
  return undefined;
}

function matchingCondition(pod: Pod, patterns: readonly PodFailurePolicyOnPodCondition[]): string | undefined {
  for (const c of pod.status?.conditions ?? []) {
    for (const p of patterns) if (c.type === p.type && c.status === (p.status ?? 'True')) return c.type;
  }
  return undefined;
}

export function matchPodFailurePolicy(policy: PodFailurePolicy | undefined, pod: Pod): PodFailurePolicyMatch {
  if (!policy) return { countFailed: true };
  const podName = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
  for (const [index, rule] of (policy.rules ?? []).entries()) {
    let what: string | undefined;
    if (rule.onExitCodes) {
      const s = matchingContainer(pod.status?.containerStatuses, rule.onExitCodes) ?? matchingContainer(pod.status?.initContainerStatuses, rule.onExitCodes);
      if (s) what = `Container ${s.name} for pod ${podName} failed with exit code ${s.state!.terminated!.exitCode}`;
    } else if (rule.onPodConditions) {
      const type = matchingCondition(pod, rule.onPodConditions);
      if (type !== undefined) what = `Pod ${podName} has condition ${type}`;
    }
    if (what === undefined) continue;
    switch (rule.action) {
      case 'Ignore': return { action: 'Ignore', countFailed: false };
      case 'Count': return { action: 'Count', countFailed: true };
      case 'FailIndex': return { action: 'FailIndex', countFailed: true };
      case 'FailJob': return { action: 'FailJob', countFailed: true, failJobMessage: `${what} matching FailJob rule at index ${index}` };
    }
  }
  return { countFailed: true };
}

/** The FailJob message of the first failed pod a FailJob rule matches (upstream's getFailJobMessage). */
export function failJobMessage(job: Job, failedPods: readonly Pod[]): string | undefined {
  if (!job.spec.podFailurePolicy) return undefined;
  for (const pod of failedPods) {
    const m = matchPodFailurePolicy(job.spec.podFailurePolicy, pod).failJobMessage;
    if (m !== undefined) return m;
  }
  return undefined;
}
