import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { jwtVerify } from 'jose';
import type { JWTVerifyGetKey } from 'jose';
import { HttpEmulator } from '../httpServer';

// The MCP Streamable HTTP transport, revision 2025-06-18:
// https://modelcontextprotocol.io/specification/2025-06-18/basic/transports#streamable-http
const SPEC = 'MCP 2025-06-18 basic/transports';

/** One request the emulator answered, as a test wants to see it. */
export interface McpRequestRecord {
  readonly httpMethod: string;
  /** The JSON-RPC method, for a POST; undefined for GET/DELETE and for responses. */
  readonly rpcMethod: string | undefined;
  /** The bearer token the request carried (tests compare it; never logged by the product). */
  readonly token: string | undefined;
  readonly status: number;
}

export interface McpServerOptions {
  /** The audience the ID token must carry; default the server's origin, as Cloud Run expects. */
  readonly audience?: string;
  readonly issuer: string;
  /** The issuer's keys (the Google emulator's JWKS, or the local issuer's). */
  readonly keys: JWTVerifyGetKey;
  /** Tools listed by tools/list. */
  readonly tools?: readonly { name: string; description: string }[];
}

/**
 * An MCP server behind Cloud Run IAM: every request must carry a valid ID token for `audience`,
 * in `X-Serverless-Authorization` or else `Authorization` (Cloud Run checks the former first:
 * https://cloud.google.com/run/docs/authenticating/service-to-service), or it gets a 401.
 * Speaks the Streamable HTTP transport:
 * - POST carries one JSON-RPC message; the client must accept both `application/json` and
 *   `text/event-stream` (SPEC "Sending Messages to the Server" 2); a request is answered with an
 *   SSE stream holding the response (5), a notification or response with 202 and no body (4).
 * - `initialize` opens a session: the `Mcp-Session-Id` reply header (SPEC "Session Management" 1);
 *   later requests without it get 400, with an unknown one 404 (2, 3); DELETE ends it (5).
 * - GET asks for a server-to-client SSE stream; this server offers none: 405 (SPEC "Listening for
 *   Messages from the Server" 3).
 * - An `Origin` that is not a loopback page gets 403 (SPEC "Security Warning" 1).
 */
export class McpServer extends HttpEmulator {
  readonly requests: McpRequestRecord[] = [];
  private readonly sessions = new Set<string>();

  private constructor(private readonly options: McpServerOptions) {
    super();
  }

  static async start(options: McpServerOptions): Promise<McpServer> {
    const server = new McpServer(options);
    await server.listen();
    return server;
  }

  /** The MCP endpoint. */
  get endpoint(): string {
    return `${this.url}/mcp`;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token =
      bearer(req.headers['x-serverless-authorization']) ?? bearer(req.headers.authorization);
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const message = parseMessage(body);
    const record = (status: number) =>
      this.requests.push({
        httpMethod: req.method ?? '',
        rpcMethod: message?.method,
        token,
        status,
      });
    const origin = req.headers.origin;
    if (origin && !/^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(origin)) {
      record(403);
      return void res.writeHead(403).end();
    }
    if (!(await this.validToken(token))) {
      record(401);
      return void res
        .writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' })
        .end('Your client does not have permission to the requested URL.');
    }
    if ((req.url ?? '').split('?')[0] !== '/mcp') {
      record(404);
      return void res.writeHead(404).end();
    }
    if (req.method === 'GET') {
      record(405);
      return void res.writeHead(405, { allow: 'POST, DELETE' }).end();
    }
    const session = req.headers['mcp-session-id'];
    const sessionId = typeof session === 'string' ? session : undefined;
    if (req.method === 'DELETE') {
      const known = sessionId !== undefined && this.sessions.delete(sessionId);
      record(known ? 200 : 404);
      return void res.writeHead(known ? 200 : 404).end();
    }
    if (req.method !== 'POST' || !message) {
      record(400);
      return this.json(res, 400, rpcError(null, -32700, `Parse error (${SPEC})`));
    }
    const accept = String(req.headers.accept ?? '');
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
      record(406);
      return void res.writeHead(406).end('Accept must list application/json and text/event-stream');
    }
    const headers: Record<string, string> = {};
    if (message.method === 'initialize') {
      const id = randomUUID();
      this.sessions.add(id);
      headers['mcp-session-id'] = id;
    } else if (sessionId === undefined) {
      record(400);
      return this.json(res, 400, rpcError(message.id ?? null, -32600, 'Mcp-Session-Id required'));
    } else if (!this.sessions.has(sessionId)) {
      record(404);
      return this.json(res, 404, rpcError(message.id ?? null, -32600, 'Session not found'));
    }
    if (message.id === undefined || message.method === undefined) {
      record(202);
      return void res.writeHead(202).end();
    }
    record(200);
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
    });
    res.end(`event: message\ndata: ${JSON.stringify(this.answer(message))}\n\n`);
  }

  private answer(message: RpcMessage): unknown {
    const id = message.id ?? null;
    switch (message.method) {
      case 'initialize':
        return {
          jsonrpc: '2.0',
          id,
          result: {
            protocolVersion: paramString(message, 'protocolVersion') ?? '2025-06-18',
            capabilities: { tools: { listChanged: false } },
            serverInfo: { name: 'cloud-run-mcp-emulator', version: '1.0.0' },
          },
        };
      case 'ping':
        return { jsonrpc: '2.0', id, result: {} };
      case 'tools/list':
        return {
          jsonrpc: '2.0',
          id,
          result: {
            tools: (this.options.tools ?? []).map((tool) => ({
              ...tool,
              inputSchema: { type: 'object', properties: {} },
            })),
          },
        };
      case 'tools/call':
        return {
          jsonrpc: '2.0',
          id,
          result: { content: [{ type: 'text', text: `called ${paramString(message, 'name')}` }] },
        };
      default:
        return rpcError(id, -32601, `Method not found: ${message.method}`);
    }
  }

  private async validToken(token: string | undefined): Promise<boolean> {
    if (!token) return false;
    try {
      await jwtVerify(token, this.options.keys, {
        audience: this.options.audience ?? this.url,
        issuer: this.options.issuer,
      });
      return true;
    } catch {
      return false;
    }
  }
}

interface RpcMessage {
  readonly id?: string | number;
  readonly method?: string;
  readonly params?: Record<string, unknown>;
}

function parseMessage(body: string): RpcMessage | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as RpcMessage)
      : undefined;
  } catch {
    return undefined;
  }
}

function paramString(message: RpcMessage, name: string): string | undefined {
  const value = message.params?.[name];
  return typeof value === 'string' ? value : undefined;
}

function rpcError(id: string | number | null, code: number, message: string) {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

function bearer(value: string | string[] | undefined): string | undefined {
  const match = typeof value === 'string' ? /^Bearer\s+(\S+)$/i.exec(value) : null;
  return match?.[1];
}
