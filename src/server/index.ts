/** The lab's Kubernetes HTTP API (Node only). */
export { startLabServer, clientName, type LabServer, type LabServerOptions } from './server';
export type { LabCluster, LabFaults, FaultKind } from './lab-cluster';
export { FAULT_KINDS } from './lab-cluster';
export { defaultKubeconfigPath, readKubeconfig, writeKubeconfig, kubeconfigText, CONTEXT_NAME } from './kubeconfig';
export { nodeTimers, wallClockEpoch, wallClockLag, BOOT_LEAD_MS, loadKindSchemas, bundledSchemasDir } from './node-host';
export { FAULTS_PATH, type FaultRequest } from './lab-routes';
export { selfSignedCertificate, type ServerCertificate } from './tls';
