import * as vscode from 'vscode';
import type { InspectorPanel } from '../webview/inspectorPanel';
import { checkTrust } from './checkTrust';
import { vaultLogin } from './vaultLogin';
import type { AccountCommandDeps } from './wizardUi';
import { addAccount } from './addAccount';
import { CommandId } from './commandId';
import { detectCredentials } from './detectCredentials';
import { editAccount } from './editAccount';
import type { CallCommandDeps } from './callService';
import { callService, checkAgainstUrl, copyAs } from './callService';
import { inspectJwt, inspectSelection } from './inspectJwt';
import type { ProxyCommandDeps } from './proxy';
import { addMcpServer, copyLocalProxyUrl, startLocalProxy, stopLocalProxy } from './proxy';
import { reimportKeyCommand } from './reimportKey';
import { removeAccount } from './removeAccount';
import type { SourceCommandDeps } from './sources';
import {
  copyImportedBearer,
  copyLocalIssuerUrl,
  editTestTokenTemplate,
  importToken,
  insertIdTokens,
  inspectImported,
  mintTestToken,
  removeImported,
  startLocalIssuer,
  stopLocalIssuer,
} from './sources';
import type { TokenCommandDeps } from './tokens';
import {
  copyAsCurl,
  copyBearerHeader,
  getIdToken,
  copyAudience,
  inspectAudience,
  inspectLatest,
  refreshAll,
  refreshToken,
} from './tokens';

export interface CommandDeps
  extends
    TokenCommandDeps,
    AccountCommandDeps,
    SourceCommandDeps,
    CallCommandDeps,
    ProxyCommandDeps {
  readonly inspector: InspectorPanel;
  readonly showLog: () => void;
  /** Flips masked mode (the tokenExplorer.maskTokens user setting). */
  readonly toggleMasked: () => Promise<void>;
}

/** Registers every command, each disposable pushed to the extension's subscriptions. */
export function registerCommands(context: vscode.ExtensionContext, deps: CommandDeps): void {
  const { inspector } = deps;
  const handlers: Record<CommandId, (...args: unknown[]) => unknown> = {
    [CommandId.InspectJwt]: (token) => inspectJwt(inspector, token),
    [CommandId.InspectSelection]: () => inspectSelection(inspector),
    [CommandId.VerifyWithKey]: () => inspector.verifyWithKey(),
    [CommandId.CopyInspectedToken]: () => inspector.copy('token'),
    [CommandId.CopyInspectedBearer]: () => inspector.copy('bearer'),
    [CommandId.GetIdToken]: (arg) => getIdToken(deps, arg),
    [CommandId.CopyBearerHeader]: (arg) => copyBearerHeader(deps, arg),
    [CommandId.CopyAsCurl]: (arg) => copyAsCurl(deps, arg),
    [CommandId.InspectAudience]: (arg) => inspectAudience(deps, arg),
    [CommandId.CopyAudience]: (arg) => copyAudience(deps, arg),
    [CommandId.InspectLatest]: () => inspectLatest(deps),
    [CommandId.RefreshToken]: (arg) => refreshToken(deps, arg),
    [CommandId.RefreshAll]: () => refreshAll(deps),
    [CommandId.AddAccount]: (arg) => addAccount(deps, arg),
    [CommandId.DetectCredentials]: () => detectCredentials(deps),
    [CommandId.EditAccount]: (arg) => editAccount(deps, arg),
    [CommandId.RemoveAccount]: (arg) => removeAccount(deps, arg),
    [CommandId.ReimportKey]: (arg) => reimportKeyCommand(deps, arg),
    [CommandId.ShowLog]: () => deps.showLog(),
    [CommandId.ImportToken]: () => importToken(deps),
    [CommandId.InspectImported]: (arg) => inspectImported(deps, arg),
    [CommandId.CopyImportedBearer]: (arg) => copyImportedBearer(deps, arg),
    [CommandId.RemoveImported]: (arg) => removeImported(deps, arg),
    [CommandId.StartLocalIssuer]: () => startLocalIssuer(deps),
    [CommandId.StopLocalIssuer]: () => stopLocalIssuer(deps),
    [CommandId.CopyLocalIssuerUrl]: () => copyLocalIssuerUrl(deps),
    [CommandId.MintTestToken]: () => mintTestToken(deps),
    [CommandId.EditTestTokenTemplate]: () => editTestTokenTemplate(deps),
    [CommandId.InsertIdTokens]: (arg) => insertIdTokens(deps, arg),
    [CommandId.StartLocalProxy]: (arg) => startLocalProxy(deps, arg),
    [CommandId.StopLocalProxy]: (arg) => stopLocalProxy(deps, arg),
    [CommandId.CopyLocalProxyUrl]: (arg) => copyLocalProxyUrl(deps, arg),
    [CommandId.AddMcpServer]: () => addMcpServer(deps),
    [CommandId.CallService]: (arg) => callService(deps, arg),
    [CommandId.CheckAgainstUrl]: (arg) => checkAgainstUrl(deps, arg),
    [CommandId.CopyAs]: (arg) => copyAs(deps, arg),
    [CommandId.ToggleMaskedMode]: () => deps.toggleMasked(),
    [CommandId.CheckTrust]: (arg) => checkTrust(inspector, deps.logger, arg),
    [CommandId.VaultLogin]: (arg) =>
      vaultLogin(inspector, deps.logger, deps.settings().providerTimeoutMs, arg),
  };
  for (const [id, handler] of Object.entries(handlers)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  }
}
