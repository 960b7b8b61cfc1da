import { TokenExplorerError, errorMessage } from './errors';
import { type Remedy, applicableRemedies, remedyLabel } from './remedies';
import type { ProviderContext, ProviderKind } from './providers/provider';

/** A partly filled account, as detection or the earlier wizard steps leave it. */
export interface AccountDraft {
  readonly kind: ProviderKind;
  readonly settings: Record<string, unknown>;
  readonly name?: string;
  readonly defaultAudience?: string;
  /** Secrets to store with the account (e.g. a key's JSON), by secret name. */
  readonly secrets?: Record<string, string>;
  /** A key file found by detection, imported without asking for a file. */
  readonly keyFile?: string;
  /**
   * Why Add Account must not test-mint this draft (e.g. its server is known unreachable in this
   * run, which a test mint would wait the full timeout to learn again).
   */
  readonly skipTestMint?: string;
}

/** One row of a pick list; `label` may carry `$(codicon)` markup. */
export interface PickItem {
  readonly label: string;
  readonly description?: string;
  readonly detail?: string;
}

export interface PickOptions {
  readonly title: string;
  readonly placeHolder?: string;
  readonly matchOnDescription?: boolean;
  readonly matchOnDetail?: boolean;
}

export interface InputOptions {
  readonly title: string;
  readonly prompt?: string;
  readonly placeHolder?: string;
  readonly value?: string;
  /**
   * Why the service would refuse the typed text (shown in the input box, which refuses it), or
   * undefined when it is acceptable; a promise when checking needs the disk.
   */
  readonly validate?: (value: string) => string | undefined | Promise<string | undefined>;
  /** A warning about the typed text that does not refuse it (shown when `validate` passes). */
  readonly warn?: (value: string) => string | undefined;
}

/**
 * What the wizard's steps may ask of the user. The VS Code adapter shows quick picks, input
 * boxes, notifications and an open dialog; every answer is undefined (or false) on cancel.
 */
