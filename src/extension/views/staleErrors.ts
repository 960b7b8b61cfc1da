import * as vscode from 'vscode';
import type { Account } from '../../core/providers/provider';
import { localIssuerDescriptor } from '../../core/providers/local/localIssuerDescriptor';
import type { TokenService } from '../../core/tokenService';
import type { AccountsStore } from '../adapters/accountsStore';
import { SETTINGS_SECTION } from '../adapters/settings';

/**
 * Settings a provider reads at each mint (executables, endpoints, the time limit, the proxy): when
 * one changes, an error a row shows may no longer hold.
 */
const MINT_SETTINGS = [
  ...[
    'gcloud.path',
    'yc.path',
    'kubectl.path',
    'az.path',
    'buildkiteAgent.path',
    'circleci.path',
    'google.endpoints',
    'timeoutSeconds',
    'localIssuer',
  ].map((key) => `${SETTINGS_SECTION}.${key}`),
  'http.proxy',
  'http.noProxy',
  'http.proxySupport',
  'http.proxyAuthorization',
  'http.proxyStrictSSL',
];

/** What minting depends on in an account: its kind and settings (not its name or audience). */
function mintInputs(account: Account): string {
  return JSON.stringify([account.kind, account.settings]);
}

/**
 * Keeps the tree from showing an error about something that has changed since (the error stays
 * until the next mint otherwise): the local issuer starts or stops (its accounts' errors go); an
 * account's kind or settings change, or it is removed (its tokens and errors go: they were minted
 * with other settings); a setting every mint reads changes (every error goes). Tokens that are
 * still right are kept. A re-imported key forgets the account's tokens itself (reimportKey).
 */
export function clearStaleErrors(deps: {
  readonly store: AccountsStore;
  readonly tokens: Pick<TokenService, 'clearErrors' | 'forget'>;
  readonly localIssuer: { readonly onDidChange: vscode.Event<void> };
}): vscode.Disposable {
  const { store, tokens } = deps;
  let known = new Map(store.read().accounts.map((a) => [a.id, mintInputs(a)]));
  const accounts = () => store.read().accounts;
  return vscode.Disposable.from(
    store.onDidChange(() => {
      const now = new Map(accounts().map((a) => [a.id, mintInputs(a)]));
      for (const [id, inputs] of known) if (now.get(id) !== inputs) tokens.forget(id);
      known = now;
    }),
    deps.localIssuer.onDidChange(() => {
      for (const account of accounts()) {
        if (account.kind === localIssuerDescriptor.kind) tokens.clearErrors(account.id);
      }
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!MINT_SETTINGS.some((section) => event.affectsConfiguration(section))) return;
      for (const account of accounts()) tokens.clearErrors(account.id);
    }),
  );
}
