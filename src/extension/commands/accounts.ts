import * as vscode from 'vscode';
import { AUDIENCE_OPTIONAL, newAccountId } from '../../core/accounts';
import { errorMessage } from '../../core/errors';
import { findAdc } from '../../core/providers/google/adc';
import { gcloudActiveAccount, gcloudListServiceAccounts } from '../../core/providers/google/gcloud';
import { probeMetadataServer } from '../../core/providers/google/metadata';
import {
  SERVICE_ACCOUNT_KEY_SECRET,
  importServiceAccountKey,
} from '../../core/providers/google/serviceAccountKey';
import { listServiceAccounts } from '../../core/providers/google/serviceAccounts';
import { githubActionsAvailable } from '../../core/providers/github/actions';
import { gitlabEnvironmentTokens } from '../../core/providers/gitlab/ciToken';
import { listContexts, loadKubeconfig } from '../../core/providers/kubernetes/kubeconfig';
import { ycListServiceAccounts, ycProfiles } from '../../core/providers/yandex/yc';
import type { Account, ProviderContext, ProviderKind } from '../../core/providers/provider';
import type { TokenService } from '../../core/tokenService';
import type { Logger } from '../../core/ports';
import type { AccountsStore } from '../adapters/accountsStore';
import type { Settings } from '../adapters/settings';

export interface AccountCommandDeps {
  readonly store: AccountsStore;
  readonly tokens: TokenService;
  readonly context: ProviderContext;
  readonly settings: () => Settings;
  readonly logger: Logger;
  readonly state: vscode.Memento;
  readonly refreshTree: () => void;
}

/** A partly filled account, as detection or the earlier wizard steps leave it. */
export interface AccountDraft {
  readonly kind: ProviderKind;
  readonly settings: Record<string, unknown>;
  readonly name?: string;
  readonly defaultAudience?: string;
  /** Secrets to store with the account (key JSON). */
  readonly secrets?: Record<string, string>;
  /** A key file found by detection, imported without asking for a file. */
  readonly keyFile?: string;
}

// QuickPickItem has a `kind` of its own (separators), hence `provider`.
type KindPick = vscode.QuickPickItem & { readonly provider: ProviderKind };

const KIND_PICKS: KindPick[] = [
  {
    provider: 'google-impersonation',
    label: '$(person) Impersonate a service account',
    description: 'IAM Credentials generateIdToken with your Application Default Credentials',
    detail:
      'Recommended on a workstation: no keys; needs roles/iam.serviceAccountOpenIdTokenCreator.',
  },
  {
    provider: 'google-gcloud',
    label: '$(terminal) gcloud CLI',
    description: 'gcloud auth print-identity-token',
    detail:
      'Uses the account gcloud is logged in with, optionally impersonating a service account.',
  },
  {
    provider: 'google-metadata',
    label: '$(server-environment) Metadata server',
    description: 'GCE, Cloud Run, GKE, Cloud Workstations, Cloud Shell',
    detail: 'The attached service account of the machine VS Code runs on.',
  },
  {
    provider: 'google-service-account-key',
    label: '$(key) Service-account key file',
    description: 'A downloaded JSON key, kept in VS Code SecretStorage',
    detail: 'Google discourages downloaded keys; prefer impersonation where you can.',
  },
  {
    provider: 'google-user',
    label: '$(account) Your own Google identity',
    description: 'ADC authorized_user (gcloud auth application-default login)',
    detail: 'For Cloud Run services that accept user tokens; the audience is the OAuth client id.',
  },
  {
    provider: 'yandex-cli',
    label: '$(terminal) Yandex Cloud service account',
    description: 'yc iam create-id-token',
    detail: 'Pick a service account listed by yc; the audience defaults to its id.',
  },
  {
    provider: 'kubernetes',
    label: '$(server-process) Kubernetes service account',
    description: 'TokenRequest API (kubeconfig) or kubectl create token',
    detail: 'Bound service-account tokens with your audience, from the cluster in your kubeconfig.',
  },
  {
    provider: 'gitlab-ci',
    label: '$(git-merge) GitLab CI job token',
    description: 'an id_tokens variable of the job VS Code runs in',
    detail: 'For editors started inside a CI job, a dev container or GitLab Workspaces.',
  },
  {
    provider: 'github-actions',
    label: '$(github-action) GitHub Actions job token',
    description: 'ACTIONS_ID_TOKEN_REQUEST_URL',
    detail: 'For editors running inside a workflow job with id-token: write.',
  },
  {
    provider: 'custom-command',
    label: '$(terminal-bash) Custom command',
    description: 'any command that prints a token ({audience} is replaced)',
    detail: 'Runs without a shell; user settings only, disabled in untrusted workspaces.',
  },
  {
    provider: 'local-issuer',
    label: '$(beaker) Local dev issuer',
    description: 'test tokens from an OIDC issuer on 127.0.0.1',
    detail: "For testing your own service's token validation.",
  },
];

