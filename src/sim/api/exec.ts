/**
 * `pods/exec` as the simulation serves it: the API server answers an exec request with 101 Switching
 * Protocols and an ExecStream (upstream: the connection upgraded to WebSocket, then translated to SPDY
 * towards the kubelet). The HTTP layer moves the client's stdin, resize and close signals into it and
 * the process's output and final Status out of it.
 */
import type { Status } from './request';

export interface ExecRequestOptions {
  /** The command and its arguments (`command` query parameters, in order). */
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * The Status on the error channel (3) that ends an exec: Success, NonZeroExitCode with the ExitCode
 * cause, or an internal error. Written as upstream marshals it: no apiVersion or kind.
 */
export type ChannelStatus = Omit<Status, 'apiVersion' | 'kind' | 'message' | 'code'> & { message?: string; code?: number };

/** The client's side of an exec session. */
export interface ExecClient {
  output(stream: 'stdout' | 'stderr', text: string): void;
  /** The session is over; `status` goes on the error channel (called once). */
  end(status: ChannelStatus): void;
}

export interface ExecStream {
  /** Connect the client's side; output produced before is delivered then. */
  attach(client: ExecClient): void;
  stdin(data: string): void;
  closeStdin(): void;
  resize(width: number, height: number): void;
  /** The client went away: the session stops, nothing more is delivered. */
  cancel(): void;
}
