import { errorMessage, asClause } from '../../errors';
import { googleServiceAccountProblem, projectIdProblem } from '../../inputRules';
import { type DetectPorts, type WizardPorts, isCancel } from '../../wizard';
import { findAdc } from './adc';
import type { AdcLocation } from './credentials';

/** The tree group of every Google Cloud kind. */
export const GOOGLE_GROUP = { id: 'google', label: 'Google Cloud' } as const;

/** A service account as a listing returns it. */
export interface ListedAccount {
  readonly email: string;
  readonly displayName?: string;
  readonly disabled?: boolean;
}

/**
 * Lets the user pick a service account from a project's listing, or type one (an email, or a
 * numeric unique id when `uniqueId`); undefined when cancelled. A failed listing is logged and the
 * user types.
 */
export async function pickServiceAccount(
  ports: WizardPorts,
  title: string,
  project: string | undefined,
  lister: ((project: string, signal: AbortSignal) => Promise<readonly ListedAccount[]>) | undefined,
  uniqueId = true,
): Promise<string | undefined> {
  const { ui } = ports;
  let listed: readonly ListedAccount[] = [];
  let why = '';
  const projectId =
    project ??
    (lister
      ? await ui.input({
          title,
          prompt: 'Project to list service accounts from (leave empty to type an email instead)',
          placeHolder: 'my-project-123456',
          validate: (v) => projectIdProblem(v, true),
        })
      : undefined);
  if (lister && projectId) {
    try {
      listed = await ui.busy(`Listing service accounts of ${projectId}…`, (signal) =>
        lister(projectId, signal),
      );
    } catch (error) {
      why = isCancel(error) ? 'cancelled' : errorMessage(error);
      if (isCancel(error)) {
        ports.context.logger.info(
          `Listing service accounts of ${projectId}: cancelled by the user`,
        );
      } else {
        ports.context.logger.warn(`Listing service accounts of ${projectId} failed: ${why}`);
      }
    }
  }
  if (listed.length === 0) {
    const typed = await ui.input({
      title,
      prompt: why
        ? `Listing failed: ${asClause(why)}. Type the service account's email.`
        : "The service account's email",
      placeHolder: 'invoker@my-project.iam.gserviceaccount.com',
      validate: (v) => googleServiceAccountProblem(v, { uniqueId }),
    });
    return typed?.trim();
  }
  const typeAnother = '$(edit) Type another email…';
  const picked = await ui.pick(
    [
      ...listed.map((sa) => ({
        label: sa.email,
        description: [sa.displayName, sa.disabled ? 'disabled' : undefined]
          .filter(Boolean)
          .join(' · '),
      })),
      { label: typeAnother },
    ],
    { title, placeHolder: `Service accounts of ${projectId}`, matchOnDescription: true },
  );
  if (!picked) return undefined;
  return picked.label === typeAnother
    ? pickServiceAccount(ports, title, projectId, undefined, uniqueId)
    : picked.label;
}

/** Application Default Credentials as Detect Credentials sees them: found, absent or broken. */
export function detectedAdc(ports: DetectPorts): Promise<AdcLocation | Error | undefined> {
  return ports.shared('google-adc', () =>
    findAdc(ports.context).catch((error: unknown) =>
      error instanceof Error ? error : new Error(String(error)),
    ),
  );
}

/** Where detected ADC came from, as the candidates describe it. */
export function adcOrigin(adc: AdcLocation): string {
  return adc.source === 'env' ? 'GOOGLE_APPLICATION_CREDENTIALS' : 'gcloud ADC file';
}
