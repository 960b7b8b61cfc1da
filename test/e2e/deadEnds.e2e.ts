// Dead ends a new user meets, in real VS Code against local emulators and fake CLIs: each error
// shows the action that fixes it, the action works, and the user ends with a working account.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { FakeGcloud } from '../emulators/gcloud/fakeGcloud';
import type { FakeYc } from '../emulators/yc/fakeYc';
import { GoogleApis } from '../emulators/google/googleApis';
import type { EmulatedServiceAccount } from '../emulators/google/googleApis';
import {
  GCLOUD_EMAIL,
  GCLOUD_PROJECT,
  YC_DEPLOYER,
  deployerYc,
  signedInGcloud,
} from '../fixtures/fakeClis';
import { eventually } from '../helpers/poll';
import {
  chooseFile,
  inlineAction,
  pickRow,
  quickInputBox,
  launchVsCode,
  screenshotPath,
  showViewContainer,
  treeRow,
  viewPane,
  waitForNotification,
} from './harness/vscode';
import type { VsCode } from './harness/vscode';

const KEY_EMAIL = 'deployer@my-project-123456.iam.gserviceaccount.com';
const OTHER_EMAIL = 'stranger@my-project-123456.iam.gserviceaccount.com';
const AUDIENCE = 'https://reports-abc123-uc.a.run.app';
const KEY_AUDIENCE = 'https://orders-abc123-uc.a.run.app';
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;
const KUBECONFIG = 'kubeconfig-gke.yaml';

/** The buttons of a notification toast, in order; each must show its whole text. */
async function buttons(toast: Locator): Promise<string[]> {
  const shown = toast.locator('.monaco-button');
  const cut = await shown.evaluateAll((all) =>
    all.filter((b) => b.scrollWidth > b.clientWidth).map((b) => b.textContent),
  );
  assert.deepEqual(cut, [], 'buttons cut off with an ellipsis');
  return (await shown.allInnerTexts()).map((t) => t.trim());
}