const KEY_WARNING_SHOWN = 'keyWarningShown';
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function input(options: vscode.InputBoxOptions): Thenable<string | undefined> {
  return vscode.window.showInputBox({ ignoreFocusOut: true, ...options });
}

/** Runs `task` under a cancellable progress notification; undefined when it failed (shown). */
async function withBusy<T>(title: string, task: () => Promise<T>): Promise<T | undefined> {
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: false },
      task,
    );
  } catch (error) {
    void vscode.window.showErrorMessage(`Token Explorer: ${errorMessage(error)}`);
    return undefined;
  }
}

/** Lets the user pick a service account from a listing, or type one. */
async function pickServiceAccount(
  deps: AccountCommandDeps,
  title: string,
  project: string | undefined,
  lister:
    | ((project: string) => Promise<{ email: string; displayName?: string; disabled?: boolean }[]>)
    | undefined,
): Promise<string | undefined> {
  let listed: { email: string; displayName?: string; disabled?: boolean }[] = [];
  let why = '';
  const projectId =
    project ??
    (lister
      ? await input({
          title,
          prompt: 'Project to list service accounts from (leave empty to type an email instead)',
        })
      : undefined);
  if (lister && projectId) {
    try {
      listed = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Listing service accounts of ${projectId}…`,
        },
        () => lister(projectId),
      );
    } catch (error) {
      why = errorMessage(error);
      deps.logger.warn(`Listing service accounts of ${projectId} failed: ${why}`);
    }
  }
  if (listed.length === 0) {
    return input({
      title,
      prompt: why
        ? `Listing failed (${why}). Type the service account's email.`
        : "The service account's email",
      placeHolder: 'invoker@my-project.iam.gserviceaccount.com',
      validateInput: (v) =>
        EMAIL.test(v.trim()) || /^\d+$/.test(v.trim())
          ? undefined
          : 'An email or a numeric unique id',
    }).then((v) => v?.trim());
  }
  const typed = '$(edit) Type another email…';
  const picked = await vscode.window.showQuickPick(
    [
      ...listed.map((sa) => ({
        label: sa.email,
        description: [sa.displayName, sa.disabled ? 'disabled' : undefined]
          .filter(Boolean)
          .join(' · '),
      })),
      { label: typed },
    ],
    {
      title,
      placeHolder: `Service accounts of ${projectId}`,
      matchOnDescription: true,
      ignoreFocusOut: true,
    },
  );
  if (!picked) return undefined;
  return picked.label === typed
    ? pickServiceAccount(deps, title, projectId, undefined)
    : picked.label;
}

