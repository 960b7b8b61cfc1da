import * as vscode from 'vscode';

/** The extension's settings, read fresh each time (they are cheap and may change). */
export interface Settings {
  readonly fetchIssuerKeys: boolean;
  readonly jwksUris: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly expectedAudience: string | undefined;
  readonly clockSkewSeconds: number;
  readonly hoverEnabled: boolean;
  readonly codeLensEnabled: boolean;
}

export const SETTINGS_SECTION = 'tokenExplorer';

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : min;
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
  };
}
