// Where tokens come from, as a user meets it in real VS Code: a Yandex Cloud account added with
// the wizard (a fake yc), a GitLab CI token imported and verified against its (local) instance,
// and the local issuer minting a test token.
import * as assert from 'node:assert/strict';
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { FrameLocator, Locator } from 'playwright-core';
import { makeFakeYc } from '../emulators/yc/fakeYc';
import type { FakeYc } from '../emulators/yc/fakeYc';
import { OidcIssuer } from '../emulators/oidcIssuer';
import { eventually } from '../helpers/poll';
import {
  launchVsCode,
  setColorTheme,
  waitForNotification,
  webviewFrame,
  screenshotPath,
} from './harness/vscode';
import type { VsCode } from './harness/vscode';
import {
  childrenOf,
  clipboardJwt,
  pickRow,
  quickInput,
  quickInputBox,
  quickPickTexts,
  showTokenExplorer,
  treeRows,
  viewPane,
  widenSideBar,
  writeClipboard,
} from './helpers/workbench';

const now = (): number => Math.floor(Date.now() / 1000);

const FOLDER = 'b1gq90dgh25bebiu75o0';
const DEPLOYER = { id: 'ajelprpohp7r8jd1tdbe', name: 'ci-deployer' };
const INVOKER = { id: 'aje9k4ls0v6sbn2qe1pt', name: 'api-invoker' };
const YANDEX_AUDIENCE = 'https://api.example.yandex';
const GITLAB_SUB = 'project_path:group/app:ref_type:branch:ref:main';

/** Waits for the inspector's verification to say "verified"; fails with what it says instead. */
async function waitForVerified(frame: FrameLocator): Promise<Locator> {
  const verification = frame.locator('#verification');
  await frame
    .locator('#verification[data-status="verified"]')
    .waitFor({ timeout: 20_000 })
    .catch(async (error: unknown) => {
      throw new Error(`#verification says: ${await verification.innerText()}`, { cause: error });
    });
  return verification;
}