/** The kind-specific steps of the wizard; undefined when the user cancels. */
async function fillSettings(
  deps: AccountCommandDeps,
  draft: AccountDraft,
): Promise<AccountDraft | undefined> {
  const title = 'Add account';
  const ctx = deps.context;
  switch (draft.kind) {
    case 'google-metadata': {
      if (draft.settings.serviceAccount) return draft;
      const probe = await withBusy('Looking for a metadata server…', () =>
        probeMetadataServer(ctx),
      );
      if (probe && !probe.available) {
        const go = await vscode.window.showWarningMessage(
          `No metadata server answered (${probe.reason ?? 'no answer'}). It exists only on Google Cloud (GCE, Cloud Run, GKE, Cloud Shell, Workstations). Add the account anyway?`,
          'Add Anyway',
        );
        if (go !== 'Add Anyway') return undefined;
      }
      const serviceAccount = await input({
        title,
        prompt: 'Service account of the machine: "default" or its email',
        value: probe?.email ? 'default' : 'default',
        ...(probe?.email ? { placeHolder: `default (${probe.email})` } : {}),
      });
      if (serviceAccount === undefined) return undefined;
      return {
        ...draft,
        settings: { ...draft.settings, serviceAccount: serviceAccount.trim() || 'default' },
        ...(probe?.email && !draft.name ? { name: probe.email } : {}),
      };
    }
    case 'google-impersonation': {
      if (draft.settings.targetServiceAccount) return draft;
      const adc = await withBusy('Looking for Application Default Credentials…', () =>
        findAdc(ctx, { probeMetadata: true }),
      );
      if (!adc) {
        const go = await vscode.window.showWarningMessage(
          'No Application Default Credentials were found. Run "gcloud auth application-default login" (or set GOOGLE_APPLICATION_CREDENTIALS), then mint. Continue adding the account?',
          'Continue',
        );
        if (go !== 'Continue') return undefined;
      }
      const quotaProject =
        adc?.credentials && 'quotaProjectId' in adc.credentials
          ? (adc.credentials as { quotaProjectId?: string }).quotaProjectId
          : undefined;
      // The IAM REST list with the ADC token first; gcloud's listing when that fails.
      const list = async (project: string) => {
        try {
          return await listServiceAccounts(ctx, project);
        } catch (error) {
          deps.logger.warn(`IAM listing failed, trying gcloud: ${errorMessage(error)}`);
          return gcloudListServiceAccounts(ctx, deps.settings().gcloudPath, project).catch(() => {
            throw error;
          });
        }
      };
      const target = await pickServiceAccount(deps, title, quotaProject, list);
      if (!target) return undefined;
      return {
        ...draft,
        settings: { ...draft.settings, targetServiceAccount: target },
        name: draft.name ?? target,
      };
    }
    case 'google-service-account-key': {
      if (draft.secrets?.[SERVICE_ACCOUNT_KEY_SECRET]) return draft;
      if (!deps.state.get<boolean>(KEY_WARNING_SHOWN)) {
        await deps.state.update(KEY_WARNING_SHOWN, true);
        const go = await vscode.window.showWarningMessage(
          'Google discourages downloaded service-account keys: they are long-lived secrets. Impersonation (IAM Credentials) mints the same tokens without a key. Import a key anyway? It will be kept in VS Code SecretStorage, not in settings.',
          { modal: true },
          'Import Key',
        );
        if (go !== 'Import Key') return undefined;
      }
      let path = draft.keyFile;
      let text = path ? await ctx.files.readText(path) : undefined;
      if (text === undefined) {
        const [file] =
          (await vscode.window.showOpenDialog({
            title: 'Choose a service-account key (JSON)',
            canSelectMany: false,
            filters: { 'Service-account key': ['json'] },
          })) ?? [];
        if (!file) return undefined;
        path = file.fsPath;
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
      }
      const imported = await importServiceAccountKey(text, path ?? 'the key file').catch(
        (error: unknown) => {
          void vscode.window.showErrorMessage(`Token Explorer: ${errorMessage(error)}`);
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
    }
    case 'google-gcloud': {
      const gcloudPath = deps.settings().gcloudPath;
      const active = await withBusy('Asking gcloud for its active account…', () =>
        gcloudActiveAccount(ctx, gcloudPath),
      );
      if (!active) {
        const go = await vscode.window.showWarningMessage(
          `gcloud was not found (${gcloudPath}). Install the Google Cloud CLI or set "tokenExplorer.gcloud.path" in your user settings. Add the account anyway?`,
          'Add Anyway',
        );
        if (go !== 'Add Anyway') return undefined;
      }
      const mode = await vscode.window.showQuickPick(
        [
          {
            label: `$(account) As ${active?.account ?? 'the active gcloud account'}`,
            description: 'gcloud auth print-identity-token',
            impersonate: false,
          },
          {
            label: '$(person) Impersonating a service account',
            description: '--impersonate-service-account',
            impersonate: true,
          },
        ],
        { title, placeHolder: 'Whose token should gcloud print?', ignoreFocusOut: true },
      );
      if (!mode) return undefined;
      if (!mode.impersonate) {
        return {
          ...draft,
          ...(active?.account && !draft.name ? { name: `gcloud: ${active.account}` } : {}),
        };
      }
      const target = await pickServiceAccount(
        deps,
        title,
        active?.project,
        active ? (project) => gcloudListServiceAccounts(ctx, gcloudPath, project) : undefined,
      );
      if (!target) return undefined;
      return {
        ...draft,
        settings: { ...draft.settings, impersonateServiceAccount: target, includeEmail: true },
        name: draft.name ?? `gcloud → ${target}`,
      };
    }
    case 'google-user':
      return draft;
    case 'yandex-cli':
      return fillYandex(deps, draft);
    case 'kubernetes':
      return fillKubernetes(deps, draft);
    case 'gitlab-ci':
      return fillGitlab(deps, draft);
    case 'github-actions': {
      if (!githubActionsAvailable(ctx.env)) {
        const go = await vscode.window.showWarningMessage(
          'ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set: GitHub gives them only to workflow jobs with "permissions: id-token: write", so VS Code must run inside such a job. Add the account anyway?',
          'Add Anyway',
        );
        if (go !== 'Add Anyway') return undefined;
      }
      return { ...draft, name: draft.name ?? 'GitHub Actions job' };
    }
    case 'custom-command': {
      if (Array.isArray(draft.settings.command)) return draft;
      const text = await input({
        title: 'Custom command',
        prompt: 'The command as a JSON array (run without a shell); {audience} is replaced',
        placeHolder: '["vault", "write", "-field=token", "identity/oidc/token/my-role"]',
        validateInput: (v) =>
          parseArgv(v)
            ? undefined
            : 'A JSON array of strings, e.g. ["my-tool", "token", "--aud", "{audience}"]',
      });
      const command = text === undefined ? undefined : parseArgv(text);
      if (!command) return undefined;
      return { ...draft, settings: { ...draft.settings, command }, name: draft.name ?? command[0] };
    }
    case 'local-issuer': {
      const sub = await input({
        title: 'Local dev issuer',
        prompt: 'Subject (sub) of the test tokens',
        value: 'test-user',
      });
      if (sub === undefined) return undefined;
      return {
        ...draft,
        settings: { ...draft.settings, sub: sub.trim() || 'test-user' },
        name: draft.name ?? `Local issuer: ${sub.trim() || 'test-user'}`,
      };
    }
  }
}

/** A JSON array of strings, or undefined. */
function parseArgv(text: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')
      ? (value as string[])
      : undefined;
  } catch {
    return undefined;
  }
}

async function fillYandex(
  deps: AccountCommandDeps,
  draft: AccountDraft,
): Promise<AccountDraft | undefined> {
  if (draft.settings.serviceAccountId) return draft;
  const ctx = deps.context;
  const ycPath = deps.settings().ycPath;
  const profiles = await withBusy('Asking yc for its profiles…', () => ycProfiles(ctx, ycPath));
  if (profiles === undefined) {
    void vscode.window.showErrorMessage(
      `yc was not found (${ycPath}). Install the Yandex Cloud CLI or set "tokenExplorer.yc.path" in your user settings.`,
    );
    return undefined;
  }
  let profile = profiles.find((p) => p.active)?.name;
  if (profiles.length > 1) {
    const picked = await vscode.window.showQuickPick(
      profiles.map((p) => ({ label: p.name, description: p.active ? 'active' : '' })),
      { title: 'Yandex Cloud: yc profile', ignoreFocusOut: true },
    );
    if (!picked) return undefined;
    profile = picked.label;
  }
  let listed: Awaited<ReturnType<typeof ycListServiceAccounts>> = [];
  try {
    listed = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: 'Listing service accounts with yc…',
      },
      () => ycListServiceAccounts(ctx, ycPath, profile ? { profile } : {}),
    );
  } catch (error) {
    deps.logger.warn(`yc service-account list failed: ${errorMessage(error)}`);
    void vscode.window.showWarningMessage(
      `Listing service accounts failed: ${errorMessage(error)}`,
    );
  }
  const typed = '$(edit) Type a service account id…';
  const picked = await vscode.window.showQuickPick(
    [
      ...listed.map((sa) => ({
        label: sa.name,
        description: sa.id,
        detail: sa.description,
        id: sa.id,
      })),
      { label: typed, id: '' },
    ],
    { title: 'Yandex Cloud: service account', matchOnDescription: true, ignoreFocusOut: true },
  );
  if (!picked) return undefined;
  const id =
    picked.id ||
    (await input({ title: 'Service account id', placeHolder: 'aje0123456789abcdefg' }))?.trim();
  if (!id) return undefined;
  return {
    ...draft,
    settings: { ...draft.settings, serviceAccountId: id, ...(profile ? { profile } : {}) },
    name: draft.name ?? (picked.id ? picked.label : id),
  };
}

