// The AWS sources as a user meets them in real VS Code: an `aws-sts` account added with the
// wizard (the fake aws CLI on PATH, calling the STS emulator), its token inspected and verified
// against the emulator's JWKS with the AWS claims explained, a disabled federation explained;
// then the EKS IRSA token file found by Detect Credentials, re-read on Refresh, and a missing
// file explained. Retry-safe: on mocha's retry the accounts exist twice and tokens are cached.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { makeFakeAws } from '../emulators/aws/fakeAws';
import type { FakeAws } from '../emulators/aws/fakeAws';
import { StsServer } from '../emulators/aws/stsServer';
import { OidcIssuer } from '../emulators/oidcIssuer';
import { eventually } from '../helpers/poll';
import {
  audienceRow,
  inlineAction,
  launchVsCode,
  screenshotPath,
  treeRow,
  waitForNotification,
  webviewFrame,
} from './harness/vscode';
import type { VsCode } from './harness/vscode';
import {
  clipboardJwt,
  pickRow,
  quickInput,
  quickInputBox,
  quickPickTexts,
  showTokenExplorer,
  viewPane,
  widenSideBar,
  writeClipboard,
} from './helpers/workbench';

const REGION = 'us-east-2';
const ACCOUNT = '111122223333';
const PROFILE = 'ci-deploy';
const ACCOUNT_NAME = `AWS ${PROFILE}`;
const AUDIENCE = 'https://api.partner.example';
const PRINCIPAL = {
  accessKeyId: 'AKIAUITESTEXAMPLE001',
  secretAccessKey: 'ui-test-secret-access-key',
  arn: `arn:aws:iam::${ACCOUNT}:role/otel-writer`,
  principalTags: { team: 'observability' },
};
const IRSA_VARIABLE = 'AWS_WEB_IDENTITY_TOKEN_FILE';
const IRSA_LABEL = 'EKS IAM roles for service accounts (IRSA)';
/** The account's suggested name: short enough for the tree at its default width. */
const IRSA_NAME = 'EKS IRSA token';
const IRSA_SUB = 'system:serviceaccount:payments:api';
const AWS_STS = 'https://sts.amazonaws.com/';

const now = (): number => Math.floor(Date.now() / 1000);
// The countdowns are checked loosely (90 min written: "1 h 30 min" down to "1 h 10 min"), as the
// minutes shown depend on how long the steps before took.

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

/** The inspector once it shows the token whose `jti` is `jti` (it may still show an older one). */
async function inspectorShowing(page: Page, jti: string): Promise<FrameLocator> {
  const frame = webviewFrame(page);
  const shown = frame.locator('#claims-table tr[data-claim="jti"] .claim-value');
  await eventually(
    `the token ${jti} in the inspector`,
    () => shown.innerText({ timeout: 1000 }).catch(() => ''),
    (text) => text === jti,
    30_000,
  );
  return frame;
}

/** The "meaning" cell of a claim row in the inspector. */
function meaningOf(frame: FrameLocator, claim: string): Locator {
  return frame.locator(`#claims-table tr[data-claim="${claim}"] .claim-meaning`);
}

/** The buttons of a notification toast, as their texts. */
function buttonsOf(toast: Locator): Promise<string[]> {
  return toast.locator('.notification-list-item-buttons-container .monaco-button').allInnerTexts();
}

