import { loadAwsSdk } from './adapters/awsSdkLoader';
import * as vscode from 'vscode';
import { TokenCache } from '../core/cache/tokenCache';
import { JwksCache } from '../core/jwt/jwks';
import { nodeEnvironment } from '../core/node/environment';
import { nodeFileReader } from '../core/node/fileReader';
import { nodeProcessRunner } from '../core/node/processRunner';
import { proxiedFetch } from '../core/net/proxiedFetch';
import { systemClock } from '../core/ports';
import type { ProviderContext } from '../core/providers/provider';
import { createProviders } from '../core/providers/registry';
import { TokenService } from '../core/tokenService';
import { parseYaml } from '../core/yaml';
import type { InspectorState } from '../shared/protocol';
import { AccountsStore } from './adapters/accountsStore';
import { vscodeClipboardGuard } from './adapters/clipboard';
import { channelLogger } from './adapters/logger';
import { readOutboundProxy } from './adapters/outboundProxy';
import { vscodeSecretStore } from './adapters/secretStore';
import { SETTINGS_SECTION, readSettings } from './adapters/settings';
import { registerCommands } from './commands';
import { CommandId } from './commands/commandId';
import { pickKey } from './commands/pickKey';
import { AccountsTree } from './views/accountsTree';
import { clearStaleErrors } from './views/staleErrors';
import { JwtCodeLensProvider } from './views/jwtCodeLens';
import { JwtHoverProvider } from './views/jwtHover';
import { SourcesTree } from './views/sourcesTree';
import { TokenStatusBar } from './views/statusBar';
import { ImportedTokens } from './importedTokens';
import { LocalIssuerController } from './localIssuerController';
import { registerMcpProvider } from './mcp/mcpProvider';
import { LocalProxies, ProxiesTree } from './proxy/proxies';
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

/**
 * Tests only: a folder standing in for the pod's service-account mount, from the variable
 * TOKEN_EXPLORER_TEST_IN_CLUSTER_ROOT, so a test can be "in a pod" without writing to
 * /var/run/secrets. Read only when the extension runs from source (extension-host tests run in
 * ExtensionMode.Test, the UI tests in Development); an installed extension never reads it, and
 * no workspace can set the extension host's environment. Read at each use, like the settings.
 */
function testInClusterRoot(context: vscode.ExtensionContext): string | undefined {
  return context.extensionMode === vscode.ExtensionMode.Production
    ? undefined
    : nodeEnvironment.get('TOKEN_EXPLORER_TEST_IN_CLUSTER_ROOT');
}

