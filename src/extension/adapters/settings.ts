import * as vscode from 'vscode';
import {
  GOOGLE_API_DEFAULTS,
  type GoogleApi,
  type GoogleEndpoints,
} from '../../core/providers/google/endpoints';

/** The extension's settings, read fresh each time (they are cheap and may change). */
export interface Settings {
  readonly fetchIssuerKeys: boolean;
  readonly jwksUris: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly expectedAudience: string | undefined;
  readonly clockSkewSeconds: number;
  readonly hoverEnabled: boolean;
  readonly codeLensEnabled: boolean;
  /** What "Get ID token" puts on the clipboard. */
  readonly copyFormat: 'token' | 'bearer';
  /** The gcloud executable; machine-scoped, never from a workspace. */
  readonly gcloudPath: string;
  /** Upper bound for one provider network or CLI call. */
  readonly providerTimeoutMs: number;
  /** The yc and kubectl executables; machine-scoped, never from a workspace. */
  readonly ycPath: string;
  readonly kubectlPath: string;
  readonly azPath: string;
  readonly buildkiteAgentPath: string;
  readonly circleciPath: string;
  /** Google API base URLs replacing Google's hosts (`google.endpoints`); machine-scoped. */
  readonly googleEndpoints: GoogleEndpoints;
  /** Port of the local issuer (0: any free port) and its signing algorithm. */
  readonly localIssuerPort: number;
  readonly localIssuerAlgorithm: 'ES256' | 'RS256';
  /** Seconds after which a copied token is cleared from the clipboard (0: never). */
  readonly clipboardClearAfterSeconds: number;
  /** Masked mode: tokens show only their first and last characters. */
  readonly maskTokens: boolean;
}

export const SETTINGS_SECTION = 'tokenExplorer';

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : min;
}

/**
 * A setting naming an executable: only the user's (or remote machine's) value counts, never a
 * workspace's, whatever the trust state, so opening a repository cannot swap the binary we run.
 */
function machineValue(config: vscode.WorkspaceConfiguration, key: string): string | undefined {
  const value = config.inspect<string>(key)?.globalValue;
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * `google.endpoints` from the user's (or remote machine's) settings only, like an executable: a
 * workspace must not send the user's Google credentials elsewhere. Unknown APIs and values that
 * are not http(s) URLs are dropped.
 */
function googleEndpoints(config: vscode.WorkspaceConfiguration): GoogleEndpoints {
  const value = config.inspect<unknown>('google.endpoints')?.globalValue;
  const endpoints: Partial<Record<GoogleApi, string>> = {};
  if (!value || typeof value !== 'object') return endpoints;
  for (const api of Object.keys(GOOGLE_API_DEFAULTS) as GoogleApi[]) {
    const url = (value as Record<string, unknown>)[api];
    if (typeof url === 'string' && /^https?:\/\//i.test(url.trim()) && URL.canParse(url.trim())) {
      endpoints[api] = url.trim();
    }
  }
  return endpoints;
}

/**
 * Reads the settings. Endpoint settings are machine-scoped and declared restricted in
 * package.json, so VS Code never takes them from an untrusted workspace; the string map is still
 * filtered to string values because settings.json can hold anything.
 */
export function readSettings(): Settings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const rawUris = config.get<unknown>('verification.jwksUris', {});
  const jwksUris: Record<string, string> = {};
  if (rawUris && typeof rawUris === 'object') {
    for (const [issuer, url] of Object.entries(rawUris))
      if (typeof url === 'string') jwksUris[issuer] = url;
  }
  const audience = config.get<string>('verification.expectedAudience', '').trim();
  return {
    fetchIssuerKeys: config.get<boolean>('verification.fetchIssuerKeys', true),
    jwksUris,
    timeoutMs: clamp(config.get<number>('verification.timeoutSeconds', 5), 1, 60) * 1000,
    expectedAudience: audience === '' ? undefined : audience,
    clockSkewSeconds: clamp(config.get<number>('clockSkewSeconds', 60), 0, 3600),
    hoverEnabled: config.get<boolean>('hover.enabled', true),
    codeLensEnabled: config.get<boolean>('codeLens.enabled', false),
    copyFormat: config.get<string>('copyFormat', 'token') === 'bearer' ? 'bearer' : 'token',
    gcloudPath: machineValue(config, 'gcloud.path') ?? 'gcloud',
    providerTimeoutMs: clamp(config.get<number>('timeoutSeconds', 30), 1, 300) * 1000,
    ycPath: machineValue(config, 'yc.path') ?? 'yc',
    kubectlPath: machineValue(config, 'kubectl.path') ?? 'kubectl',
    azPath: machineValue(config, 'az.path') ?? 'az',
    buildkiteAgentPath: machineValue(config, 'buildkiteAgent.path') ?? 'buildkite-agent',
    circleciPath: machineValue(config, 'circleci.path') ?? 'circleci',
    googleEndpoints: googleEndpoints(config),
    localIssuerPort: Math.round(clamp(config.get<number>('localIssuer.port', 8977), 0, 65535)),
    localIssuerAlgorithm:
      config.get<string>('localIssuer.algorithm') === 'RS256' ? 'RS256' : 'ES256',
    clipboardClearAfterSeconds: Math.round(
      clamp(config.get<number>('clipboard.clearAfterSeconds', 60), 0, 3600),
    ),
    maskTokens: config.get<boolean>('maskTokens', false),
  };
}
