import * as vscode from 'vscode';
import type { InspectorPanel } from '../webview/inspectorPanel';
import { inspectJwt, inspectSelection } from './inspectJwt';

/** Every command the extension contributes (package.json `contributes.commands`). */
export enum CommandId {
  InspectJwt = 'tokenExplorer.inspectJwt',
  InspectSelection = 'tokenExplorer.inspectSelection',
  VerifyWithKey = 'tokenExplorer.verifyWithKey',
  CopyInspectedToken = 'tokenExplorer.copyInspectedToken',
  CopyInspectedBearer = 'tokenExplorer.copyInspectedBearer',
}

export interface CommandDeps {
  readonly inspector: InspectorPanel;
}

/** Registers every command, each disposable pushed to the extension's subscriptions. */
export function registerCommands(context: vscode.ExtensionContext, deps: CommandDeps): void {
  const { inspector } = deps;
  const handlers: Record<CommandId, (...args: unknown[]) => unknown> = {
    [CommandId.InspectJwt]: (token) => inspectJwt(inspector, token),
    [CommandId.InspectSelection]: () => inspectSelection(inspector),
    [CommandId.VerifyWithKey]: () => inspector.verifyWithUserKey(),
    [CommandId.CopyInspectedToken]: () => inspector.copy('token'),
    [CommandId.CopyInspectedBearer]: () => inspector.copy('bearer'),
  };
  for (const [id, handler] of Object.entries(handlers)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  }
}
