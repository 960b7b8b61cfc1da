import * as assert from 'node:assert/strict';
import { diagnose } from '../../../../src/core/call/diagnose';
import { sendCall } from '../../../../src/core/call/send';
import type { CallRequest, HeaderForm } from '../../../../src/core/call/types';
import type { GoogleApis } from '../../../emulators/google/googleApis';
import { mintGoogleIdToken } from '../../../emulators/services/googleTokens';
import type { ProtectedService } from '../../../emulators/services/protectedService';
import { IAP_CLIENT, INVOKER, OUTSIDER, USER } from '../../../fixtures/frontEnds';
import { type FrontEnds, startFrontEnds } from '../../../fixtures/frontEnds';

/** Both front ends, each case sent for real and diagnosed from what came back. */
describe('Cloud Run and IAP front ends, diagnosed', () => {
  let world: FrontEnds;
  let apis: GoogleApis;
  let run: ProtectedService;
  let iap: ProtectedService;

  before(async () => {
    world = await startFrontEnds();
    ({ apis, run, iap } = world);
  });
  after(() => world.stop());

  const mint = (
    serviceAccount: string,
    audience: string,
    extra: { includeEmail?: boolean; issuedAtMs?: number } = {},
  ) => mintGoogleIdToken(apis, { caller: USER, serviceAccount, audience, ...extra });

  async function call(
    service: ProtectedService,
    token: string,
    headerForm: HeaderForm = 'authorization',
  ) {
    const request: CallRequest = {
      method: 'GET',
      url: `${service.url}/hello`,
      headerForm,
      headers: {},
    };
    const response = await sendCall(fetch, request, token, {
      timeoutMs: 3000,
      maxBodyBytes: 65536,
      clock: { now: Date.now },
    });
    const diagnosis = diagnose({
      token,
      url: request.url,
      headerForm,
      nowSeconds: Date.now() / 1000,
      clockSkewSeconds: 60,
      response,
    });
    return {
      response,
      diagnosis,
      rules: diagnosis.findings.filter((f) => f.severity === 'error').map((f) => f.rule),
    };
  }

  describe('Cloud Run', () => {
    it('accepts an invoker with the service URL as audience', async () => {
      const { response, diagnosis } = await call(run, await mint(INVOKER, run.url));
      assert.equal(response.status, 200);
      assert.equal(diagnosis.kind, 'cloud-run', 'told by server: Google Frontend');
      assert.equal(diagnosis.findings[0]?.severity, 'ok');
    });
    it('also reads X-Serverless-Authorization', async () => {
      const { response } = await call(
        run,
        await mint(INVOKER, run.url),
        'x-serverless-authorization',
      );
      assert.equal(response.status, 200);
      assert.equal(run.seen.at(-1)?.credentialHeader, 'x-serverless-authorization');
    });
    it('401 for an access token, with its challenge, and says which kind it is', async () => {
      const { response, rules } = await call(run, apis.issueAccessToken(USER));
      assert.equal(response.status, 401);
      assert.match(response.headers['www-authenticate'] ?? '', /invalid_token/);
      assert.match(response.bodyStart, /Error: Unauthorized/);
      assert.deepEqual(rules.slice(0, 1), ['token-kind']);
    });
    it('401 for a wrong audience', async () => {
      const { response, rules } = await call(run, await mint(INVOKER, 'https://other.example'));
      assert.equal(response.status, 401);
      assert.ok(rules.includes('audience'));
    });
    it('401 for an expired token', async () => {
      const { response, rules } = await call(
        run,
        await mint(INVOKER, run.url, { issuedAtMs: Date.now() - 3 * 3600_000 }),
      );
      assert.equal(response.status, 401);
      assert.ok(rules.includes('time'));
    });
    it('403 for a principal without run.invoker, with the grant command', async () => {
      const { response, diagnosis } = await call(run, await mint(OUTSIDER, run.url));
      assert.equal(response.status, 403);
      assert.match(response.bodyStart, /Your client does not have permission to get URL/);
      const permission = diagnosis.findings.find((f) => f.rule === 'permission');
      assert.match(
        permission?.command ?? '',
        new RegExp(`--member='serviceAccount:${OUTSIDER}' --role='roles/run.invoker'`),
      );
    });
  });

  describe('IAP', () => {
    it('accepts an accessor with the client id as audience and email', async () => {
      const { response, diagnosis } = await call(iap, await mint(INVOKER, IAP_CLIENT));
      assert.equal(response.status, 200);
      assert.equal(diagnosis.findings[0]?.severity, 'ok');
    });
    it('reads Proxy-Authorization', async () => {
      const { response } = await call(iap, await mint(INVOKER, IAP_CLIENT), 'proxy-authorization');
      assert.equal(response.status, 200);
    });
    it('401 for an access token; the echoed token is not shown', async () => {
      const token = apis.issueAccessToken(USER);
      const { response, diagnosis, rules } = await call(iap, token);
      assert.equal(response.status, 401);
      assert.equal(diagnosis.kind, 'iap', 'told by x-goog-iap-generated-response');
      assert.match(response.bodyStart, /Base64 decode failed on token: \[the token you sent\]/);
      assert.ok(!response.bodyStart.includes(token));
      assert.deepEqual(rules.slice(0, 1), ['token-kind']);
    });
    it('401 for a URL audience', async () => {
      const { response, rules } = await call(iap, await mint(INVOKER, iap.url));
      assert.match(response.bodyStart, /JWT audience doesn't match this application/);
      assert.ok(rules.includes('audience'));
    });
    it('401 for a token without email', async () => {
      const { response, rules } = await call(
        iap,
        await mint(INVOKER, IAP_CLIENT, { includeEmail: false }),
      );
      assert.match(response.bodyStart, /JWT 'email' claim isn't a string/);
      assert.deepEqual(rules, ['iap-email']);
    });
    it('401 for an expired token', async () => {
      const { rules } = await call(
        iap,
        await mint(INVOKER, IAP_CLIENT, { issuedAtMs: Date.now() - 3 * 3600_000 }),
      );
      assert.ok(rules.includes('time'));
    });
    it('403 for a principal without httpsResourceAccessor', async () => {
      const { response, diagnosis } = await call(iap, await mint(OUTSIDER, IAP_CLIENT));
      assert.equal(response.status, 403);
      const permission = diagnosis.findings.find((f) => f.rule === 'permission');
      assert.match(permission?.command ?? '', /roles\/iap\.httpsResourceAccessor/);
    });
    it('no credential: the sign-in redirect, not followed', async () => {
      const response = await sendCall(
        (url, init) => fetch(url, { ...init, headers: {} }),
        { method: 'GET', url: iap.url, headerForm: 'authorization', headers: {} },
        'unused',
        { timeoutMs: 3000, maxBodyBytes: 1024, clock: { now: Date.now } },
      );
      assert.equal(response.status, 302);
      assert.match(response.headers.location ?? '', /^https:\/\/accounts\.google\.com\//);
    });
  });
});
