// Issue 9: text from a token is data on every VS Code surface that renders markdown or links,
// and a token nested too deep for the messaging layer still reaches the panel.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, generateKeyPair } from 'jose';
import type { Locator, Page } from 'playwright-core';
import {
  launchVsCode,
  screenshotPath,
  showViewContainer,
  viewPane,
  waitForNotification,
  webviewFrame,
  widenSideBar,
} from './harness/vscode';
import { pickRow, quickInput, quickInputBox } from './helpers/workbench';
import type { VsCode } from './harness/vscode';
import { eventually, waitFor } from '../helpers/poll';

// One hostile set of claims for every surface: markdown links (one a command), an image, HTML,
// a theme icon, emphasis, and bare URLs that markdown renderers auto-link.
const HOSTILE = {
  iss: 'https://evil.example/[Open issuer](command:workbench.action.openSettings)',
  sub: '![pixel](https://evil.example/p.png) <img src=x onerror=alert(1)> $(alert) **bold**',
  aud: ['[aud](command:workbench.action.openGlobalKeybindings)', 'https://evil.example/aud'],
};

// The same kinds, short enough to survive the tree's 48-character label, in the claims that reach
// the Sources tree (sub · iss) and the Call Service URL picker (an https aud).
const HOSTILE_SHORT = {
  iss: 'https://evil.example/$(alert)/![i](https://evil.example/p.png)',
  sub: '[x](command:workbench.action.openSettings) **b**',
  aud: 'https://evil.example/$(alert)/[y](command:workbench.action.openSettings)/<b>z</b>',
};

async function hostileToken(claims: Record<string, unknown> = HOSTILE): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);
}

/**
 * Every link the surface renders (anchors with a target; the workbench's own buttons are anchors
 * without one): only our own command may be among them.
 */
async function links(surface: Locator): Promise<string[]> {
  const targets = await surface
    .locator('a')
    .evaluateAll((anchors) =>
      anchors.map((a) => a.getAttribute('data-href') ?? a.getAttribute('href') ?? ''),
    );
  return targets.filter((target) => target !== '' && target !== '#');
}

async function assertInert(surface: Locator, allowed: RegExp | undefined): Promise<void> {
  const hrefs = await links(surface);
  for (const href of hrefs) {
    assert.ok(allowed?.test(href), `a link from the token text: ${href}`);
  }
  assert.equal(await surface.locator('img').count(), 0, 'no image');
  assert.equal(await surface.locator('.codicon-alert').count(), 0, 'no icon from $(alert)');
  assert.equal(await surface.locator('strong:has-text("bold")').count(), 0, 'no emphasis');
}

async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const quickOpen = page.locator('.quick-input-widget input');
  await quickOpen.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await quickOpen.press('Enter');
  await page.locator('.tab', { hasText: name }).waitFor();
}

async function openInspectBox(page: Page, vscode: VsCode): Promise<Locator> {
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await vscode.runCommand('Token Explorer: Inspect Token…');
  const input = page.locator('.quick-input-widget input[placeholder^="eyJ"]');
  await input.waitFor();
  return input;
}

