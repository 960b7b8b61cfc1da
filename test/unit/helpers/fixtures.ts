import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProviderContext } from '../../../src/core/providers/provider';
import { testContext } from '../../helpers/context';
import type { EmulatedUser } from '../../emulators/google/googleApis';

/**
 * A fresh temporary directory made before each test (or once for the suite) and removed after it;
 * read `path` inside hooks and tests.
 */
export function useTempDir(prefix: string, scope: 'each' | 'suite' = 'each'): { path: string } {
  const dir = { path: '' };
  const [setUp, tearDown] = scope === 'each' ? [beforeEach, afterEach] : [before, after];
  setUp(async () => {
    dir.path = await mkdtemp(join(tmpdir(), prefix));
  });
  tearDown(() => rm(dir.path, { recursive: true, force: true }));
  return dir;
}

/** Writes the user's ADC file into `dir`; the context finds it through GOOGLE_APPLICATION_CREDENTIALS. */
export async function userAdcContext(
  dir: string,
  user: EmulatedUser,
  timeoutMs: number,
): Promise<ProviderContext> {
  const path = join(dir, 'adc.json');
  await writeFile(path, user.adcJson);
  return testContext({ env: { GOOGLE_APPLICATION_CREDENTIALS: path }, timeoutMs });
}

/** A local port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
