import * as vscode from 'vscode';
import { TokenExplorerError, errorMessage } from '../../core/errors';
import { inspectToken } from '../../core/jwt/inspect';
import type { Account, ProviderContext } from '../../core/providers/provider';
import type { IssuedToken, TokenService } from '../../core/tokenService';
import type { Logger } from '../../core/ports';
import { tokenNoun } from '../../core/providers/registry';
import type { AccountsStore } from '../adapters/accountsStore';
import type { Settings } from '../adapters/settings';
import type { ClipboardGuard } from '../../core/clipboard/clearAfter';
import type { TreeNode } from '../views/accountsTree';
import type { TokenStatusBar } from '../views/statusBar';
import { tokenStateText } from '../views/tokenState';
import type { InspectorPanel } from '../webview/inspectorPanel';
import { label, pickAccount, pickAudience } from './tokenPickers';
import { showErrorWithRemedies } from '../remedies';
import { remediesFor } from '../../core/remedies';

export interface TokenCommandDeps {
  readonly store: AccountsStore;
  readonly tokens: TokenService;
  /** The providers' ports (remedies store re-imported keys through its secrets). */
  readonly context: ProviderContext;
  readonly inspector: InspectorPanel;
  readonly statusBar: TokenStatusBar;
  readonly settings: () => Settings;
  readonly logger: Logger;
  readonly refreshTree: () => void;
  /** Copies tokens and clears them later (tokenExplorer.clipboard.clearAfterSeconds). */
  readonly clipboard: ClipboardGuard;
}

/**
 * `{account, audience}` as other extensions and `${command:…}` inputs pass it; with
 * `interactive: true` (a notification's button) the command behaves as a click: it asks for a
 * missing audience, copies the token and shows the result or the error.
 */
interface TokenArgs {
  readonly account?: string;
  readonly audience?: string;
  readonly interactive?: boolean;
}

/** Gets a token with a cancellable progress notification; errors are shown and logged. */
export async function fetchToken(
  deps: TokenCommandDeps,
  account: Account,
  audience: string,
  options: {
    force?: boolean;
    quiet?: boolean;
    /** Runs the whole command again (the error's "Retry" and remedies that retry); default: mint. */
    again?: () => Promise<unknown>;
  } = {},
): Promise<IssuedToken> {
  try {
    const issued = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Getting ${tokenNoun(account.kind) === 'ID token' ? 'an ID token' : 'an access token'} for ${label(account)}${audience ? ` (audience ${audience})` : ''}…`,
        cancellable: true,
      },
      (_progress, cancellation) => {
        const controller = new AbortController();
        cancellation.onCancellationRequested(() => controller.abort());
        return deps.tokens.get(account, audience, {
          force: options.force ?? false,
          signal: controller.signal,
        });
      },
    );
    deps.logger.info(
      `Token for account "${account.id}", audience "${audience}": ${issued.fromCache ? 'served from cache' : 'minted'}`,
    );
    if (issued.refreshError !== undefined) {
      deps.logger.warn(
        `Refreshing the token of "${account.id}" failed: ${errorMessage(issued.refreshError)}`,
      );
    }
    await deps.store.remember(account.id, audience);
    return issued;
  } catch (error) {
    const cancelled = error instanceof TokenExplorerError && error.code === 'cancelled';
    if (cancelled) {
      deps.logger.info(`Getting a token for account "${account.id}": cancelled by the user`);
    } else {
      deps.logger.error(
        `Getting a token for account "${account.id}" failed: ${errorMessage(error)}`,
      );
    }
    if (!options.quiet && !cancelled) {
      void showErrorWithRemedies(deps, error, {
        account,
        retry:
          options.again ??
          (() => fetchToken(deps, deps.store.get(account.id) ?? account, audience, options)),
      });
    }
    throw error;
  } finally {
    deps.refreshTree();
    deps.statusBar.update();
  }
}

function bearer(token: string): string {
  return `Authorization: Bearer ${token}`;
}

function curl(token: string, audience: string): string {
  const url = /^https?:\/\//.test(audience) ? audience : 'https://SERVICE_URL';
  return `curl -H "Authorization: Bearer ${token}" '${url.replace(/'/g, "'\\''")}'`;
}

