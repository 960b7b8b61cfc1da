import { errorMessage } from '../../errors';
import { yandexIdProblem } from '../../inputRules';
import { attempt, type WizardStep } from '../../wizard';
import type { ProviderDescriptor } from '../descriptor';
import { type YcServiceAccount, ycListServiceAccounts, ycProfiles, yandexCliProvider } from './yc';

/** Picks the yc profile (when there are several), then a service account listed by yc. */
const chooseServiceAccount: WizardStep = async (draft, { ui, context }) => {
  if (draft.settings.serviceAccountId) return draft;
  const ycPath = context.ycPath ?? 'yc';
  const profiles = await attempt(ui, 'Asking yc for its profiles…', () =>
    ycProfiles(context, ycPath),
  );
  if (profiles === undefined) {
    ui.error(
      `yc was not found (${ycPath}). Install the Yandex Cloud CLI or set "tokenExplorer.yc.path" in your user settings.`,
    );
    return undefined;
  }
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
    listed = await ui.busy('Listing service accounts with yc…', () =>
      ycListServiceAccounts(context, ycPath, profile ? { profile } : {}),
    );
  } catch (error) {
    context.logger.warn(`yc service-account list failed: ${errorMessage(error)}`);
    ui.warn(`Listing service accounts failed: ${errorMessage(error)}`);
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
  const id =
    picked.id ||
    (
      await ui.input({
        title: 'Service account id',
        placeHolder: 'aje0123456789abcdefg',
        validate: yandexIdProblem,
      })
    )?.trim();
  if (!id) return undefined;
  return {
    ...draft,
    settings: { ...draft.settings, serviceAccountId: id, ...(profile ? { profile } : {}) },
    name: draft.name ?? (picked.id ? picked.label : id),
  };
};

/** `yc iam create-id-token` for a Yandex Cloud service account. */
export const yandexCliDescriptor: ProviderDescriptor<'yandex-cli'> = {
  kind: 'yandex-cli',
  label: yandexCliProvider.label,
  icon: 'terminal',
  group: { id: 'yandex', label: 'Yandex Cloud' },
  audienceOptional: true,
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
