import type { LocalIssuer } from '../localIssuer/issuer';
import { customCommandProvider } from './custom/command';
import { githubActionsProvider } from './github/actions';
import { gitlabCiProvider } from './gitlab/ciToken';
import { gcloudProvider } from './google/gcloud';
import { impersonationProvider } from './google/impersonation';
import { metadataProvider } from './google/metadata';
import { serviceAccountKeyProvider } from './google/serviceAccountKey';
import { userIdentityProvider } from './google/userIdentity';
import { kubernetesProvider } from './kubernetes/tokenRequest';
import { localIssuerProvider } from './local/localIssuerProvider';
import type { Provider, ProviderKind } from './provider';
import { yandexCliProvider } from './yandex/yc';

/** Every provider the extension ships, by kind; the local one mints through the running issuer. */
export function createProviders(
  localIssuer: () => LocalIssuer | undefined,
): ReadonlyMap<ProviderKind, Provider> {
  return new Map(
    [
      metadataProvider,
      impersonationProvider,
      serviceAccountKeyProvider,
      gcloudProvider,
      userIdentityProvider,
      yandexCliProvider,
      gitlabCiProvider,
      githubActionsProvider,
      kubernetesProvider,
      customCommandProvider,
      localIssuerProvider(localIssuer),
    ].map((provider) => [provider.kind, provider]),
  );
}