/** The account and audience a command acts on: from a tree node, arguments, or pickers. */
export async function resolveTarget(
  deps: TokenCommandDeps,
  arg: unknown,
  title: string,
): Promise<{ account: Account; audience: string } | undefined> {
  const node = arg as Partial<TreeNode> | undefined;
  if (node?.type === 'audience' && 'accountId' in node && 'audience' in node) {
    const account = deps.store.get(node.accountId as string);
    if (account) return { account, audience: node.audience as string };
  }
  if (node?.type === 'account' && 'account' in node) {
    const account = node.account as Account;
    const audience = account.defaultAudience ?? (await pickAudience(deps, account));
    return audience === undefined ? undefined : { account, audience };
  }
  const account = await pickAccount(deps, title);
  if (!account) return undefined;
  const audience = await pickAudience(deps, account);
  return audience === undefined ? undefined : { account, audience };
}

/** The tree node of an account and audience: a command given it runs again without asking. */
function againNode(target: { account: Account; audience: string }): TreeNode {
  const { account, audience } = target;
  return { type: 'audience', id: `again/${account.id}`, accountId: account.id, audience };
}

/**
 * The target of `{account, audience, interactive: true}`: as a click on the account's row, the
 * audience is asked when neither given nor the account's default. An unknown account is shown as
 * an error (the caller is a button: nothing else would tell the user).
 */
async function interactiveTarget(
  deps: TokenCommandDeps,
  args: TokenArgs,
): Promise<{ account: Account; audience: string } | undefined> {
  let account: Account;
  try {
    account = accountFromArgs(deps, args);
  } catch (error) {
    void vscode.window.showErrorMessage(`Token Explorer: ${errorMessage(error)}`);
    return undefined;
  }
  const audience = args.audience ?? account.defaultAudience ?? (await pickAudience(deps, account));
  return audience === undefined ? undefined : { account, audience };
}

/** Finds the account named by id or display name in `{account, audience}` arguments. */
export function accountFromArgs(deps: TokenCommandDeps, args: TokenArgs): Account {
  const { accounts } = deps.store.read();
  const account = args.account
    ? accounts.find((a) => a.id === args.account || a.name === args.account)
    : accounts.length === 1
      ? accounts[0]
      : undefined;
  if (!account) {
    throw new TokenExplorerError(
      'bad-config',
      args.account
        ? `No account "${args.account}" is configured (known: ${accounts.map((a) => a.id).join(', ') || 'none'}).`
        : 'Several accounts are configured: pass {"account": "<id>"} to choose one.',
    );
  }
  return account;
}

/**
 * "Get ID token". With `{account, audience}` it runs without asking and returns the token (for
 * `${command:tokenExplorer.getIdToken}` and other extensions); otherwise it asks, copies the token
 * (or the bearer header, per setting) and returns it.
 */
export async function getIdToken(
  deps: TokenCommandDeps,
  arg?: unknown,
): Promise<string | undefined> {
  const args = (arg && typeof arg === 'object' && !('type' in arg) ? arg : {}) as TokenArgs;
  const named = args.account !== undefined || args.audience !== undefined;
  if (named && args.interactive !== true) {
    const account = accountFromArgs(deps, args);
    const issued = await fetchToken(deps, account, args.audience ?? account.defaultAudience ?? '', {
      quiet: true,
    });
    return issued.token.token;
  }
  const target = named
    ? await interactiveTarget(deps, args)
    : await resolveTarget(deps, arg, 'Get ID token');
  if (!target) return undefined;
  let issued: IssuedToken;
  try {
    issued = await fetchToken(deps, target.account, target.audience, {
      again: () => getIdToken(deps, againNode(target)),
    });
  } catch {
    return undefined;
  }
  const token = issued.token.token;
  const asBearer = deps.settings().copyFormat === 'bearer';
  await deps.clipboard.copySecret(asBearer ? bearer(token) : token);
  const left = tokenStateText(issued.token, undefined, Date.now()) ?? '';
  const noun = tokenNoun(target.account.kind);
  const what = asBearer ? 'Authorization header' : noun === 'ID token' ? noun : 'Access token';
  const source = issued.fromCache ? 'cached' : 'new';
  void vscode.window
    .showInformationMessage(
      `${what} for ${label(target.account)} copied (${source}, ${left}).`,
      'Inspect',
      asBearer ? 'Copy Raw Token' : 'Copy Bearer Header',
    )
    .then(async (choice) => {
      if (choice === 'Inspect') {
        await deps.inspector.show(inspectToken(token), `account ${label(target.account)}`);
      }
      if (choice === 'Copy Bearer Header') await deps.clipboard.copySecret(bearer(token));
      if (choice === 'Copy Raw Token') await deps.clipboard.copySecret(token);
    });
  return token;
}

