// Kubernetes from inside a pod, as a user of code-server running in one meets it: Detect
// Credentials offers the pod's service account (apart from the pod's own token file), the wizard
// pre-fills the pod's namespace and service account, and Get ID Token mints through the
// TokenRequest API authenticated as the pod. The "pod" is the Kubernetes API emulator, the
// variables the kubelet sets, and a temp folder standing in for the service-account mount.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { KubeApiServer } from '../emulators/kubernetes/apiServer';
import { writePodMount } from '../emulators/kubernetes/podMount';
import { eventually } from '../helpers/poll';
import {
  hoverUntilShown,
  launchVsCode,
  quickInput,
  quickInputBox,
  screenshotPath,
  showViewContainer,
  treeRow,
  viewPane,
  waitForNotification,
  widenSideBar,
} from './harness/vscode';
import type { VsCode } from './harness/vscode';

const AUDIENCE = 'https://vault.example.com';
const POD_USER = 'system:serviceaccount:team-a:runner';
const ACCOUNT = 'in-cluster/team-a/builder';

describe('Kubernetes in a pod in VS Code', () => {
  let vscode: VsCode;
  let api: KubeApiServer;
  let dir: string;

  before(async function () {
    this.timeout(120_000);
    api = await KubeApiServer.start();
    api.addServiceAccount('team-a', 'builder');
    api.allow(POD_USER, 'team-a');
    dir = mkdtempSync(join(tmpdir(), 'in-cluster-e2e-'));
    const root = join(dir, 'serviceaccount');
    const variables = await writePodMount(api, root, 'team-a', 'runner');
    vscode = await launchVsCode({
      settings: { 'tokenExplorer.verification.fetchIssuerKeys': false },
      env: {
        ...variables,
        TOKEN_EXPLORER_TEST_IN_CLUSTER_ROOT: root,
        // No kubeconfig (KUBECONFIG's files missing are skipped, as kubectl does).
        KUBECONFIG: join(dir, 'no-kubeconfig'),
      },
    });
  });

  after(async () => {
    await vscode?.close();
    await api?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('Detect Credentials → the pod → Get ID Token, minted as the pod', async () => {
    const { page } = vscode;
    await vscode.runCommand('Token Explorer: Detect Credentials');
    const picker = await quickInput(page, 'Detected credentials');
    const inCluster = picker.locator('.quick-input-list .monaco-list-row', {
      hasText: "Kubernetes in-cluster: this pod's service account",
    });
    await inCluster.first().waitFor({ timeout: 60_000 });
    assert.match(await inCluster.first().innerText(), new RegExp(`${api.url} · namespace team-a`));
    // The pod's own token is offered too, as a token file, and says what it is.
    const podFile = picker.locator('.quick-input-list .monaco-list-row', {
      hasText: "this pod's own token",
    });
    await podFile.first().waitFor();
    await vscode.screenshot(screenshotPath('in-cluster-detect.png'));
    await inCluster.first().click();

    const namespace = await quickInputBox(page, 'Kubernetes: namespace');
    assert.equal(await namespace.inputValue(), 'team-a');
    await namespace.press('Enter');
    const serviceAccount = await quickInputBox(page, 'Kubernetes: service account name');
    assert.equal(await serviceAccount.inputValue(), 'runner');
    await serviceAccount.fill('builder');
    await serviceAccount.press('Enter');
    await (await quickInputBox(page, 'Add account: default audience')).press('Enter');
    const name = await quickInputBox(page, 'Add account: name in the tree');
    assert.equal(await name.inputValue(), ACCOUNT);
    await name.press('Enter');
    await waitForNotification(page, `Added ${ACCOUNT}.`);

    await vscode.runCommand('Token Explorer: Get ID Token');
    // With one account Get ID Token asks the audience at once; on a retry there are two.
    const title = page
      .locator('.quick-input-widget .quick-input-title', {
        hasText: /^(Get ID token|Audience for )/,
      })
      .first();
    await title.waitFor();
    if ((await title.innerText()).startsWith('Get ID token')) {
      const accounts = await quickInput(page, 'Get ID token');
      await accounts
        .locator('.quick-input-list .monaco-list-row', { hasText: ACCOUNT })
        .first()
        .click();
    }
    const audience = await quickInputBox(page, `Audience for ${ACCOUNT}`);
    await audience.fill(AUDIENCE);
    // "use this audience" the first time; on a retry the audience is listed as recent.
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: AUDIENCE })
      .first()
      .waitFor();
    await audience.press('Enter');
    await waitForNotification(page, `ID token for ${ACCOUNT} copied (`);
    const token = await eventually(
      'the token on the clipboard',
      () => vscode.readClipboard(),
      (t) => t.startsWith('eyJ'),
    );
    const { payload } = await jwtVerify(token, createLocalJWKSet(api.jwks()), {
      issuer: api.issuer,
      audience: AUDIENCE,
    });
    assert.equal(payload.sub, 'system:serviceaccount:team-a:builder');
    assert.ok(
      api.requests.some((r) => r.user === POD_USER && r.path.endsWith('/builder/token')),
      'the TokenRequest was authenticated with the pod token',
    );

    // The account's tooltip says where it mints: in-cluster, the server from the variables.
    await showViewContainer(page, 'Token Explorer');
    await widenSideBar(page, 560);
    const row = treeRow(viewPane(page, 'Service Accounts'), ACCOUNT);
    const hover = page
      .locator('.monaco-hover, .workbench-hover')
      .filter({ hasText: `team-a/builder (in-cluster ${new URL(api.url).host})` });
    await hoverUntilShown(page, row.first(), hover.first(), 30_000);
    await vscode.screenshot(screenshotPath('in-cluster-account.png'));
  });
});
