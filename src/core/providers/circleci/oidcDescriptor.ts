import type { DetectedCredential, WizardStep } from '../../wizard';
import type { ProviderDescriptor } from '../descriptor';
import { CIRCLECI_TOKEN_VARIABLES, circleciProvider, circleciTokenVariables } from './oidc';

/** Picks the job's V2 or V1 token; warns when neither is set here. */
const chooseVersion: WizardStep = async (draft, { ui, context }) => {
  if (draft.settings.version) return draft;
  const found = circleciTokenVariables(context.env);
  if (found.length === 0) {
    const go = await ui.confirm(
      `Neither ${CIRCLECI_TOKEN_VARIABLES.v2} nor ${CIRCLECI_TOKEN_VARIABLES.v1} is set: CircleCI sets them only inside a job, so VS Code must run in one. Add the account anyway?`,
      'Add Anyway',
    );
    if (!go) return undefined;
  }
  const picked = await ui.pick(
    [
      {
        label: `$${CIRCLECI_TOKEN_VARIABLES.v2}`,
        description: found.includes('v2') ? 'set' : 'not set here',
        detail: 'V2: the subject also names the VCS origin and ref. Recommended.',
        version: 'v2',
      },
      {
        label: `$${CIRCLECI_TOKEN_VARIABLES.v1}`,
        description: found.includes('v1') ? 'set' : 'not set here',
        detail: 'V1: subject org/…/project/…/user/….',
        version: 'v1',
      },
    ],
    { title: 'CircleCI: which job token?' },
  );
  if (!picked) return undefined;
  return {
    ...draft,
    settings: { ...draft.settings, version: picked.version },
    name: draft.name ?? `CircleCI $${CIRCLECI_TOKEN_VARIABLES[picked.version as 'v1' | 'v2']}`,
  };
};

/** The OIDC token of the CircleCI job VS Code runs in. */
export const circleciDescriptor: ProviderDescriptor<'circleci-oidc'> = {
  kind: 'circleci-oidc',
  label: circleciProvider.label,
  icon: 'circle-large-outline',
  group: { id: 'ci', label: 'CI jobs' },
  audienceOptional: true,
  defaultAudienceIs: 'your CircleCI organization id',
  pick: {
    label: 'CircleCI job token',
    description: `${CIRCLECI_TOKEN_VARIABLES.v2}, or circleci run oidc get`,
    detail: 'For editors running inside a CircleCI job; other audiences through the CircleCI CLI.',
  },
  schema: {
    description: `CircleCI: the job's OIDC token (${CIRCLECI_TOKEN_VARIABLES.v2}; circleci run oidc get for another audience)`,
    settings: {
      version: {
        type: 'string',
        enum: ['v2', 'v1'],
        default: 'v2',
        description: `Which job token: v2 (${CIRCLECI_TOKEN_VARIABLES.v2}) or v1 (${CIRCLECI_TOKEN_VARIABLES.v1}).`,
      },
    },
  },
  create: () => circleciProvider,
  wizard: [chooseVersion],
  async detect({ context }): Promise<readonly DetectedCredential[]> {
    return circleciTokenVariables(context.env).map((version) => ({
      label: 'CircleCI job token',
      description: `$${CIRCLECI_TOKEN_VARIABLES[version]}`,
      detail: 'This editor runs in a CircleCI job.',
      draft: {
        kind: 'circleci-oidc',
        settings: { version },
        name: `CircleCI $${CIRCLECI_TOKEN_VARIABLES[version]}`,
      },
    }));
  },
};