describe('AWS sources in VS Code (aws-sts, token files)', function () {
  let vscode: VsCode | undefined;
  let sts: StsServer | undefined;
  let aws: FakeAws | undefined;
  let issuer: OidcIssuer | undefined;
  let tokenDir: string | undefined;
  let home: string | undefined;
  const tokenFile = () => join(tokenDir!, 'token');
  /** Screenshots wait for toasts and pickers to finish fading in (no fixed sleep). */
  const shoot = (file: string) =>
    vscode!.page.screenshot({ path: screenshotPath(file), animations: 'disabled' });

  before(async function () {
    this.timeout(120_000);
    sts = await StsServer.start({
      region: REGION,
      account: ACCOUNT,
      principals: [PRINCIPAL],
      orgId: 'o-a1b2c3d4e5',
    });
    aws = await makeFakeAws({
      endpoint: sts.url,
      profiles: { [PROFILE]: { ...PRINCIPAL, region: REGION } },
    });
    issuer = await OidcIssuer.start();
    tokenDir = mkdtempSync(join(tmpdir(), 'irsa-'));
    await writeFile(tokenFile(), await irsaToken('first', 90 * 60));
    // The user's home: the login shell's profile puts the aws CLI on PATH (VS Code's server takes
    // the extension host's PATH from the login shell, which resets it from /etc/profile), and
    // ~/.aws/config names the profile, as `aws configure sso` leaves it.
    home = mkdtempSync(join(tmpdir(), 'aws-home-'));
    writeFileSync(join(home, '.profile'), `PATH="${dirname(aws.path)}:$PATH"\nexport PATH\n`);
    mkdirSync(join(home, '.aws'));
    writeFileSync(join(home, '.aws', 'config'), `[profile ${PROFILE}]\nregion = ${REGION}\n`);
    vscode = await launchVsCode({
      // IRSA sets the variable in the pod's containers.
      env: { HOME: home, [IRSA_VARIABLE]: tokenFile() },
      settings: { 'tokenExplorer.localIssuer.port': 0 },
    });
  });

  after(async function () {
    this.timeout(60_000);
    const stops = [vscode?.close(), sts?.stop(), aws?.cleanup(), issuer?.stop()];
    const failed = (await Promise.allSettled(stops)).filter((r) => r.status === 'rejected');
    for (const dir of [tokenDir, home]) if (dir) rmSync(dir, { recursive: true, force: true });
    if (failed.length > 0) throw (failed[0] as PromiseRejectedResult).reason;
  });

  // A retry must not read the toasts of the attempt before.
  beforeEach(async function () {
    this.timeout(60_000);
    await vscode?.runCommand('Notifications: Clear All Notifications');
  });

  /** A projected service-account token as EKS writes it for IRSA, living `seconds` more. */
  function irsaToken(jti: string, seconds: number): Promise<string> {
    return issuer!.sign({
      aud: 'sts.amazonaws.com',
      sub: IRSA_SUB,
      jti,
      exp: now() + seconds,
      'kubernetes.io': { namespace: 'payments', serviceaccount: { name: 'api' } },
    });
  }

  it('adds an AWS account with the wizard and inspects its token, verified, AWS claims explained', async function () {
    this.timeout(180_000);
    const { page } = vscode!;
    await vscode!.runCommand('Token Explorer: Add Account…');
    const kinds = await quickInput(page, 'how should tokens be minted');
    await quickInputBox(kinds).fill('AWS');
    await shoot('aws-1-kind.png');
    await pickRow(kinds, 'AWS web identity token');

    // The profiles come from `aws configure list-profiles` (the fake CLI on PATH).
    const credentials = await quickInput(page, 'AWS: which credentials call STS?');
    const offered = await quickPickTexts(credentials);
    assert.ok(
      offered.some((text) => text.includes(PROFILE)),
      `${PROFILE} not in ${JSON.stringify(offered)}`,
    );
    assert.ok(
      offered.some((text) => text.includes('Default credentials')),
      offered.join(' | '),
    );
    await shoot('aws-2-credentials.png');
    await pickRow(credentials, PROFILE);

    const region = await quickInput(page, 'AWS region of the STS endpoint');
    await quickInputBox(region).fill(REGION);
    await shoot('aws-3-region.png');
    await quickInputBox(region).press('Enter');

    const algorithm = await quickInput(page, 'Signing algorithm');
    await shoot('aws-4-algorithm.png');
    await pickRow(algorithm, 'ES384');
    const lifetime = await quickInput(page, 'Lifetime of each token');
    assert.match((await quickPickTexts(lifetime)).join(' | '), /5 min.*STS's default/);
    await shoot('aws-5-lifetime.png');
    await pickRow(lifetime, '15 min');

    // Asked in AWS's terms, not a Cloud Run URL's.
    const audience = await quickInput(page, 'Add account: default audience');
    const prompt = await audience.locator('.quick-input-message').innerText();
    assert.match(prompt, /audience the external service expects/);
    assert.ok(!prompt.includes('run.app'), prompt);
    await quickInputBox(audience).fill(AUDIENCE);
    await shoot('aws-6-audience.png');
    await quickInputBox(audience).press('Enter');
    const name = await quickInput(page, 'Add account: name in the tree');
    assert.equal(await quickInputBox(name).inputValue(), ACCOUNT_NAME);
    await quickInputBox(name).press('Enter');
    // Saved after a test mint through the CLI.
    await waitForNotification(page, `Added ${ACCOUNT_NAME}.`);

    await showTokenExplorer(page);
    await widenSideBar(page, 420);
    const accounts = viewPane(page, 'Service Accounts');
    // On a retry the account is there twice: the one just added is the last.
    const account = treeRow(accounts, ACCOUNT_NAME).last();
    await account.waitFor();
    await vscode!.runCommand('Notifications: Clear All Notifications');
    await writeClipboard(page, '');
    const copied = page.locator('.notification-toast', {
      hasText: `ID token for ${ACCOUNT_NAME} copied`,
    });
    await inlineAction(account, 'Get ID Token', copied);
    const token = await clipboardJwt(page);
    const { payload } = await jwtVerify(token, createLocalJWKSet(sts!.jwks()), {
      issuer: sts!.issuer,
      audience: AUDIENCE,
    });
    assert.equal(decodeProtectedHeader(token).alg, 'ES384');
    assert.equal(payload.sub, PRINCIPAL.arn);
    assert.equal(payload.exp! - payload.iat!, 900);
    const calls = (await aws!.calls()).filter((args) => args.includes('get-web-identity-token'));
    assert.ok(calls.length > 0, 'aws sts get-web-identity-token never ran');
    const last = calls.at(-1)!.join(' ');
    for (const part of [
      `--audience ${AUDIENCE}`,
      `--profile ${PROFILE}`,
      `--region ${REGION}`,
      '--signing-algorithm ES384',
      '--duration-seconds 900',
    ]) {
      assert.ok(last.includes(part), `${part} not in: aws ${last}`);
    }
    await shoot('aws-7-copied.png');

    await copied.first().locator('.monaco-button', { hasText: 'Inspect' }).click();
    const frame = await inspectorShowing(page, String(payload.jti));
    const verification = await waitForVerified(frame);
    assert.match(await verification.innerText(), /Signature verified/);
    // Explained in AWS's terms (awsClaimCatalogue.ts), nested claims included.
    assert.match(await meaningOf(frame, 'sub').innerText(), /ARN of the IAM principal/);
    assert.match(await meaningOf(frame, `${AWS_STS}.aws_account`).innerText(), /AWS account/);
    assert.equal(
      await frame
        .locator(`#claims-table tr[data-claim="${AWS_STS}.aws_account"] .claim-value`)
        .innerText(),
      ACCOUNT,
    );
    assert.match(await meaningOf(frame, `${AWS_STS}.source_region`).innerText(), /Region/);
    assert.match(await meaningOf(frame, `${AWS_STS}.org_id`).innerText(), /PrincipalOrgID/);
    assert.match(
      await meaningOf(frame, `${AWS_STS}.principal_tags`).innerText(),
      /aws:PrincipalTag/,
    );
    // The AWS claims in view, no toasts over them.
    await vscode!.runCommand('Notifications: Clear All Notifications');
    await frame.locator(`#claims-table tr[data-claim="${AWS_STS}"]`).scrollIntoViewIfNeeded();
    await shoot('aws-web-identity-claims.png');
  });

  it('explains a disabled outbound federation, with the command that enables it', async function () {
    this.timeout(90_000);
    const { page } = vscode!;
    await showTokenExplorer(page);
    const account = treeRow(viewPane(page, 'Service Accounts'), ACCOUNT_NAME).last();
    sts!.federationEnabled = false;
    try {
      // Refresh mints again even when a token is cached (as it is on a retry).
      const failure = page.locator('.notification-toast', {
        hasText: 'OutboundWebIdentityFederationDisabled',
      });
      await inlineAction(account, 'Refresh ID Token', failure);
      const toast = failure.first();
      const text = await toast.innerText();
      assert.match(text, /Outbound identity federation is off for this AWS account/);
      assert.match(
        text,
        new RegExp(`aws iam enable-outbound-web-identity-federation --profile ${PROFILE}`),
      );
      assert.deepEqual(await buttonsOf(toast), ['Copy Command', 'Show Log']);
      await shoot('aws-9-federation-disabled.png');
      // The fixing action: the command an administrator runs, on the clipboard (never run by us).
      await writeClipboard(page, '');
      await toast.locator('.monaco-button', { hasText: 'Copy Command' }).click();
      await eventually(
        'the enabling command on the clipboard',
        () => vscode!.readClipboard(),
        (text) => text === `aws iam enable-outbound-web-identity-federation --profile ${PROFILE}`,
      );
    } finally {
      sts!.federationEnabled = true;
    }
  });

  it('finds the IRSA token file, shows its token and countdown, re-reads it, explains a missing file', async function () {
    this.timeout(180_000);
    const { page } = vscode!;
    const first = await irsaToken('first', 90 * 60);
    await writeFile(tokenFile(), first);

    await vscode!.runCommand('Token Explorer: Detect Credentials');
    const detected = await quickInput(page, 'Detected credentials');
    const row = detected.locator('.quick-input-list .monaco-list-row', { hasText: IRSA_LABEL });
    await row.first().waitFor();
    const rowText = await row.first().innerText();
    assert.match(rowText, new RegExp(`\\$${IRSA_VARIABLE}`));
    // The pick row summarises the token (issuer, audience, time left), never shows it.
    assert.ok(rowText.includes(issuer!.url), rowText);
    assert.match(rowText, /sts\.amazonaws\.com, 1 h (?:[12]\d|30) min left/);
    assert.ok(!rowText.includes(first.slice(0, 20)), 'the token itself is in the pick row');
    // ~/.aws/config is found too.
    const aws = detected.locator('.quick-input-list .monaco-list-row', {
      hasText: 'AWS: STS GetWebIdentityToken',
    });
    assert.match(await aws.first().innerText(), /\.aws\/config/);
    await shoot('token-file-1-detected.png');
    await row.first().click();

    // The file's audience is the platform's choice: said so, not a Cloud Run URL.
    const audience = await quickInput(page, 'Add account: default audience');
    const prompt = await audience.locator('.quick-input-message').innerText();
    assert.match(prompt, /the platform that writes the file chose/i);
    assert.ok(!prompt.includes('OAuth client id'), prompt);
    await shoot('token-file-2-audience.png');
    await quickInputBox(audience).press('Enter');
    const name = await quickInput(page, 'Add account: name in the tree');
    assert.equal(await quickInputBox(name).inputValue(), IRSA_NAME);
    await quickInputBox(name).press('Enter');
    await waitForNotification(page, `Added ${IRSA_NAME}.`);

    await showTokenExplorer(page);
    const accounts = viewPane(page, 'Service Accounts');
    // On a retry the account is there twice: the one just added (nothing recent, its token the
    // file's) is the last.
    const account = treeRow(accounts, IRSA_NAME).last();
    await vscode!.runCommand('Notifications: Clear All Notifications');
    await writeClipboard(page, '');
    await inlineAction(account, 'Get ID Token');
    // No default audience: the file's own token is the first choice, and no presets (a file's
    // audience cannot be chosen).
    const audiences = await quickInput(page, `Audience for ${IRSA_NAME}`);
    const choices = await quickPickTexts(audiences);
    assert.match(choices[0] ?? '', /the file's token as it is/);
    assert.ok(!choices.some((c) => c.includes('Presets') || c.includes('run.app')), `${choices}`);
    await shoot('token-file-3-audience-pick.png');
    await quickInputBox(audiences).press('Enter');
    const copied = await waitForNotification(page, `ID token for ${IRSA_NAME} copied`);
    assert.equal(await clipboardJwt(page), first);
    // The countdown is the file's token's own (90 min), not a provider default.
    assert.match(await copied.innerText(), /expires in 1 h (?:[12]\d|30) min/);
    const fileRow = audienceRow(accounts, '(default audience)').last();
    await eventually(
      'the countdown of the file token in the tree',
      () => fileRow.innerText(),
      (text) => /expires in 1 h (?:[12]\d|30) min/.test(text),
    );
    await shoot('token-file-4-countdown.png');

    // The platform rotates the file: Refresh reads it again.
    const second = await irsaToken('second', 40 * 60);
    await writeFile(tokenFile(), second);
    await inlineAction(fileRow, 'Refresh ID Token');
    await eventually(
      'the new countdown in the tree',
      () => fileRow.innerText(),
      (text) => /expires in (?:3\d|40) min/.test(text),
    );
    // The row redraws every second, which can swallow a click: click until the token shows.
    const secondShown = webviewFrame(page).locator(
      '#claims-table tr[data-claim="jti"] .claim-value',
      { hasText: /^second$/ },
    );
    await inlineAction(fileRow, 'Inspect ID Token', secondShown);
    const frame = await inspectorShowing(page, 'second');
    assert.equal((await frame.locator('#raw-token').innerText()).replace(/\s+/g, ''), second);
    await shoot('token-file-5-refreshed.png');

    // The volume is gone: a clear error naming the variable and the file, and what to check.
    await rm(tokenFile());
    try {
      // Empties (and so closes) the notification centre, which waitForNotification may have
      // opened when a toast did not show: with it open, VS Code shows no toasts.
      await vscode!.runCommand('Notifications: Clear All Notifications');
      await showTokenExplorer(page);
      const missing = page.locator('.notification-toast', { hasText: 'does not exist' });
      await inlineAction(fileRow, 'Refresh ID Token', missing);
      const text = await missing.first().innerText();
      assert.ok(text.includes(IRSA_VARIABLE), text);
      assert.ok(text.includes(tokenFile()), text);
      assert.match(text, /volume holding it may not be mounted/);
      assert.deepEqual(await buttonsOf(missing.first()), ['Open Account Settings', 'Show Log']);
      await shoot('token-file-6-missing.png');
      // The fixing action: the account's entry, where the path or variable is set.
      await missing.first().locator('.monaco-button', { hasText: 'Open Account Settings' }).click();
      await page.locator('.tabs-container .tab', { hasText: 'settings.json' }).first().waitFor();
    } finally {
      await writeFile(tokenFile(), second);
    }
  });
});
