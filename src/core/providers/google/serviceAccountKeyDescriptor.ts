import { errorMessage } from '../../errors';
import type { WizardStep } from '../../wizard';
import type { ProviderDescriptor } from '../descriptor';
import {
  SERVICE_ACCOUNT_KEY_SECRET,
  importServiceAccountKey,
  serviceAccountKeyProvider,
} from './serviceAccountKey';
import { GOOGLE_GROUP, adcOrigin, detectedAdc } from './wizardSteps';

const KEY_WARNING_SHOWN = 'keyWarningShown';

/** Warns once about downloaded keys, then imports the detected or a chosen key file. */
const importKey: WizardStep = async (draft, { ui, context, state }) => {
  if (draft.secrets?.[SERVICE_ACCOUNT_KEY_SECRET]) return draft;
  if (!state.get(KEY_WARNING_SHOWN)) {
    await state.update(KEY_WARNING_SHOWN, true);
    const go = await ui.confirm(
      'Google discourages downloaded service-account keys: they are long-lived secrets. Impersonation (IAM Credentials) mints the same tokens without a key. Import a key anyway? It will be kept in VS Code SecretStorage, not in settings.',
      'Import Key',
    );
    if (!go) return undefined;
  }
  let path = draft.keyFile;
  let text = path ? await context.files.readText(path) : undefined;
  if (text === undefined) {
    const file = await ui.pickFile({
      title: 'Choose a service-account key (JSON)',
      filters: { 'Service-account key': ['json'] },
    });
    if (!file) return undefined;
    path = file.path;
    text = file.text;
  }
  const imported = await importServiceAccountKey(text, path ?? 'the key file').catch(
    (error: unknown) => {
      ui.error(`Token Explorer: ${errorMessage(error)}`);
      return undefined;
    },
  );
  if (!imported) return undefined;
  return {
    ...draft,
    settings: { ...draft.settings, ...imported.settings },
    secrets: { [SERVICE_ACCOUNT_KEY_SECRET]: imported.secret },
    name: draft.name ?? imported.settings.clientEmail,
  };
};

/** A downloaded service-account key, kept in SecretStorage, and the jwt-bearer grant. */
export const serviceAccountKeyDescriptor: ProviderDescriptor<'google-service-account-key'> = {
  kind: 'google-service-account-key',
  label: serviceAccountKeyProvider.label,
  icon: 'key',
  group: GOOGLE_GROUP,
  audienceOptional: false,
  audienceExpectsUrl: true,
  pick: {
    label: 'Service-account key file',
    description: 'A downloaded JSON key, kept in VS Code SecretStorage',
    detail: 'Google discourages downloaded keys; prefer impersonation where you can.',
  },
  schema: {
    description: 'A service-account key file (kept in SecretStorage) and the jwt-bearer grant',
    settings: {
      clientEmail: {
        type: 'string',
        description: "The key's client_email (the key itself is in SecretStorage).",
      },
      privateKeyId: {
        type: 'string',
        description: "The key's private_key_id.",
      },
      projectId: {
        type: 'string',
      },
      tokenUri: {
        type: 'string',
        description: "The key's token_uri (default https://oauth2.googleapis.com/token).",
      },
    },
  },
  create: () => serviceAccountKeyProvider,
  wizard: [importKey],
  async detect(ports) {
    const adc = await detectedAdc(ports);
    if (adc instanceof Error || adc?.credentials?.type !== 'service_account' || !adc.path) {
      return [];
    }
    return [
      {
        label: `$(key) Service-account key ${adc.credentials.clientEmail}`,
        description: adcOrigin(adc),
        detail: `Import ${adc.path} into SecretStorage and mint with the jwt-bearer grant.`,
        draft: {
          kind: 'google-service-account-key',
          settings: {},
          name: adc.credentials.clientEmail,
          keyFile: adc.path,
        },
      },
    ];
  },
};
