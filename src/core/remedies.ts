import { type ErrorCode, TokenExplorerError } from './errors';

/**
 * What gets a user past a failure: each error may carry the few actions that fix it, and the VS
 * Code adapter (src/extension/remedies.ts) turns them into buttons and runs them. A remedy is
 * offered only where it can fix the failure; "Show Log" is added by the adapter to every error.
 */
export type Remedy =
  /** Choose the executable with a file dialog and store it in `setting` (machine-scoped). */
  | { readonly kind: 'pickExecutable'; readonly tool: string; readonly setting: string }
  /** Open the Settings editor on one setting, in the scope the current window reads it from. */
  | { readonly kind: 'openSetting'; readonly key: string }
  /** Choose the service-account key file again and store it in the secret storage. */
  | { readonly kind: 'reimportKey' }
  /** Choose a kubeconfig file with a file dialog and store it in the account's settings. */
  | { readonly kind: 'pickKubeconfig' }
  /** Open a file the failure names (a kubeconfig, a credentials file) in an editor. */
  | { readonly kind: 'openFile'; readonly path: string }
  /** Replace the account by one that mints another way (the Add Account wizard, same name). */
  | { readonly kind: 'switchMethod' }
  /** Set one of the account's own settings, e.g. the Kubernetes method, and mint again. */
  | {
      readonly kind: 'setAccountSetting';
      readonly key: string;
      readonly value: string;
      readonly label: string;
    }
  /** Open the account's entry in settings.json (its settings are what is wrong). */
  | { readonly kind: 'editAccountSettings' }
  /** Try the same thing again (the failure may be passing: network, a busy server). */
  | { readonly kind: 'retry' }
  /** Wizards only: save the account as it is and fix the missing piece later. */
  | { readonly kind: 'addAnyway' }
  /** Copy a command the user runs (never run by us), e.g. the grant of a missing role. */
  | { readonly kind: 'copyCommand'; readonly command: string; readonly label: string }
  /** Copy a snippet the user pastes into a file of theirs, e.g. a workflow's `permissions:`. */
  | {
      readonly kind: 'copyText';
      readonly text: string;
      readonly label: string;
      /** Where it goes, for the confirmation: "your workflow file". */
      readonly pasteInto: string;
    }
  /** Open a documentation page, e.g. how to install a missing CLI. */
  | { readonly kind: 'openUrl'; readonly url: string; readonly label: string };

export type RemedyKind = Remedy['kind'];

/** Where each CLI's install instructions are (the vendors' own pages). */
export const INSTALL_PAGES = {
  gcloud: 'https://cloud.google.com/sdk/docs/install',
  yc: 'https://yandex.cloud/en/docs/cli/quickstart',
  kubectl: 'https://kubernetes.io/docs/tasks/tools/',
  'buildkite-agent': 'https://buildkite.com/docs/agent/v3/installation',
  circleci: 'https://circleci.com/docs/local-cli/',
  az: 'https://learn.microsoft.com/cli/azure/install-azure-cli',
  aws: 'https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html',
} as const;

/**
 * The remedies of a missing CLI named by a machine-scoped setting: pick it with a file dialog,
 * open the setting, or install it (the vendor's page).
 */
export function missingCliRemedies(tool: keyof typeof INSTALL_PAGES, setting: string): Remedy[] {
  return [
    { kind: 'pickExecutable', tool, setting },
    { kind: 'openSetting', key: setting },
    { kind: 'openUrl', url: INSTALL_PAGES[tool], label: 'Install Guide' },
  ];
}

/** Opening a file the failure names, when it names one by an absolute path (not a label). */
export function openFileRemedies(path: string | undefined): Remedy[] {
  return path && /^(?:\/|[A-Za-z]:[\\/]|\\\\)/.test(path) ? [{ kind: 'openFile', path }] : [];
}

/**
 * `error` with `remedies` attached: the same code and message (the original as cause). Returned
 * unchanged when it is not a TokenExplorerError (a bug, not a user's failure) or, with `codes`,
 * when its code is not one of them.
 */
