/**
 * Request bodies in application/vnd.kubernetes.protobuf, as kubectl's typed clients send them
 * (`kubectl create deployment|service|configmap|secret|namespace|job`, drain's DeleteOptions, the reviews of
 * `kubectl auth`): the "k8s\0" magic, then a runtime.Unknown {typeMeta=1, raw=2, contentEncoding=3,
 * contentType=4} whose raw bytes are the object's message. They are decoded to the JSON the API would have been sent, for the kinds the
 * lab serves, with the fields of k8s.io/api's generated.proto listed in PROTOBUF_SCHEMA below.
 *
 * Go's protobuf encoding writes every non-pointer field, set or not: an empty string, a 0, a false or
 * an empty message there means "unset", and is left out as JSON's omitempty would (a pointer field,
 * marked `?`, is written only when set, so its zero is kept). A field the schema does not list is
 * skipped when it holds such a zero, and refused otherwise, naming it: nothing the client sent is
 * silently lost. Responses are always JSON (kubectl asks for protobuf or JSON).
 */
export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = [0x6b, 0x38, 0x73, 0x00];

interface Field {
  no: number;
  wire: number;
  varint?: bigint;
  bytes?: Buffer;
}

function* fields(buf: Buffer): Generator<Field> {
  let i = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= buf.length) throw new Error('truncated varint');
      const b = buf[i++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('varint too long');
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) yield { no, wire, varint: varint() };
    else if (wire === 2) {
      const len = Number(varint());
      if (len < 0 || i + len > buf.length) throw new Error('truncated field');
      yield { no, wire, bytes: buf.subarray(i, i + len) };
      i += len;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`unsupported wire type ${wire}`);
    if (i > buf.length) throw new Error('truncated field');
  }
}

/**
 * The messages decoded, by name: "NUMBER jsonName[:type][*][?]" per field. Types: string (default),
 * int, bool, bytes (base64 in JSON), map (map<string, string>), map:bytes, map:Quantity, Time,
 * IntOrString, Quantity, or another message. `*` repeated, `?` a pointer (its zero value is kept).
 */
