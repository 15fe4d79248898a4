/**
 * Small HTTP helpers: reading a size-limited body, content negotiation, and writing JSON, Status
 * and Table responses the way kube-apiserver encodes them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Status } from '../sim/api/request';

/** kube-apiserver's limit for a request body (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function statusBody(code: number, reason: string | undefined, message: string, details?: Status['details']): Status {
  const body: Status = { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message, code };
  if (reason) body.reason = reason;
  if (details) body.details = details;
  return body;
}

export function writeJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  if (res.headersSent || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(res.req?.method === 'HEAD' ? undefined : text);
}

export function writeStatus(res: ServerResponse, code: number, reason: string | undefined, message: string, headers: Record<string, string> = {}): void {
  writeJson(res, code, statusBody(code, reason, message), headers);
}

export function writeText(res: ServerResponse, code: number, text: string): void {
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(code, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-cache, private',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  res.end(res.req?.method === 'HEAD' ? undefined : text);
}

/** Warning headers as upstream writes them: `299 - "message"`. */
export function warningHeaders(warnings: readonly string[] | undefined): Record<string, string[]> {
  if (!warnings?.length) return {};
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w.replace(/[\r\n]+/g, ' '))}`) };
}

export type BodyResult = { ok: true; body: Buffer } | { ok: false; code: number; reason: string; message: string };

/** Reads the whole body, refusing more than `limit` bytes (413) without buffering the excess. */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const tooLarge: BodyResult = { ok: false, code: 413, reason: 'RequestEntityTooLarge', message: `Request entity too large: limit is ${limit}` };
  const declared = Number(req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(tooLarge);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        settle(tooLarge);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => settle({ ok: true, body: Buffer.concat(chunks) }));
    req.on('error', (err) => settle({ ok: false, code: 400, reason: 'BadRequest', message: `error reading the request body: ${err.message}` }));
    req.on('aborted', () => settle({ ok: false, code: 400, reason: 'BadRequest', message: 'the request body was not received completely' }));
  });
}

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(accept: string | undefined): MediaRange[] {
  if (!accept) return [{ type: '*/*', params: {} }];
  return accept.split(',').map((part) => {
    const [type, ...rest] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
    }
    return { type: (type ?? '').toLowerCase(), params };
  });
}

export type Negotiated = { kind: 'json' } | { kind: 'table'; apiVersion: 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1' } | { kind: 'none' };

/**
 * What the client accepts: a Table (kubectl get), plain JSON, or nothing we can produce (406).
 * Protobuf and aggregated discovery are not produced; clients that accept JSON as well fall back to it.
 */
export function negotiate(accept: string | undefined, allowTable: boolean): Negotiated {
  const ranges = parseAccept(accept);
  for (const r of ranges) {
    if (r.params.as === 'Table' && r.params.g === 'meta.k8s.io' && (r.params.v === 'v1' || r.params.v === 'v1beta1')) {
      if (allowTable && (r.type === 'application/json' || r.type === '*/*')) return { kind: 'table', apiVersion: `meta.k8s.io/${r.params.v}` };
      continue;
    }
    if (r.params.as) continue;
    if (r.type === 'application/json' || r.type === '*/*' || r.type === 'application/*' || r.type === '') return { kind: 'json' };
  }
  return { kind: 'none' };
}
