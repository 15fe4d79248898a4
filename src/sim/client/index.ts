export { SimClient, DEFAULT_TIMEOUT_MS, type SimClientOptions } from './client';
export { createInformer, SimInformer } from './informer';
