import type { DetectedCredential, WizardStep } from '../../wizard';
import type { ProviderDescriptor } from '../descriptor';
import { azurePipelinesAvailable, azurePipelinesProvider } from './oidcToken';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Warns outside a job; asks for the service connection id. */
const chooseConnection: WizardStep = async (draft, { ui, context }) => {
  if (!azurePipelinesAvailable(context.env)) {
    const go = await ui.confirm(
      'SYSTEM_OIDCREQUESTURI and SYSTEM_ACCESSTOKEN are not both set: Azure Pipelines gives them to a job step that maps $(System.AccessToken), so VS Code must run in such a step. Add the account anyway?',
      'Add Anyway',
    );
    if (!go) return undefined;
  }
  if (typeof draft.settings.serviceConnectionId === 'string') return draft;
  const id = await ui.input({
    title: 'Azure Pipelines: service connection',
    prompt:
      'The id of a workload identity federation service connection (Project settings › Service connections: the resourceId in its URL)',
    placeHolder: '3b4c7a8e-0000-4000-8000-000000000001',
    validate: (value) =>
      GUID.test(value.trim())
        ? undefined
        : 'A service connection id is a GUID, e.g. 3b4c7a8e-0000-4000-8000-000000000001.',
  });
  if (!id?.trim()) return undefined;
  return {
    ...draft,
    settings: { ...draft.settings, serviceConnectionId: id.trim() },
    name: draft.name ?? 'Azure Pipelines service connection',
  };
};

/** The OIDC token Azure Pipelines mints for a service connection of the job VS Code runs in. */
export const azurePipelinesDescriptor: ProviderDescriptor<'azure-pipelines'> = {
  kind: 'azure-pipelines',
  label: azurePipelinesProvider.label,
  icon: 'azure-devops',
  group: { id: 'ci', label: 'CI jobs' },
  audienceOptional: true,
  defaultAudienceIs: 'api://AzureADTokenExchange, which Azure DevOps fixes',
  pick: {
    label: 'Azure Pipelines service connection token',
    description: 'SYSTEM_OIDCREQUESTURI with the job access token',
    detail: 'For editors running inside an Azure Pipelines job; the token Entra federation takes.',
  },
  schema: {
    description:
      'Azure Pipelines: the OIDC token of a service connection (workload identity federation)',
    settings: {
      serviceConnectionId: {
        type: 'string',
        description: 'The service connection id (a GUID: the resourceId in its URL).',
      },
    },
  },
  create: () => azurePipelinesProvider,
  wizard: [chooseConnection],
  async detect({ context }): Promise<readonly DetectedCredential[]> {
    if (!azurePipelinesAvailable(context.env)) return [];
    return [
      {
        label: 'Azure Pipelines service connection token',
        description: 'SYSTEM_OIDCREQUESTURI',
        detail: 'This editor runs in an Azure Pipelines job with System.AccessToken mapped.',
        draft: {
          kind: 'azure-pipelines',
          settings: {},
          name: 'Azure Pipelines service connection',
        },
      },
    ];
  },
};
