/**
 * The clusters the editor runs: the presets (default: 3 masters + 3 workers; large: 3 masters + 1,000
 * workers across the 3 zones). The control plane is the cluster's default (a kube-scheduler per master).
 * Pure: no vscode import.
 */
import { Cluster, type ClusterOptions } from '../sim/cluster';

export type PresetName = 'default' | 'large';
export const PRESETS: readonly PresetName[] = ['default', 'large'];

/** The serialisable part of a lab's topology (what a snapshot records). */
export interface LabTopology {
  preset: PresetName;
  seed: number;
}

export function clusterOptions(topology: LabTopology): ClusterOptions {
  return {
    seed: topology.seed,
    masters: 3,
    workers: topology.preset === 'large' ? 1000 : 3,
    // The editor keeps the log bounded: the flow view and the output channel only need recent history.
    logCapacity: topology.preset === 'large' ? 200_000 : 100_000,
  };
}

export function createLabCluster(topology: LabTopology): Cluster {
  return new Cluster(clusterOptions(topology));
}