export function withRemedies(
  error: unknown,
  remedies: readonly Remedy[],
  codes?: readonly ErrorCode[],
): unknown {
  if (!(error instanceof TokenExplorerError)) return error;
  if (codes && !codes.includes(error.code)) return error;
  return new TokenExplorerError(error.code, error.message, { cause: error, remedies });
}

/** Error codes whose failures may pass on their own, so trying again can fix them. */
const PASSING = new Set<string>(['network', 'timeout']);

/**
 * The remedies for `error`: those the failing code attached (on the error or the nearest error
 * of its cause chain that has any), else "retry" for passing failures (network, timeout, HTTP 5xx
 * told as `http-status` with "try again"), else none. `cancelled` has none: the user chose it.
 */
export function remediesFor(error: unknown): readonly Remedy[] {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (current instanceof TokenExplorerError && current.remedies.length > 0) {
      return current.remedies;
    }
    current = current.cause;
  }
  if (!(error instanceof TokenExplorerError)) return [];
  if (PASSING.has(error.code)) return [{ kind: 'retry' }];
  if (error.code === 'http-status' && /\btry again\b/i.test(error.message)) {
    return [{ kind: 'retry' }];
  }
  return [];
}

/** The button text of a remedy, as VS Code shows it (title case, an ellipsis when it asks more). */
export function remedyLabel(remedy: Remedy): string {
  switch (remedy.kind) {
    case 'pickExecutable':
      return `Pick ${remedy.tool}…`;
    case 'openSetting':
      return 'Open Setting';
    case 'reimportKey':
      return 'Re-import Key…';
    case 'pickKubeconfig':
      return 'Pick Kubeconfig…';
    case 'openFile':
      return `Open ${remedy.path.split(/[\\/]/).pop() ?? remedy.path}`;
    case 'switchMethod':
      return 'Use Another Method…';
    case 'setAccountSetting':
      return remedy.label;
    case 'editAccountSettings':
      return 'Open Account Settings';
    case 'retry':
      return 'Retry';
    case 'addAnyway':
      return 'Add Anyway';
    case 'copyCommand':
    case 'copyText':
      return remedy.label;
    case 'openUrl':
      return remedy.label;
  }
}

/** What the place showing an error can do; remedies that need more are left out there. */
export interface RemedyPlace {
  /** The account the failure is about, when there is one; `keyFile`: it keeps an imported key. */
  readonly account?: { readonly keyFile: boolean };
  /** Whether the failed action can be run again from here. */
  readonly canRetry: boolean;
  /** Inside a wizard: "Add Anyway" saves the draft. */
  readonly inWizard: boolean;
}

/** Notifications show their buttons in one row: a few remedies, then "Show Log". */
export const MAX_REMEDY_BUTTONS = 3;
/** A wizard's modal question stacks its buttons: room for one more (Add Anyway). */
export const MAX_WIZARD_BUTTONS = 4;

/**
 * The remedies of a failure that can work where it is shown, in order, without duplicates (by
 * button text), at most MAX_REMEDY_BUTTONS. Account remedies need an account ("Re-import Key…" a
 * service-account-key one), "Retry" a way to retry, "Add Anyway" a wizard (whose modal
 * question has room for MAX_WIZARD_BUTTONS).
 */
export function applicableRemedies(
  remedies: readonly Remedy[],
  place: RemedyPlace,
): readonly Remedy[] {
  const usable = (remedy: Remedy): boolean => {
    switch (remedy.kind) {
      case 'reimportKey':
        return place.account?.keyFile === true;
      case 'pickKubeconfig':
        // A wizard keeps the picked file in the draft; elsewhere it goes to the account.
        return place.account !== undefined || place.inWizard;
      case 'switchMethod':
      case 'setAccountSetting':
      case 'editAccountSettings':
        return place.account !== undefined;
      case 'retry':
        return place.canRetry;
      case 'addAnyway':
        return place.inWizard;
      default:
        return true;
    }
  };
  const seen = new Set<string>();
  const kept: Remedy[] = [];
  for (const remedy of remedies) {
    const label = remedyLabel(remedy);
    if (!usable(remedy) || seen.has(label)) continue;
    seen.add(label);
    kept.push(remedy);
  }
  return kept.slice(0, place.inWizard ? MAX_WIZARD_BUTTONS : MAX_REMEDY_BUTTONS);
}
