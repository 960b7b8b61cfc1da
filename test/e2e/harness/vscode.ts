// Drives a real VS Code (code-server's workbench) in Chromium with this extension loaded in
// development mode. Starting and stopping code-server is scripts/lib/codeServer.mjs's job.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import type * as CodeServerModule from '../../../scripts/lib/codeServer.mjs';

export interface LaunchOptions {
  /** Folder to open; a fresh temporary folder when omitted. */
  readonly workspace?: string;
  /** User settings on top of the harness defaults (telemetry off, no start page, no trust). */
  readonly settings?: Record<string, unknown>;
  /** Extra environment for code-server and so for the extension host. */
  readonly env?: Record<string, string>;
}

export interface VsCode {
  readonly page: Page;
  readonly browser: Browser;
  readonly workspace: string;
  /** Runs a command by its palette title, e.g. "Token Explorer: Inspect JWT". */
  runCommand(title: string): Promise<void>;
  screenshot(path: string): Promise<void>;
  close(): Promise<void>;
}

/** codeServer.mjs is an ES module that finds the repo through import.meta.url: load it as is. */
async function loadCodeServer(): Promise<typeof CodeServerModule> {
  let dir = __dirname;
  while (!existsSync(join(dir, 'scripts', 'lib', 'codeServer.mjs'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no scripts/lib/codeServer.mjs above ${__dirname}`);
    dir = parent;
  }
  const url = pathToFileURL(join(dir, 'scripts', 'lib', 'codeServer.mjs')).href;
  return (await import(url)) as typeof CodeServerModule;
}

export async function launchVsCode(options: LaunchOptions = {}): Promise<VsCode> {
  const codeServer = await loadCodeServer();
  const workspace = options.workspace ?? mkdtempSync(join(tmpdir(), 'token-explorer-e2e-'));
  // With an extension in development mode, code-server's workbench ignores the color theme in
  // settings.json (it stays in Light+); picking it in the theme picker works and saves it.
  const { 'workbench.colorTheme': theme, ...settings } = options.settings ?? {};
  const server = await codeServer.startCodeServer({ settings, env: options.env });
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await server.stop();
    if (options.workspace === undefined) rmSync(workspace, { recursive: true, force: true });
  };
  try {
    browser = await codeServer.launchChromium();
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const page = await context.newPage();
    await page.goto(
      codeServer.workbenchUrl(server, {
        folder: workspace,
        extensionDevelopmentPath: codeServer.repoRoot,
      }),
    );
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    if (typeof theme === 'string') await setColorTheme(page, theme);
    return {
      page,
      browser,
      workspace,
      runCommand: (title) => runCommand(page, title),
      async screenshot(path) {
        mkdirSync(dirname(path), { recursive: true });
        await page.screenshot({ path });
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** F1, type the title, pick the row; retried while the extension host is still starting. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  const deadline = Date.now() + 30_000;
  for (;;) {
    await page.keyboard.press('F1');
    await input.fill(`>${title}`);
    try {
      await row.waitFor({ timeout: 3000 });
      break;
    } catch {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw new Error(`"${title}" is not in the command palette`);
    }
  }
  await row.click();
}

/** Picks a color theme by its id (e.g. "Default Dark Modern") in "Preferences: Color Theme". */
export async function setColorTheme(page: Page, theme: string): Promise<void> {
  const row = page.locator('.quick-input-list .monaco-list-row.focused', { hasText: theme });
  // The picker sometimes opens before it has all themes, and then never lists them: reopen it.
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, 'Preferences: Color Theme');
    await page.locator('.quick-input-widget input[placeholder^="Select Color Theme"]').fill(theme);
    try {
      await row.waitFor({ timeout: 5000 });
      break;
    } catch (error) {
      await page.keyboard.press('Escape');
      if (attempt === 3) throw error;
    }
  }
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** The content of the (single) webview: two iframes deep. */
export function webviewFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** Waits for a notification toast holding text and returns it. */
export async function waitForNotification(page: Page, text: string): Promise<Locator> {
  const toast = page.locator('.notification-toast', { hasText: text });
  await toast.waitFor();
  return toast;
}
