import type { DetectedCredential, WizardStep } from '../../wizard';
import type { ProviderDescriptor } from '../descriptor';
import { appServiceIdentity, azureAccessTokenProvider } from './accessToken';

/** Asks how to get the token: the Azure CLI or the managed identity; then its options. */
const chooseMethod: WizardStep = async (draft, { ui }) => {
  let method = draft.settings.method;
  if (method === undefined) {
    const picked = await ui.pick(
      [
        {
          label: 'Azure CLI',
          description: 'az account get-access-token --resource',
          detail: 'As the user or service principal signed in with "az login".',
          method: 'az',
        },
        {
          label: 'Managed identity',
          description: 'IMDS, or App Service / Functions',
          detail: 'On an Azure VM, container, AKS pod or App Service with a managed identity.',
          method: 'managed-identity',
        },
      ],
      {
        title: 'Azure access token: how?',
        placeHolder: 'Entra gives access tokens (for one resource), not ID tokens, to these',
      },
    );
    if (!picked) return undefined;
    method = picked.method;
  }
  const settings: Record<string, unknown> = { ...draft.settings, method };
  if (method === 'managed-identity' && settings.clientId === undefined) {
    const clientId = await ui.input({
      title: 'Managed identity: client id',
      prompt: 'The client id of a user-assigned identity; leave empty for the system-assigned one',
      placeHolder: '00000000-0000-0000-0000-000000000000',
    });
    if (clientId === undefined) return undefined;
    if (clientId.trim()) settings.clientId = clientId.trim();
  }
  return {
    ...draft,
    settings,
    name:
      draft.name ?? (method === 'az' ? 'Azure CLI access token' : 'Managed identity access token'),
  };
};

/** Microsoft Entra access tokens for a resource, through the Azure CLI or a managed identity. */
export const azureAccessTokenDescriptor: ProviderDescriptor<'azure-access-token'> = {
  kind: 'azure-access-token',
  label: azureAccessTokenProvider.label,
  icon: 'azure',
  group: { id: 'azure', label: 'Azure' },
  audienceOptional: false,
  tokenType: 'access token',
  pick: {
    label: 'Azure access token',
    description: 'az account get-access-token, or managed identity',
    detail:
      'An Entra access token for your app (Easy Auth, API Management): Entra gives managed identities and service principals no ID tokens.',
  },
  schema: {
    description:
      'Azure: a Microsoft Entra access token for a resource (the audience), through the Azure CLI or a managed identity',
    settings: {
      method: {
        type: 'string',
        enum: ['az', 'managed-identity'],
        description: 'az: the Azure CLI; managed-identity: IMDS, or App Service / Functions.',
      },
      tenant: { type: 'string', description: 'Tenant for the Azure CLI (--tenant).' },
      clientId: {
        type: 'string',
        description: 'Client id of a user-assigned managed identity (empty: system-assigned).',
      },
    },
  },
  create: () => azureAccessTokenProvider,
  wizard: [chooseMethod],
  async detect({ context }): Promise<readonly DetectedCredential[]> {
    if (!appServiceIdentity(context.env)) return [];
    return [
      {
        label: 'Azure managed identity (App Service)',
        description: 'IDENTITY_ENDPOINT',
        detail:
          'This editor runs where App Service or Functions provides a managed identity; it gets access tokens.',
        draft: {
          kind: 'azure-access-token',
          settings: { method: 'managed-identity' },
          name: 'Managed identity access token',
        },
      },
    ];
  },
};
