import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

/**
 * Serves one key set at `/jwks` that holds the keys of several emulators signing as the same
 * issuer (the Google emulators all sign as https://accounts.google.com, each with its own key),
 * so the inspector verifies whatever any of them mints. `keys` is read at each request.
 */
export async function startJwksServer(
  keys: () => readonly JWK[],
): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ keys: keys() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
