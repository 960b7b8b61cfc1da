// The profile `npm start` opens by default (test/emulators/demo.ts): the demo accounts mint from
// the emulators without any set-up, their tokens verify in the inspector and Call Service gets 200
// from the emulated Cloud Run service; Add Account lists service accounts from the IAM emulator.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Demo } from '../emulators/demo';
import { startDemo } from '../emulators/demo';
import {
  hoverUntilShown,
  inlineAction,
  launchVsCode,
  pickRow,
  quickInput,
  quickInputBox,
  screenshotPath,
  showViewContainer,
  treeRow,
  viewPane,
  webviewFrame,
} from './harness/vscode';
import type { VsCode } from './harness/vscode';

describe('npm start: the demo profile', function () {
  let dir: string;
  let demo: Demo;
  let vscode: VsCode;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'token-explorer-demo-'));
    demo = await startDemo(dir);
    vscode = await launchVsCode({
      settings: demo.settings,
      machineSettings: demo.machineSettings,
      env: demo.env,
    });
    await showViewContainer(vscode.page, 'Token Explorer');
  });
  after(async () => {
    await vscode?.close();
    await demo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [account, screenshot] of [
    ['Demo: metadata server (emulated)', 'demo-metadata.png'],
    ['Demo: impersonation via IAM Credentials (emulated)', undefined],
  ] as const) {
    it(`gets a verified token from "${account}" with two clicks (Get ID Token, Inspect)`, async () => {
      const tree = viewPane(vscode.page, 'Service Accounts');
      // `first()`: a slow mint can meet inlineAction's second click, which shows a second toast.
      const toast = vscode.page
        .locator('.notification-toast', { hasText: `ID token for ${account}` })
        .first();
      await inlineAction(treeRow(tree, account), 'Get ID Token', toast);
      const frame = webviewFrame(vscode.page);
      const shown = frame.locator('.summary-value', { hasText: account });
      // The notification's Inspect button: a tree row redraws each second and can drop a click.
      await toast.getByRole('button', { name: 'Inspect', exact: true }).click();
      await shown.waitFor({ timeout: 30_000 });
      await frame.locator('#verification[data-status="verified"]').waitFor({ timeout: 30_000 });
      assert.match(await frame.locator('#countdown').innerText(), /expires in (59 min|1 h)/);
      const aud = frame.locator('#claims-table tr[data-claim="aud"] .claim-value');
      assert.equal(await aud.innerText(), demo.serviceUrl);
      // The status bar leads with the countdown: a narrow window cuts an item's end, not its start.
      const status = vscode.page
        .locator('.statusbar-item', { hasText: account.slice(0, 20) })
        .first();
      assert.match((await status.innerText()).trim(), /^(59 min|1 h) · Demo: /);
      if (screenshot) await vscode.screenshot(screenshotPath(screenshot));
    });
  }

  it("shows an account's endpoint and audience in its tooltip literally, not as links", async () => {
    const row = treeRow(
      viewPane(vscode.page, 'Service Accounts'),
      'Demo: metadata server (emulated)',
    );
    const hover = vscode.page
      .locator('.monaco-hover, .workbench-hover')
      .filter({ hasText: 'Metadata server: default service account at' })
      .first();
    await hoverUntilShown(vscode.page, row.first(), hover);
    // The hover renders spaces as no-break spaces.
    const text = (await hover.innerText()).replace(/\u00a0/g, ' ');
    assert.match(text, /at http:\/\/127\.0\.0\.1:\d+\b/);
    assert.ok(text.includes(`Default audience: ${demo.serviceUrl}`), text);
    assert.doesNotMatch(text, /\\/, 'no stray backslash from escaping');
    assert.equal(await hover.locator('a').count(), 0, 'no link');
    const codes = await hover.locator('code').allInnerTexts();
    assert.equal(codes.length, 2, codes.join(' | '));
    assert.match(codes[0] ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(codes[1], demo.serviceUrl);
  });

  it('calls the emulated Cloud Run service from the inspector and gets 200', async () => {
    const { page } = vscode;
    const account = 'Demo: metadata server (emulated)';
    const toast = page
      .locator('.notification-toast', { hasText: `ID token for ${account}` })
      .first();
    await inlineAction(treeRow(viewPane(page, 'Service Accounts'), account), 'Get ID Token', toast);
    await toast.getByRole('button', { name: 'Inspect', exact: true }).click();
    const frame = webviewFrame(page);
    await frame.locator('#verification[data-status="verified"]').waitFor({ timeout: 30_000 });
    await frame.locator('#call-service').click();
    const url = await quickInputBox(page, 'Call Service: URL');
    await url.fill(`${demo.serviceUrl}/hello`);
    await url.press('Enter');
    await pickRow(page, 'Call Service: method', 'GET');
    await pickRow(page, 'Call Service: send the token in', /^Authorization/);
    await (await quickInputBox(page, 'Call Service: extra headers')).press('Enter');
    const status = frame.locator('#call-status');
    await status.waitFor({ timeout: 30_000 });
    assert.match(await status.innerText(), /^HTTP 200/);
    assert.match(
      await frame.locator('.call-body-text').innerText(),
      /runner@demo-project\.iam\.gserviceaccount\.com/,
    );
    await frame.locator('#call').scrollIntoViewIfNeeded();
    await vscode.screenshot(screenshotPath('demo-call-service.png'));
  });

  it("clears the local issuer row's error once the issuer starts, without another mint", async () => {
    const { page } = vscode;
    const tree = viewPane(page, 'Service Accounts');
    const sources = viewPane(page, 'Pipelines & Test Tokens');
    // Retry-safe: a first attempt may have left the issuer running.
    if (await sources.getByText(/running at/).count()) {
      await vscode.runCommand('Token Explorer: Stop Local Issuer');
      await sources.getByText(/running at/).waitFor({ state: 'detached' });
    }
    const failed = page
      .locator('.notification-toast', { hasText: 'local issuer is not running' })
      .first();
    await inlineAction(
      treeRow(tree, 'Demo: local issuer (start it first)'),
      'Get ID Token',
      failed,
    );
    const errorRow = tree.locator('.monaco-list-row', {
      hasText: /error: The local issuer is not/,
    });
    await errorRow.first().waitFor();
    await vscode.runCommand('Token Explorer: Start Local Issuer');
    // What the error was about changed: the row goes, with no Get ID Token in between.
    await errorRow.first().waitFor({ state: 'detached', timeout: 30_000 });
    await vscode.screenshot(screenshotPath('demo-local-issuer-started.png'));
    await vscode.runCommand('Token Explorer: Stop Local Issuer');
  });

  it("lists demo-project's service accounts in Add Account from the IAM emulator", async () => {
    const { page } = vscode;
    await vscode.runCommand('Token Explorer: Add Account…');
    await pickRow(
      page,
      'Add account: how should tokens be minted?',
      'Impersonate a service account',
    );
    const project = await quickInputBox(page, 'Add account');
    await project.fill('demo-project');
    await project.press('Enter');
    // The listing came from the emulator (tokenExplorer.google.endpoints), not iam.googleapis.com.
    const row = (await quickInput(page, 'Add account')).locator(
      '.quick-input-list .monaco-list-row',
      {
        hasText: 'invoker@demo-project.iam.gserviceaccount.com',
      },
    );
    await row.first().waitFor({ timeout: 30_000 });
    await vscode.screenshot(screenshotPath('demo-impersonate-list.png'));
    await page.keyboard.press('Escape');
  });
});
