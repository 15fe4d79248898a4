/**
 * `kubectl logs -f`: the simulated pods/log answers with the text so far, so following is done here by
 * asking again (once a second of wall time) and writing what is new, until the container stops, the pod
 * goes away, or the client disconnects.
 */
import type { ServerResponse } from 'node:http';
import type { ApiClient, ApiRequest, ApiResponse, Status } from '../sim/api/request';
import type { Pod } from '../sim/api/types';
import type { TraceContext } from '../sim/log';
import { writeJson } from './http-io';

export const FOLLOW_POLL_MS = 1000;

/** The last `n` lines of a log (all of it when n is undefined). */
export function tailLines(text: string, n: number | undefined): string {
  if (n === undefined) return text;
  if (n === 0) return '';
  const lines = text.split('\n');
  const trailing = lines[lines.length - 1] === '' ? lines.pop() : undefined;
  const kept = lines.slice(-n);
  return kept.join('\n') + (trailing !== undefined && kept.length > 0 ? '\n' : '');
}

function containerStopped(pod: Pod, container: string | undefined): boolean {
  const statuses = pod.status?.containerStatuses ?? [];
  const status = container ? statuses.find((s) => s.name === container) : statuses[0];
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return true;
  return status?.state?.terminated !== undefined;
}

/** Starts following; returns the function that stops it. */
export function followLogs(
  client: ApiClient,
  logReq: Omit<ApiRequest, 'client'>,
  ctx: TraceContext,
  res: ServerResponse,
  simulate: (fn: () => void) => void,
  onEnd: () => void,
): () => void {
  const query = { ...logReq.query };
  const tail = query.tailLines;
  delete query.follow;
  delete query.tailLines;
  const fetchLog: Omit<ApiRequest, 'client'> = { ...logReq, query };
  const fetchPod: Omit<ApiRequest, 'client'> = { verb: 'get', apiVersion: 'v1', resource: 'pods', namespace: logReq.namespace, name: logReq.name };
  let sent = -1;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const write = (text: string) => {
    if (sent < 0) {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
      res.write(tailLines(text, tail));
    } else if (text.length > sent) {
      res.write(text.slice(sent));
    }
    sent = Math.max(sent, text.length);
  };

  const poll = () => {
    timer = undefined;
    if (stopped) return;
    simulate(() =>
      client.request(fetchLog, ctx, (response: ApiResponse) => {
        if (stopped) return;
        if (response.code !== 200 || typeof response.body !== 'string') {
          if (sent < 0) writeJson(res, response.code, response.body as Status);
          onEnd();
          return;
        }
        write(response.body);
        client.request(fetchPod, ctx, (podResponse) => {
          if (stopped) return;
          if (podResponse.code !== 200 || containerStopped(podResponse.body as Pod, query.container)) {
            // One last read: the container may have written its final lines before stopping.
            client.request(fetchLog, ctx, (last) => {
              if (!stopped && last.code === 200 && typeof last.body === 'string') write(last.body);
              onEnd();
            });
            return;
          }
          timer = setTimeout(poll, FOLLOW_POLL_MS);
        });
      }),
    );
  };
  poll();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
