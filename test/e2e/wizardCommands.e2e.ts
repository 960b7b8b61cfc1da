// What a newcomer found wrong in the wizards and commands, walked again in real VS Code: a
// notification's "Get ID Token" behaves as a click, "Add Anyway" is asked once, Refresh All names
// each failed account with Show Log, Detect Credentials' picker opens the log it mentions.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { makeFakeGcloud } from '../emulators/gcloud/fakeGcloud';
import type { FakeGcloud } from '../emulators/gcloud/fakeGcloud';
import {
  inlineAction,
  launchVsCode,
  pickRow,
  quickInput,
  quickInputBox,
  screenshotPath,
  showViewContainer,
  treeRow,
  viewPane,
  waitForNotification,
} from './harness/vscode';
import type { VsCode } from './harness/vscode';
import { eventually } from '../helpers/poll';

const AUDIENCE = 'https://api.example.test';

/** Two accounts that cannot mint here (no kubeconfig), each with a default audience. */
const BROKEN = ['cluster-one', 'cluster-two'].map((id) => ({
  id,
  kind: 'kubernetes',
  name: id,
  defaultAudience: AUDIENCE,
  settings: { namespace: 'team-a', serviceAccount: 'builder', method: 'api' },
}));

async function buttons(toast: Locator): Promise<string[]> {
  return (await toast.locator('.monaco-button').allInnerTexts()).map((t) => t.trim());
}

/** The Output panel's visible text (the log the Show Log buttons open). */
function outputText(page: Page): Promise<string> {
  return page
    .locator('.part.panel .monaco-editor .view-lines')
    .first()
    .innerText({ timeout: 1000 })
    .catch(() => '');
}