describe('Untrusted token text on every surface (issue 9)', function () {
  let vscode: VsCode;
  let folder: string;
  let token: string;

  before(async () => {
    token = await hostileToken();
    folder = mkdtempSync(join(tmpdir(), 'te-untrusted-'));
    writeFileSync(join(folder, 'hostile.log'), `INFO got ${token} for svc\n`);
    writeFileSync(
      join(folder, 'hostile.json'),
      '{"[fields](command:workbench.action.openSettings)": 1}\n',
    );
    vscode = await launchVsCode({
      workspace: folder,
      settings: { 'tokenExplorer.verification.fetchIssuerKeys': false },
    });
  });

  after(async () => {
    await vscode?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('the Inspect Token input box message shows the claims literally, with no link', async () => {
    const { page } = vscode;
    const input = await openInspectBox(page, vscode);
    await input.fill(token);
    const message = page.locator('.quick-input-widget .quick-input-message');
    await message.filter({ hasText: 'Open issuer' }).waitFor();
    assert.match(await message.innerText(), /\[.?Open issuer.?\].?\(command:workbench/);
    await assertInert(message, undefined);
    await vscode.screenshot(screenshotPath('untrusted-input-box.png'));
    await input.press('Escape');
  });

  it('an error notification quoting pasted JSON shows it literally, with no link', async () => {
    const { page } = vscode;
    await openFile(page, 'hostile.json');
    await page.locator('.monaco-editor .view-line', { hasText: 'fields' }).click();
    await page.keyboard.press('Control+A');
    await vscode.runCommand('Token Explorer: Inspect Selected Token');
    const toast = await waitForNotification(page, 'has no token in it');
    assert.match(await toast.innerText(), /\[.?fields.?\].?\(command:/);
    await assertInert(toast, undefined);
    await vscode.screenshot(screenshotPath('untrusted-notification.png'));
    await page.keyboard.press('Escape');
  });

  it('the hover shows the claims literally; only its own Inspect command is a link', async () => {
    const { page } = vscode;
    await openFile(page, 'hostile.log');
    const line = page.locator('.monaco-editor .view-line', { hasText: 'INFO got' });
    // Monaco re-renders its lines while the file opens: wait until the line has a place on screen.
    const box = await waitFor('the log line on screen', () =>
      line.boundingBox().then((b) => b ?? undefined),
    );
    await page.mouse.move(box.x + 200, box.y + box.height / 2);
    const hover = page.locator('.monaco-hover .hover-contents').filter({ hasText: 'Issuer' });
    await hover.first().waitFor({ timeout: 15_000 });
    const text = await hover.first().innerText();
    assert.match(text, /\[Open issuer\]\(command:workbench\.action\.openSettings\)/);
    assert.match(
      text,
      /!\[pixel\]\(https:\/\/evil\.example\/p\.png\) <img src=x onerror=alert\(1\)> \$\u2060?\(alert\) \*\*bold\*\*/,
    );
    assert.doesNotMatch(text, /\\\[/, 'no escaping backslashes shown');
    await assertInert(hover.first(), /^command:tokenExplorer\.inspectJwt\?/);
    assert.equal((await links(hover.first())).length, 1, 'the Inspect link is there');
    await vscode.screenshot(screenshotPath('untrusted-hover.png'));
    await page.mouse.move(0, 0);
  });

  it('the Sources tree shows an imported token’s claims literally, in its label and tooltip', async () => {
    const { page } = vscode;
    await vscode.runCommand('Token Explorer: Import Token…');
    const paste = await quickInput(page, 'Import token');
    await quickInputBox(paste).fill(await hostileToken(HOSTILE_SHORT));
    await quickInputBox(paste).press('Enter');
    await pickRow(await quickInput(page, 'Keep the imported token'), 'For this session');
    await webviewFrame(page).locator('#claims-table tr[data-claim="sub"]').waitFor();
    await showViewContainer(page, 'Token Explorer');
    await widenSideBar(page, 700);
    const sources = viewPane(page, 'Pipelines & Test Tokens');
    const row = sources.locator('.monaco-list-row', { hasText: 'evil.example' }).first();
    await row.waitFor();
    const label = await row.locator('.label-name').innerText();
    assert.match(
      label,
      /^\[x\]\(command:workbench\.action\.openSettings\) \*\*b\*\* · evil\.example\/\$\u2060?\(alert\)\/!\[i\]/,
    );
    await assertInert(row, undefined);
    await row.hover();
    const tooltip = page
      .locator('.monaco-hover, .workbench-hover')
      .filter({ hasText: 'Token:', visible: true })
      .first();
    await tooltip.waitFor();
    const text = await tooltip.innerText();
    assert.match(text, /\[x\]\(command:workbench\.action\.openSettings\) \*\*b\*\*/);
    assert.match(text, /\$\u2060?\(alert\)/);
    await assertInert(tooltip, undefined);
    await vscode.screenshot(screenshotPath('untrusted-tree-tooltip.png'));
    await page.mouse.move(0, 0);
  });

  it('the Call Service URL picker shows a hostile audience literally, with no icon or link', async () => {
    const { page } = vscode;
    const input = await openInspectBox(page, vscode);
    await input.fill(await hostileToken(HOSTILE_SHORT));
    await input.press('Enter');
    const frame = webviewFrame(page);
    await frame.locator('#claims-table tr[data-claim="aud"]').waitFor();
    await frame.locator('#call-service').click();
    const picker = await quickInput(page, 'Call Service: URL');
    const row = picker.locator('.monaco-list-row', { hasText: 'evil.example' }).first();
    await row.waitFor();
    const text = await row.innerText();
    assert.match(text, /evil\.example\/\$\u2060?\(alert\)\/\[\u2060?y\]\u2060?\(command:/);
    assert.match(text, /<b>z<\/b>/);
    await assertInert(picker, undefined);
    await vscode.screenshot(screenshotPath('untrusted-quick-pick.png'));
    // The URL the pick answers is the audience itself, without the marks that keep it inert.
    await row.click();
    const method = await quickInput(page, 'Call Service: method');
    await method.waitFor();
    await page.keyboard.press('Escape');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  });

  it('a token whose claim nests 10,000 arrays deep is shown, not left loading', async () => {
    const { page } = vscode;
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const header = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
    const payload = Buffer.from(`{"sub":"deep-user","deep":${deep}}`).toString('base64url');
    const input = await openInspectBox(page, vscode);
    await input.fill(`${header}.${payload}.${'A'.repeat(43)}`);
    await input.press('Enter');
    const frame = webviewFrame(page);
    const sub = frame.locator('#claims-table tr[data-claim="sub"] .claim-value');
    // The panel may still show the previous test's token: wait for this one's subject.
    await eventually(
      'the deep token in the panel',
      () => sub.innerText({ timeout: 1000 }),
      (text) => text === 'deep-user',
      20_000,
    ).catch(async (error: unknown) => {
      await vscode.screenshot(screenshotPath('untrusted-deep-token.png'));
      throw error;
    });
    const deepRow = frame.locator('#claims-table tr[data-claim="deep"] .claim-value');
    assert.match(await deepRow.innerText(), /^\[{20}/);
  });
});
