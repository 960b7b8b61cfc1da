// Types of codeServer.mjs for the TypeScript e2e harness (test/e2e/harness/vscode.ts).
import type { Browser } from 'playwright-core';

export const CODE_SERVER_VERSION: string;
export const NODE_VERSION: string;
export const repoRoot: string;
export const DEFAULT_SETTINGS: Readonly<Record<string, unknown>>;

export interface CodeServer {
  readonly port: number;
  readonly url: string;
  readonly runDir: string;
  /** Kills the process group and removes the run dir. */
  stop(): Promise<void>;
}

export function codeServerInstalled(): boolean;
/** Installs Node 22 and code-server on demand; gives the Node binary and code-server's entry. */
export function ensureCodeServer(): Promise<{ node: string; entry: string }>;
export function startCodeServer(options?: {
  settings?: Record<string, unknown>;
  /** Written to the remote (machine) settings, where machine-scoped settings are read from. */
  machineSettings?: Record<string, unknown>;
  env?: Record<string, string>;
  /** Extension folders to install before start (test fixtures). */
  extensions?: readonly string[];
}): Promise<CodeServer>;
export function workbenchUrl(
  server: CodeServer,
  options: { folder?: string; extensionDevelopmentPath?: string; extensionTestsPath?: string },
): string;
export function launchChromium(): Promise<Browser>;
