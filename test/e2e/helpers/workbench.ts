// Small helpers for driving the workbench's quick input, views and clipboard from UI tests.
import type { Locator, Page } from 'playwright-core';
import { eventually } from '../../helpers/poll';

/** The quick input (picker or input box) once it shows `title`; fails after `timeout` ms. */
export async function quickInput(page: Page, title: string, timeout = 20_000): Promise<Locator> {
  const widget = page.locator('.quick-input-widget', {
    has: page.locator('.quick-input-title', { hasText: title }),
  });
  await widget.waitFor({ state: 'visible', timeout });
  return widget;
}

/** The rows a quick pick shows right now, as their visible text (label, description, detail). */
export async function quickPickTexts(widget: Locator): Promise<string[]> {
  await widget.locator('.quick-input-list .monaco-list-row').first().waitFor();
  return widget.locator('.quick-input-list .monaco-list-row').allInnerTexts();
}

/** Clicks the quick pick row holding `text`. */
export async function pickRow(widget: Locator, text: string | RegExp): Promise<void> {
  const row = widget.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
  await row.waitFor();
  await row.click();
}

/** The text box of a quick input. */
export function quickInputBox(widget: Locator): Locator {
  return widget.locator('.quick-input-box input');
}

/** Shows the Token Explorer view container (the activity-bar entry), unless it is showing. */
export async function showTokenExplorer(page: Page): Promise<void> {
  const container = page.locator('.sidebar .composite.title', { hasText: /token explorer/i });
  if (await container.isVisible()) return;
  await page
    .locator('.activitybar .action-item', {
      has: page.locator('[aria-label^="Token Explorer"]'),
    })
    .or(page.locator('.activitybar .action-item[aria-label^="Token Explorer"]'))
    .first()
    .click();
  await container.waitFor();
}

/** Drags the sash between the side bar and the editor until the side bar is `width` px wide. */
export async function widenSideBar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box) throw new Error('the side bar is not showing');
  const edge = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(edge, y);
  await page.mouse.down();
  await page.mouse.move(edge + (width - box.width) / 2, y, { steps: 5 });
  await page.mouse.move(box.x + width, y, { steps: 5 });
  await page.mouse.up();
}

/** A view's pane in the side bar (header and body), found by the view's name. */
export function viewPane(page: Page, name: string): Locator {
  return page.locator('.sidebar .pane', {
    has: page.locator('.pane-header', { hasText: name }),
  });
}

export interface TreeRow {
  readonly text: string;
  readonly level: number;
}

/** The visible rows of a tree view, in order, with their depth (1 for roots). */
export async function treeRows(pane: Locator): Promise<TreeRow[]> {
  const rows = pane.locator('.pane-body .monaco-list-row');
  const count = await rows.count();
  const out: TreeRow[] = [];
  for (let i = 0; i < count; i++) {
    const row = rows.nth(i);
    out.push({
      text: (await row.innerText()).replace(/\s+/g, ' ').trim(),
      level: Number(await row.getAttribute('aria-level')),
    });
  }
  return out;
}

/**
 * The children (direct and deeper) of the first root row whose text matches `parent`, as the
 * tree shows them: the rows after it, up to the next root.
 */
export function childrenOf(rows: readonly TreeRow[], parent: string | RegExp): TreeRow[] {
  const matches = (text: string) =>
    typeof parent === 'string' ? text.includes(parent) : parent.test(text);
  const start = rows.findIndex((r) => r.level === 1 && matches(r.text));
  if (start === -1) return [];
  const out: TreeRow[] = [];
  for (const row of rows.slice(start + 1)) {
    if (row.level <= 1) break;
    out.push(row);
  }
  return out;
}

/** The page's clipboard text (the harness grants clipboard permissions). */
export function readClipboard(page: Page): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}

export function writeClipboard(page: Page, text: string): Promise<void> {
  return page.evaluate((t) => navigator.clipboard.writeText(t), text);
}

/** Waits for the clipboard to hold a JWT other than `previous` and returns it. */
export function clipboardJwt(page: Page, previous = ''): Promise<string> {
  const jwt = /^[\w-]+\.[\w-]+\.[\w-]+$/;
  return eventually(
    'a JWT on the clipboard',
    () => readClipboard(page),
    (text) => jwt.test(text) && text !== previous,
  );
}