export interface WizardUi {
  pick<T extends PickItem>(items: readonly T[], options: PickOptions): Promise<T | undefined>;
  input(options: InputOptions): Promise<string | undefined>;
  /**
   * A modal question with one action button; true when the user pressed it. Modal, like every
   * wizard question: Escape cancels, and nothing is left in the notification centre to answer
   * minutes later.
   */
  confirm(message: string, action: string): Promise<boolean>;
  /**
   * A modal question after a failure, the remedies as buttons (./remedies): the one the user
   * chose, after running those the adapter runs itself (picking an executable stores it in its
   * setting; a page or setting is opened; a command copied); undefined on Escape or when the
   * chosen action was cancelled.
   */
  recover(message: string, remedies: readonly Remedy[]): Promise<Remedy | undefined>;
  /** A file the user chose and its text; undefined when cancelled. */
  pickFile(options: {
    readonly title: string;
    readonly filters: Readonly<Record<string, readonly string[]>>;
  }): Promise<{ readonly path: string; readonly text: string } | undefined>;
  /**
   * Runs `task` under a cancellable progress notification titled `title`; its errors propagate.
   * Cancel aborts the signal given to `task` and rejects with TokenExplorerError `cancelled`.
   */
  busy<T>(title: string, task: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Shows an error notification (not awaited). */
  error(message: string): void;
}

/** A small key-value store that survives restarts (VS Code's globalState). */
export interface WizardState {
  get(key: string): boolean | undefined;
  update(key: string, value: boolean): Promise<void>;
}

/** Everything a wizard step or a credential detector may use. */
export interface WizardPorts {
  readonly ui: WizardUi;
  readonly context: ProviderContext;
  readonly state: WizardState;
  /** Names of the process's environment variables (to find ID tokens in them). */
  readonly environmentNames: () => readonly string[];
  /**
   * Told by askPastMissing when the user chose "Add Anyway" (why: the failure's first line);
   * runWizardSteps then saves the draft without a test mint, which would fail the same way.
   */
  readonly addedAnyway?: (reason: string) => void;
}

/**
 * One kind-specific step of the Add Account wizard: returns the draft with more filled in, or
 * undefined when the user cancelled (anything the user must know has been shown already).
 */
export type WizardStep = (
  draft: AccountDraft,
  ports: WizardPorts,
) => Promise<AccountDraft | undefined>;

/**
 * Runs a kind's steps in order; undefined as soon as one is cancelled. When the user chose "Add
 * Anyway" past a missing piece in any step, the draft comes back with `skipTestMint` saying so:
 * the user already knows the account cannot mint yet, and must not be asked a second time.
 */
export async function runWizardSteps(
  steps: readonly WizardStep[],
  draft: AccountDraft,
  ports: WizardPorts,
): Promise<AccountDraft | undefined> {
  let anyway: string | undefined;
  const addedAnyway = (reason: string) => {
    anyway ??= reason;
    ports.addedAnyway?.(reason);
  };
  const addAnywayLabel = remedyLabel({ kind: 'addAnyway' });
  const tracked: WizardPorts = {
    ...ports,
    // Steps that ask "Add the account anyway?" as a confirm (a CI job's variables are not set,
    // gcloud has no active account) are an Add Anyway too.
    ui: {
      ...delegate(ports.ui),
      async confirm(message, action) {
        const yes = await ports.ui.confirm(message, action);
        if (yes && action === addAnywayLabel) addedAnyway(message.split('\n')[0] ?? message);
        return yes;
      },
    },
    addedAnyway,
  };
  let current: AccountDraft | undefined = draft;
  for (const step of steps) {
    current = await step(current, tracked);
    if (!current) return undefined;
  }
  if (anyway === undefined || current.skipTestMint !== undefined) return current;
  return { ...current, skipTestMint: `added anyway after: ${anyway}` };
}

/** `ui`'s methods as a plain object (a class instance's methods do not survive a spread). */
function delegate(ui: WizardUi): WizardUi {
  return {
    pick: (items, options) => ui.pick(items, options),
    input: (options) => ui.input(options),
    confirm: (message, action) => ui.confirm(message, action),
    recover: (message, remedies) => ui.recover(message, remedies),
    pickFile: (options) => ui.pickFile(options),
    busy: (title, task) => ui.busy(title, task),
    error: (message) => ui.error(message),
  };
}

/**
 * The wizard's questions with every cancel logged where it happens ("… cancelled by the user"),
 * so that the log line "ended before saving" always follows its reason. `log` gets one line.
 */
export function logCancels(ui: WizardUi, log: (line: string) => void): WizardUi {
  const cancelled = (title: string) => log(`Add Account: "${title}" cancelled by the user`);
  return {
    ...delegate(ui),
    async pick(items, options) {
      const picked = await ui.pick(items, options);
      if (picked === undefined) cancelled(options.title);
      return picked;
    },
    async input(options) {
      const typed = await ui.input(options);
      if (typed === undefined) cancelled(options.title);
      return typed;
    },
    async confirm(message, action) {
      const yes = await ui.confirm(message, action);
      if (!yes) log(`Add Account: "${action}" not chosen after: ${message.split('\n')[0] ?? ''}`);
      return yes;
    },
    async pickFile(options) {
      const file = await ui.pickFile(options);
      if (file === undefined) cancelled(options.title);
      return file;
    },
    async busy(title, task) {
      try {
        return await ui.busy(title, task);
      } catch (error) {
        if (isCancel(error)) cancelled(title);
        throw error;
      }
    },
  };
}

/** Runs `task` under a progress notification; undefined when it failed (the error is shown). */
export async function attempt<T>(
  ui: WizardUi,
  title: string,
  task: (signal: AbortSignal) => Promise<T>,
): Promise<T | undefined> {
  try {
    return await ui.busy(title, task);
  } catch (error) {
    if (!isCancel(error)) ui.error(`Token Explorer: ${errorMessage(error)}`);
    return undefined;
  }
}

/** A credential that Detect Credentials found, offered as a pre-filled account. */
export interface DetectedCredential extends PickItem {
  readonly draft: AccountDraft;
}

/** What a detector may use: the provider ports and lookups shared by one detection run. */
export interface DetectPorts {
  readonly context: ProviderContext;
  /** Names of the process's environment variables (to find ID tokens in them). */
  readonly environmentNames: () => readonly string[];
  /** Aborted when the detector's time is up; pass it to processes and requests. */
  readonly signal: AbortSignal;
  /** The result of `compute`, run once per detection run and key, shared by all detectors. */
  shared<T>(key: string, compute: () => Promise<T>): Promise<T>;
}

/** One token source's detector, named for the report. */
export interface Detector {
  /** The source's label, e.g. "Kubernetes (TokenRequest)". */
  readonly label: string;
  detect(ports: DetectPorts): Promise<readonly DetectedCredential[]>;
}

/** What one Detect Credentials run found, and the detectors that failed or ran out of time. */
export interface DetectionReport {
  readonly found: readonly DetectedCredential[];
  /** One line per failed detector: its label and why (never a secret: errors are the user's). */
  readonly problems: readonly string[];
}

/**
 * Runs every detector at once, each bounded by `timeoutMs` (its signal is then aborted and its
 * late answer ignored), with lookups shared between them. A detector that throws or times out
 * is reported in `problems` and hides nothing the others found; `found` keeps registry order.
 */
export async function detectCredentials(
  detectors: readonly Detector[],
  context: ProviderContext,
  options: { readonly timeoutMs: number; readonly environmentNames: () => readonly string[] },
): Promise<DetectionReport> {
  const memo = new Map<string, Promise<unknown>>();
  const shared = <T>(key: string, compute: () => Promise<T>): Promise<T> => {
    let value = memo.get(key) as Promise<T> | undefined;
    if (!value) {
      value = compute();
      memo.set(key, value);
    }
    return value;
  };
  const runs = detectors.map(async (detector) => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`no answer within ${options.timeoutMs / 1000} s`));
      }, options.timeoutMs);
    });
    try {
      const ports: DetectPorts = {
        context,
        environmentNames: options.environmentNames,
        signal: controller.signal,
        shared,
      };
      return { found: await Promise.race([detector.detect(ports), timeout]) };
    } catch (error) {
      return { problem: `${detector.label}: ${errorMessage(error)}` };
    } finally {
      clearTimeout(timer);
    }
  });
  const results = await Promise.all(runs);
  return {
    found: results.flatMap((r) => r.found ?? []),
    problems: results.flatMap((r) => (r.problem ? [r.problem] : [])),
  };
}

