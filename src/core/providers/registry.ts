import { gcloudProvider } from './google/gcloud';
import { impersonationProvider } from './google/impersonation';
import { metadataProvider } from './google/metadata';
import { serviceAccountKeyProvider } from './google/serviceAccountKey';
import { userIdentityProvider } from './google/userIdentity';
import type { Provider, ProviderKind } from './provider';

/** Every provider the extension ships, by kind. */
export const providers: ReadonlyMap<ProviderKind, Provider> = new Map(
  [
    metadataProvider,
    impersonationProvider,
    serviceAccountKeyProvider,
    gcloudProvider,
    userIdentityProvider,
  ].map((provider) => [provider.kind, provider]),
);
