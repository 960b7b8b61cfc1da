import * as assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RuleId } from '../../src/core/call/types';
import type { CallOutcome } from '../../src/extension/commands/callService';
import type { GoogleApis } from '../emulators/google/googleApis';
import { mintGoogleIdToken } from '../emulators/services/googleTokens';
import { OidcApi } from '../emulators/services/oidcApi';
import type { ProtectedService } from '../emulators/services/protectedService';
import { IAP_CLIENT, INVOKER, OUTSIDER, USER } from '../fixtures/frontEnds';
import { type FrontEnds, startFrontEnds } from '../fixtures/frontEnds';
import { waitFor } from '../helpers/poll';
import { closedPort } from '../unit/helpers/fixtures';
import { tokenExplorer } from './helpers/api';

/** Call Service through the command, on the Cloud Run and IAP emulators, with minted tokens. */
describe('Call Service', () => {
  let world: FrontEnds;
  let apis: GoogleApis;
  let run: ProtectedService;
  let iap: ProtectedService;
  let api: OidcApi;
  let dir: string;
  const config = () => vscode.workspace.getConfiguration('tokenExplorer');

  const call = (args: Record<string, unknown>) =>
    vscode.commands.executeCommand<CallOutcome>('tokenExplorer.callService', args);
  const errors = (outcome: CallOutcome): RuleId[] =>
    outcome.findings.filter((f) => f.severity === 'error').map((f) => f.rule);

  before(async () => {
    world = await startFrontEnds();
    ({ apis, run, iap } = world);
    api = await OidcApi.start({ jwksUrl: apis.jwksUrl, issuer: apis.issuer });
    dir = await mkdtemp(join(tmpdir(), 'call-service-'));
    const credentialsFile = join(dir, 'adc.json');
    await writeFile(credentialsFile, world.user.adcJson);
    const impersonate = (id: string, target: string, includeEmail = true) => ({
      id,
      kind: 'google-impersonation',
      settings: {
        targetServiceAccount: target,
        credentialsFile,
        iamCredentialsEndpoint: apis.url,
        includeEmail,
      },
    });
    await config().update(
      'accounts',
      [
        impersonate('invoker', INVOKER),
        impersonate('outsider', OUTSIDER),
        impersonate('no-email', INVOKER, false),
      ],
      vscode.ConfigurationTarget.Global,
    );
    await tokenExplorer();
  });

  after(async () => {
    await config().update('accounts', undefined, vscode.ConfigurationTarget.Global);
    await config().update('maskTokens', undefined, vscode.ConfigurationTarget.Global);
    await config().update(
      'clipboard.clearAfterSeconds',
      undefined,
      vscode.ConfigurationTarget.Global,
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await Promise.all([world.stop(), api.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  describe('on the Cloud Run front end', () => {
    it('a good token: 200, accepted, and the result shown in the inspector', async () => {
      const outcome = await call({
        account: 'invoker',
        audience: run.url,
        url: `${run.url}/hello`,
      });
      assert.equal(outcome.response?.status, 200);
      assert.equal(outcome.kind, 'cloud-run');
      assert.deepEqual(errors(outcome), []);
      const te = await tokenExplorer();
      const shown = await waitFor('the call in the inspector', () => te.inspector.state()?.call);
      assert.equal(shown.response?.status, 200);
    });

    it('an access token: 401, "not an ID token"', async () => {
      const outcome = await call({ token: apis.issueAccessToken(USER), url: run.url });
      assert.equal(outcome.response?.status, 401);
      assert.match(outcome.response?.headers['www-authenticate'] ?? '', /invalid_token/);
      assert.equal(errors(outcome)[0], 'token-kind');
    });

    it('a wrong audience: 401 and the expected one named', async () => {
      const outcome = await call({
        account: 'invoker',
        audience: 'https://other.example',
        url: run.url,
      });
      assert.equal(outcome.response?.status, 401);
      const audience = outcome.findings.find((f) => f.rule === 'audience');
      assert.match(audience?.evidence ?? '', new RegExp(`expects "${run.url}"`));
    });

    it('an expired token: 401, expired', async () => {
      const token = await mintGoogleIdToken(apis, {
        caller: USER,
        serviceAccount: INVOKER,
        audience: run.url,
        issuedAtMs: Date.now() - 3 * 3600_000,
      });
      const outcome = await call({ token, url: run.url });
      assert.equal(outcome.response?.status, 401);
      assert.ok(errors(outcome).includes('time'));
    });

    it('a principal without run.invoker: 403 and the grant command', async () => {
      const outcome = await call({ account: 'outsider', audience: run.url, url: run.url });
      assert.equal(outcome.response?.status, 403);
      const permission = outcome.findings.find((f) => f.rule === 'permission');
      assert.match(permission?.command ?? '', /gcloud run services add-iam-policy-binding/);
      assert.match(permission?.command ?? '', new RegExp(`serviceAccount:${OUTSIDER}`));
    });
  });

  describe('on the IAP front end', () => {
    it('a good token: 200', async () => {
      const outcome = await call({ account: 'invoker', audience: IAP_CLIENT, url: iap.url });
      assert.equal(outcome.response?.status, 200);
      assert.equal(outcome.kind, 'iap');
      assert.deepEqual(errors(outcome), []);
    });

    it('an access token: 401', async () => {
      const outcome = await call({ token: apis.issueAccessToken(USER), url: iap.url });
      assert.equal(outcome.response?.status, 401);
      assert.equal(errors(outcome)[0], 'token-kind');
    });

    it('a wrong audience (the URL): 401', async () => {
      const outcome = await call({ account: 'invoker', audience: iap.url, url: iap.url });
      assert.equal(outcome.response?.status, 401);
      assert.ok(errors(outcome).includes('audience'));
    });

    it('an expired token: 401', async () => {
      const token = await mintGoogleIdToken(apis, {
        caller: USER,
        serviceAccount: INVOKER,
        audience: IAP_CLIENT,
        issuedAtMs: Date.now() - 3 * 3600_000,
      });
      const outcome = await call({ token, url: iap.url });
      assert.equal(outcome.response?.status, 401);
      assert.ok(errors(outcome).includes('time'));
    });

    it('a token without email: 401, IAP needs email', async () => {
      const outcome = await call({ account: 'no-email', audience: IAP_CLIENT, url: iap.url });
      assert.equal(outcome.response?.status, 401);
      assert.match(outcome.response?.bodyStart ?? '', /'email' claim isn't a string/);
      assert.deepEqual(errors(outcome), ['iap-email']);
    });

    it('a principal without httpsResourceAccessor: 403 and the grant command', async () => {
      const outcome = await call({ account: 'outsider', audience: IAP_CLIENT, url: iap.url });
      assert.equal(outcome.response?.status, 403);
      const permission = outcome.findings.find((f) => f.rule === 'permission');
      assert.match(permission?.command ?? '', /gcloud iap web add-iam-policy-binding/);
    });
  });

  describe('bad answers and bad input', () => {
    it('a redirect to another origin is shown, not followed', async () => {
      const before = api.paths.length;
      const outcome = await call({ token: 'x.y.z', url: `${api.url}/redirect-elsewhere` });
      assert.equal(outcome.response?.status, 302);
      assert.equal(outcome.response?.headers.location, 'http://127.0.0.2:9/collect');
      assert.equal(api.paths.length, before + 1);
      assert.ok(outcome.findings.some((f) => f.rule === 'redirect'));
    });

    it('a 5 MB body is cut at 64 KB; HTML and script come back as text', async () => {
      const big = await call({ token: 't', url: `${api.url}/big` });
      assert.equal(big.response?.bodyTruncated, true);
      assert.equal(big.response?.bodyBytesRead, 65536);
      const html = await call({ token: 't', url: `${api.url}/html` });
      assert.match(html.response?.bodyStart ?? '', /<script>/);
    });

    it('an invalid URL, an unreachable host and a timeout: clear messages', async () => {
      await assert.rejects(async () => call({ token: 't', url: 'not a url' }), /is not a URL/);
      const unreachable = await call({
        token: 't',
        url: `http://127.0.0.1:${await closedPort()}/`,
      });
      assert.match(unreachable.error ?? '', /connection refused/);
      const blocked = await call({ token: 't', url: 'http://127.0.0.1:9/' });
      assert.match(blocked.error ?? '', /unsafe ports/);
      await config().update('timeoutSeconds', 1, vscode.ConfigurationTarget.Global);
      try {
        const slow = await call({ token: 't', url: `${api.url}/slow` });
        assert.match(slow.error ?? '', /did not answer within 1 s/);
      } finally {
        await config().update('timeoutSeconds', undefined, vscode.ConfigurationTarget.Global);
      }
    });
  });

  describe('offline check, copy forms, clipboard and masked mode', () => {
    it('"Check against a URL" diagnoses without sending anything', async () => {
      const token = await vscode.commands.executeCommand<string>('tokenExplorer.getIdToken', {
        account: 'no-email',
        audience: IAP_CLIENT,
      });
      const seen = iap.seen.length;
      const outcome = await vscode.commands.executeCommand<CallOutcome>(
        'tokenExplorer.checkAgainstUrl',
        { token, url: iap.url, kind: 'iap' },
      );
      assert.equal(iap.seen.length, seen, 'nothing sent');
      assert.deepEqual(errors(outcome), ['iap-email']);
    });

    it('copies as curl and clears the clipboard later only if it still holds the token', async () => {
      await config().update('clipboard.clearAfterSeconds', 1, vscode.ConfigurationTarget.Global);
      const text = await vscode.commands.executeCommand<string>('tokenExplorer.copyAs', {
        form: 'curl',
        token: 'eyJ.tok.en',
        url: run.url,
      });
      assert.equal(text, `curl -H 'Authorization: Bearer eyJ.tok.en' '${run.url}'`);
      assert.equal(await vscode.env.clipboard.readText(), text);
      await waitFor(
        'the clipboard cleared',
        async () => (await vscode.env.clipboard.readText()) === '',
      );
      await vscode.commands.executeCommand('tokenExplorer.copyAs', {
        form: 'shell-export',
        token: 'eyJ.tok.en',
      });
      await vscode.env.clipboard.writeText('something the user copied');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(await vscode.env.clipboard.readText(), 'something the user copied');
    });

    it('masked mode reaches the inspector state', async () => {
      const te = await tokenExplorer();
      await config().update('maskTokens', true, vscode.ConfigurationTarget.Global);
      await waitFor('masked inspector', () => te.inspector.state()?.masked === true);
      await vscode.commands.executeCommand('tokenExplorer.toggleMaskedMode');
      await waitFor('unmasked inspector', () => te.inspector.state()?.masked === false);
    });
  });
});
