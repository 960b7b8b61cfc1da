import type { ProviderDescriptor } from '../descriptor';
import { googleServiceAccountProblem } from '../../inputRules';
import { attempt, type WizardStep } from '../../wizard';
import { metadataProvider } from './metadata';
import { probeMetadataServer } from './metadataProbe';
import { GOOGLE_GROUP } from './wizardSteps';

/** Asks which attached service account, after checking that a metadata server answers. */
const chooseServiceAccount: WizardStep = async (draft, { ui, context }) => {
  if (draft.settings.serviceAccount) return draft;
  const probe = await attempt(ui, 'Looking for a metadata server…', (signal) =>
    probeMetadataServer(context, undefined, signal),
  );
  if (probe && !probe.available) {
    const go = await ui.confirm(
      `No metadata server answered (${probe.reason ?? 'no answer'}). It exists only on Google Cloud (GCE, Cloud Run, GKE, Cloud Shell, Workstations). Add the account anyway?`,
      'Add Anyway',
    );
    if (!go) {
      context.logger.info('Add Account stopped: no metadata server answered');
      return undefined;
    }
  }
  // Known unreachable in this run: a test mint would only wait the full timeout to learn it again.
  const unreachable =
    probe && !probe.available
      ? { skipTestMint: `no metadata server answered (${probe.reason ?? 'no answer'})` }
      : {};
  const serviceAccount = await ui.input({
    title: 'Add account',
    prompt: 'Service account of the machine: "default" or its email',
    value: 'default',
    ...(probe?.email ? { placeHolder: `default (${probe.email})` } : {}),
    validate: (v) =>
      v.trim() === '' ? undefined : googleServiceAccountProblem(v, { defaultAlias: true }),
  });
  if (serviceAccount === undefined) return undefined;
  return {
    ...draft,
    settings: { ...draft.settings, serviceAccount: serviceAccount.trim() || 'default' },
    ...(probe?.email && !draft.name ? { name: probe.email } : {}),
    ...unreachable,
  };
};

/** The metadata server of the machine VS Code runs on (GCE, Cloud Run, GKE, Cloud Shell, …). */
export const metadataDescriptor: ProviderDescriptor<'google-metadata'> = {
  kind: 'google-metadata',
  label: metadataProvider.label,
  icon: 'server-environment',
  group: GOOGLE_GROUP,
  audienceOptional: false,
  audienceExpectsUrl: true,
  pick: {
    label: 'Metadata server',
    description: 'GCE, Cloud Run, GKE, Cloud Workstations, Cloud Shell',
    detail: 'The attached service account of the machine VS Code runs on.',
  },
  schema: {
    description: 'GCE / Cloud Run / GKE metadata server',
    settings: {
      serviceAccount: {
        type: 'string',
        default: 'default',
        description: 'The attached service account: "default" or its email.',
      },
      format: {
        type: 'string',
        enum: ['full', 'standard'],
        default: 'full',
        description: '"full" adds google.compute_engine claims (project, zone, instance).',
      },
      licenses: {
        type: 'boolean',
        default: false,
        description: 'Include license codes in a full token.',
      },
      endpoint: {
        type: 'string',
        description:
          'Metadata server base URL (default: GCE_METADATA_HOST / GCE_METADATA_IP, else 169.254.169.254).',
      },
    },
  },
  create: () => metadataProvider,
  wizard: [chooseServiceAccount],
  async detect({ context, shared }) {
    const metadata = await shared('metadata', () => probeMetadataServer(context));
    if (!metadata.available) return [];
    return [
      {
        label: `$(server-environment) Metadata server: ${metadata.email ?? 'default service account'}`,
        description: metadata.project ?? '',
        draft: {
          kind: 'google-metadata',
          settings: { serviceAccount: 'default' },
          ...(metadata.email ? { name: metadata.email } : {}),
        },
      },
    ];
  },
};