describe('Wizards and commands: a newcomer walk, again', function () {
  this.timeout(180_000);
  let dir: string;
  let gcloud: FakeGcloud;
  let vscode: VsCode;
  let page: Page;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'token-explorer-wizard-'));
    // gcloud is installed but nobody is logged in: its detector fails ("could not be checked").
    gcloud = await makeFakeGcloud({ activeAccount: null, accounts: [] });
    vscode = await launchVsCode({
      settings: { 'tokenExplorer.verification.fetchIssuerKeys': false },
      machineSettings: {
        'tokenExplorer.gcloud.path': gcloud.path,
        'tokenExplorer.accounts': BROKEN,
      },
      env: {
        KUBECONFIG: join(dir, 'no-such-kubeconfig'),
        // Detect Credentials finds a GitHub Actions job (the token request itself is not made).
        ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/token',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'not-a-real-token',
      },
    });
    page = vscode.page;
  });

  after(async () => {
    await vscode?.close();
    await gcloud?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed' || !vscode) return;
    const path = screenshotPath(`wizardCommands-failure-${Date.now()}.png`);
    await vscode.screenshot(path).catch(() => undefined);
    console.error(`    screenshot of the failure: ${path}`);
  });

  it('Kubernetes with no kubeconfig: after Add Anyway no test mint asks again; "Get ID Token" on "Added" shows the failure', async () => {
    await vscode.runCommand('Token Explorer: Add Account…');
    await pickRow(page, 'how should tokens be minted?', 'Kubernetes service account');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /None of the files in KUBECONFIG exist/);
    await dialog.getByRole('button', { name: 'Add Anyway' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const namespace = await quickInputBox(page, 'namespace');
    await namespace.fill('team-a');
    await namespace.press('Enter');
    const serviceAccount = await quickInputBox(page, 'service account name');
    await serviceAccount.fill('builder');
    await serviceAccount.press('Enter');
    const audience = await quickInputBox(page, 'default audience');
    await audience.fill(AUDIENCE);
    await audience.press('Enter');
    const name = await quickInputBox(page, 'name in the tree');
    await name.fill('added-anyway');
    await name.press('Enter');
    // Saved without the test mint's "The test mint failed: None of the files…" question: the
    // notification comes while no dialog is open.
    const added = await waitForNotification(page, 'Added added-anyway.');
    assert.equal(await dialog.isVisible(), false);
    await vscode.screenshot(screenshotPath('wizard-added-anyway.png'));

    // The button is a click: the mint fails, and the user is told, with the way out.
    await added.getByRole('button', { name: 'Get ID Token' }).click();
    const failure = await waitForNotification(page, 'None of the files in KUBECONFIG exist');
    assert.ok((await buttons(failure)).includes('Show Log'), (await buttons(failure)).join());
    await vscode.screenshot(screenshotPath('wizard-added-get-id-token-failed.png'));
  });

  it('Refresh All with failures names each failed account and offers Show Log', async () => {
    await showViewContainer(page, 'Token Explorer');
    const tree = viewPane(page, 'Service Accounts');
    // Each account tries its default audience once (the failures Refresh All will retry).
    for (const { name } of BROKEN) {
      const failed = tree.locator('.monaco-list-row', { hasText: new RegExp(`${name}\\s*error:`) });
      await inlineAction(treeRow(tree, name), 'Get ID Token', failed);
    }
    await vscode.runCommand('Token Explorer: Refresh All ID Tokens');
    // Read in the notification centre: toasts of identical earlier errors may hide new ones.
    await vscode.runCommand('Notifications: Show Notifications');
    const toast = page
      .locator('.notifications-center .notification-list-item', { hasText: 'refreshes failed (' })
      .first();
    await toast.waitFor();
    const text = await toast.innerText();
    assert.match(text, /Token Explorer: \d+ refreshes failed \(/);
    for (const { name } of BROKEN) assert.ok(text.includes(name), `${name} in: ${text}`);
    assert.ok((await buttons(toast)).includes('Show Log'), (await buttons(toast)).join());
    await vscode.screenshot(screenshotPath('wizard-refresh-all-failed.png'));
    await toast.getByRole('button', { name: 'Show Log' }).click();
    await page
      .locator('.part.panel .monaco-editor .view-lines', { hasText: 'Getting a token for account' })
      .first()
      .waitFor();
  });

  it('Detect Credentials: a source that could not be checked has a Show Log row that opens the log', async () => {
    if (await page.locator('.part.panel').isVisible()) {
      await vscode.runCommand('View: Toggle Panel Visibility');
      await page.locator('.part.panel').waitFor({ state: 'hidden' });
    }
    await vscode.runCommand('Token Explorer: Detect Credentials');
    const picker = await quickInput(page, 'Detected credentials');
    await picker
      .locator('.quick-input-list .monaco-list-row', { hasText: 'GitHub Actions job token' })
      .waitFor();
    const showLog = picker.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Log' });
    assert.match(await showLog.innerText(), /\d+ sources? could not be checked/);
    await vscode.screenshot(screenshotPath('wizard-detect-show-log.png'));
    await showLog.click();
    await picker.waitFor({ state: 'hidden' });
    await page
      .locator('.part.panel .monaco-editor .view-lines', { hasText: 'no account is logged in' })
      .first()
      .waitFor();
    // Monaco draws spaces as no-break spaces.
    assert.match((await outputText(page)).replace(/\u00a0/g, ' '), /Detect Credentials: /);
  });

  it("Edit Account → Open in settings.json selects the account's own entry", async () => {
    await vscode.runCommand('Token Explorer: Edit Account');
    await pickRow(page, 'Edit account', 'cluster-two');
    await pickRow(page, 'Edit cluster-two', 'Open in settings.json');
    const editor = page.locator('.editor-instance .monaco-editor', { hasText: 'cluster-two' });
    await editor.first().waitFor();
    // What is selected is the account's object: copy it and read it back.
    await page.evaluate(() => navigator.clipboard.writeText(''));
    await editor.first().locator('.view-lines').click({ trial: true });
    await page.keyboard.press('Control+C');
    const copied = await eventually(
      'the selection on the clipboard',
      () => vscode.readClipboard(),
      (text) => text !== '',
    );
    assert.match(copied, /^\{\s*"id": "cluster-two",[^]*\}$/);
    assert.ok(!copied.includes('cluster-one'), copied);
    await vscode.screenshot(screenshotPath('wizard-open-account-settings.png'));
  });
});
