import type { DetectedCredential, WizardStep } from '../../wizard';
import type { ProviderDescriptor } from '../descriptor';
import { BUILDKITE_OPTIONAL_CLAIMS, buildkiteJobAvailable, buildkiteProvider } from './agentOidc';

/** Warns outside a job; offers Buildkite's optional claims. */
const chooseClaims: WizardStep = async (draft, { ui, context }) => {
  if (!buildkiteJobAvailable(context.env)) {
    const go = await ui.confirm(
      'BUILDKITE_JOB_ID and BUILDKITE_AGENT_ACCESS_TOKEN are not set: buildkite-agent mints tokens only for the steps of a running job, so VS Code must run inside one. Add the account anyway?',
      'Add Anyway',
    );
    if (!go) return undefined;
  }
  if (draft.settings.claims !== undefined) return draft;
  const picked = await ui.pick(
    [
      { label: 'No optional claims', claims: [] as string[] },
      ...BUILDKITE_OPTIONAL_CLAIMS.map((claim) => ({
        label: claim,
        description: '--claim',
        claims: [claim],
      })),
      { label: BUILDKITE_OPTIONAL_CLAIMS.join(' and '), claims: [...BUILDKITE_OPTIONAL_CLAIMS] },
    ],
    {
      title: 'Buildkite: optional claims',
      placeHolder: 'Some trusts (e.g. Buildkite workload identity) require organization_id',
    },
  );
  if (!picked) return undefined;
  return {
    ...draft,
    settings: { ...draft.settings, ...(picked.claims.length > 0 ? { claims: picked.claims } : {}) },
    name: draft.name ?? 'Buildkite job',
  };
};

/** The OIDC token of the Buildkite job VS Code runs in, through buildkite-agent. */
export const buildkiteDescriptor: ProviderDescriptor<'buildkite-oidc'> = {
  kind: 'buildkite-oidc',
  label: buildkiteProvider.label,
  icon: 'tools',
  group: { id: 'ci', label: 'CI jobs' },
  audienceOptional: true,
  defaultAudienceIs: 'https://buildkite.com/ORG_SLUG, your organization',
  pick: {
    label: 'Buildkite job token',
    description: 'buildkite-agent oidc request-token',
    detail: 'For editors running inside a Buildkite job step.',
  },
  schema: {
    description: 'Buildkite: buildkite-agent oidc request-token in the job VS Code runs in',
    settings: {
      lifetime: {
        type: 'integer',
        minimum: 0,
        description:
          'Token lifetime in seconds (--lifetime); 0 or absent: Buildkite chooses (5 minutes).',
      },
      claims: {
        type: 'array',
        items: { type: 'string', enum: [...BUILDKITE_OPTIONAL_CLAIMS] },
        description: 'Optional claims to add (--claim): organization_id, pipeline_id.',
      },
    },
  },
  create: () => buildkiteProvider,
  wizard: [chooseClaims],
  async detect({ context }): Promise<readonly DetectedCredential[]> {
    if (!buildkiteJobAvailable(context.env)) return [];
    return [
      {
        label: 'Buildkite job token',
        description: 'buildkite-agent oidc request-token',
        detail: 'This editor runs in a Buildkite job.',
        draft: { kind: 'buildkite-oidc', settings: {}, name: 'Buildkite job' },
      },
    ];
  },
};
