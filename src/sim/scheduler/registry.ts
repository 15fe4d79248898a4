/**
 * The in-tree plugin registry and the default profile, as upstream's
 * pkg/scheduler/framework/plugins/registry.go and apis/config/v1/default_plugins.go: filters run
 * in the profile's order, scores are multiplied by the profile's weights.
 */
import type { PluginFactory } from './framework';
import { interPodAffinity, NAME as INTER_POD_AFFINITY } from './plugins/interpodaffinity';
import { nodeAffinity, NAME as NODE_AFFINITY } from './plugins/nodeaffinity';
import { nodeName, NAME as NODE_NAME } from './plugins/nodename';
import { nodePorts, NAME as NODE_PORTS } from './plugins/nodeports';
import { nodeResourcesBalancedAllocation, NAME as BALANCED_ALLOCATION } from './plugins/noderesources/balanced-allocation';
import { nodeResourcesFit, NAME as NODE_RESOURCES_FIT } from './plugins/noderesources/fit';
import { nodeUnschedulable, NAME as NODE_UNSCHEDULABLE } from './plugins/nodeunschedulable';
import { podTopologySpread, NAME as POD_TOPOLOGY_SPREAD } from './plugins/podtopologyspread';
import { taintToleration, NAME as TAINT_TOLERATION } from './plugins/tainttoleration';

export type Registry = ReadonlyMap<string, PluginFactory>;

export function inTreeRegistry(): Registry {
  return new Map<string, PluginFactory>([
    [NODE_UNSCHEDULABLE, () => nodeUnschedulable()],
    [NODE_NAME, () => nodeName()],
    [TAINT_TOLERATION, () => taintToleration()],
    [NODE_AFFINITY, () => nodeAffinity()],
    [NODE_PORTS, () => nodePorts()],
    [NODE_RESOURCES_FIT, () => nodeResourcesFit()],
    [POD_TOPOLOGY_SPREAD, (handle) => podTopologySpread(handle)],
    [INTER_POD_AFFINITY, (handle) => interPodAffinity(handle)],
    [BALANCED_ALLOCATION, () => nodeResourcesBalancedAllocation()],
  ]);
}

export interface PluginConfig {
  name: string;
  /** Score weight (upstream's default is 1 for a score plugin without one). */
  weight?: number;
  args?: Record<string, unknown>;
}

export interface ProfileConfig {
  schedulerName: string;
  /** In upstream's multi-point order: filters run in this order. */
  plugins: PluginConfig[];
  /** 0 = upstream's adaptive default (50% − nodes/125, at least 5%, at least 100 nodes). */
  percentageOfNodesToScore?: number;
}

/** upstream's default profile (v1.3x), restricted to the plugins the lab implements. */
export function defaultProfile(): ProfileConfig {
  return {
    schedulerName: 'default-scheduler',
    plugins: [
      { name: NODE_UNSCHEDULABLE },
      { name: NODE_NAME },
      { name: TAINT_TOLERATION, weight: 3 },
      { name: NODE_AFFINITY, weight: 2 },
      { name: NODE_PORTS },
      { name: NODE_RESOURCES_FIT, weight: 1 },
      { name: POD_TOPOLOGY_SPREAD, weight: 2 },
      { name: INTER_POD_AFFINITY, weight: 2 },
      { name: BALANCED_ALLOCATION, weight: 1 },
    ],
    percentageOfNodesToScore: 0,
  };
}
