// Issue 13 part B as a new user meets it: no empty pickers, Detect Credentials beyond Google with
// input validation, "Inspect another" that asks, a new token at the top, context menus reached
// with Shift+F10, and both high-contrast themes checked for text contrast.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, generateKeyPair } from 'jose';
import type { JWTPayload } from 'jose';
import type { Page } from 'playwright-core';
import { eventually } from '../helpers/poll';
import { checkContrast } from './contrast';
import {
  launchVsCode,
  screenshotPath,
  setColorTheme,
  waitForNotification,
  webviewFrame,
} from './harness/vscode';
import type { VsCode } from './harness/vscode';
import {
  quickInput,
  quickInputBox,
  quickPickTexts,
  showTokenExplorer,
  treeRows,
  viewPane,
  writeClipboard,
} from './helpers/workbench';

const KUBECONFIG = `apiVersion: v1
kind: Config
current-context: dev
clusters:
  - name: dev-cluster
    cluster: { server: "https://127.0.0.1:6443" }
users:
  - name: dev-user
    user: { token: not-a-real-token }
contexts:
  - name: dev
    context: { cluster: dev-cluster, user: dev-user, namespace: team-a }
`;

const now = (): number => Math.floor(Date.now() / 1000);

async function sign(payload: JWTPayload): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: 'JWT' }).sign(privateKey);
}

/** A token with `extra` claims on top of the usual ones, so the page is long enough to scroll. */
function claims(sub: string, extra = 0): JWTPayload {
  const payload: JWTPayload = {
    iss: 'https://issuer.example',
    sub,
    aud: 'https://my-api.example',
    iat: now() - 60,
    nbf: now() - 60,
    exp: now() + 3600,
  };
  for (let i = 0; i < extra; i++) payload[`extra_claim_${i}`] = `value ${i}`;
  return payload;
}

/** The sub shown in the inspector, or '' while it renders. */
function shownSub(page: Page): Promise<string> {
  return webviewFrame(page)
    .locator('#claims-table tr[data-claim="sub"] .claim-value')
    .innerText({ timeout: 1000 })
    .catch(() => '');
}

async function inspectTyped(vscode: VsCode, token: string, sub: string): Promise<void> {
  await writeClipboard(vscode.page, '');
  await vscode.runCommand('Token Explorer: Inspect Token…');
  const widget = await quickInput(vscode.page, 'Inspect Token');
  await quickInputBox(widget).fill(token);
  await quickInputBox(widget).press('Enter');
  await eventually(
    'the token in the inspector',
    () => shownSub(vscode.page),
    (s) => s === sub,
  );
}

/** The labels of the context menu open now. */
async function contextMenuLabels(page: Page): Promise<string[]> {
  const menu = page.locator('.context-view .monaco-menu');
  await menu.waitFor();
  const labels = await menu.locator('.action-label').allInnerTexts();
  await page.keyboard.press('Escape');
  return labels.map((l) => l.trim()).filter(Boolean);
}

