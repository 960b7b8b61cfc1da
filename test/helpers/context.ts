// The ProviderContext every core test builds on, with its in-memory secrets and frozen clock.
import { readFile, stat } from 'node:fs/promises';
import type { Clock, Fetch, Logger, ProcessRunner, SecretStore } from '../../src/core/ports';
import type { ProviderContext } from '../../src/core/providers/provider';

/** An in-memory SecretStore for tests. */
export class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();
  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}

/** A clock that moves only when told to. */
export class FrozenClock implements Clock {
  constructor(public ms = Date.now()) {}
  now(): number {
    return this.ms;
  }
}

/**
 * A ProviderContext for tests: real fetch and files, an environment from `env` only (home in
 * `homeDir`, the metadata server pointed at a closed port unless `env` says otherwise).
 */
export function testContext(
  options: {
    env?: Record<string, string | undefined>;
    homeDir?: string;
    clock?: Clock;
    fetch?: Fetch;
    runner?: ProcessRunner;
    secrets?: SecretStore;
    files?: ProviderContext['files'];
    logger?: Logger;
    timeoutMs?: number;
    platform?: NodeJS.Platform;
  } = {},
): ProviderContext {
  const env: Record<string, string | undefined> = {
    GCE_METADATA_HOST: '127.0.0.1:9',
    ...options.env,
  };
  return {
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    clock: options.clock ?? { now: () => Date.now() },
    runner: options.runner ?? {
      run: () => Promise.reject(new Error('no process runner in this test')),
    },
    secrets: options.secrets ?? new MemorySecrets(),
    files: options.files ?? {
      readText: async (path) => {
        try {
          return await readFile(path, 'utf8');
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw error;
        }
      },
      stat: async (path) => {
        try {
          const { mtimeMs, size } = await stat(path);
          return { mtimeMs, size };
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw error;
        }
      },
    },
    env: {
      get: (name) => env[name],
      homeDir: options.homeDir ?? '/nonexistent-home',
      platform: options.platform ?? 'linux',
    },
    logger: options.logger ?? {
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    },
    timeoutMs: options.timeoutMs ?? 3000,
  };
}