/** Copies `Authorization: Bearer <token>` for a tree node or picked account. */
export async function copyBearerHeader(deps: TokenCommandDeps, arg?: unknown): Promise<void> {
  const target = await resolveTarget(deps, arg, 'Copy Bearer Header');
  if (!target) return;
  const issued = await fetchToken(deps, target.account, target.audience, {
    again: () => copyBearerHeader(deps, againNode(target)),
  }).catch(() => undefined);
  if (!issued) return;
  await deps.clipboard.copySecret(bearer(issued.token.token));
  vscode.window.setStatusBarMessage(
    `$(check) Authorization header for ${label(target.account)} copied`,
    4000,
  );
}

/** Copies a curl command calling the audience URL with the token. */
export async function copyAsCurl(deps: TokenCommandDeps, arg?: unknown): Promise<void> {
  const target = await resolveTarget(deps, arg, 'Copy as curl');
  if (!target) return;
  const issued = await fetchToken(deps, target.account, target.audience, {
    again: () => copyAsCurl(deps, againNode(target)),
  }).catch(() => undefined);
  if (!issued) return;
  await deps.clipboard.copySecret(curl(issued.token.token, target.audience));
  vscode.window.setStatusBarMessage(
    `$(check) curl command for ${label(target.account)} copied`,
    4000,
  );
}

/** Opens the inspector on the token of a tree node (minting one if needed). */
export async function inspectAudience(deps: TokenCommandDeps, arg?: unknown): Promise<void> {
  const target = await resolveTarget(deps, arg, 'Inspect ID token');
  if (!target) return;
  const issued = await fetchToken(deps, target.account, target.audience, {
    again: () => inspectAudience(deps, againNode(target)),
  }).catch(() => undefined);
  if (issued) {
    await deps.inspector.show(inspectToken(issued.token.token), `account ${label(target.account)}`);
  }
}

/** Copies an audience row's full audience (the row shows it shortened, after the countdown). */
export async function copyAudience(deps: TokenCommandDeps, arg?: unknown): Promise<void> {
  const target = await resolveTarget(deps, arg, 'Copy audience');
  if (!target) return;
  await vscode.env.clipboard.writeText(target.audience);
  vscode.window.setStatusBarMessage(`Audience copied: ${target.audience}`, 4000);
}

/** Inspects the most recent token (status bar click). */
export async function inspectLatest(deps: TokenCommandDeps): Promise<void> {
  const latest = deps.tokens.latest();
  if (!latest) {
    void vscode.window.showInformationMessage('No ID token yet: run "Get ID Token" first.');
    return;
  }
  const account = deps.store.get(latest.accountId);
  await deps.inspector.show(
    inspectToken(latest.token.token),
    `account ${account ? label(account) : latest.accountId}`,
  );
}

/** Mints a fresh token for a node, ignoring the cache. */
export async function refreshToken(deps: TokenCommandDeps, arg?: unknown): Promise<void> {
  const target = await resolveTarget(deps, arg, 'Refresh ID token');
  if (!target) return;
  await fetchToken(deps, target.account, target.audience, { force: true }).catch(() => undefined);
}

/**
 * Mints fresh tokens for every audience every account has used. Failures are summed up in one
 * notification naming each failed account, with the first failure's text, its remedies when
 * every failure has the same ones (so a button fixes them all), and Show Log.
 */
export async function refreshAll(deps: TokenCommandDeps): Promise<void> {
  const failures: { account: Account; error: unknown }[] = [];
  for (const account of deps.store.read().accounts) {
    for (const { audience } of deps.tokens.audiences(account.id)) {
      await fetchToken(deps, account, audience, { force: true, quiet: true }).catch(
        (error: unknown) => failures.push({ account, error }),
      );
    }
  }
  deps.refreshTree();
  const [first] = failures;
  if (!first) return;
  const names = [...new Set(failures.map((f) => shortLabel(f.account)))];
  const remedyKinds = (error: unknown) => JSON.stringify(remediesFor(error));
  const sameRemedies = failures.every((f) => remedyKinds(f.error) === remedyKinds(first.error));
  const accounts = new Set(failures.map((f) => f.account.id));
  const count = failures.length === 1 ? '1 refresh' : `${failures.length} refreshes`;
  const firstText =
    failures.length === 1
      ? errorMessage(first.error)
      : `${label(first.account)}: ${errorMessage(first.error)}`;
  void showErrorWithRemedies(
    deps,
    sameRemedies ? first.error : new Error(errorMessage(first.error)),
    {
      ...(accounts.size === 1 ? { account: first.account } : {}),
      retry: () => refreshAll(deps),
    },
    `Token Explorer: ${count} failed (${names.join(', ')}). ${firstText}`,
  );
}

/** An account's name cut to 24 characters, for lists of accounts in one line. */
function shortLabel(account: Account): string {
  const name = label(account);
  return name.length > 24 ? `${name.slice(0, 23)}…` : name;
}