describe('Dead ends: every error offers its fix', function () {
  let apis: GoogleApis;
  let gcloud: FakeGcloud;
  let yc: FakeYc;
  let keyAccount: EmulatedServiceAccount;
  let stranger: EmulatedServiceAccount;
  let workspace: string;
  let vscode: VsCode;
  let page: Page;
  let tree: Locator;

  before(async function () {
    apis = await GoogleApis.start();
    gcloud = await signedInGcloud();
    yc = await deployerYc();
    keyAccount = await apis.addServiceAccount({ email: KEY_EMAIL, withKey: true });
    stranger = await apis.addServiceAccount({ email: OTHER_EMAIL, withKey: true });
    workspace = mkdtempSync(join(tmpdir(), 'token-explorer-dead-ends-'));
    writeFileSync(join(workspace, 'deployer-key.json'), keyAccount.keyFile);
    writeFileSync(join(workspace, 'stranger-key.json'), stranger.keyFile);
    // A GKE kubeconfig as `gcloud container clusters get-credentials` writes it, on a machine
    // where the gke-gcloud-auth-plugin it runs is not installed (not where the kubeconfig says).
    writeFileSync(
      join(workspace, KUBECONFIG),
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: gke_my-project-123456_us-central1_prod',
        '  cluster:',
        '    server: https://127.0.0.1:9',
        'contexts:',
        '- name: gke_my-project-123456_us-central1_prod',
        '  context:',
        '    cluster: gke_my-project-123456_us-central1_prod',
        '    user: gke_my-project-123456_us-central1_prod',
        'current-context: gke_my-project-123456_us-central1_prod',
        'users:',
        '- name: gke_my-project-123456_us-central1_prod',
        '  user:',
        '    exec:',
        '      apiVersion: client.authentication.k8s.io/v1beta1',
        `      command: ${join(workspace, 'google-cloud-sdk', 'bin', 'gke-gcloud-auth-plugin')}`,
        '      installHint: Install gke-gcloud-auth-plugin for use with kubectl by following',
        '        https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin',
        '      provideClusterInfo: true',
        '',
      ].join('\n'),
    );
    vscode = await launchVsCode({
      workspace,
      settings: { 'workbench.colorTheme': 'Default Dark Modern' },
      machineSettings: {
        // Not installed there: the user has to point at it.
        'tokenExplorer.gcloud.path': join(workspace, 'no-such-dir', 'gcloud'),
        'tokenExplorer.yc.path': join(workspace, 'no-such-dir', 'yc'),
        'tokenExplorer.accounts': [
          {
            id: 'ci',
            kind: 'google-gcloud',
            name: `gcloud: ${GCLOUD_EMAIL}`,
            defaultAudience: AUDIENCE,
            settings: {},
          },
          {
            id: 'gke',
            kind: 'kubernetes',
            name: 'gke: builder',
            defaultAudience: AUDIENCE,
            settings: {
              kubeconfig: join(workspace, KUBECONFIG),
              namespace: 'default',
              serviceAccount: 'builder',
            },
          },
          // Saved on another machine: its key is not in this secret storage.
          {
            id: 'deployer',
            kind: 'google-service-account-key',
            name: KEY_EMAIL,
            defaultAudience: KEY_AUDIENCE,
            settings: {
              clientEmail: KEY_EMAIL,
              privateKeyId: keyAccount.keyId,
              projectId: GCLOUD_PROJECT,
              tokenUri: apis.tokenUrl,
            },
          },
        ],
      },
    });
    page = vscode.page;
    tree = viewPane(page, 'Service Accounts');
    await showViewContainer(page, 'Token Explorer');
  });

  after(async function () {
    await vscode?.close();
    await Promise.all([apis?.stop(), gcloud?.cleanup(), yc?.cleanup()]);
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed' || !vscode) return;
    const path = screenshotPath(`deadEnds-failure-${Date.now()}.png`);
    await vscode.screenshot(path).catch(() => undefined);
    console.error(`    screenshot of the failure: ${path}`);
  });

  const machineSettings = (): Record<string, unknown> =>
    JSON.parse(
      readFileSync(join(vscode.runDir, 'data', 'Machine', 'settings.json'), 'utf8'),
    ) as Record<string, unknown>;
  const clearClipboard = () => page.evaluate(() => navigator.clipboard.writeText(''));
  const clipboardJwt = () =>
    eventually(
      'a JWT on the clipboard',
      () => vscode.readClipboard(),
      (t) => JWT.test(t),
    );
  const dismissAll = async () => {
    await vscode.runCommand('Notifications: Clear All Notifications');
    await page.locator('.notification-toast').first().waitFor({ state: 'detached' });
  };

  it('gcloud not found: Open Setting shows the setting in the Remote tab', async function () {
    await inlineAction(treeRow(tree, `gcloud: ${GCLOUD_EMAIL}`), 'Get ID Token');
    const toast = await waitForNotification(page, 'gcloud was not found at');
    assert.deepEqual(await buttons(toast), [
      'Pick gcloud…',
      'Open Setting',
      'Install Guide',
      'Show Log',
    ]);
    await page.waitForTimeout(500);
    await vscode.screenshot(screenshotPath('after-gcloud-not-found.png'));
    await toast.getByRole('button', { name: 'Open Setting' }).click();
    // code-server windows are remote ones: the machine-scoped setting is under the Remote tab.
    const editor = page.locator('.settings-editor');
    await editor.waitFor();
    await eventually(
      'the search to name the setting',
      () => editor.locator('.settings-header .suggest-input-container .view-lines').innerText(),
      (text) => text.replace(/\u00a0/g, ' ').includes('@id:tokenExplorer.gcloud.path'),
    );
    const active = editor.locator(
      '.settings-tabs-widget .action-item.checked, .settings-tabs-widget .action-label.checked',
    );
    assert.match(await active.first().innerText(), /Remote/);
    await editor.locator('.setting-item-contents', { hasText: 'gcloud' }).first().waitFor();
    await vscode.screenshot(screenshotPath('after-gcloud-open-setting.png'));
    await page.keyboard.press('Control+W');
  });

  it('gcloud not found: Pick gcloud… sets the path and the retry copies a token', async function () {
    await clearClipboard();
    await inlineAction(treeRow(tree, `gcloud: ${GCLOUD_EMAIL}`), 'Get ID Token');
    const toast = await waitForNotification(page, 'gcloud was not found at');
    await toast.getByRole('button', { name: 'Pick gcloud…' }).click();
    await chooseFile(page, 'Choose the gcloud executable', gcloud.path);
    await waitForNotification(page, `ID token for gcloud: ${GCLOUD_EMAIL} copied (new`);
    assert.equal(machineSettings()['tokenExplorer.gcloud.path'], gcloud.path);
    const token = await clipboardJwt();
    assert.ok(token.split('.').length === 3);
    await dismissAll();
  });

  it("lost key: Re-import Key… refuses another account's key, takes the right one, then mints", async function () {
    await clearClipboard();
    const row = treeRow(tree, KEY_EMAIL);
    await inlineAction(row, 'Get ID Token');
    const toast = await waitForNotification(page, 'is not in the secret storage');
    assert.deepEqual(await buttons(toast), ['Re-import Key…', 'Show Log']);
    await page.waitForTimeout(500);
    await vscode.screenshot(screenshotPath('after-lost-key.png'));
    await toast.getByRole('button', { name: 'Re-import Key…' }).click();
    await chooseFile(
      page,
      `Choose a key of ${KEY_EMAIL} (JSON)`,
      join(workspace, 'stranger-key.json'),
    );
    const refused = await waitForNotification(
      page,
      `is a key of ${OTHER_EMAIL}, not of ${KEY_EMAIL}`,
    );
    assert.deepEqual(await buttons(refused), ['Re-import Key…', 'Show Log']);
    await refused.getByRole('button', { name: 'Re-import Key…' }).click();
    await chooseFile(
      page,
      `Choose a key of ${KEY_EMAIL} (JSON)`,
      join(workspace, 'deployer-key.json'),
    );
    await waitForNotification(page, `The key of ${KEY_EMAIL} is back in the secret storage.`);
    await waitForNotification(page, `ID token for ${KEY_EMAIL} copied (new`);
    await clipboardJwt();
    assert.ok(
      apis.requests.some((r) => r.route === 'token' && r.grantType?.endsWith('jwt-bearer')),
      'the emulator signed a jwt-bearer grant with the re-imported key',
    );
    await dismissAll();
  });

  it("Re-import Key… is on the key account's context menu only", async function () {
    await treeRow(tree, KEY_EMAIL).click({ button: 'right' });
    const item = (name: string) =>
      page.locator('.monaco-menu .action-label', { hasText: new RegExp(`^${name}$`) });
    await item('Re-import Key…').waitFor();
    await page.keyboard.press('Escape');
    await treeRow(tree, `gcloud: ${GCLOUD_EMAIL}`).click({ button: 'right' });
    await item('Remove Account').waitFor();
    assert.equal(await item('Re-import Key…').count(), 0);
    await page.keyboard.press('Escape');
  });

  it('Yandex with no yc: the wizard asks how to go on; Pick yc… finishes the account', async function () {
    await vscode.runCommand('Token Explorer: Add Account…');
    await pickRow(
      page,
      'Add account: how should tokens be minted?',
      'Yandex Cloud service account',
    );
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /yc was not found at .*no-such-dir\/yc/);
    assert.match(
      await dialog.innerText(),
      /tokenExplorer\.yc\.path is read from your Remote settings/,
    );
    const shown = (await dialog.locator('.monaco-button').allInnerTexts()).map((t) => t.trim());
    for (const button of ['Pick yc…', 'Install Guide', 'Add Anyway', 'Cancel']) {
      assert.ok(shown.includes(button), `${button} in ${shown.join(', ')}`);
    }
    await page.waitForTimeout(300);
    await vscode.screenshot(screenshotPath('after-yandex-no-yc.png'));
    await dialog.getByRole('button', { name: 'Pick yc…' }).click();
    await chooseFile(page, 'Choose the yc executable', yc.path);
    await pickRow(page, 'Yandex Cloud: service account', 'deployer');
    await (await quickInputBox(page, 'Add account: default audience')).press('Enter');
    await (await quickInputBox(page, 'Add account: name in the tree')).press('Enter');
    await waitForNotification(page, 'Added deployer.');
    assert.equal(machineSettings()['tokenExplorer.yc.path'], yc.path);
    const saved = machineSettings()['tokenExplorer.accounts'] as {
      kind: string;
      settings: unknown;
    }[];
    assert.deepEqual(saved.find((a) => a.kind === 'yandex-cli')?.settings, {
      serviceAccountId: YC_DEPLOYER.id,
      profile: 'default',
    });
    assert.ok(
      (await yc.calls()).some((args) => args.includes('create-id-token')),
      'the test mint ran the picked yc',
    );
    await dismissAll();
  });

  it('kubeconfig exec plugin missing: Open <kubeconfig> opens the file that names it', async function () {
    await inlineAction(treeRow(tree, 'gke: builder'), 'Get ID Token');
    const toast = await waitForNotification(page, 'The exec plugin');
    assert.match(await toast.innerText(), /gke-gcloud-auth-plugin of user .* was not found/);
    assert.deepEqual(await buttons(toast), [`Open ${KUBECONFIG}`, 'Install Guide', 'Show Log']);
    await vscode.screenshot(screenshotPath('after-exec-plugin-missing.png'));
    await toast.getByRole('button', { name: `Open ${KUBECONFIG}` }).click();
    await page.locator('.tabs-container .tab.active', { hasText: KUBECONFIG }).waitFor();
    await page
      .locator('.editor-instance .view-lines', { hasText: 'gke-gcloud-auth-plugin' })
      .first()
      .waitFor();
    await vscode.screenshot(screenshotPath('after-exec-plugin-open-kubeconfig.png'));
    await vscode.runCommand('View: Close All Editors');
    await dismissAll();
  });

  it('logs the remedies the user chose', async function () {
    const files = readdirSync(vscode.runDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name === 'Token Explorer.log')
      .map((e) => join(e.parentPath, e.name));
    const log = readFileSync(files[0] ?? assert.fail('no log'), 'utf8');
    assert.match(log, /Remedy "Pick gcloud…" for "ci"/);
    assert.match(log, /Re-import Key for "deployer" refused: .* is a key of stranger@/);
    assert.match(log, /Re-imported the key of "deployer"/);
    assert.match(log, /Add Account: "Pick yc…" after: yc was not found/);
    assert.match(log, /Remedy "Open kubeconfig-gke\.yaml" for "gke"/);
  });
});
