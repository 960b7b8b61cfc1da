import * as vscode from 'vscode';
import { AUDIENCE_OPTIONAL } from '../../core/accounts';
import { AUDIENCE_PRESETS, hasPlaceholders } from '../../core/call/audiencePresets';
import { nodeEnvironment } from '../../core/node/environment';
import type { Account } from '../../core/providers/provider';
import { descriptorOf } from '../../core/providers/registry';
import { CommandId } from './commandId';
import { quickPickAnswer } from './quickPickAnswer';
import type { TokenCommandDeps } from './tokens';

/** The questions Get ID Token and its siblings ask: which account, which audience. */

type AccountPick = vscode.QuickPickItem & { readonly account?: Account };

export function label(account: Account): string {
  return account.name ?? account.id;
}

/** Asks for an account, most recently used first; offers "Add account" when there is none. */
export async function pickAccount(
  deps: TokenCommandDeps,
  title: string,
): Promise<Account | undefined> {
  const { accounts, problems } = deps.store.read();
  if (accounts.length === 0) {
    const detail =
      problems.length > 0 ? ` (${problems.length} could not be read: ${problems[0]})` : '';
    const choice = await vscode.window.showInformationMessage(
      `No service accounts are configured yet${detail}.`,
      'Add Account…',
      'Detect Credentials',
    );
    if (choice === 'Add Account…') await vscode.commands.executeCommand(CommandId.AddAccount);
    if (choice === 'Detect Credentials')
      await vscode.commands.executeCommand(CommandId.DetectCredentials);
    return undefined;
  }
  if (accounts.length === 1) return accounts[0];
  const recent = deps.store.recentAccounts();
  const rank = (a: Account) => {
    const i = recent.indexOf(a.id);
    return i === -1 ? Number.MAX_SAFE_INTEGER : i;
  };
  const items: AccountPick[] = [...accounts]
    .sort((a, b) => rank(a) - rank(b))
    .map((account) => ({
      account,
      label: label(account),
      description: deps.tokens.provider(account.kind).describe(account, nodeEnvironment),
      detail: deps.tokens.provider(account.kind).label,
    }));
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'Which account should mint the token?',
    matchOnDescription: true,
  });
  return picked?.account;
}

/** Asks for the audience: the account's default preselected, recent ones listed, any typed. */
export async function pickAudience(
  deps: TokenCommandDeps,
  account: Account,
): Promise<string | undefined> {
  const optional = AUDIENCE_OPTIONAL.has(account.kind);
  const wording = descriptorOf(account.kind).audienceText;
  const recent = deps.store.recentAudiences(account.id);
  const known = [
    ...new Set([...(account.defaultAudience ? [account.defaultAudience] : []), ...recent]),
  ];
  const quickPick = vscode.window.createQuickPick<vscode.QuickPickItem>();
  quickPick.title = `Audience for ${label(account)}`;
  quickPick.placeholder = optional
    ? 'Type the audience (the service URL), or pick the default audience'
    : 'Type the audience (the service URL, e.g. https://my-service-abc123-uc.a.run.app)';
  quickPick.ignoreFocusOut = true;
  const base: vscode.QuickPickItem[] = [
    ...known.map((audience) => ({
      label: audience,
      description: audience === account.defaultAudience ? 'default' : 'recent',
    })),
    ...(optional
      ? [
          {
            label: '',
            description:
              wording?.none ??
              `no audience: the token's default (${descriptorOf(account.kind).defaultAudienceIs ?? 'chosen by the issuer'})`,
          },
        ]
      : []),
  ];
  // Presets: common audiences with what each is for; templates with CAPITALISED placeholders
  // are put in the input box for the user to fill in rather than accepted as they are.
  const presets: vscode.QuickPickItem[] =
    wording?.presets === false
      ? []
      : [
          { label: 'Presets', kind: vscode.QuickPickItemKind.Separator },
          ...AUDIENCE_PRESETS.filter((p) => !known.includes(p.audience)).map((preset) => ({
            label: preset.audience,
            description: preset.label,
            detail: preset.explanation,
          })),
        ];
  const render = (value: string) => {
    const typed = value.trim();
    quickPick.items =
      typed !== '' && !known.includes(typed)
        ? [{ label: typed, description: 'use this audience' }, ...base, ...presets]
        : [...base, ...presets];
  };
  render('');
  const first = quickPick.items[0];
  if (first) quickPick.activeItems = [first];
  return quickPickAnswer(quickPick, render, (chosen) => {
    if (chosen === '' && !optional) return false;
    if (hasPlaceholders(chosen) && AUDIENCE_PRESETS.some((p) => p.audience === chosen)) {
      quickPick.value = chosen;
      quickPick.placeholder = 'Replace the CAPITALISED parts, then press Enter';
      return false;
    }
    return true;
  });
}
