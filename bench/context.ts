// The ProviderContext the bench mints with: the extension's own Node adapters (global fetch,
// files, child processes), with an environment of its own instead of process.env.
import { nodeFileReader } from '../src/core/node/fileReader';
import { nodeProcessRunner } from '../src/core/node/processRunner';
import { systemClock } from '../src/core/ports';
import { gcloudProvider } from '../src/core/providers/google/gcloud';
import { impersonationProvider } from '../src/core/providers/google/impersonation';
import { metadataProvider } from '../src/core/providers/google/metadata';
import { serviceAccountKeyProvider } from '../src/core/providers/google/serviceAccountKey';
import { userIdentityProvider } from '../src/core/providers/google/userIdentity';
import type { Provider, ProviderContext, ProviderKind } from '../src/core/providers/provider';
import { MemorySecrets } from '../test/helpers/context';

/** The providers the bench mints with, by kind. */
export const googleProviders: ReadonlyMap<ProviderKind, Provider> = new Map(
  [
    metadataProvider,
    impersonationProvider,
    serviceAccountKeyProvider,
    gcloudProvider,
    userIdentityProvider,
  ].map((provider) => [provider.kind, provider]),
);

/** A context as activate() builds it, but with `env` as the whole environment. */
export function benchContext(
  env: Readonly<Record<string, string>>,
  options: { secrets?: MemorySecrets; gcloudPath?: string } = {},
): ProviderContext {
  return {
    fetch,
    clock: systemClock,
    runner: nodeProcessRunner,
    secrets: options.secrets ?? new MemorySecrets(),
    files: nodeFileReader,
    env: { get: (name) => env[name], homeDir: '/nonexistent-home', platform: process.platform },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    timeoutMs: 10_000,
    ...(options.gcloudPath ? { gcloudPath: options.gcloudPath } : {}),
  };
}
