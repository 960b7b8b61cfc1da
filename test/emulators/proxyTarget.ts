import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpEmulator } from './httpServer';

/**
 * A plain HTTP service behind the local proxy: echoes what it received (`/echo`), counts an
 * uploaded body (any POST), streams Server-Sent Events one at a time on the test's signal
 * (`/sse`) and refuses with 401 the way Cloud Run does without a valid token (`/denied`:
 * `WWW-Authenticate: Bearer error="invalid_token"` is what Google front ends send with a rejected
 * token; https://cloud.google.com/run/docs/troubleshooting#401).
 */
export class ProxyTarget extends HttpEmulator {
  /** Requests handled, of any path. */
  requests = 0;
  /** How many SSE events the test has let through so far. */
  sseReleased = 0;
  onRequest: (req: IncomingMessage) => void = () => {};
  private release: (() => void) | undefined;

  static async start(): Promise<ProxyTarget> {
    const target = new ProxyTarget();
    await target.listen();
    return target;
  }

  /** Lets the SSE stream write its next event. */
  releaseNextEvent(): void {
    this.sseReleased += 1;
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests += 1;
    this.onRequest(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'POST') {
      let received = 0;
      for await (const chunk of req) received += (chunk as Buffer).length;
      this.json(res, 200, { path, received });
    } else if (path.endsWith('/echo')) {
      this.json(res, 200, { url: req.url, headers: req.headers, raw: req.rawHeaders });
    } else if (path.endsWith('/sse')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      for (let n = 1; n <= 3; n++) {
        if (n > 1) await new Promise<void>((resolve) => (this.release = resolve));
        res.write(`data: ${n}\n\n`);
      }
      res.end();
    } else if (path.endsWith('/denied')) {
      res
        .writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' })
        .end('Your client does not have permission.');
    } else {
      res.writeHead(404).end();
    }
  }
}
