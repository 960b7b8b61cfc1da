import { errorMessage } from '../../errors';
import { attempt, isCancel, type WizardStep } from '../../wizard';
import type { ProviderDescriptor } from '../descriptor';
import { findAdc } from './adc';
import { gcloudListServiceAccounts } from './gcloud';
import { impersonationProvider } from './impersonation';
import { listServiceAccounts } from './serviceAccounts';
import { GOOGLE_GROUP, adcOrigin, detectedAdc, pickServiceAccount } from './wizardSteps';

/** Checks for ADC, then lets the user pick the service account to impersonate. */
const chooseTarget: WizardStep = async (draft, ports) => {
  const { ui, context } = ports;
  if (draft.settings.targetServiceAccount) return draft;
  const adc = await attempt(ui, 'Looking for Application Default Credentials…', () =>
    findAdc(context, { probeMetadata: true }),
  );
  if (!adc) {
    // Nothing to list service accounts with: ask for the email straight away.
    const go = await ui.confirm(
      'No Application Default Credentials were found, so service accounts cannot be listed: you will type the email. Run "gcloud auth application-default login" (or set GOOGLE_APPLICATION_CREDENTIALS) before minting. Continue adding the account?',
      'Continue',
    );
    if (!go) return undefined;
    context.logger.info('Add Account: no ADC, listing of service accounts skipped');
  }
  const quotaProject =
    adc?.credentials && 'quotaProjectId' in adc.credentials
      ? (adc.credentials as { quotaProjectId?: string }).quotaProjectId
      : undefined;
  // The IAM REST list with the ADC token first; gcloud's listing when that fails.
  const list = async (project: string, signal: AbortSignal) => {
    try {
      return await listServiceAccounts(context, project, { signal });
    } catch (error) {
      if (isCancel(error)) throw error;
      context.logger.warn(`IAM listing failed, trying gcloud: ${errorMessage(error)}`);
      const gcloud = context.gcloudPath ?? 'gcloud';
      return gcloudListServiceAccounts(context, gcloud, project, signal).catch(() => {
        throw error;
      });
    }
  };
  const target = await pickServiceAccount(
    ports,
    'Add account',
    quotaProject,
    adc ? list : undefined,
  );
  if (!target) return undefined;
  return {
    ...draft,
    settings: { ...draft.settings, targetServiceAccount: target },
    name: draft.name ?? target,
  };
};

/** IAM Credentials generateIdToken for a service account, authorized by the user's ADC. */
export const impersonationDescriptor: ProviderDescriptor<'google-impersonation'> = {
  kind: 'google-impersonation',
  label: impersonationProvider.label,
  icon: 'person',
  group: GOOGLE_GROUP,
  audienceOptional: false,
  audienceExpectsUrl: true,
  pick: {
    label: 'Impersonate a service account',
    description: 'IAM Credentials generateIdToken with your Application Default Credentials',
    detail:
      'Recommended on a workstation: no keys; needs roles/iam.serviceAccountOpenIdTokenCreator.',
  },
  schema: {
    description:
      'Impersonate a service account with IAM Credentials generateIdToken, using Application Default Credentials',
    settings: {
      targetServiceAccount: {
        type: 'string',
        description: 'Email or unique id of the service account to impersonate.',
      },
      delegates: {
        type: 'array',
        items: {
          type: 'string',
        },
        description: 'Delegation chain: service-account emails, in order.',
      },
      includeEmail: {
        type: 'boolean',
        default: true,
        description: 'Include the email and email_verified claims.',
      },
      credentialsFile: {
        type: 'string',
        description:
          'Application Default Credentials file to use instead of the standard search order.',
      },
      iamCredentialsEndpoint: {
        type: 'string',
        description:
          'IAM Credentials API base URL (default https://iamcredentials.googleapis.com).',
      },
    },
  },
  create: () => impersonationProvider,
  wizard: [chooseTarget],
  async detect(ports) {
    const adc = await detectedAdc(ports);
    // Broken ADC is nothing to add: it is reported (once, here) with what is wrong.
    if (adc instanceof Error) {
      throw new Error(`Application Default Credentials are broken: ${errorMessage(adc)}`);
    }
    if (!adc?.credentials) return [];
    return [
      {
        label: '$(person) Impersonate a service account with your ADC',
        description: `${adcOrigin(adc)} (${adc.credentials.type})`,
        detail: 'IAM Credentials generateIdToken; pick the service account next.',
        draft: { kind: 'google-impersonation', settings: {} },
      },
    ];
  },
};
