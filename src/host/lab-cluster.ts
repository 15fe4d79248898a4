/**
 * The clusters the editor runs: the simulation's presets (default: 3 masters + 3 workers; large: 3
 * masters + 1,000 workers across the 3 zones) with the HA control plane (an elected kube-scheduler and
 * kube-controller-manager on every master). Pure: no vscode import.
 */
import { Cluster, type ClusterOptions } from '../sim/cluster';
import { PRESET_NAMES, presetOptions, type PresetName } from '../sim/presets';

export type { PresetName };
export const PRESETS: readonly PresetName[] = PRESET_NAMES;

/** The serialisable part of a lab's topology (what a snapshot records). */
export interface LabTopology {
  preset: PresetName;
  seed: number;
}

export function clusterOptions(topology: LabTopology): ClusterOptions {
  return presetOptions(topology.preset, {
    seed: topology.seed,
    // The editor keeps the log bounded: the flow view and the output channel only need recent history.
    logCapacity: topology.preset === 'large' ? 200_000 : 100_000,
  });
}

export function createLabCluster(topology: LabTopology): Cluster {
  return new Cluster(clusterOptions(topology));
}