const PROTOBUF_SCHEMA: Record<string, string> = {
  TypeMeta: '1 apiVersion, 2 kind',
  ObjectMeta: '1 name, 2 generateName, 3 namespace, 4 selfLink, 5 uid, 6 resourceVersion, 7 generation:int, 8 creationTimestamp:Time, '
    + '9 deletionTimestamp:Time, 10 deletionGracePeriodSeconds:int?, 11 labels:map, 12 annotations:map, 13 ownerReferences:OwnerReference*, 14 finalizers*',
  OwnerReference: '1 kind, 3 name, 4 uid, 5 apiVersion, 6 controller:bool?, 7 blockOwnerDeletion:bool?',
  LabelSelector: '1 matchLabels:map, 2 matchExpressions:LabelSelectorRequirement*',
  LabelSelectorRequirement: '1 key, 2 operator, 3 values*',
  IntOrStringValue: '1 type:int, 2 intVal:int, 3 strVal',
  QuantityValue: '1 string',
  TimeValue: '1 seconds:int, 2 nanos:int',

  Namespace: '1 metadata:ObjectMeta, 2 spec:NamespaceSpec, 3 status:NamespaceStatus',
  NamespaceSpec: '1 finalizers*',
  NamespaceStatus: '1 phase',
  ConfigMap: '1 metadata:ObjectMeta, 2 data:map, 3 binaryData:map:bytes, 4 immutable:bool?',
  Secret: '1 metadata:ObjectMeta, 2 data:map:bytes, 3 type, 4 stringData:map, 5 immutable:bool?',
  Service: '1 metadata:ObjectMeta, 2 spec:ServiceSpec, 3 status:ServiceStatus',
  ServiceSpec: '1 ports:ServicePort*, 2 selector:map, 3 clusterIP, 4 type, 5 externalIPs*, 7 sessionAffinity, 8 loadBalancerIP, '
    + '9 loadBalancerSourceRanges*, 10 externalName, 11 externalTrafficPolicy, 12 healthCheckNodePort:int, 13 publishNotReadyAddresses:bool, '
    + '17 ipFamilyPolicy?, 18 clusterIPs*, 19 ipFamilies*, 20 allocateLoadBalancerNodePorts:bool?, 21 loadBalancerClass?, 22 internalTrafficPolicy?',
  ServicePort: '1 name, 2 protocol, 3 port:int, 4 targetPort:IntOrString, 5 nodePort:int, 6 appProtocol?',
  ServiceStatus: '1 loadBalancer:LoadBalancerStatus',
  LoadBalancerStatus: '',
  Pod: '1 metadata:ObjectMeta, 2 spec:PodSpec, 3 status:PodStatus',
  PodStatus: '',
  PodTemplateSpec: '1 metadata:ObjectMeta, 2 spec:PodSpec',
  PodSpec: '2 containers:Container*, 3 restartPolicy, 4 terminationGracePeriodSeconds:int?, 5 activeDeadlineSeconds:int?, 6 dnsPolicy, '
    + '7 nodeSelector:map, 8 serviceAccountName, 9 serviceAccount, 10 nodeName, 11 hostNetwork:bool, 12 hostPID:bool, 13 hostIPC:bool, '
    + '14 securityContext:PodSecurityContext, 16 hostname, 17 subdomain, 19 schedulerName, 20 initContainers:Container*, 22 tolerations:Toleration*, '
    + '24 priorityClassName, 25 priority:int?, 30 enableServiceLinks:bool?',
  PodSecurityContext: '',
  Toleration: '1 key, 2 operator, 3 value, 4 effect, 5 tolerationSeconds:int?',
  Container: '1 name, 2 image, 3 command*, 4 args*, 5 workingDir, 6 ports:ContainerPort*, 7 env:EnvVar*, 8 resources:ResourceRequirements, '
    + '13 terminationMessagePath, 14 imagePullPolicy, 16 stdin:bool, 17 stdinOnce:bool, 18 tty:bool, 20 terminationMessagePolicy',
  ContainerPort: '1 name, 2 hostPort:int, 3 containerPort:int, 4 protocol, 5 hostIP',
  EnvVar: '1 name, 2 value',
  ResourceRequirements: '1 limits:map:Quantity, 2 requests:map:Quantity',
  Deployment: '1 metadata:ObjectMeta, 2 spec:DeploymentSpec, 3 status:DeploymentStatus',
  DeploymentSpec: '1 replicas:int?, 2 selector:LabelSelector?, 3 template:PodTemplateSpec, 4 strategy:DeploymentStrategy, 5 minReadySeconds:int, '
    + '6 revisionHistoryLimit:int?, 7 paused:bool, 9 progressDeadlineSeconds:int?',
  DeploymentStrategy: '1 type, 2 rollingUpdate:RollingUpdateDeployment?',
  RollingUpdateDeployment: '1 maxUnavailable:IntOrString?, 2 maxSurge:IntOrString?',
  DeploymentStatus: '',
  ReplicaSet: '1 metadata:ObjectMeta, 2 spec:ReplicaSetSpec, 3 status:ReplicaSetStatus',
  ReplicaSetSpec: '1 replicas:int?, 2 selector:LabelSelector?, 3 template:PodTemplateSpec, 4 minReadySeconds:int',
  ReplicaSetStatus: '',
  PodDisruptionBudget: '1 metadata:ObjectMeta, 2 spec:PodDisruptionBudgetSpec, 3 status:PodDisruptionBudgetStatus',
  PodDisruptionBudgetSpec: '1 minAvailable:IntOrString?, 2 selector:LabelSelector?, 3 maxUnavailable:IntOrString?, 4 unhealthyPodEvictionPolicy?',
  PodDisruptionBudgetStatus: '',
  PriorityClass: '1 metadata:ObjectMeta, 2 value:int, 3 globalDefault:bool, 4 description, 5 preemptionPolicy?',
  Job: '1 metadata:ObjectMeta, 2 spec:JobSpec, 3 status:JobStatus',
  JobSpec: '1 parallelism:int?, 2 completions:int?, 3 activeDeadlineSeconds:int?, 4 selector:LabelSelector?, 5 manualSelector:bool?, '
    + '6 template:PodTemplateSpec, 7 backoffLimit:int?, 8 ttlSecondsAfterFinished:int?, 9 completionMode?, 10 suspend:bool?, 14 podReplacementPolicy?',
  JobStatus: '',
  CronJob: '1 metadata:ObjectMeta, 2 spec:CronJobSpec, 3 status:CronJobStatus',
  CronJobSpec: '1 schedule, 2 startingDeadlineSeconds:int?, 3 concurrencyPolicy, 4 suspend:bool?, 5 jobTemplate:JobTemplateSpec, '
    + '6 successfulJobsHistoryLimit:int?, 7 failedJobsHistoryLimit:int?, 8 timeZone?',
  JobTemplateSpec: '1 metadata:ObjectMeta, 2 spec:JobSpec',
  CronJobStatus: '',
  SelfSubjectReview: '1 metadata:ObjectMeta, 2 status:SelfSubjectReviewStatus',
  SelfSubjectReviewStatus: '1 userInfo:UserInfo',
  UserInfo: '1 username, 2 uid, 3 groups*',
  SelfSubjectAccessReview: '1 metadata:ObjectMeta, 2 spec:SelfSubjectAccessReviewSpec, 3 status:SubjectAccessReviewStatus',
  SelfSubjectAccessReviewSpec: '1 resourceAttributes:ResourceAttributes?, 2 nonResourceAttributes:NonResourceAttributes?',
  ResourceAttributes: '1 namespace, 2 verb, 3 group, 4 version, 5 resource, 6 subresource, 7 name',
  NonResourceAttributes: '1 path, 2 verb',
  SubjectAccessReviewStatus: '1 allowed:bool, 2 reason, 3 evaluationError, 4 denied:bool',
  SelfSubjectRulesReview: '1 metadata:ObjectMeta, 2 spec:SelfSubjectRulesReviewSpec, 3 status:SubjectRulesReviewStatus',
  SelfSubjectRulesReviewSpec: '1 namespace',
  SubjectRulesReviewStatus: '',
  DeleteOptions: '1 gracePeriodSeconds:int?, 2 preconditions:Preconditions?, 3 orphanDependents:bool?, 4 propagationPolicy?, 5 dryRun*',
  Preconditions: '1 uid?, 2 resourceVersion?',
};