describe('New user: validation, detection, inspector behaviour, high contrast, names', function () {
  this.timeout(180_000);
  let vscode: VsCode;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'token-explorer-newuser-'));
    writeFileSync(join(dir, 'kubeconfig'), KUBECONFIG);
    vscode = await launchVsCode({
      settings: { 'tokenExplorer.verification.fetchIssuerKeys': false },
      machineSettings: {},
      env: { KUBECONFIG: join(dir, 'kubeconfig') },
    });
  });

  after(async () => {
    await vscode?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Edit Account with no accounts says so and offers Add Account, not an empty picker', async () => {
    const { page } = vscode;
    await vscode.runCommand('Token Explorer: Edit Account');
    const toast = await waitForNotification(page, 'there are no accounts yet');
    assert.ok(await toast.locator('.monaco-button', { hasText: 'Add Account…' }).isVisible());
    assert.equal(await page.locator('.quick-input-widget').isVisible(), false);
    await toast.locator('.monaco-button', { hasText: 'Add Account…' }).click();
    const wizard = await quickInput(page, 'Add account: how should tokens be minted?');
    await page.keyboard.press('Escape');
    await wizard.waitFor({ state: 'hidden' });
  });

  it('Detect Credentials offers kubeconfig contexts and the wizard validates the names', async () => {
    const { page } = vscode;
    await vscode.runCommand('Token Explorer: Detect Credentials');
    const picker = await quickInput(page, 'Detected credentials', 60_000);
    const rows = await quickPickTexts(picker);
    assert.ok(
      rows.some((r) => r.includes('Kubernetes context dev')),
      rows.join('\n'),
    );
    assert.ok(!rows.some((r) => /no active account|broken/i.test(r)), rows.join('\n'));
    await picker.locator('.monaco-list-row', { hasText: 'Kubernetes context dev' }).click();
    // The context came from detection: the wizard goes straight to the namespace.
    const namespace = await quickInput(page, 'Kubernetes: namespace');
    await quickInputBox(namespace).fill('Team_A');
    const message = namespace.locator('.quick-input-message');
    await eventually(
      'the namespace refused with its reason',
      () => message.innerText(),
      (text) => /is not a namespace name/.test(text),
    );
    await vscode.screenshot(screenshotPath('new-user-namespace-validation.png'));
    await quickInputBox(namespace).press('Enter');
    // Refused: the box stays with the reason.
    assert.ok(await namespace.isVisible());
    await page.keyboard.press('Escape');
  });

  it('"Inspect another" asks, never silently re-inspects the clipboard, and a new token starts at the top', async () => {
    const { page } = vscode;
    const first = await sign(claims('first-user', 60));
    await inspectTyped(vscode, first, 'first-user');
    const frame = webviewFrame(page);
    await frame.locator('body').evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const scrolled = await frame.locator('body').evaluate(() => window.scrollY);
    assert.ok(scrolled > 200, `the long token scrolls (${scrolled})`);

    // The clipboard holds the token already shown: the box asks for another, empty.
    await writeClipboard(page, first);
    await frame.locator('#inspect-another').click();
    const same = await quickInput(page, 'Inspect Token');
    assert.equal(await quickInputBox(same).inputValue(), '');
    assert.match(await same.innerText(), /already shown/);
    await page.keyboard.press('Escape');
    assert.equal(await shownSub(page), 'first-user');

    // Another token on the clipboard is offered, filled in; Enter inspects it.
    const second = await sign(claims('second-user', 60));
    await writeClipboard(page, second);
    await frame.locator('#inspect-another').click();
    const offered = await quickInput(page, 'Inspect Token');
    assert.equal(await quickInputBox(offered).inputValue(), second);
    await quickInputBox(offered).press('Enter');
    await eventually(
      'the second token',
      () => shownSub(page),
      (s) => s === 'second-user',
    );
    assert.equal(await frame.locator('body').evaluate(() => window.scrollY), 0);
  });

  it('has the tree rows actions in their context menus, reached with Shift+F10', async () => {
    const { page } = vscode;
    await vscode.runCommand('Token Explorer: Start Local Issuer');
    await waitForNotification(page, 'Local issuer running at');
    await showTokenExplorer(page);
    const sources = viewPane(page, 'Pipelines & Test Tokens');
    const section = sources.locator('.monaco-list-row', { hasText: 'Local Issuer' }).first();
    await section.waitFor();
    await section.click();
    await page.keyboard.press('Shift+F10');
    const labels = await contextMenuLabels(page);
    for (const name of [
      'Mint Test Token',
      'Edit Test Token Template',
      'Copy Local Issuer URL',
      'Stop Local Issuer',
    ]) {
      assert.ok(labels.includes(name), `${name} in ${labels.join(', ')}`);
    }
    // The section may still be collapsed: open it from the keyboard too.
    await page.keyboard.press('ArrowRight');
    const rows = await eventually(
      'the local issuer rows',
      () => treeRows(sources),
      (r) => r.some((row) => row.text === 'Edit Test Token Template'),
    );
    assert.ok(!rows.some((r) => /claims template/i.test(r.text)), JSON.stringify(rows));
  });

  it('has Inspect ID Token and Refresh ID Token in an account row context menu', async () => {
    const { page } = vscode;
    // An account appears as a user would add it: in the (machine-scoped) settings.
    writeFileSync(
      join(vscode.runDir, 'data', 'Machine', 'settings.json'),
      JSON.stringify({
        'tokenExplorer.accounts': [
          {
            id: 'vm',
            kind: 'google-metadata',
            name: 'Metadata demo',
            defaultAudience: 'https://my-api.example',
            settings: { serviceAccount: 'default', endpoint: 'http://127.0.0.1:9' },
          },
        ],
      }),
    );
    await showTokenExplorer(page);
    const accounts = viewPane(page, 'Service Accounts');
    const row = accounts.locator('.monaco-list-row', { hasText: 'Metadata demo' }).first();
    await row.waitFor({ timeout: 60_000 });
    await row.click();
    await page.keyboard.press('Shift+F10');
    const labels = await contextMenuLabels(page);
    for (const name of [
      'Get ID Token',
      'Copy Bearer Header',
      'Inspect ID Token',
      'Refresh ID Token',
      'Edit Account',
      'Remove Account',
    ]) {
      assert.ok(labels.includes(name), `${name} in ${labels.join(', ')}`);
    }
  });

  for (const theme of ['Default High Contrast', 'Default High Contrast Light']) {
    it(`keeps every text of the inspector and the tree readable in ${theme}`, async () => {
      const { page } = vscode;
      await setColorTheme(page, theme);
      const token = await sign({ ...claims('contrast-user'), nbf: now() - 30 });
      await inspectTyped(vscode, token, 'contrast-user');
      await showTokenExplorer(page);
      const frame = webviewFrame(page);
      await frame.locator('#times tr').first().waitFor();
      await frame.locator('#times').scrollIntoViewIfNeeded();
      const file = `inspector-${theme.toLowerCase().replace(/\s+/g, '-')}.png`;
      await vscode.screenshot(screenshotPath(file));
      const inspector = await checkContrast(frame.locator('body'));
      const tree = await checkContrast(page.locator('.part.sidebar'));
      const report = `${theme}: inspector ${inspector.checked} texts (lowest ${inspector.lowest}:1), tree ${tree.checked} texts (lowest ${tree.lowest}:1)`;
      console.log(`      ${report}`);
      assert.ok(inspector.checked > 30 && tree.checked > 3, report);
      assert.deepEqual([...inspector.failures, ...tree.failures], [], report);
    });
  }
});
