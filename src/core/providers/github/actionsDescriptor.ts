import type { WizardStep } from '../../wizard';
import type { ProviderDescriptor } from '../descriptor';
import { githubActionsAvailable, githubActionsProvider } from './actions';

/** Warns when VS Code does not run inside a job that may request ID tokens. */
const checkJob: WizardStep = async (draft, { ui, context }) => {
  if (!githubActionsAvailable(context.env)) {
    const go = await ui.confirm(
      'ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set: GitHub gives them only to workflow jobs with "permissions: id-token: write", so VS Code must run inside such a job. Add the account anyway?',
      'Add Anyway',
    );
    if (!go) return undefined;
  }
  return { ...draft, name: draft.name ?? 'GitHub Actions job' };
};

/** The OIDC token of the GitHub Actions job VS Code runs in. */
export const githubActionsDescriptor: ProviderDescriptor<'github-actions'> = {
  kind: 'github-actions',
  label: githubActionsProvider.label,
  icon: 'github-action',
  group: { id: 'github', label: 'GitHub Actions' },
  audienceOptional: true,
  defaultAudienceIs: "the repository owner's URL (https://github.com/OWNER)",
  pick: {
    label: 'GitHub Actions job token',
    description: 'ACTIONS_ID_TOKEN_REQUEST_URL',
    detail: 'For editors running inside a workflow job with id-token: write.',
  },
  schema: {
    description: "GitHub Actions: the job's OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL)",
    settings: {},
  },
  create: () => githubActionsProvider,
  wizard: [checkJob],
  /** The job's token request variables, when VS Code runs inside a job that may request one. */
  async detect({ context }) {
    if (!githubActionsAvailable(context.env)) return [];
    return [
      {
        label: '$(github-action) GitHub Actions job token',
        description: 'ACTIONS_ID_TOKEN_REQUEST_URL',
        draft: { kind: 'github-actions', settings: {}, name: 'GitHub Actions job' },
      },
    ];
  },
};
