import * as vscode from 'vscode';
import type { TokenExplorerApi } from '../../../src/extension/extension';

/** The activated extension's API. */
export async function tokenExplorer(): Promise<TokenExplorerApi> {
  const extension = vscode.extensions.getExtension<TokenExplorerApi>(
    'token-explorer.token-explorer',
  );
  if (!extension) throw new Error('token-explorer.token-explorer is not loaded');
  return extension.activate();
}

/** Polls until `probe` returns a value, or fails after `timeoutMs` with `what`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
