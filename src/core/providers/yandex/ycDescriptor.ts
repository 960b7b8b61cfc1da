import { errorMessage } from '../../errors';
import { yandexIdProblem } from '../../inputRules';
import { type Remedy, missingCliRemedies, remediesFor } from '../../remedies';
import { type WizardPorts, type WizardStep, askPastMissing, isCancel } from '../../wizard';
import type { AccountDraft } from '../../wizard';
import type { ProviderDescriptor } from '../descriptor';
import { type YcServiceAccount, ycListServiceAccounts, ycProfiles, yandexCliProvider } from './yc';

/** Picks the yc profile (when there are several), then a service account listed by yc. */
const chooseServiceAccount: WizardStep = async (draft, ports) => {
  const { ui, context } = ports;
  if (draft.settings.serviceAccountId) return draft;
  let profiles: { name: string; active: boolean }[] | undefined;
  // Without yc: pick it, or add the account anyway (typing the id) and install yc later.
  for (let found = false; !found;) {
    const ycPath = context.ycPath ?? 'yc';
    let failure: { message: string; remedies: readonly Remedy[] } | undefined;
    try {
      profiles = await ui.busy('Asking yc for its profiles…', (signal) =>
        ycProfiles(context, ycPath, signal),
      );
      if (profiles === undefined) {
        failure = {
          message: `yc was not found at ${ycPath}.\nInstall the Yandex Cloud CLI, or choose its executable (setting tokenExplorer.yc.path). You can also add the account now, typing the service account id, and install yc later.`,
          remedies: missingCliRemedies('yc', 'tokenExplorer.yc.path'),
        };
      }
    } catch (error) {
      if (isCancel(error)) return undefined;
      failure = { message: errorMessage(error), remedies: remediesFor(error) };
    }
    found = failure === undefined;
    if (failure) {
      const next = await askPastMissing(ports, failure.message, failure.remedies, {
        addAnyway: true,
      });
      if (next === 'addAnyway') return typeServiceAccountId(draft, ports, undefined, '');
      if (next !== 'again') return undefined;
    }
  }
  if (!profiles) return undefined;
  const ycPath = context.ycPath ?? 'yc';
  const chosen = typeof draft.settings.profile === 'string' ? draft.settings.profile : undefined;
  let profile = chosen ?? profiles.find((p) => p.active)?.name;
  if (!chosen && profiles.length > 1) {
    const picked = await ui.pick(
      profiles.map((p) => ({ label: p.name, description: p.active ? 'active' : '' })),
      { title: 'Yandex Cloud: yc profile' },
    );
    if (!picked) return undefined;
    profile = picked.label;
  }
  let listed: YcServiceAccount[] = [];
  try {
    listed = await ui.busy('Listing service accounts with yc…', (signal) =>
      ycListServiceAccounts(context, ycPath, profile ? { profile } : {}, signal),
    );
  } catch (error) {
    if (isCancel(error)) return typeServiceAccountId(draft, ports, profile, 'Listing cancelled.');
    // The reason goes in the question that follows, not in a toast beside the wizard.
    const why = errorMessage(error).replace(/\s+/g, ' ').trim().replace(/\.$/, '');
    context.logger.warn(`yc service-account list failed: ${why}`);
    return typeServiceAccountId(
      draft,
      ports,
      profile,
      `yc could not list the service accounts (${why}). Type the id instead.`,
    );
  }
  const typed = '$(edit) Type a service account id…';
  const picked = await ui.pick(
    [
      ...listed.map((sa) => ({
        label: sa.name,
        description: sa.id,
        ...(sa.description !== undefined ? { detail: sa.description } : {}),
        id: sa.id,
      })),
      { label: typed, id: '' },
    ],
    { title: 'Yandex Cloud: service account', matchOnDescription: true },
  );
  if (!picked) return undefined;
  if (!picked.id) return typeServiceAccountId(draft, ports, profile, '');
  return withServiceAccount(draft, picked.id, profile, picked.label);
};

function withServiceAccount(
  draft: AccountDraft,
  id: string,
  profile: string | undefined,
  name: string,
): AccountDraft {
  return {
    ...draft,
    settings: { ...draft.settings, serviceAccountId: id, ...(profile ? { profile } : {}) },
    name: draft.name ?? name,
  };
}

/** Asks for the service account id (when there is no listing, or the user types another). */
async function typeServiceAccountId(
  draft: AccountDraft,
  { ui }: WizardPorts,
  profile: string | undefined,
  prompt: string,
): Promise<AccountDraft | undefined> {
  const id = (
    await ui.input({
      title: 'Service account id',
      ...(prompt ? { prompt } : {}),
      placeHolder: 'aje0123456789abcdefg',
      validate: yandexIdProblem,
    })
  )?.trim();
  return id ? withServiceAccount(draft, id, profile, id) : undefined;
}

/** `yc iam create-id-token` for a Yandex Cloud service account. */
export const yandexCliDescriptor: ProviderDescriptor<'yandex-cli'> = {
  kind: 'yandex-cli',
  label: yandexCliProvider.label,
  icon: 'terminal',
  group: { id: 'yandex', label: 'Yandex Cloud' },
  audienceOptional: true,
  defaultAudienceIs: "the service account's id",
  pick: {
    label: 'Yandex Cloud service account',
    description: 'yc iam create-id-token',
    detail: 'Pick a service account listed by yc; the audience defaults to its id.',
  },
  schema: {
    description: 'Yandex Cloud: yc iam create-id-token',
    settings: {
      serviceAccountId: {
        type: 'string',
        description:
          'The service account id (e.g. aje…), as listed by yc iam service-account list.',
      },
      profile: {
        type: 'string',
        description: 'yc profile (--profile).',
      },
      folderId: {
        type: 'string',
        description: 'Folder id (--folder-id).',
      },
    },
  },
  create: () => yandexCliProvider,
  wizard: [chooseServiceAccount],
  /** One candidate per yc profile (`yc config profile list`); none when yc is not installed. */
  async detect({ context, signal }) {
    const profiles = await ycProfiles(context, context.ycPath ?? 'yc', signal);
    return (profiles ?? []).map((p) => ({
      label: `$(terminal) yc profile ${p.name}`,
      description: p.active ? 'active' : '',
      detail: 'yc iam create-id-token; pick the service account next.',
      draft: { kind: 'yandex-cli', settings: { profile: p.name } },
    }));
  },
};