describe('Token sources in VS Code', function () {
  let vscode: VsCode | undefined;
  let yc: FakeYc | undefined;
  let gitlab: OidcIssuer | undefined;
  let localIssuerUrl: string | undefined;

  before(async function () {
    this.timeout(120_000);
    yc = await makeFakeYc({
      profiles: { default: { hasToken: true, folderId: FOLDER } },
      activeProfile: 'default',
      serviceAccounts: [
        {
          ...DEPLOYER,
          folderId: FOLDER,
          createdAt: '2024-09-08T18:59:45Z',
          description: 'Deploys from CI',
          tokenCreators: ['default'],
        },
        {
          ...INVOKER,
          folderId: FOLDER,
          createdAt: '2024-10-01T09:12:03Z',
          description: 'Calls the API gateway',
          tokenCreators: ['default'],
        },
      ],
    });
    gitlab = await OidcIssuer.start();
    vscode = await launchVsCode({
      settings: { 'tokenExplorer.yc.path': yc.path, 'tokenExplorer.localIssuer.port': 0 },
    });
  });

  after(async function () {
    this.timeout(60_000);
    const stops = [vscode?.close(), gitlab?.stop(), yc?.cleanup()];
    const failed = (await Promise.allSettled(stops)).filter((r) => r.status === 'rejected');
    if (failed.length > 0) throw (failed[0] as PromiseRejectedResult).reason;
  });

  it('adds a Yandex Cloud account with the wizard and copies a verifiable ID token', async function () {
    this.timeout(120_000);
    const { page } = vscode!;
    await vscode!.runCommand('Token Explorer: Add Account…');
    const kinds = await quickInput(page, 'how should tokens be minted');
    await quickInputBox(kinds).fill('Yandex Cloud service account');
    await pickRow(kinds, 'Yandex Cloud service account');

    // One profile: no profile picker; the accounts of its folder, listed by name.
    const accounts = await quickInput(page, 'Yandex Cloud: service account');
    const listed = await quickPickTexts(accounts);
    for (const sa of [DEPLOYER, INVOKER]) {
      assert.ok(
        listed.some((text) => text.includes(sa.name) && text.includes(sa.id)),
        `${sa.name} (${sa.id}) is not among ${JSON.stringify(listed)}`,
      );
    }
    await pickRow(accounts, INVOKER.name);

    const audience = await quickInput(page, 'Add account: default audience');
    await quickInputBox(audience).fill(YANDEX_AUDIENCE);
    await quickInputBox(audience).press('Enter');
    const name = await quickInput(page, 'Add account: name in the tree');
    assert.equal(await quickInputBox(name).inputValue(), INVOKER.name);
    await quickInputBox(name).press('Enter');
    await waitForNotification(page, `Added ${INVOKER.name}.`);

    await showTokenExplorer(page);
    const tree = viewPane(page, 'Service Accounts');
    const rows = await eventually(
      'the account under "Yandex Cloud"',
      () => treeRows(tree),
      (r) => childrenOf(r, 'Yandex Cloud').some((c) => c.text.startsWith(INVOKER.name)),
    );
    assert.equal(childrenOf(rows, 'Yandex Cloud')[0]?.level, 2, JSON.stringify(rows));

    await writeClipboard(page, '');
    await vscode!.runCommand('Token Explorer: Get ID Token');
    // The only account is taken without asking; its default audience is offered first.
    const audiences = await quickInput(page, `Audience for ${INVOKER.name}`);
    await pickRow(audiences, YANDEX_AUDIENCE);
    const token = await clipboardJwt(page);
    await waitForNotification(page, `ID token for ${INVOKER.name} copied`);

    const { payload } = await jwtVerify(token, createLocalJWKSet(yc!.jwks), {
      issuer: 'https://auth.cloud.yandex.com',
      audience: YANDEX_AUDIENCE,
    });
    assert.equal(payload.sub, INVOKER.id);
    assert.equal(payload.aud, YANDEX_AUDIENCE);
    const minted = (await yc!.calls()).filter((args) => args.includes('create-id-token'));
    assert.ok(minted.length > 0, 'yc iam create-id-token never ran');
    for (const args of minted) {
      assert.ok(args.join(' ').includes(INVOKER.id), `minted for another account: ${args}`);
    }
  });

  it('imports a GitLab CI token, explains its claims and verifies it against its instance', async function () {
    this.timeout(90_000);
    const { page } = vscode!;
    const token = await gitlab!.sign({
      sub: GITLAB_SUB,
      aud: 'https://vault.example.com',
      nbf: now() - 5,
      jti: '8b3c0f5e-7d4a-4e43-9a1b-2f1c5d6e7a80',
      namespace_id: '72',
      namespace_path: 'group',
      project_id: '4711',
      project_path: 'group/app',
      user_id: '15',
      user_login: 'alice',
      pipeline_id: '1234567',
      pipeline_source: 'push',
      job_id: '7654321',
      ref: 'main',
      ref_type: 'branch',
      ref_path: 'refs/heads/main',
      ref_protected: 'true',
      runner_environment: 'self-hosted',
      sha: '714a629c0b401fdce83e847fc9589983fc6f46bc',
    });

    await vscode!.runCommand('Token Explorer: Import Token…');
    const paste = await quickInput(page, 'Import token');
    await quickInputBox(paste).fill(token);
    await quickInputBox(paste).press('Enter');
    await pickRow(await quickInput(page, 'Keep the imported token'), 'For this session');

    const frame = webviewFrame(page);
    const projectPath = frame.locator('#claims-table tr[data-claim="project_path"]');
    await projectPath.waitFor({ timeout: 30_000 });
    assert.equal(await projectPath.locator('.claim-value').innerText(), 'group/app');
    const meaning = await projectPath.locator('.claim-meaning').innerText();
    assert.match(meaning, /project/i);
    assert.match(meaning, /GitLab/);
    const pipeline = frame.locator('#claims-table tr[data-claim="pipeline_id"] .claim-meaning');
    assert.match(await pipeline.innerText(), /pipeline/i);

    const verification = await waitForVerified(frame);
    assert.match(await verification.innerText(), /Signature verified/);
    assert.match(await verification.innerText(), /key-1/);
    // The keys came from the instance itself, by discovery.
    assert.ok(
      gitlab!.requests.includes('/.well-known/openid-configuration'),
      `${gitlab!.requests}`,
    );
    assert.ok(gitlab!.requests.includes('/jwks'), `${gitlab!.requests}`);

    await showTokenExplorer(page);
    const sources = viewPane(page, 'Pipelines & Test Tokens');
    const host = new URL(gitlab!.url).host;
    await eventually(
      'the token under "Imported tokens"',
      () => treeRows(sources),
      (rows) =>
        childrenOf(rows, 'Imported tokens').some(
          (r) => r.text.includes(GITLAB_SUB) && r.text.includes(host),
        ),
    );
  });

  it('starts the local issuer and mints a test token the inspector verifies', async function () {
    this.timeout(90_000);
    const { page } = vscode!;
    await vscode!.runCommand('Token Explorer: Start Local Issuer');
    const toast = await waitForNotification(page, 'Local issuer running at');
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(await toast.innerText())?.[0];
    assert.ok(url, await toast.innerText());
    localIssuerUrl = url;

    const discovery = (await (await fetch(`${url}/.well-known/openid-configuration`)).json()) as {
      issuer?: string;
      jwks_uri?: string;
    };
    assert.equal(discovery.issuer, url);
    assert.ok(discovery.jwks_uri?.startsWith(`${url}/`), JSON.stringify(discovery));

    await writeClipboard(page, '');
    await vscode!.runCommand('Token Explorer: Mint Test Token');
    const token = await clipboardJwt(page);

    const frame = webviewFrame(page);
    const iss = frame.locator('#claims-table tr[data-claim="iss"] .claim-value');
    await eventually(
      'the test token in the inspector',
      () => iss.innerText({ timeout: 1000 }),
      (text) => text === url,
      30_000,
    );
    const shownToken = await frame.locator('#raw-token').innerText();
    assert.equal(shownToken.replace(/\s+/g, ''), token);
    const verification = await waitForVerified(frame);
    assert.match(await verification.innerText(), /Signature verified/);

    assert.equal(decodeJwt(token).iss, url);
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(discovery.jwks_uri!)), {
      issuer: url,
    });
    assert.equal(payload.iss, url);

    await showTokenExplorer(page);
    const sources = viewPane(page, 'Pipelines & Test Tokens');
    const rows = await eventually(
      'the running issuer in the tree',
      () => treeRows(sources),
      (r) => r.some((row) => row.level === 1 && row.text.includes(`running at ${url}`)),
    );
    assert.ok(
      childrenOf(rows, 'Local Issuer').some((r) => r.text.includes(url)),
      JSON.stringify(rows),
    );
  });

  it('takes the screenshot of the sources view and the verified test token', async function () {
    this.timeout(90_000);
    if (!localIssuerUrl) this.skip();
    const { page } = vscode!;
    // Keys go to the workbench, not to the inspector's webview, which has focus now.
    await showTokenExplorer(page);
    await page.locator('.part.sidebar .composite.title').click();
    await setColorTheme(page, 'Default Dark Modern');
    await vscode!.runCommand('Notifications: Clear All Notifications');
    await widenSideBar(page, 560);
    const sources = viewPane(page, 'Pipelines & Test Tokens');
    await sources.locator('.monaco-list-row', { hasText: 'Imported tokens' }).waitFor();
    await sources.locator('.monaco-list-row', { hasText: 'Local Issuer' }).waitFor();
    const frame = webviewFrame(page);
    await frame.locator('#verification[data-status="verified"]').waitFor();
    // No hover or focus outline left from the clicks.
    await page.mouse.move(700, 880);
    // Let fonts, codicons and the countdown settle.
    await page.waitForTimeout(1500);
    await vscode!.screenshot(screenshotPath('sources-dark.png'));
  });
});
