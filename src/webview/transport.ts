import { isHostMessage } from '../shared/messages';
import type { HostToWebview, PersistedWebviewState, WebviewToHost } from '../shared/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** Typed access to the host: the only place that touches acquireVsCodeApi(). */
export class Transport {
  // acquireVsCodeApi() may be called only once per page.
  private readonly api: VsCodeApi = acquireVsCodeApi();

  post(message: WebviewToHost): void {
    this.api.postMessage(message);
  }

  /** Calls the handler for every well-formed message from the host. */
  onMessage(handler: (message: HostToWebview) => void): void {
    window.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (isHostMessage(event.data)) handler(event.data);
    });
  }

  getState(): PersistedWebviewState | undefined {
    const state = this.api.getState();
    if (typeof state === 'object' && state !== null && 'ref' in state) {
      return typeof state.ref === 'string' ? { ref: state.ref } : undefined;
    }
    return undefined;
  }

  setState(state: PersistedWebviewState | undefined): void {
    this.api.setState(state);
  }
}