async function fillKubernetes(
  deps: AccountCommandDeps,
  draft: AccountDraft,
): Promise<AccountDraft | undefined> {
  if (draft.settings.serviceAccount) return draft;
  const config = await loadKubeconfig(deps.context).catch((error: unknown) => {
    void vscode.window.showErrorMessage(`Token Explorer: ${errorMessage(error)}`);
    return undefined;
  });
  if (!config) return undefined;
  const contexts = listContexts(config);
  const picked = await vscode.window.showQuickPick(
    contexts.map((c) => ({
      label: c.name,
      description: [c.current ? 'current' : '', c.server ?? c.cluster].filter(Boolean).join(' · '),
      detail:
        c.auth === 'token' || c.auth === 'client-certificate' || c.auth === 'none'
          ? undefined
          : `${c.auth} credentials: the kubectl method will be used`,
      summary: c,
    })),
    { title: 'Kubernetes: context', ignoreFocusOut: true },
  );
  if (!picked) return undefined;
  const namespace = await input({
    title: 'Kubernetes: namespace',
    value: picked.summary.namespace ?? 'default',
  });
  if (namespace === undefined) return undefined;
  const serviceAccount = await input({
    title: 'Kubernetes: service account name',
    validateInput: (v) =>
      /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v.trim())
        ? undefined
        : 'A service account name (DNS label)',
  });
  if (!serviceAccount) return undefined;
  const needsKubectl = !['token', 'client-certificate', 'none'].includes(picked.summary.auth);
  return {
    ...draft,
    settings: {
      ...draft.settings,
      context: picked.label,
      namespace: namespace.trim() || 'default',
      serviceAccount: serviceAccount.trim(),
      method: needsKubectl ? 'kubectl' : 'api',
    },
    name: draft.name ?? `${picked.label}/${namespace.trim() || 'default'}/${serviceAccount.trim()}`,
  };
}

