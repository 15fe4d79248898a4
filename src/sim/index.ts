/**
 * The simulated cluster's public API: what the host, the HTTP server and the CLI use.
 */
export { Cluster, podAtRest, DEFAULT_ZONES, CLIENT_HOST, BOOTSTRAP_NAMESPACES } from './cluster';
export type { ClusterOptions, ClusterReader, StateChange, ApplyResult, NodeInput } from './cluster';
export { Clock, Rng, EPOCH_MS } from './clock';
export { EventLog } from './log';
export type { LogEntry, LogKind, TraceContext } from './log';
export { Network } from './network';
export { LoadBalancer, LB_HOST } from './loadbalancer';
export { EtcdCluster, EtcdMember, EtcdClient, MvccStore, ERR_COMPACTED, ERR_TIMEOUT, ERR_NO_LEADER } from './etcd';
export { ApiServer, RESOURCES, resourceFor, resourceForKind, requestPath, httpMethod, STATUS_TEXT, validate, upsertCondition } from './apiserver';
export type { PodLogSource, WatchSink, ResourceDef, FieldError } from './apiserver';
export { SimClient, createInformer } from './client';
export { objectKey } from './api/informer';
export type * from './api/types';
export type * from './api/request';
export type { Informer, InformerHandlers, InformerOptions } from './api/informer';
export type { Component, ComponentEnv } from './api/component';
export { presetOptions, haControlPlane, schedulerOn, controllerManagerOn, ElectedScheduler, PRESETS, PRESET_NAMES } from './presets';
export type { PresetName, ControlPlaneOptions } from './presets';
export { Faults, faultsOf, FaultError, FAULT_KINDS } from './faults';
export type { FaultKind, ActiveFault } from './faults';
export { LeaderElector, leaderIdentity, LEASE_DURATION_MS, RENEW_DEADLINE_MS, RETRY_PERIOD_MS } from './leaderelection';
export { KubeControllerManager, ALL_CONTROLLERS } from './controllers/manager';
export { KubeProxy, proxyOn, sendToService } from './proxy';
export { Scheduler } from './scheduler/scheduler';
export { Kubelet } from './kubelet/kubelet';
export type { NodeConfig } from './kubelet/kubelet';
export { EventRecorder } from './events';
export { RealtimeDriver, FAST_FORWARD, parseSpeed, formatSpeed } from './realtime';
export { takeSnapshot, serializeSnapshot, parseSnapshot, restoreInto, SnapshotError } from './snapshot';
