import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A SOCKS5 proxy (RFC 1928) on 127.0.0.1, no authentication (method 0x00), CONNECT only, as
 * `ssh -D` gives (the usual `proxy-url: socks5://localhost:1080` of a kubeconfig reaching a
 * cluster through a bastion). Host names (ATYP 3) are resolved by the proxy through `hosts`;
 * a target it cannot reach gets reply 0x05 "connection refused" (RFC 1928 §6).
 */
export class SocksProxy {
  /** `host:port` of every CONNECT, in order. */
  readonly connects: string[] = [];
  readonly hosts = new Map<string, string>();
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((socket) => this.serve(socket));

  static async start(): Promise<SocksProxy> {
    const proxy = new SocksProxy();
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** `socks5://127.0.0.1:PORT`. */
  get url(): string {
    return `socks5://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffer = Buffer.alloc(0);
    let stage: 'greeting' | 'request' = 'greeting';
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (stage === 'greeting') {
        // VER NMETHODS METHODS…
        if (buffer[0] !== 0x05) {
          socket.destroy();
          return;
        }
        if (buffer.length < 2 || buffer.length < 2 + (buffer[1] ?? 0)) return;
        const methods = buffer.subarray(2, 2 + (buffer[1] ?? 0));
        buffer = buffer.subarray(2 + methods.length);
        if (!methods.includes(0x00)) {
          socket.end(Buffer.from([0x05, 0xff]));
          return;
        }
        socket.write(Buffer.from([0x05, 0x00]));
        stage = 'request';
      }
      // VER CMD RSV ATYP DST.ADDR DST.PORT
      if (buffer.length < 5) return;
      const atyp = buffer[3];
      const addressLength = atyp === 1 ? 4 : atyp === 4 ? 16 : 1 + (buffer[4] ?? 0);
      if (buffer.length < 4 + addressLength + 2) return;
      socket.off('data', onData);
      const raw = buffer.subarray(4, 4 + addressLength);
      const host =
        atyp === 1
          ? [...raw].join('.')
          : atyp === 4
            ? (raw.toString('hex').match(/.{4}/g) ?? []).join(':')
            : raw.subarray(1).toString('latin1');
      const port = buffer.readUInt16BE(4 + addressLength);
      const rest = buffer.subarray(4 + addressLength + 2);
      const reply = (code: number) => Buffer.from([0x05, code, 0x00, 0x01, 0, 0, 0, 0, 0, 0]);
      if (buffer[1] !== 0x01) {
        socket.end(reply(0x07)); // command not supported
        return;
      }
      this.connects.push(`${host}:${port}`);
      const upstream = connect(port, this.hosts.get(host.toLowerCase()) ?? host);
      upstream.once('error', () => socket.end(reply(0x05)));
      upstream.once('connect', () => {
        socket.write(reply(0x00));
        if (rest.length > 0) upstream.write(rest);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      socket.on('close', () => upstream.destroy());
    };
    socket.on('data', onData);
  }
}