async function fillGitlab(
  deps: AccountCommandDeps,
  draft: AccountDraft,
): Promise<AccountDraft | undefined> {
  if (draft.settings.variable || draft.settings.file) return draft;
  const found = gitlabEnvironmentTokens(deps.context.env, Object.keys(process.env));
  const typed = '$(edit) Another variable or a file…';
  const picked = await vscode.window.showQuickPick(
    [
      ...found.map((f) => ({
        label: `$${f.variable}`,
        description: 'holds a GitLab ID token',
        variable: f.variable,
      })),
      { label: typed, variable: '' },
    ],
    { title: "GitLab CI: where is the job's ID token?", ignoreFocusOut: true },
  );
  if (!picked) return undefined;
  if (picked.variable)
    return {
      ...draft,
      settings: { ...draft.settings, variable: picked.variable },
      name: draft.name ?? `GitLab CI $${picked.variable}`,
    };
  const value = await input({
    title: 'GitLab CI',
    prompt: 'An environment variable name (as declared under id_tokens:) or an absolute file path',
    placeHolder: 'ID_TOKEN_1',
  });
  if (!value?.trim()) return undefined;
  const isFile = /[/\\]/.test(value);
  return {
    ...draft,
    settings: {
      ...draft.settings,
      ...(isFile ? { file: value.trim() } : { variable: value.trim() }),
    },
    name: draft.name ?? `GitLab CI ${isFile ? value.trim() : `$${value.trim()}`}`,
  };
}

