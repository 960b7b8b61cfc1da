import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What every emulator shares: a real HTTP server on 127.0.0.1 at a free port, JSON and text
 * replies, requests left hanging on purpose, and a stop that drops those and kept-alive sockets.
 */
export abstract class HttpEmulator {
  private readonly hanging = new Set<ServerResponse>();
  private readonly server = createServer((req, res) => {
    Promise.resolve()
      .then(() => this.handle(req, res))
      .catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
        }
      });
  });

  /** How many requests a `hang` fault has held so far (answered or not). */
  heldRequests = 0;

  /** How many held requests are still open (the client has not given up yet). */
  get openHeldRequests(): number {
    return this.hanging.size;
  }

  /** `http://127.0.0.1:PORT`. */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Stops the server, dropping hanging and kept-alive connections. */
  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * A cold start: nothing listens on the port (connections are refused) for `ms`, then the
   * server listens on the same port again. Resolves once it has stopped listening.
   */
  async refuseConnectionsFor(ms: number): Promise<void> {
    const { port } = this.server.address() as AddressInfo;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    setTimeout(() => this.server.listen(port, '127.0.0.1'), ms);
  }

  /** Answers one request; a rejection becomes an HTTP 500 with the error as text. */
  protected abstract handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>;

  /** Starts listening on a free port of 127.0.0.1. */
  protected async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  /**
   * Plays the faults every emulator knows, and says whether it did: `hang` never answers (to test
   * client timeouts; stop() destroys the response), `reset` drops the connection.
   */
  protected connectionFault(
    fault: string | undefined,
    req: IncomingMessage,
    res: ServerResponse,
  ): boolean {
    if (fault === 'hang') {
      this.heldRequests++;
      this.hanging.add(res);
      res.once('close', () => this.hanging.delete(res));
    } else if (fault === 'reset') req.socket.destroy();
    else return false;
    return true;
  }

  /** Answers with a JSON body (content type `application/json` unless `headers` say otherwise). */
  protected json(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Readonly<Record<string, string>> = {},
  ): void {
    res
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(JSON.stringify(body));
  }
}
