/**
 * The editor's use of the simulation's fault API (src/sim/faults.ts): one fault controller per cluster,
 * shared with the HTTP server's /lab/v1/faults, and re-injecting the faults a snapshot recorded.
 */
import type { Cluster } from '../sim/cluster';
import { FAULT_KINDS, faultsOf, type FaultKind, type Faults } from '../sim/faults';

export { FAULT_KINDS, type FaultKind, type Faults };

export function labFaults(cluster: Cluster): Faults {
  return faultsOf(cluster);
}

/** Re-inject faults saved in a snapshot; the ones that no longer apply are reported, not thrown. */
export function reapplyFaults(faults: Faults, saved: readonly { kind: string; name: string }[], warn: (message: string) => void): void {
  for (const f of saved) {
    try {
      if (!(FAULT_KINDS as readonly string[]).includes(f.kind)) throw new Error(`unknown fault kind "${f.kind}"`);
      faults.stop(f.kind as FaultKind, f.name);
    } catch (err) {
      warn(`Could not restore the fault ${f.kind} ${f.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