/** Mints once with the draft to prove it works; offers to save anyway when it does not. */
async function testMint(deps: AccountCommandDeps, account: Account): Promise<boolean> {
  const audience = account.defaultAudience ?? '';
  if (audience === '' && !AUDIENCE_OPTIONAL.has(account.kind)) return true;
  try {
    await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Testing ${account.name ?? account.id}: minting a token…`,
        cancellable: true,
      },
      (_p, cancellation) => {
        const controller = new AbortController();
        cancellation.onCancellationRequested(() => controller.abort());
        return deps.tokens.get(account, audience, { force: true, signal: controller.signal });
      },
    );
    return true;
  } catch (error) {
    deps.logger.warn(`Test mint for new account "${account.id}" failed: ${errorMessage(error)}`);
    const choice = await vscode.window.showWarningMessage(
      `The test mint failed: ${errorMessage(error)}`,
      { modal: true },
      'Save Anyway',
    );
    deps.tokens.forget(account.id);
    return choice === 'Save Anyway';
  }
}

/**
 * "Add account": choose how to mint (or take a detected candidate), fill the fields, name it,
 * test-mint, save. Secrets go to SecretStorage before the setting is written.
 */
export async function addAccount(
  deps: AccountCommandDeps,
  start?: unknown,
): Promise<Account | undefined> {
  let draft =
    start && typeof start === 'object' && 'kind' in start ? (start as AccountDraft) : undefined;
  if (!draft) {
    const kind = await vscode.window.showQuickPick(KIND_PICKS, {
      title: 'Add account: how should tokens be minted?',
      matchOnDescription: true,
      matchOnDetail: true,
      ignoreFocusOut: true,
    });
    if (!kind) return undefined;
    draft = { kind: kind.provider, settings: {} };
  }
  const filled = await fillSettings(deps, draft);
  if (!filled) return undefined;
  const provider = deps.tokens.provider(filled.kind);
  const audienceOptional = AUDIENCE_OPTIONAL.has(filled.kind);
  const defaultAudience = await input({
    title: 'Add account: default audience',
    prompt: audienceOptional
      ? 'Optional: left empty, the token gets its default audience (the OAuth client id, the service-account id, the API server, the repository owner, or the one in .gitlab-ci.yml).'
      : 'The service URL the tokens are for (optional; asked at each mint when empty)',
    placeHolder: 'https://my-service-abc123-uc.a.run.app',
    value: filled.defaultAudience ?? '',
  });
  if (defaultAudience === undefined) return undefined;
  const taken = new Set(deps.store.read().accounts.map((a) => a.id));
  const probe: Account = { id: 'new', kind: filled.kind, settings: filled.settings };
  const suggested = filled.name ?? provider.describe(probe);
  const name = await input({ title: 'Add account: name in the tree', value: suggested });
  if (name === undefined) return undefined;
  const account: Account = {
    id: newAccountId(name || suggested, taken),
    kind: filled.kind,
    ...(name.trim() ? { name: name.trim() } : {}),
    ...(defaultAudience.trim() ? { defaultAudience: defaultAudience.trim() } : {}),
    settings: filled.settings,
  };
  const problems = provider.validate(account);
  if (problems.length > 0) {
    void vscode.window.showErrorMessage(`Token Explorer: ${problems.join(' ')}`);
    return undefined;
  }
  try {
    if (filled.secrets) {
      for (const [secretName, value] of Object.entries(filled.secrets)) {
        await deps.context.secrets.store(`account/${account.id}/${secretName}`, value);
      }
    }
    if (!(await testMint(deps, account))) {
      await deps.store.remove(account.id);
      return undefined;
    }
    await deps.store.save(account);
  } catch (error) {
    void vscode.window.showErrorMessage(`Token Explorer: ${errorMessage(error)}`);
    return undefined;
  }
  deps.logger.info(`Added account "${account.id}" (${account.kind})`);
  deps.refreshTree();
  void vscode.window
    .showInformationMessage(`Added ${account.name ?? account.id}.`, 'Get ID Token')
    .then((c) => {
      if (c)
        void vscode.commands.executeCommand('tokenExplorer.getIdToken', {
          account: account.id,
          interactive: true,
        });
    });
  return account;
}

type Candidate = vscode.QuickPickItem & { readonly draft: AccountDraft };

/**
 * "Detect credentials": what the official tools would find (GOOGLE_APPLICATION_CREDENTIALS, the
 * gcloud ADC file, the metadata server, gcloud and its active account), offered as accounts.
 */
export async function detectCredentials(deps: AccountCommandDeps): Promise<void> {
  const ctx = deps.context;
  const gcloudPath = deps.settings().gcloudPath;
  const candidates = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Detecting credentials…' },
    async () => {
      const [adc, metadata, gcloud] = await Promise.all([
        findAdc(ctx).catch((error: unknown) =>
          error instanceof Error ? error : new Error(String(error)),
        ),
        probeMetadataServer(ctx),
        gcloudActiveAccount(ctx, gcloudPath).catch(() => undefined),
      ]);
      const found: Candidate[] = [];
      if (adc instanceof Error) {
        found.push({
          label: '$(warning) Application Default Credentials are broken',
          detail: errorMessage(adc),
          draft: { kind: 'google-impersonation', settings: {} },
        });
      } else if (adc?.credentials) {
        const where = adc.source === 'env' ? 'GOOGLE_APPLICATION_CREDENTIALS' : 'gcloud ADC file';
        const type = adc.credentials.type;
        if (type === 'authorized_user') {
          found.push({
            label: '$(account) Your Google identity (ADC)',
            description: where,
            detail: 'ID tokens for yourself, audience = the OAuth client id.',
            draft: { kind: 'google-user', settings: {} },
          });
        }
        if (type === 'service_account' && adc.path) {
          found.push({
            label: `$(key) Service-account key ${adc.credentials.clientEmail}`,
            description: where,
            detail: `Import ${adc.path} into SecretStorage and mint with the jwt-bearer grant.`,
            draft: {
              kind: 'google-service-account-key',
              settings: {},
              name: adc.credentials.clientEmail,
              keyFile: adc.path,
            },
          });
        }
        found.push({
          label: '$(person) Impersonate a service account with your ADC',
          description: `${where} (${type})`,
          detail: 'IAM Credentials generateIdToken; pick the service account next.',
          draft: { kind: 'google-impersonation', settings: {} },
        });
      }
      if (metadata.available) {
        found.push({
          label: `$(server-environment) Metadata server: ${metadata.email ?? 'default service account'}`,
          description: metadata.project ?? '',
          draft: {
            kind: 'google-metadata',
            settings: { serviceAccount: 'default' },
            ...(metadata.email ? { name: metadata.email } : {}),
          },
        });
      }
      if (gcloud) {
        found.push({
          label: `$(terminal) gcloud${gcloud.account ? `: ${gcloud.account}` : ''}`,
          description: gcloud.project ? `project ${gcloud.project}` : 'no active account',
          draft: { kind: 'google-gcloud', settings: {} },
        });
      }
      return found;
    },
  );
  if (candidates.length === 0) {
    const choice = await vscode.window.showInformationMessage(
      'No Google credentials were found: no GOOGLE_APPLICATION_CREDENTIALS, no gcloud ADC file, no metadata server, no gcloud on PATH. Run "gcloud auth application-default login", or add an account by hand.',
      'Add Account…',
    );
    if (choice) await addAccount(deps);
    return;
  }
  const picked = await vscode.window.showQuickPick(candidates, {
    title: 'Detected credentials',
    placeHolder: 'Pick one to add it as an account',
    matchOnDetail: true,
  });
  if (picked) await addAccount(deps, picked.draft);
}

function accountFrom(deps: AccountCommandDeps, arg: unknown): Account | undefined {
  if (typeof arg === 'string') return deps.store.get(arg);
  const node = arg as { type?: string; account?: Account } | undefined;
  return node?.type === 'account' && node.account ? deps.store.get(node.account.id) : undefined;
}

async function pickExisting(deps: AccountCommandDeps, title: string): Promise<Account | undefined> {
  const { accounts } = deps.store.read();
  const picked = await vscode.window.showQuickPick(
    accounts.map((account) => ({
      label: account.name ?? account.id,
      description: deps.tokens.provider(account.kind).describe(account),
      account,
    })),
    { title },
  );
  return picked?.account;
}

/** "Remove account": asks, then removes the setting entry, its secrets and its cached tokens. */
export async function removeAccount(deps: AccountCommandDeps, arg?: unknown): Promise<void> {
  const account = accountFrom(deps, arg) ?? (await pickExisting(deps, 'Remove account'));
  if (!account) return;
  const confirm = await vscode.window.showWarningMessage(
    `Remove ${account.name ?? account.id}? Its settings, stored key and cached tokens are deleted.`,
    { modal: true },
    'Remove',
  );
  if (confirm !== 'Remove') return;
  try {
    await deps.store.remove(account.id);
  } catch (error) {
    void vscode.window.showErrorMessage(`Token Explorer: ${errorMessage(error)}`);
    return;
  }
  deps.tokens.forget(account.id);
  deps.logger.info(`Removed account "${account.id}"`);
  deps.refreshTree();
}

/** "Edit account": rename, change the default audience, or open the setting. */
export async function editAccount(deps: AccountCommandDeps, arg?: unknown): Promise<void> {
  const account = accountFrom(deps, arg) ?? (await pickExisting(deps, 'Edit account'));
  if (!account) return;
  const choice = await vscode.window.showQuickPick(
    [
      { label: '$(edit) Rename…', action: 'rename' as const },
      {
        label: '$(globe) Default audience…',
        description: account.defaultAudience ?? 'none',
        action: 'audience' as const,
      },
      { label: '$(json) Open in settings.json', action: 'json' as const },
    ],
    { title: `Edit ${account.name ?? account.id}` },
  );
  if (!choice) return;
  if (choice.action === 'json') {
    await vscode.commands.executeCommand('workbench.action.openSettingsJson', {
      revealSetting: { key: 'tokenExplorer.accounts' },
    });
    return;
  }
  const key = choice.action === 'rename' ? 'name' : 'defaultAudience';
  const value = await input({
    title: choice.action === 'rename' ? 'Name in the tree' : 'Default audience',
    value: (choice.action === 'rename' ? account.name : account.defaultAudience) ?? '',
  });
  if (value === undefined) return;
  const { [key]: _old, ...rest } = account;
  await deps.store.save(value.trim() ? { ...rest, [key]: value.trim() } : rest);
  deps.refreshTree();
}
