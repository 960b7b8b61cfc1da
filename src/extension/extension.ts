import * as vscode from 'vscode';
import { JwksCache } from '../core/jwt/jwks';
import { systemClock } from '../core/ports';
import { channelLogger } from './adapters/logger';
import { SETTINGS_SECTION, readSettings } from './adapters/settings';
import { CommandId, registerCommands } from './commands';
import { pickKey } from './commands/pickKey';
import { JwtCodeLensProvider } from './views/jwtCodeLens';
import { JwtHoverProvider } from './views/jwtHover';
import type { InspectorState } from '../shared/protocol';
import type { RenderedInfo } from './webview/inspectorPanel';
import { InspectorPanel } from './webview/inspectorPanel';

/** What activate() returns: a small API for other extensions and the extension-host tests. */
export interface TokenExplorerApi {
  readonly inspector: {
    /** What the inspector shows (token, decoded claims, verification), if anything. */
    state(): InspectorState | undefined;
    /** What the webview last reported rendering. */
    lastRendered(): RenderedInfo | undefined;
    readonly onDidRender: vscode.Event<RenderedInfo>;
  };
}

// Every document, output channels and untitled files included: tokens turn up in logs.
const ALL_FILES: vscode.DocumentSelector = '*';

/** The composition root: builds the adapters and wires them to the core. */
export function activate(context: vscode.ExtensionContext): TokenExplorerApi {
  const channel = vscode.window.createOutputChannel('Token Explorer', { log: true });
  const logger = channelLogger(channel);
  const settings = readSettings;
  const jwks = new JwksCache(fetch, systemClock, {
    timeoutMs: settings().timeoutMs,
    jwksOverrides: () => settings().jwksUris,
  });
  const inspector = new InspectorPanel({
    extensionUri: context.extensionUri,
    secrets: context.secrets,
    jwks,
    logger,
    settings,
    pickKey,
  });
  const codeLens = new JwtCodeLensProvider(settings);
  context.subscriptions.push(
    channel,
    inspector,
    codeLens,
    vscode.languages.registerHoverProvider(ALL_FILES, new JwtHoverProvider(settings)),
    vscode.languages.registerCodeLensProvider(ALL_FILES, codeLens),
    vscode.window.registerTreeDataProvider('tokenExplorer.accounts', {
      getTreeItem: (item: vscode.TreeItem) => item,
      getChildren: () => [],
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${SETTINGS_SECTION}.codeLens`)) codeLens.refresh();
      if (event.affectsConfiguration(`${SETTINGS_SECTION}.verification`)) jwks.clear();
    }),
  );
  registerCommands(context, { inspector });
  logger.info(`Token Explorer activated; commands: ${Object.values(CommandId).length}`);
  return {
    inspector: {
      state: () => inspector.current,
      lastRendered: () => inspector.lastRendered,
      onDidRender: inspector.onDidRender,
    },
  };
}

export function deactivate(): void {}
