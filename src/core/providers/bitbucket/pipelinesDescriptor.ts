import type { DetectedCredential, WizardStep } from '../../wizard';
import type { ProviderDescriptor } from '../descriptor';
import {
  BITBUCKET_TOKEN_VARIABLE,
  bitbucketPipelinesProvider,
  bitbucketTokenAvailable,
} from './pipelines';

/** Warns when VS Code does not run inside a step that has an ID token. */
const checkStep: WizardStep = async (draft, { ui, context }) => {
  if (!bitbucketTokenAvailable(context.env)) {
    const go = await ui.confirm(
      `${BITBUCKET_TOKEN_VARIABLE} holds no token here: Bitbucket sets it only in pipeline steps with "oidc: true", so VS Code must run inside such a step. Add the account anyway?`,
      'Add Anyway',
    );
    if (!go) return undefined;
  }
  return { ...draft, name: draft.name ?? 'Bitbucket Pipelines step' };
};

/** The OIDC token of the Bitbucket Pipelines step VS Code runs in. */
export const bitbucketPipelinesDescriptor: ProviderDescriptor<'bitbucket-pipelines'> = {
  kind: 'bitbucket-pipelines',
  label: bitbucketPipelinesProvider.label,
  icon: 'repo',
  group: { id: 'ci', label: 'CI jobs' },
  audienceOptional: true,
  defaultAudienceIs:
    "the workspace's (ari:cloud:bitbucket::workspace/UUID), or those bitbucket-pipelines.yml lists under oidc: audiences:",
  pick: {
    label: 'Bitbucket Pipelines step token',
    description: BITBUCKET_TOKEN_VARIABLE,
    detail: 'For editors running inside a pipeline step with oidc: true.',
  },
  schema: {
    description: `Bitbucket Pipelines: the step's OIDC token (${BITBUCKET_TOKEN_VARIABLE})`,
    settings: {},
  },
  create: () => bitbucketPipelinesProvider,
  wizard: [checkStep],
  async detect({ context }): Promise<readonly DetectedCredential[]> {
    if (!bitbucketTokenAvailable(context.env)) return [];
    return [
      {
        label: 'Bitbucket Pipelines step token',
        description: `$${BITBUCKET_TOKEN_VARIABLE}`,
        detail: 'This editor runs in a Bitbucket Pipelines step with oidc: true.',
        draft: { kind: 'bitbucket-pipelines', settings: {}, name: 'Bitbucket Pipelines step' },
      },
    ];
  },
};