/** The composition root: builds the adapters and wires them to the core. */
export function activate(context: vscode.ExtensionContext): TokenExplorerApi {
  const channel = vscode.window.createOutputChannel('Token Explorer', { log: true });
  const logger = channelLogger(channel);
  const settings = readSettings;
  const secrets = vscodeSecretStore(context.secrets);
  // Every outbound request takes the proxy the user has, read fresh (a changed http.proxy applies
  // to the next request).
  const fetch = proxiedFetch(globalThis.fetch, () => readOutboundProxy());
  const providerContext: ProviderContext = {
    fetch,
    clock: systemClock,
    runner: nodeProcessRunner,
    secrets,
    files: nodeFileReader,
    env: nodeEnvironment,
    logger,
    get timeoutMs() {
      return settings().providerTimeoutMs;
    },
    get gcloudPath() {
      return settings().gcloudPath;
    },
    get ycPath() {
      return settings().ycPath;
    },
    get kubectlPath() {
      return settings().kubectlPath;
    },
    get azPath() {
      return settings().azPath;
    },
    get buildkiteAgentPath() {
      return settings().buildkiteAgentPath;
    },
    get circleciPath() {
      return settings().circleciPath;
    },
    get googleEndpoints() {
      return settings().googleEndpoints;
    },
    parseYaml,
    awsSdk: loadAwsSdk,
    get workspaceTrusted() {
      return vscode.workspace.isTrusted;
    },
    get outboundProxy() {
      return readOutboundProxy();
    },
    get inClusterRoot() {
      return testInClusterRoot(context);
    },
  };
  // Read at each fetch, so a changed timeout applies without a reload.
  const jwks = new JwksCache(fetch, systemClock, {
    get timeoutMs() {
      return settings().timeoutMs;
    },
    jwksOverrides: () => settings().jwksUris,
  });
  const clipboard = vscodeClipboardGuard(() => settings().clipboardClearAfterSeconds);
  const inspector = new InspectorPanel({
    clipboard,
    extensionUri: context.extensionUri,
    secrets: context.secrets,
    jwks,
    logger,
    settings,
    pickKey,
  });
  const localIssuer = new LocalIssuerController(
    secrets,
    context.globalStorageUri,
    settings,
    systemClock,
    logger,
  );
  const imported = new ImportedTokens(secrets, context.globalState);
  void imported
    .restore()
    .catch((error: unknown) => logger.warn(`Imported tokens: ${String(error)}`));
  const cache = new TokenCache(systemClock);
  const providers = createProviders(() => localIssuer.running());
  const tokens = new TokenService(providers, cache, () => providerContext);
  const store = new AccountsStore(secrets, context.globalState);
  const masked = () => settings().maskTokens;
  const tree = new AccountsTree(
    store,
    tokens,
    (account) => tokens.provider(account.kind).describe(account, nodeEnvironment),
    masked,
  );
  const statusBar = new TokenStatusBar(tokens, store, masked);
  const sources = new SourcesTree(imported, localIssuer, parseYaml, masked);
  const codeLens = new JwtCodeLensProvider(settings);
  const proxies = new LocalProxies(tokens, logger, systemClock);
  const proxiesTree = new ProxiesTree(proxies);
  const staleErrors = clearStaleErrors({ store, tokens, localIssuer });
  const cacheSubscription = cache.onDidChange(() => {
    tree.refresh();
    statusBar.update();
  });
  context.subscriptions.push(
    channel,
    inspector,
    codeLens,
    store,
    tree,
    statusBar,
    { dispose: () => cacheSubscription.dispose() },
    staleErrors,
    vscode.languages.registerHoverProvider(ALL_FILES, new JwtHoverProvider(settings)),
    vscode.languages.registerCodeLensProvider(ALL_FILES, codeLens),
    vscode.window.createTreeView('tokenExplorer.accounts', {
      treeDataProvider: tree,
      showCollapseAll: true,
    }),
    localIssuer,
    imported,
    sources,
    vscode.window.createTreeView('tokenExplorer.sources', { treeDataProvider: sources }),
    proxies,
    proxiesTree,
    vscode.window.createTreeView('tokenExplorer.proxies', { treeDataProvider: proxiesTree }),
    ...registerMcpProvider(vscode.lm, {
      tokens,
      accounts: () => store.read().accounts,
      onTokenChange: (listener) => {
        const subscription = cache.onDidChange(listener);
        return { dispose: () => subscription.dispose() };
      },
      logger,
      eagerRefreshMs: cache.eagerRefreshMs,
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${SETTINGS_SECTION}.codeLens`)) codeLens.refresh();
      if (event.affectsConfiguration(`${SETTINGS_SECTION}.verification`)) jwks.clear();
      if (event.affectsConfiguration(`${SETTINGS_SECTION}.maskTokens`)) {
        tree.refresh();
        sources.refresh();
        statusBar.update(true);
        inspector.setMasked(masked());
      }
    }),
  );
  registerCommands(context, {
    clipboard,
    fetch,
    toggleMasked: async () => {
      const next = !masked();
      await vscode.workspace
        .getConfiguration(SETTINGS_SECTION)
        .update('maskTokens', next, vscode.ConfigurationTarget.Global);
      vscode.window.setStatusBarMessage(
        next ? '$(eye-closed) Masked mode on: tokens are shortened' : '$(eye) Masked mode off',
        3000,
      );
    },
    inspector,
    store,
    tokens,
    statusBar,
    settings,
    logger,
    context: providerContext,
    state: context.globalState,
    refreshTree: () => tree.refresh(),
    showLog: () => channel.show(),
    imported,
    localIssuer,
    parseYaml,
    proxies,
  });
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
