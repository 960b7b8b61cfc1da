import * as vscode from 'vscode';
import { newAccountId } from '../../core/accounts';
import { TokenExplorerError, errorMessage } from '../../core/errors';
import { audienceProblem, audienceSchemeWarning } from '../../core/inputRules';
import { PROVIDERS, descriptorOf } from '../../core/providers/registry';
import type { Account } from '../../core/providers/provider';
import { secretKey } from '../../core/providers/provider';
import { type AccountDraft, runWizardSteps } from '../../core/wizard';
import { type AccountCommandDeps, wizardPorts } from './wizardUi';
import { CommandId } from './commandId';
import type { TreeNode } from '../views/accountsTree';

/** The account's tree node, as a click on its row passes it to a command. */
function accountNode(account: Account): TreeNode {
  return { type: 'account', id: `account/${account.id}`, account };
}

/** The wizard's first question: one row per registered kind, in registry order. */
function kindPicks() {
  return PROVIDERS.map((p) => ({
    kind: p.kind,
    label: `$(${p.icon}) ${p.pick.label}`,
    description: p.pick.description,
    detail: p.pick.detail,
  }));
}

/** Mints once with the draft to prove it works; offers to save anyway when it does not. */
async function testMint(
  deps: AccountCommandDeps,
  account: Account,
  skip: string | undefined,
): Promise<boolean> {
  const audience = account.defaultAudience ?? '';
  if (audience === '' && !descriptorOf(account.kind).audienceOptional) return true;
  if (skip !== undefined) {
    deps.logger.info(`New account "${account.id}" saved without a test mint: ${skip}`);
    return true;
  }
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
    if (error instanceof TokenExplorerError && error.code === 'cancelled') {
      deps.logger.info(`Test mint for new account "${account.id}": cancelled by the user`);
    } else {
      deps.logger.warn(`Test mint for new account "${account.id}" failed: ${errorMessage(error)}`);
    }
    const choice = await vscode.window.showWarningMessage(
      `The test mint failed: ${errorMessage(error)}`,
      { modal: true },
      'Save Anyway',
    );
    deps.tokens.forget(account.id);
    if (choice !== 'Save Anyway') {
      deps.logger.info(`New account "${account.id}" not saved: "Save Anyway" not chosen`);
    }
    return choice === 'Save Anyway';
  }
}

/**
 * "Add account": choose how to mint (or take a detected candidate), run the kind's wizard steps,
 * name it, test-mint, save. Secrets go to SecretStorage before the setting is written.
 */
export async function addAccount(
  deps: AccountCommandDeps,
  start?: unknown,
): Promise<Account | undefined> {
  const ports = wizardPorts(deps);
  const { ui } = ports;
  let draft =
    start && typeof start === 'object' && 'kind' in start ? (start as AccountDraft) : undefined;
  // "Use Another Method…": the new account takes the old one's name and audience, then its place.
  const replaced =
    start && typeof start === 'object' && 'replace' in start
      ? deps.store.get(String((start as { replace: unknown }).replace))
      : undefined;
  if (!draft) {
    const kind = await ui.pick(kindPicks(), {
      title: replaced
        ? `Replace ${replaced.name ?? replaced.id}: how should tokens be minted?`
        : 'Add account: how should tokens be minted?',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!kind) return undefined;
    draft = {
      kind: kind.kind,
      settings: {},
      ...(replaced?.name ? { name: replaced.name } : {}),
      ...(replaced?.defaultAudience ? { defaultAudience: replaced.defaultAudience } : {}),
    };
  }
  let filled = await runWizardSteps(descriptorOf(draft.kind).wizard, draft, ports);
  // A step may hand the draft to the kind it turned out to be (a credentials file that is not a
  // key): that kind's steps run next.
  if (filled && filled.kind !== draft.kind) {
    deps.logger.info(`Add Account: continued as ${filled.kind}`);
    filled = await runWizardSteps(descriptorOf(filled.kind).wizard, filled, ports);
  }
  if (!filled) {
    deps.logger.info(`Add Account (${draft.kind}) ended before saving (the log above says why)`);
    return undefined;
  }
  const descriptor = descriptorOf(filled.kind);
  const provider = deps.tokens.provider(filled.kind);
  const defaultAudience = await ui.input({
    title: 'Add account: default audience',
    prompt:
      descriptor.audienceText?.prompt ??
      (descriptor.audienceOptional
        ? `Optional: left empty, the token gets its default audience: ${descriptor.defaultAudienceIs ?? 'the one its issuer chooses'}.`
        : descriptor.tokenType === 'access token'
          ? "The resource the access tokens are for: the app's Application ID URI or client id (optional; asked at each mint when empty)"
          : 'The service URL the tokens are for (optional; asked at each mint when empty)'),
    placeHolder:
      descriptor.audienceText?.placeHolder ??
      (descriptor.tokenType === 'access token'
        ? 'api://my-app'
        : 'https://my-service-abc123-uc.a.run.app'),
    value: filled.defaultAudience ?? '',
    validate: (v) => audienceProblem(v, true),
    ...(descriptor.audienceExpectsUrl ? { warn: audienceSchemeWarning } : {}),
  });
  if (defaultAudience === undefined) return undefined;
  const taken = new Set(deps.store.read().accounts.map((a) => a.id));
  const probe: Account = { id: 'new', kind: filled.kind, settings: filled.settings };
  const suggested = filled.name ?? provider.describe(probe);
  const name = await ui.input({
    title: 'Add account: name in the tree',
    value: suggested,
  });
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
    for (const [secretName, value] of Object.entries(filled.secrets ?? {})) {
      await deps.context.secrets.store(secretKey(account.id, secretName), value);
    }
    if (!(await testMint(deps, account, filled.skipTestMint))) {
      await deps.store.remove(account.id);
      return undefined;
    }
    await deps.store.save(account);
    if (replaced) {
      await deps.store.remove(replaced.id);
      deps.logger.info(`Account "${replaced.id}" replaced by "${account.id}" (${account.kind})`);
    }
  } catch (error) {
    void vscode.window.showErrorMessage(`Token Explorer: ${errorMessage(error)}`);
    return undefined;
  }
  deps.logger.info(`Added account "${account.id}" (${account.kind})`);
  deps.refreshTree();
  void vscode.window
    .showInformationMessage(`Added ${account.name ?? account.id}.`, 'Get ID Token')
    .then(async (c) => {
      // A click: the same as the account row's Get ID Token (asks a missing audience, copies,
      // shows the result or the error with its remedies).
      if (c) await vscode.commands.executeCommand(CommandId.GetIdToken, accountNode(account));
    });
  return account;
}
