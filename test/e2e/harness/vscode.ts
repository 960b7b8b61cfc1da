// Drives a real VS Code (code-server's workbench) in Chromium with this extension loaded in
// development mode. Starting and stopping code-server is scripts/lib/codeServer.mjs's job.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import type * as CodeServerModule from '../../../scripts/lib/codeServer.mjs';
import { eventually } from '../../helpers/poll';

/**
 * Where a UI test saves a screenshot named `file`: the git-ignored test-results/screenshots/, or
 * media/screenshots/ (the README's images) when TOKEN_EXPLORER_SCREENSHOTS=readme, which is what
 * `npm run screenshots` sets.
 */
export function screenshotPath(file: string): string {
  const root = join(__dirname, '..', '..', '..');
  const dir =
    process.env.TOKEN_EXPLORER_SCREENSHOTS === 'readme'
      ? join(root, 'media', 'screenshots')
      : join(root, 'test-results', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, file);
}

export interface LaunchOptions {
  /** Folder to open; a fresh temporary folder when omitted. */
  readonly workspace?: string;
  /** User settings on top of the harness defaults (telemetry off, no start page, no trust). */
  readonly settings?: Record<string, unknown>;
  /**
   * Remote (machine) settings: code-server windows are remote ones, so settings with
   * `"scope": "machine"` (accounts, gcloud path, JWKS URLs) are read from here only.
   */
  readonly machineSettings?: Record<string, unknown>;
  /** Extra environment for code-server and so for the extension host. */
  readonly env?: Record<string, string>;
  /** Extension folders to install next to this one (test fixtures). */
  readonly extraExtensions?: readonly string[];
  /** The browser window's size in CSS pixels; 1400×900 when omitted. */
  readonly viewport?: { readonly width: number; readonly height: number };
}

export interface VsCode {
  readonly page: Page;
  readonly browser: Browser;
  readonly workspace: string;
  /** code-server's run dir (user data with settings.json and logs, XDG dirs); gone after close. */
  readonly runDir: string;
  /** Every console message and page error of the workbench so far, as text. */
  readonly consoleMessages: readonly string[];
  /** Runs a command by its palette title, e.g. "Token Explorer: Inspect Token…". */
  runCommand(title: string): Promise<void>;
  /** Reloads the window (Developer: Reload Window) and waits for the workbench. */
  reload(): Promise<void>;
  /** The page's clipboard text. */
  readClipboard(): Promise<string>;
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
  const server = await codeServer.startCodeServer({
    settings,
    env: options.env,
    ...(options.extraExtensions ? { extensions: options.extraExtensions } : {}),
    ...(options.machineSettings ? { machineSettings: options.machineSettings } : {}),
  });
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await server.stop();
    if (options.workspace === undefined) rmSync(workspace, { recursive: true, force: true });
  };
  try {
    browser = await codeServer.launchChromium();
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1400, height: 900 },
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const page = await context.newPage();
    const consoleMessages: string[] = [];
    page.on('console', (message) => consoleMessages.push(message.text()));
    page.on('pageerror', (error) => consoleMessages.push(`${error.name}: ${error.message}`));
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
      runDir: server.runDir,
      consoleMessages,
      runCommand: (title) => runCommand(page, title),
      async reload() {
        // VS Code's own reload shuts the workbench down first, so it saves which editors are
        // open; a bare page reload can lose that when the browser drops the last storage write.
        const navigated = page.waitForEvent('framenavigated', {
          predicate: (frame) => frame === page.mainFrame(),
          timeout: 60_000,
        });
        await runCommand(page, 'Developer: Reload Window');
        await navigated;
        await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      },
      readClipboard: () => page.evaluate(() => navigator.clipboard.readText()),
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
    try {
      // A modal dialog left by a failed step (a test's first attempt) keeps F1 from opening the
      // palette: Escape below closes it, and the next round opens the palette.
      await input.fill(`>${title}`, { timeout: 3000 });
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

/**
 * Waits for a notification toast holding text and returns it: the first of them, since a test's
 * retry (or a slow action clicked twice) can leave an earlier toast with the same text.
 */
export async function waitForNotification(page: Page, text: string): Promise<Locator> {
  const toast = page.locator('.notification-toast', { hasText: text }).first();
  try {
    await toast.waitFor({ timeout: 15_000 });
    return toast;
  } catch {
    // The workbench sometimes shows no toast for a new notification (seen after an earlier
    // toast's button was pressed); the notification centre always lists it, buttons included.
    const item = page
      .locator('.notifications-center .notification-list-item', { hasText: text })
      .first();
    if (!(await item.isVisible())) await runCommand(page, 'Notifications: Show Notifications');
    await item.waitFor({ timeout: 15_000 });
    return item;
  }
}

/** The quick input (picker or input box) once it shows `title`. */
export async function quickInput(page: Page, title: string): Promise<Locator> {
  const widget = page.locator('.quick-input-widget', {
    has: page.locator('.quick-input-title', { hasText: title }),
  });
  await widget.waitFor();
  return widget;
}

/** The text box of the quick input titled `title`. */
export async function quickInputBox(page: Page, title: string): Promise<Locator> {
  return (await quickInput(page, title)).locator('.quick-input-box input');
}

/** Clicks the row holding `text` in the quick pick titled `title`. */
export async function pickRow(page: Page, title: string, text: string | RegExp): Promise<void> {
  const widget = await quickInput(page, title);
  await widget.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().click();
}

/** Shows an activity-bar view container by its title, unless it is showing. */
export async function showViewContainer(page: Page, title: string): Promise<void> {
  const header = page.locator('.part.sidebar .composite.title', { hasText: title });
  if (await header.isVisible()) return;
  await page.locator(`.activitybar .action-item [aria-label^="${title}"]`).first().click();
  await header.waitFor();
}

/** A tree view's pane in the side bar, by the view's name. */
export function viewPane(page: Page, name: string): Locator {
  return page.locator('.part.sidebar .pane', {
    has: page.locator('.pane-header', { hasText: name }),
  });
}

export interface TreeRow {
  /** 1 for roots. */
  readonly level: number;
  readonly label: string;
  readonly description: string;
}

/** The rows a tree view shows right now, in order. */
export async function treeRows(pane: Locator): Promise<TreeRow[]> {
  const rows = pane.locator('.pane-body .monaco-list-row');
  const out: TreeRow[] = [];
  for (const row of await rows.all()) {
    out.push({
      level: Number(await row.getAttribute('aria-level')),
      // allInnerTexts does not wait: a row without a description has no .label-description.
      label: (await row.locator('.label-name').allInnerTexts()).join('').trim(),
      description: (await row.locator('.label-description').allInnerTexts()).join('').trim(),
    });
  }
  return out;
}

/** The row of a tree view whose label is `label`. */
export function treeRow(pane: Locator, label: string): Locator {
  return pane.locator('.pane-body .monaco-list-row', {
    has: pane.page().locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }),
  });
}