/** The kinds whose protobuf bodies are decoded (what the lab serves and kubectl's typed clients send). */
const DECODED_KINDS = new Set([
  'Namespace', 'ConfigMap', 'Secret', 'Service', 'Pod', 'Deployment', 'ReplicaSet', 'PodDisruptionBudget', 'PriorityClass', 'Job', 'CronJob', 'DeleteOptions',
  'SelfSubjectReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview',
]);

interface FieldSpec {
  name: string;
  type: string;
  /** For a map: the values' type. */
  values?: string;
  repeated: boolean;
  pointer: boolean;
}

const SCHEMA: ReadonlyMap<string, ReadonlyMap<number, FieldSpec>> = new Map(Object.entries(PROTOBUF_SCHEMA).map(([message, text]) => {
  const byNumber = new Map<number, FieldSpec>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+) (\w+)(?::(\w+))?(?::(\w+))?(\*)?(\?)?$/.exec(part);
    if (!m) throw new Error(`protobuf schema: bad field "${part}" in ${message}`);
    byNumber.set(Number(m[1]), { name: m[2], type: m[3] ?? 'string', values: m[3] === 'map' ? m[4] ?? 'string' : undefined, repeated: !!m[5], pointer: !!m[6] });
  }
  return [message, byNumber];
}));

/** Thrown for a body that is not protobuf the lab decodes; the message says what and where. */
export class ProtobufDecodeError extends Error {}

/**
 * The object a protobuf request body carries, as JSON (apiVersion and kind from its TypeMeta).
 * Throws ProtobufDecodeError for a malformed body, a kind the lab does not decode, or a set field it
 * does not know.
 */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || MAGIC.some((b, i) => body[i] !== b)) throw new ProtobufDecodeError('not a Kubernetes protobuf message (no "k8s\\0" prefix)');
  try {
    let typeMeta: Record<string, unknown> = {};
    let raw: Buffer | undefined;
    for (const f of fields(body.subarray(4))) {
      if (f.no === 1 && f.bytes) typeMeta = decodeMessage(f.bytes, 'TypeMeta', 'typeMeta');
      else if (f.no === 2 && f.bytes) raw = f.bytes;
      else if ((f.no === 3 || f.no === 4) && f.bytes && f.bytes.length > 0) {
        throw new ProtobufDecodeError(`runtime.Unknown field ${f.no === 3 ? 'contentEncoding' : 'contentType'} "${f.bytes.toString('utf8').slice(0, 60)}" is not supported`);
      }
    }
    const kind = typeof typeMeta.kind === 'string' ? typeMeta.kind : '';
    if (!DECODED_KINDS.has(kind)) {
      throw new ProtobufDecodeError(`protobuf bodies are decoded for ${[...DECODED_KINDS].join(', ')}, not ${JSON.stringify(kind)}: send it as JSON or YAML (kubectl apply -f FILE)`);
    }
    return { ...typeMeta, ...decodeMessage(raw ?? Buffer.alloc(0), kind, kind) };
  } catch (err) {
    if (err instanceof ProtobufDecodeError) throw err;
    throw new ProtobufDecodeError(`malformed protobuf: ${(err as Error).message}`);
  }
}

