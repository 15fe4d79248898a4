export { ApiServer, upsertCondition, type ApiServerOptions, type PodLogOptions, type PodLogSource, type WatchSink, type Responder } from './apiserver';
export { RESOURCES, resourceFor, resourceForKind, resourceForKey, etcdKey, type ResourceDef } from './resources';
export { validate } from './validation';
export { errors, formatFieldError, type FieldError } from './status';
export { requestPath, httpMethod, STATUS_TEXT } from './paths';
export { mergePatch, strategicMergePatch, jsonPatch, PatchError } from './patch';
export { deepClone, deepEqual, deepFreeze } from './objects';
export { imageTag, qosClass } from './defaults';
