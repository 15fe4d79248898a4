/**
 * `kubectl exec` over WebSockets, as kube-apiserver serves kubectl 1.29+ (and by default 1.31+): a GET to
 * /api/v1/namespaces/NS/pods/NAME/exec?command=…&stdin=true… with `Upgrade: websocket` and the subprotocol
 * v5.channel.k8s.io (v4.channel.k8s.io is accepted too). Every binary message starts with its channel:
 * 0 stdin, 1 stdout, 2 stderr, 3 the error channel (the Status that ends the session, JSON), 4 resize
 * (`{"Width":…,"Height":…}`); v5 adds 255, CLOSE, whose payload is the channel closed (stdin's EOF). The
 * server writes the Status on channel 3, then closes the connection normally.
 *
 * SPDY (`Upgrade: SPDY/3.1`, what kubectl falls back to when the WebSocket upgrade is refused) is not
 * served: the request still goes to the simulated API server, so an error (pod not found, container not
 * valid) reads as it does upstream; a request that would succeed is refused with a Status saying so.
 *
 * The ws package does the WebSocket framing; this module decides what the messages mean (pure functions,
 * tested) and bridges the connection to the simulation's ExecStream.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import type { WebSocket, WebSocketServer } from 'ws';
import type { ChannelStatus, ExecStream } from '../sim/api/exec';
import type { Status } from '../sim/api/request';
import { statusBody } from './http-io';

export const STREAM_PROTOCOL_V5 = 'v5.channel.k8s.io';
export const STREAM_PROTOCOL_V4 = 'v4.channel.k8s.io';
/** In the order the server prefers them. */
export const EXEC_PROTOCOLS: readonly string[] = [STREAM_PROTOCOL_V5, STREAM_PROTOCOL_V4];

export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** The subprotocol to answer with, from those the client offers (Sec-WebSocket-Protocol), or undefined. */
export function chooseProtocol(offered: Iterable<string>): string | undefined {
  const set = new Set([...offered].map((p) => p.trim()));
  return EXEC_PROTOCOLS.find((p) => set.has(p));
}

/** The client's subprotocols from the header (comma-separated, possibly repeated). */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return values.flatMap((v) => v.split(',')).map((p) => p.trim()).filter((p) => p !== '');
}

export type ClientMessage =
  | { type: 'stdin'; data: Buffer }
  | { type: 'resize'; width: number; height: number }
  /** v5: the client closed one of its streams (stdin: end of input). */
  | { type: 'close'; channel: number }
  | { type: 'ignore'; why: string };

/** What a binary message from the client means under `protocol`. */
export function decodeClientMessage(message: Buffer, protocol: string): ClientMessage {
  if (message.length === 0) return { type: 'ignore', why: 'empty message' };
  const channel = message[0];
  const payload = message.subarray(1);
  switch (channel) {
    case CHANNEL.stdin:
      return { type: 'stdin', data: payload };
    case CHANNEL.resize: {
      try {
        const size = JSON.parse(payload.toString('utf8')) as { Width?: unknown; Height?: unknown };
        if (typeof size.Width === 'number' && typeof size.Height === 'number') return { type: 'resize', width: size.Width, height: size.Height };
      } catch {
        // fall through
      }
      return { type: 'ignore', why: 'malformed resize message' };
    }
    case CHANNEL.close:
      if (protocol !== STREAM_PROTOCOL_V5) return { type: 'ignore', why: `channel 255 is not part of ${protocol}` };
      if (payload.length !== 1) return { type: 'ignore', why: 'a CLOSE message names one channel' };
      return { type: 'close', channel: payload[0] };
    default:
      return { type: 'ignore', why: `no stream on channel ${channel}` };
  }
}

/** One message on `channel`: its number, then the bytes. */
export function frame(channel: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([Buffer.from([channel]), body]);
}

/** The error channel's message: the Status as JSON. */
export function statusFrame(status: ChannelStatus): Buffer {
  return frame(CHANNEL.error, JSON.stringify(status));
}

/** Which streams the request asks for (query parameters as kubectl sends them: stdin=true …). */
export function execFlags(url: URL): { command: string[]; stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean } {
  const flag = (name: string) => {
    const v = url.searchParams.get(name);
    return v === 'true' || v === '1';
  };
  return { command: url.searchParams.getAll('command'), stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), tty: flag('tty') };
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 500: 'Internal Server Error', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

/** An HTTP answer on a socket whose upgrade is refused: the Status as JSON, then the connection ends. */
export function refuseUpgrade(socket: Socket, code: number, body: Status): void {
  if (socket.destroyed) return;
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${code} ${REASONS[code] ?? 'Error'}\r\nContent-Type: application/json\r\nCache-Control: no-cache, private\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

export function refuseWithStatus(socket: Socket, code: number, reason: string, message: string): void {
  refuseUpgrade(socket, code, statusBody(code, reason, message));
}

/**
 * Complete the WebSocket handshake with `protocol` and bridge the connection to the session: output to
 * channels 1 and 2, the final Status to channel 3 and a normal close; stdin, CLOSE and resize into the
 * simulation (through `simulate`). Returns the function that ends the bridge (server shutdown).
 */
export function bridgeExec(
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Socket,
  head: Buffer,
  protocol: string,
  stream: ExecStream,
  simulate: (fn: () => void) => void,
  onClosed: () => void,
): () => void {
  let ws: WebSocket | undefined;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    onClosed();
  };
  const stop = () => {
    if (ws) ws.terminate();
    else socket.destroy();
    finish();
  };
  // The ws server answers with the protocol chosen for this request (handleProtocols reads it back).
  (req as IncomingMessage & { execProtocol?: string }).execProtocol = protocol;
  wss.handleUpgrade(req, socket, head, (conn) => {
    ws = conn;
    const stdinText = new StringDecoder('utf8');
    conn.on('message', (data, isBinary) => {
      if (!isBinary) return;
      const message = decodeClientMessage(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer), protocol);
      if (message.type === 'stdin') {
        const text = stdinText.write(message.data);
        if (text) simulate(() => stream.stdin(text));
      } else if (message.type === 'close' && message.channel === CHANNEL.stdin) {
        const rest = stdinText.end();
        simulate(() => {
          if (rest) stream.stdin(rest);
          stream.closeStdin();
        });
      } else if (message.type === 'resize') {
        simulate(() => stream.resize(message.width, message.height));
      }
    });
    conn.on('close', () => {
      simulate(() => stream.cancel());
      finish();
    });
    conn.on('error', () => conn.terminate());
    stream.attach({
      output: (which, text) => {
        if (conn.readyState === conn.OPEN) conn.send(frame(which === 'stdout' ? CHANNEL.stdout : CHANNEL.stderr, text));
      },
      end: (status) => {
        if (conn.readyState !== conn.OPEN) return;
        conn.send(statusFrame(status));
        conn.close(1000);
      },
    });
  });
  return stop;
}