/** DeleteOptions as JSON from a protobuf body; throws on anything else. */
export function decodeDeleteOptions(body: Buffer): Record<string, unknown> {
  const obj = decodeKubernetesProtobuf(body);
  if (obj.kind !== 'DeleteOptions') throw new ProtobufDecodeError(`expected DeleteOptions, not ${JSON.stringify(obj.kind)}`);
  return obj;
}

function decodeMessage(buf: Buffer, message: string, path: string): Record<string, unknown> {
  const schema = SCHEMA.get(message);
  if (!schema) throw new Error(`protobuf schema: no message ${message}`);
  const out: Record<string, unknown> = {};
  for (const f of fields(buf)) {
    const spec = schema.get(f.no);
    if (!spec) {
      if (isZero(f)) continue;
      throw new ProtobufDecodeError(`field ${f.no} of ${message} (at ${path}) is set, and the lab does not decode it from protobuf: send the object as JSON or YAML (kubectl apply -f FILE)`);
    }
    const at = `${path}.${spec.name}`;
    if (spec.values !== undefined) {
      const entry = decodeMapEntry(need(f, 2, at), spec.values, at);
      const map = (out[spec.name] ??= {}) as Record<string, unknown>;
      map[entry.key] = entry.value;
      continue;
    }
    const value = decodeValue(f, spec.type, at);
    if (spec.repeated) {
      if (value !== undefined) ((out[spec.name] ??= []) as unknown[]).push(value);
    } else if (spec.pointer || !isZeroValue(value, spec.type)) {
      if (value !== undefined) out[spec.name] = value;
    }
  }
  return out;
}

function decodeValue(f: Field, type: string, at: string): unknown {
  switch (type) {
    case 'string': return need(f, 2, at).toString('utf8');
    case 'bytes': return need(f, 2, at).toString('base64');
    case 'int': return Number(BigInt.asIntN(64, needVarint(f, at)));
    case 'bool': return needVarint(f, at) !== 0n;
    case 'Quantity': return decodeMessage(need(f, 2, at), 'QuantityValue', at).string ?? '';
    case 'IntOrString': {
      const v = decodeMessage(need(f, 2, at), 'IntOrStringValue', at);
      return v.type === 1 ? (v.strVal ?? '') : (v.intVal ?? 0);
    }
    case 'Time': {
      const v = decodeMessage(need(f, 2, at), 'TimeValue', at);
      const seconds = (v.seconds as number | undefined) ?? 0;
      if (seconds === 0 && !v.nanos) return undefined;
      return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
    }
    default: return decodeMessage(need(f, 2, at), type, at);
  }
}

function decodeMapEntry(buf: Buffer, values: string, at: string): { key: string; value: unknown } {
  let key = '';
  let value: unknown = values === 'string' || values === 'bytes' ? '' : '0';
  for (const f of fields(buf)) {
    if (f.no === 1) key = need(f, 2, at).toString('utf8');
    else if (f.no === 2) value = decodeValue(f, values, `${at}[${JSON.stringify(key)}]`);
  }
  return { key, value };
}

function need(f: Field, wire: 2, at: string): Buffer {
  if (f.wire !== wire || !f.bytes) throw new ProtobufDecodeError(`${at}: expected a length-delimited field, got wire type ${f.wire}`);
  return f.bytes;
}

function needVarint(f: Field, at: string): bigint {
  if (f.wire !== 0 || f.varint === undefined) throw new ProtobufDecodeError(`${at}: expected a varint, got wire type ${f.wire}`);
  return f.varint;
}

/** A field Go wrote only because it is not a pointer: empty bytes, a 0 or false, an empty message. */
function isZero(f: Field): boolean {
  if (f.wire === 0) return f.varint === 0n;
  if (f.wire !== 2) return false;
  if (f.bytes!.length === 0) return true;
  try {
    return [...fields(f.bytes!)].every(isZero);
  } catch {
    return false; // not a message: a non-empty string or bytes
  }
}

function isZeroValue(value: unknown, type: string): boolean {
  if (type === 'string' || type === 'bytes') return value === '';
  if (type === 'int') return value === 0;
  if (type === 'bool') return value === false;
  return value === undefined;
}
