import { errorMessage } from '../../errors';
import { type Remedy, missingCliRemedies, remediesFor } from '../../remedies';
import { type WizardStep, askPastMissing, isCancel } from '../../wizard';
import type { ProviderDescriptor } from '../descriptor';
import { gcloudActiveAccount, gcloudListServiceAccounts, gcloudProvider } from './gcloud';
import { GOOGLE_GROUP, pickServiceAccount } from './wizardSteps';

/**
 * Asks gcloud for its active account, then whose token gcloud should print. Without an active
 * account there is nobody to choose (nor to impersonate with): the user may add the account
 * anyway, and it mints as whoever logs in later.
 */
const chooseIdentity: WizardStep = async (draft, ports) => {
  const { ui, context } = ports;
  let active: { account?: string; project?: string } | undefined;
  for (;;) {
    const gcloudPath = context.gcloudPath ?? 'gcloud';
    let failure: { message: string; remedies: readonly Remedy[] } | undefined;
    try {
      active = await ui.busy('Asking gcloud for its active account…', (signal) =>
        gcloudActiveAccount(context, gcloudPath, signal),
      );
      if (!active) {
        failure = {
          message: `gcloud was not found at ${gcloudPath}.\nInstall the Google Cloud CLI, or choose its executable (setting tokenExplorer.gcloud.path). You can also add the account now and fix this later.`,
          remedies: missingCliRemedies('gcloud', 'tokenExplorer.gcloud.path'),
        };
      }
    } catch (error) {
      if (isCancel(error)) return undefined;
      failure = { message: errorMessage(error), remedies: remediesFor(error) };
    }
    if (!failure) break;
    const next = await askPastMissing(ports, failure.message, failure.remedies, {
      addAnyway: true,
    });
    if (next === 'addAnyway') return draft;
    if (next !== 'again') return undefined;
  }
  if (!active?.account) {
    const go = await ui.confirm(
      'gcloud has no active account: run "gcloud auth login" before minting. Add the account anyway?',
      'Add Anyway',
    );
    return go ? draft : undefined;
  }
  const mode = await ui.pick(
    [
      {
        label: `$(account) As ${active.account}`,
        description: 'gcloud auth print-identity-token',
        impersonate: false,
      },
      {
        label: '$(person) Impersonating a service account',
        description: '--impersonate-service-account',
        impersonate: true,
      },
    ],
    { title: 'Add account', placeHolder: 'Whose token should gcloud print?' },
  );
  if (!mode) return undefined;
  if (!mode.impersonate) {
    return { ...draft, ...(draft.name ? {} : { name: `gcloud: ${active.account}` }) };
  }
  // gcloud documents --impersonate-service-account as emails only.
  const target = await pickServiceAccount(
    ports,
    'Add account',
    active.project,
    (project, signal) =>
      gcloudListServiceAccounts(context, context.gcloudPath ?? 'gcloud', project, signal),
    false,
  );
  if (!target) return undefined;
  return {
    ...draft,
    settings: { ...draft.settings, impersonateServiceAccount: target, includeEmail: true },
    name: draft.name ?? `gcloud → ${target}`,
  };
};

/** `gcloud auth print-identity-token`, as the user or impersonating a service account. */
export const gcloudDescriptor: ProviderDescriptor<'google-gcloud'> = {
  kind: 'google-gcloud',
  label: gcloudProvider.label,
  icon: 'terminal',
  group: GOOGLE_GROUP,
  audienceOptional: true,
  audienceExpectsUrl: true,
  defaultAudienceIs: "gcloud's OAuth client id (32555940559.apps.googleusercontent.com)",
  pick: {
    label: 'gcloud CLI',
    description: 'gcloud auth print-identity-token',
    detail:
      'Uses the account gcloud is logged in with, optionally impersonating a service account.',
  },
  schema: {
    description: 'gcloud auth print-identity-token',
    settings: {
      account: {
        type: 'string',
        description: 'gcloud account to use (default: the active one).',
      },
      impersonateServiceAccount: {
        type: 'string',
        description: 'Passed as --impersonate-service-account.',
      },
      includeEmail: {
        type: 'boolean',
        default: false,
        description: 'Passed as --include-email.',
      },
      configuration: {
        type: 'string',
        description: 'gcloud named configuration (--configuration).',
      },
    },
  },
  create: () => gcloudProvider,
  wizard: [chooseIdentity],
  async detect({ context, signal }) {
    const gcloudPath = context.gcloudPath ?? 'gcloud';
    const gcloud = await gcloudActiveAccount(context, gcloudPath, signal);
    if (!gcloud) return [];
    if (!gcloud.account) {
      throw new Error(
        'gcloud is installed but no account is logged in: run "gcloud auth login", then detect again.',
      );
    }
    return [
      {
        label: `$(terminal) gcloud: ${gcloud.account}`,
        description: gcloud.project ? `project ${gcloud.project}` : 'no project set',
        detail: 'gcloud auth print-identity-token, as this account or impersonating one.',
        draft: { kind: 'google-gcloud', settings: {} },
      },
    ];
  },
};
