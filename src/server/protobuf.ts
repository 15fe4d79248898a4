/**
 * The one protobuf body kubectl sends: DeleteOptions. kubectl's typed clients (drain, delete of pods
 * by some commands) encode request bodies as application/vnd.kubernetes.protobuf — the "k8s\0" magic,
 * then a runtime.Unknown {typeMeta=1, raw=2} whose raw bytes are the message. Only DeleteOptions
 * (gracePeriodSeconds=1, orphanDependents=3, propagationPolicy=4, dryRun=5) is decoded; other protobuf
 * bodies are refused with 415, and responses are always JSON.
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

/** DeleteOptions as JSON from a protobuf body; throws on anything else. */
export function decodeDeleteOptions(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || MAGIC.some((b, i) => body[i] !== b)) throw new Error('not a Kubernetes protobuf message');
  let kind = '';
  let raw: Buffer | undefined;
  for (const f of fields(body.subarray(4))) {
    if (f.no === 1 && f.bytes) for (const t of fields(f.bytes)) if (t.no === 2 && t.bytes) kind = t.bytes.toString('utf8');
    if (f.no === 2 && f.bytes) raw = f.bytes;
  }
  if (kind !== 'DeleteOptions') throw new Error(`protobuf bodies are only accepted for DeleteOptions, not ${JSON.stringify(kind)}`);
  const out: Record<string, unknown> = { kind: 'DeleteOptions' };
  for (const f of fields(raw ?? Buffer.alloc(0))) {
    if (f.no === 1 && f.varint !== undefined) out.gracePeriodSeconds = Number(BigInt.asIntN(64, f.varint));
    else if (f.no === 3 && f.varint !== undefined) out.orphanDependents = f.varint !== 0n;
    else if (f.no === 4 && f.bytes) out.propagationPolicy = f.bytes.toString('utf8');
    else if (f.no === 5 && f.bytes) out.dryRun = [...((out.dryRun as string[] | undefined) ?? []), f.bytes.toString('utf8')];
  }
  return out;
}
