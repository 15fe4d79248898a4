/**
 * Base64 as Go's encoding/json reads and writes []byte (base64.StdEncoding: padded, "\r" and "\n" ignored),
 * and UTF-8, without Node's Buffer or the DOM's TextEncoder: the core runs with ES libraries only.
 * Secret `data` and ConfigMap `binaryData` values travel in JSON this way.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

/** The UTF-8 bytes of a string (lone surrogates as U+FFFD, as Go converts them). */
export function utf8Bytes(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    let c = ch.codePointAt(0)!;
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

/** A string from UTF-8 bytes (invalid sequences become U+FFFD, as Go's string conversion prints them). */
export function utf8String(bytes: readonly number[]): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    const need = b >= 0xc0 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf8 ? 3 : 0;
    let c = b & (0x3f >> need);
    let ok = need > 0;
    for (let k = 1; ok && k <= need; k++) {
      const n = bytes[i + k];
      if (n === undefined || (n & 0xc0) !== 0x80) ok = false;
      else c = (c << 6) | (n & 63);
    }
    if (!ok || c > 0x10ffff) {
      out += '\ufffd';
      i++;
      continue;
    }
    out += String.fromCodePoint(c);
    i += need + 1;
  }
  return out;
}

export function encodeBase64(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET[(n >> 18) & 63] + ALPHABET[(n >> 12) & 63];
    out += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? ALPHABET[n & 63] : '=';
  }
  return out;
}

/** base64 of a string's UTF-8 bytes: what `stringData` becomes in `data`. */
export function encodeStringBase64(s: string): string {
  return encodeBase64(utf8Bytes(s));
}

export type Base64Result = { ok: true; bytes: number[] } | { ok: false; offset: number };

/**
 * Decode like Go's base64.StdEncoding: an illegal character, a misplaced "=" or a cut quantum fails with the
 * input offset Go's CorruptInputError reports ("illegal base64 data at input byte N").
 */
export function decodeBase64(s: string): Base64Result {
  const bytes: number[] = [];
  const quantum: number[] = [];
  let quantumStart = 0;
  let i = 0;
  const skipNewlines = () => {
    while (i < s.length && (s[i] === '\n' || s[i] === '\r')) i++;
  };
  for (;;) {
    skipNewlines();
    if (i >= s.length) {
      if (quantum.length === 0) return { ok: true, bytes };
      return { ok: false, offset: quantumStart };
    }
    if (quantum.length === 0) quantumStart = i;
    const code = s.charCodeAt(i);
    if (s[i] === '=') {
      const j = quantum.length;
      if (j < 2) return { ok: false, offset: i };
      i++;
      if (j === 2) {
        skipNewlines();
        if (i >= s.length) return { ok: false, offset: s.length };
        if (s[i] !== '=') return { ok: false, offset: i };
        i++;
      }
      skipNewlines();
      if (i < s.length) return { ok: false, offset: i };
      const n = (quantum[0] << 18) | (quantum[1] << 12) | ((quantum[2] ?? 0) << 6);
      bytes.push((n >> 16) & 255);
      if (j === 3) bytes.push((n >> 8) & 255);
      return { ok: true, bytes };
    }
    const v = code < 128 ? VALUE[code] : -1;
    if (v < 0) return { ok: false, offset: i };
    quantum.push(v);
    i++;
    if (quantum.length === 4) {
      const n = (quantum[0] << 18) | (quantum[1] << 12) | (quantum[2] << 6) | quantum[3];
      bytes.push((n >> 16) & 255, (n >> 8) & 255, n & 255);
      quantum.length = 0;
    }
  }
}

/** Go's message for a value that is not base64. */
export function base64Error(offset: number): string {
  return `illegal base64 data at input byte ${offset}`;
}
