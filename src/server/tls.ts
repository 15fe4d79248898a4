/**
 * A self-signed certificate for the lab's API, made at start-up (ECDSA P-256, valid for 127.0.0.1 and
 * localhost). TLS is not optional: client-go — so kubectl — sends a kubeconfig's bearer token only over
 * TLS connections, never over plain http. The kubeconfig carries the certificate as its own
 * certificate authority, so kubectl verifies the server without any insecure flag.
 *
 * Node can sign but not build X.509, so the certificate is encoded here with a minimal DER writer.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

export interface ServerCertificate {
  /** PEM private key (PKCS#8). */
  key: string;
  /** PEM certificate. */
  cert: string;
}

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const seq = (...items: Buffer[]) => tlv(0x30, ...items);
const set = (...items: Buffer[]) => tlv(0x31, ...items);

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes = [40 * parts[0] + parts[1]];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [];
    let v = part;
    do {
      chunk.unshift(v & 0x7f);
      v >>= 7;
    } while (v > 0);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i] |= 0x80;
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** A DER INTEGER from unsigned big-endian bytes: minimal (no leading zero bytes), positive (0x00 before a high bit). */
export function derInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const minimal = bytes.subarray(start);
  return tlv(0x02, minimal[0] & 0x80 ? Buffer.concat([Buffer.from([0]), minimal]) : minimal);
}

function utcTime(date: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, '0');
  const text = `${p(date.getUTCFullYear() % 100)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

const bitString = (bytes: Buffer) => tlv(0x03, Buffer.from([0]), bytes);
const octetString = (bytes: Buffer) => tlv(0x04, bytes);
const TRUE = tlv(0x01, Buffer.from([0xff]));

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

function name(commonName: string): Buffer {
  return seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), TRUE, octetString(value)) : seq(oid(id), octetString(value));
}

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** A fresh key and a self-signed certificate for 127.0.0.1 and localhost, valid from an hour ago for `days`. */
export function selfSignedCertificate(days = 365, now = new Date(), serial: Buffer = randomBytes(16)): ServerCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const notBefore = new Date(now.getTime() - 3600_000);
  const notAfter = new Date(now.getTime() + days * 86_400_000);
  const subjectAltName = seq(tlv(0x82, Buffer.from('localhost', 'ascii')), tlv(0x87, Buffer.from([127, 0, 0, 1])));
  const tbs = seq(
    tlv(0xa0, derInteger(Buffer.from([2]))),
    derInteger(serial),
    seq(oid(ECDSA_WITH_SHA256)),
    name('k8s-lab'),
    seq(utcTime(notBefore), utcTime(notAfter)),
    name('k8s-lab'),
    publicKey.export({ type: 'spki', format: 'der' }),
    tlv(
      0xa3,
      seq(
        extension('2.5.29.19', true, seq(TRUE)),
        // digitalSignature (bit 0) and keyCertSign (bit 5): the certificate is its own authority.
        extension('2.5.29.15', true, tlv(0x03, Buffer.from([0x02, 0x84]))),
        extension('2.5.29.17', false, subjectAltName),
      ),
    ),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certificate = seq(tbs, seq(oid(ECDSA_WITH_SHA256)), bitString(signature));
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, cert: pem('CERTIFICATE', certificate) };
}