/**
 * How a wizard gets past a missing piece: try the step again, let the step ask for a file (a
 * kubeconfig), save the draft as it is, or stop.
 */
export type Recovery = 'again' | 'pickFile' | 'addAnyway' | undefined;

/**
 * Asks (modally) how to get past a failure in a wizard step: the remedies that can work there,
 * plus "Add Anyway" when the account can be saved without the missing piece and fixed later.
 * 'again' after a fix the next try sees (a picked executable, Retry); 'pickFile' when the step is
 * to ask for the file; 'addAnyway'; undefined when
 * the user stops, or chose an action that leaves the wizard (an install page). Every outcome is
 * logged as info with the reason.
 */
export async function askPastMissing(
  ports: WizardPorts,
  message: string,
  remedies: readonly Remedy[],
  options: { readonly addAnyway: boolean },
): Promise<Recovery> {
  const { ui, context } = ports;
  const offered = applicableRemedies(
    [...(options.addAnyway ? [{ kind: 'addAnyway' as const }] : []), ...remedies],
    { canRetry: true, inWizard: true },
  );
  // The fixes first, "Add Anyway" last. VS Code places the buttons and its own Cancel as each
  // platform's guidelines say (Linux and macOS: the first button on the trailing side, Cancel
  // next to it, then the rest; Windows: in order, Cancel last), so no "Cancel" item is added here
  // (vscode src/vs/base/browser/ui/dialog/dialog.ts rearrangeButtons).
  const ordered = [
    ...offered.filter((r) => r.kind !== 'addAnyway'),
    ...offered.filter((r) => r.kind === 'addAnyway'),
  ];
  const chosen = await ui.recover(message, ordered);
  const reason = message.split('\n')[0] ?? message;
  if (!chosen) {
    context.logger.info(`Add Account stopped (${reason}): cancelled by the user`);
    return undefined;
  }
  context.logger.info(`Add Account: "${remedyLabel(chosen)}" after: ${reason}`);
  switch (chosen.kind) {
    case 'addAnyway':
      ports.addedAnyway?.(reason);
      return 'addAnyway';
    case 'pickExecutable':
    case 'retry':
      return 'again';
    case 'pickKubeconfig':
      return 'pickFile';
    default:
      context.logger.info(`Add Account ended: the user went to "${remedyLabel(chosen)}"`);
      return undefined;
  }
}

/** Whether `error` is the user's Cancel (of a progress notification or a dialog). */
export function isCancel(error: unknown): boolean {
  return error instanceof TokenExplorerError && error.code === 'cancelled';
}
