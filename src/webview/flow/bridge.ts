/**
 * The webview's side of the protocol: posts typed messages, validates every message received (unknown or
 * malformed ones are logged back to the host and ignored), and matches answers to questions by request id.
 */
import { validateHostMessage, type FlowState, type HostToWebview, type StepDetail, type WebviewToHost } from '../../protocol';

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

type Pending = (message: HostToWebview) => void;

export class Bridge {
  private readonly api: VsCodeApi = acquireVsCodeApi();
  private nextRequestId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Messages that are not answers: the trace, live steps, errors. */
  onMessage: (message: HostToWebview) => void = () => undefined;

  constructor() {
    window.addEventListener('message', (event: MessageEvent) => this.receive(event.data));
  }

  private receive(data: unknown): void {
    const result = validateHostMessage(data);
    if (!result.ok) {
      this.post({ type: 'log', level: 'warn', message: `flow webview ignored a message: ${result.error}` });
      return;
    }
    const message = result.message;
    const requestId = 'requestId' in message ? message.requestId : undefined;
    const waiter = requestId === undefined ? undefined : this.pending.get(requestId);
    if (waiter) {
      this.pending.delete(requestId!);
      waiter(message);
    }
    if (!waiter || message.type === 'trace') this.onMessage(message);
  }

  post(message: WebviewToHost): void {
    this.api.postMessage(message);
  }

  /** A fresh request id; `answer` runs once with the host's reply carrying it. */
  ask(build: (requestId: number) => WebviewToHost, answer?: Pending): void {
    const requestId = this.nextRequestId++;
    if (answer) this.pending.set(requestId, answer);
    this.post(build(requestId));
  }

  stepDetail(id: number, done: (detail: StepDetail | undefined) => void): void {
    this.ask((requestId) => ({ type: 'getStepDetail', requestId, id }), (m) => done(m.type === 'stepDetail' ? m.detail : undefined));
  }

  get state(): FlowState | undefined {
    return this.api.getState() as FlowState | undefined;
  }

  saveState(state: FlowState): void {
    this.api.setState(state);
  }
}