/**
 * The audience row of the accounts tree for `audience`: its label is the countdown, its
 * description the audience (without "https://").
 */
export function audienceRow(pane: Locator, audience: string): Locator {
  const shown = audience.replace(/^https:\/\//, '');
  return pane.locator('.pane-body .monaco-list-row', {
    has: pane
      .page()
      .locator('.label-description', { hasText: new RegExp(`^${escapeRegExp(shown)}$`) }),
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Picks a file in code-server's own "open file" dialog (a quick input holding a path) by typing
 * its absolute path. The dialog fills in its start folder and follows typed folders on its own,
 * sometimes overwriting what was typed: type again until the path sticks and the dialog closes.
 */
export async function chooseFile(page: Page, title: string, path: string): Promise<void> {
  const widget = await quickInput(page, title);
  const box = widget.locator('.quick-input-box input');
  for (let attempt = 1; ; attempt++) {
    await box.fill(path);
    await page.waitForTimeout(500);
    if ((await box.inputValue()) === path) {
      await box.press('Enter');
      try {
        await widget.locator('.quick-input-title', { hasText: title }).waitFor({
          state: 'hidden',
          timeout: 3000,
        });
        return;
      } catch {
        // Still open ("Please select a file."): type the path again.
      }
    }
    if (attempt === 5) throw new Error(`the file dialog "${title}" did not take ${path}`);
  }
}

/** Drags the sash between the side bar and the editor until the side bar is `width` px wide. */
export async function widenSideBar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box) throw new Error('the side bar is not showing');
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 10 });
  await page.mouse.up();
}

/** Right-clicks `target` and runs the context-menu item `item`. */
export async function contextMenu(target: Locator, item: string): Promise<void> {
  await target.click({ button: 'right' });
  const entry = target.page().locator('.monaco-menu .action-item', {
    has: target.page().locator('.action-label', { hasText: new RegExp(`^${escapeRegExp(item)}$`) }),
  });
  // A click right after the menu opens is sometimes swallowed: hovering focuses the item, and
  // Enter runs the focused one.
  await entry.hover();
  await target.page().locator('.monaco-menu .action-item.focused', { hasText: item }).waitFor();
  await target.page().keyboard.press('Enter');
}

/**
 * Hovers a tree row and clicks its inline action button. Rows with a countdown are redrawn every
 * second, which can swallow a click: with `done`, click again until it shows.
 */
export async function inlineAction(row: Locator, title: string, done?: Locator): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await row.hover();
    await row.locator(`.actions .action-label[aria-label^="${title}"]`).click();
    if (!done) return;
    try {
      // `first()`: when the first click was slow rather than dropped, a second click makes a second
      // result (a second toast); either proves the action ran.
      await done.first().waitFor({ timeout: 3000 * attempt });
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

/**
 * Hovers `target` until `hover` (a tooltip) shows. A hover can be swallowed while a tree
 * re-renders (rows with a countdown redraw every second): move away and hover again.
 */
export async function hoverUntilShown(
  page: Page,
  target: Locator,
  hover: Locator,
  timeoutMs?: number,
): Promise<void> {
  await eventually(
    'the tooltip',
    async () => {
      await page.mouse.move(0, 0);
      await target.hover();
      return hover.waitFor({ timeout: 3000 }).then(
        () => true,
        () => false,
      );
    },
    Boolean,
    timeoutMs,
  );
}
