import { errorMessage } from '../../errors';
import type { AccountDraft, WizardPorts, WizardStep } from '../../wizard';
import type { ProviderKind } from '../provider';
import type { ProviderDescriptor } from '../descriptor';
import {
  SERVICE_ACCOUNT_KEY_SECRET,
  importServiceAccountKey,
  serviceAccountKeyProvider,
} from './serviceAccountKey';
import { GOOGLE_GROUP, adcOrigin, detectedAdc } from './wizardSteps';

const KEY_WARNING_SHOWN = 'keyWarningShown';

/** Warns once about downloaded keys, then imports the detected or a chosen key file. */
const importKey: WizardStep = async (draft, ports) => {
  const { ui, context, state } = ports;
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
  for (;;) {
    if (text === undefined) {
      const file = await ui.pickFile({
        title: 'Choose a service-account key (JSON)',
        filters: { 'Service-account key': ['json'] },
      });
      if (!file) return undefined;
      path = file.path;
      text = file.text;
    }
    try {
      const imported = await importServiceAccountKey(text, path ?? 'the key file');
      return {
        ...draft,
        settings: { ...draft.settings, ...imported.settings },
        secrets: { [SERVICE_ACCOUNT_KEY_SECRET]: imported.secret },
        name: draft.name ?? imported.settings.clientEmail,
      };
    } catch (error) {
      const next = await pastBadKey(ports, errorMessage(error), text, path);
      if (next !== 'again') return next;
      text = undefined;
    }
  }
};

/**
 * The Google credential types that are not keys but another kind's credentials file (the types of
 * google-auth-library's `GoogleAuth.fromJSON`): added as that kind, with the file as its
 * `credentialsFile`.
 */
const OTHER_KINDS: Readonly<Record<string, { kind: ProviderKind; label: string }>> = {
  authorized_user: { kind: 'google-user', label: 'your own Google identity' },
  external_account: { kind: 'google-impersonation', label: 'impersonation with these credentials' },
  impersonated_service_account: {
    kind: 'google-impersonation',
    label: 'impersonation with these credentials',
  },
};

/**
 * After a file that is not a usable key: choose another file ('again'), add the file as the kind
 * its credentials are (a draft of that kind), or stop (undefined).
 */
async function pastBadKey(
  { ui }: WizardPorts,
  why: string,
  text: string,
  path: string | undefined,
): Promise<AccountDraft | 'again' | undefined> {
  const type = credentialsType(text);
  const other = type ? OTHER_KINDS[type] : undefined;
  const items = [
    ...(other && path
      ? [{ label: `$(arrow-right) Add it as ${other.label}`, description: type, other }]
      : []),
    { label: '$(file) Choose Another File…', description: 'a service-account key (JSON)' },
  ];
  const picked = await ui.pick(items, {
    title: 'Add Account: the file is not a service-account key',
    placeHolder: why,
  });
  if (!picked) return undefined;
  if ('other' in picked && picked.other && path) {
    return { kind: picked.other.kind, settings: { credentialsFile: path } };
  }
  return 'again';
}

/** The `type` of a JSON credentials text, or undefined when it is not JSON with one. */
function credentialsType(text: string): string | undefined {
  try {
    const type = (JSON.parse(text) as { type?: unknown } | null)?.type;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}

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
