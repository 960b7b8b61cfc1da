import * as assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, createLocalJWKSet, importPKCS8, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import {
  ExternalAccountClient,
  IdentityPoolClient,
  Impersonated,
  JWT,
  UserRefreshClient,
  gaxios,
} from 'google-auth-library';
import type { IdentityPoolClientOptions } from 'google-auth-library';
import { GoogleApis } from '../../../../emulators/google/googleApis';
import { eventually } from '../../../../helpers/poll';

const AUDIENCE = 'https://faithful.example.com';
const POOL_AUDIENCE =
  '//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/gh';

describe('the Google emulator speaks what google-auth-library expects', () => {
  let apis: GoogleApis;
  let dir: string;

  before(async () => {
    apis = await GoogleApis.start();
    dir = await mkdtemp(join(tmpdir(), 'faithful-'));
  });
  after(async () => {
    await apis.stop();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    apis.clearFaults();
    apis.requests.length = 0;
  });

  const verify = async (token: string, audience: string): Promise<JWTPayload> =>
    (
      await jwtVerify(token, createLocalJWKSet(apis.jwks()), {
        issuer: 'https://accounts.google.com',
        audience,
        algorithms: ['RS256'],
      })
    ).payload;

  const userClient = (email: string) => {
    const user = apis.addUser({ email });
    const client = new UserRefreshClient({
      clientId: user.clientId,
      clientSecret: user.clientSecret,
      refreshToken: user.refreshToken,
      endpoints: { oauth2TokenUrl: apis.tokenUrl },
    });
    return { user, client };
  };

  it('UserRefreshClient refreshes and gets the user ID token (aud = client id)', async () => {
    const { user, client } = userClient('refresh@example.com');
    const { token } = await client.getAccessToken();
    assert.match(token ?? '', /^ya29\./);
    const payload = await verify(client.credentials.id_token ?? '', user.clientId);
    assert.equal(payload.email, user.email);
    // The library sends target_audience with a refresh grant; Google ignores it for users.
    const idToken = await client.fetchIdToken(AUDIENCE);
    assert.equal((await verify(idToken, user.clientId)).azp, user.clientId);
    assert.deepEqual(
      apis.requests.map((r) => r.grantType),
      ['refresh_token', 'refresh_token'],
    );
  });

  it('Impersonated.fetchIdToken through delegates', async () => {
    const { user, client } = userClient('impersonator@example.com');
    const hop = await apis.addServiceAccount({ email: 'hop@faithful.iam.gserviceaccount.com' });
    const target = await apis.addServiceAccount({ email: 'run@faithful.iam.gserviceaccount.com' });
    apis.allow(user.email, hop.email);
    apis.allow(hop.email, target.email);
    const impersonated = new Impersonated({
      sourceClient: client,
      targetPrincipal: target.email,
      delegates: [`projects/-/serviceAccounts/${hop.email}`],
      targetScopes: ['https://www.googleapis.com/auth/cloud-platform'],
      endpoint: apis.url,
    });
    const payload = await verify(await impersonated.fetchIdToken(AUDIENCE), AUDIENCE);
    assert.equal(payload.email, target.email);
    assert.equal(payload.sub, target.uniqueId);
    const { token } = await impersonated.getAccessToken();
    assert.match(token ?? '', /^ya29\./);
    assert.deepEqual(
      apis.requests.map((r) => r.route),
      ['token', 'generateIdToken', 'generateAccessToken'],
    );
  });

  it('Impersonated without the role gets the 403 Google gives', async () => {
    const { client } = userClient('nobody@example.com');
    const target = await apis.addServiceAccount({
      email: 'locked@faithful.iam.gserviceaccount.com',
    });
    const impersonated = new Impersonated({
      sourceClient: client,
      targetPrincipal: target.email,
      endpoint: apis.url,
    });
    await assert.rejects(
      impersonated.fetchIdToken(AUDIENCE),
      /iam\.serviceAccounts\.getOpenIdToken/,
    );
  });

  it('IdentityPoolClient (file source): STS, impersonation, then an ID token', async () => {
    const sa = await apis.addServiceAccount({ email: 'wif@faithful.iam.gserviceaccount.com' });
    const subjectFile = join(dir, 'oidc-token.json');
    await writeFile(subjectFile, JSON.stringify({ value: 'subject-from-ci' }));
    apis.trustSubjectToken('subject-from-ci', {
      audience: POOL_AUDIENCE,
      principal: 'principal://ci',
    });
    apis.allow('principal://ci', sa.email);
    const withoutImpersonation: IdentityPoolClientOptions = {
      type: 'external_account',
      audience: POOL_AUDIENCE,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: apis.stsUrl,
      credential_source: {
        file: subjectFile,
        format: { type: 'json', subject_token_field_name: 'value' },
      },
    };
    const options: IdentityPoolClientOptions = {
      ...withoutImpersonation,
      service_account_impersonation_url: apis.impersonationUrl(sa.email),
    };
    const client = ExternalAccountClient.fromJSON(options);
    assert.ok(client);
    const { token } = await client.getAccessToken();
    assert.match(token ?? '', /^ya29\./);
    assert.deepEqual(
      apis.requests.map((r) => [r.route, r.grantType]),
      [
        ['sts', 'urn:ietf:params:oauth:grant-type:token-exchange'],
        ['generateAccessToken', undefined],
      ],
    );
    const direct = new IdentityPoolClient(withoutImpersonation);
    assert.match((await direct.getAccessToken()).token ?? '', /^ya29\./);
    // The federated principal itself impersonates the account to get an ID token.
    const impersonated = new Impersonated({
      sourceClient: direct,
      targetPrincipal: sa.email,
      endpoint: apis.url,
    });
    assert.equal(
      (await verify(await impersonated.fetchIdToken(AUDIENCE), AUDIENCE)).email,
      sa.email,
    );
  });

  it('JWT (service-account key) fetchIdToken via the jwt-bearer grant', async () => {
    const sa = await apis.addServiceAccount({ email: 'key@faithful.iam.gserviceaccount.com' });
    const key = JSON.parse(sa.keyFile) as { private_key: string; private_key_id: string };
    // google-auth-library 10 posts to the fixed https://oauth2.googleapis.com/token (it ignores
    // token_uri), so a transporter interceptor — a documented client option — redirects it.
    const transporter = new gaxios.Gaxios();
    transporter.interceptors.request.add({
      resolved: async (options) => {
        if (options.url.href === 'https://oauth2.googleapis.com/token') {
          options.url = new URL(apis.tokenUrl);
        }
        return options;
      },
    });
    const client = new JWT({
      email: sa.email,
      key: key.private_key,
      keyId: key.private_key_id,
      transporter,
    });
    const payload = await verify(await client.fetchIdToken(AUDIENCE), AUDIENCE);
    assert.equal(payload.email, sa.email);
    assert.equal(payload.sub, sa.uniqueId);
    const scoped = new JWT({
      email: sa.email,
      key: key.private_key,
      scopes: ['https://www.googleapis.com/auth/cloud-platform'],
      transporter,
    });
    assert.match((await scoped.getAccessToken()).token ?? '', /^ya29\./);
    assert.deepEqual(
      apis.requests.map((r) => r.grantType),
      [
        'urn:ietf:params:oauth:grant-type:jwt-bearer',
        'urn:ietf:params:oauth:grant-type:jwt-bearer',
      ],
    );
  });
});

describe('the Google emulator enforces the protocol', () => {
  let apis: GoogleApis;

  before(async () => {
    apis = await GoogleApis.start();
  });
  after(() => apis.stop());

  const post = async (path: string, body: string, headers: Record<string, string>) => {
    const response = await fetch(`${apis.url}${path}`, { method: 'POST', body, headers });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const form = (fields: Record<string, string>) =>
    post('/token', new URLSearchParams(fields).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });

  async function assertion(claims: JWTPayload, key: string, kid: string): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
      .sign(await importPKCS8(key, 'RS256'));
  }

  it('checks jwt-bearer assertions like Google', async () => {
    const sa = await apis.addServiceAccount({ email: 'strict@proto.iam.gserviceaccount.com' });
    const other = await apis.addServiceAccount({ email: 'other@proto.iam.gserviceaccount.com' });
    const { private_key: key } = JSON.parse(sa.keyFile) as { private_key: string };
    const { private_key: otherKey } = JSON.parse(other.keyFile) as { private_key: string };
    const iat = Math.floor(Date.now() / 1000);
    const good = { iss: sa.email, aud: apis.tokenUrl, iat, exp: iat + 3600, target_audience: 'a' };
    const grant = async (jwt: string) =>
      form({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt });

    assert.equal((await grant(await assertion(good, key, sa.keyId))).status, 200);
    assert.deepEqual(await grant(await assertion(good, otherKey, sa.keyId)), {
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' },
    });
    const long = await grant(await assertion({ ...good, exp: iat + 7200 }, key, sa.keyId));
    assert.match(String(long.body.error_description), /short-lived token/);
    const expired = await grant(
      await assertion({ ...good, iat: iat - 7200, exp: iat - 3600 }, key, sa.keyId),
    );
    assert.match(String(expired.body.error_description), /short-lived token/);
    const aud = await grant(await assertion({ ...good, aud: 'https://x' }, key, sa.keyId));
    assert.match(String(aud.body.error_description), /audience/);
    const none = await grant(
      await assertion({ ...good, target_audience: undefined }, key, sa.keyId),
    );
    assert.equal(none.body.error, 'invalid_scope');
    assert.deepEqual(await form({ grant_type: 'password' }), {
      status: 400,
      body: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: password' },
    });
  });

  it('guards IAM Credentials: bearer, JSON body, delegate form', async () => {
    const sa = await apis.addServiceAccount({ email: 'guarded@proto.iam.gserviceaccount.com' });
    const path = `/v1/projects/-/serviceAccounts/${sa.email}:generateIdToken`;
    const body = JSON.stringify({ audience: 'a', delegates: [] });
    const anonymous = await post(path, body, { 'content-type': 'application/json' });
    assert.equal(anonymous.status, 401);
    assert.equal((anonymous.body.error as { status: string }).status, 'UNAUTHENTICATED');
    apis.allow('caller@example.com', sa.email);
    const bearer = `Bearer ${apis.issueAccessToken('caller@example.com')}`;
    const text = await post(path, body, { 'content-type': 'text/plain', authorization: bearer });
    assert.equal(text.status, 400);
    const emailDelegate = await post(
      path,
      JSON.stringify({ audience: 'a', delegates: ['x@proto.iam.gserviceaccount.com'] }),
      { 'content-type': 'application/json', authorization: bearer },
    );
    assert.equal(emailDelegate.status, 400);
    const ok = await post(path, body, {
      'content-type': 'application/json',
      authorization: bearer,
    });
    assert.equal(ok.status, 200);
    assert.equal(typeof ok.body.token, 'string');
  });

  it('grants nothing implicitly: a service account may not mint its own ID token', async () => {
    const sa = await apis.addServiceAccount({
      email: 'self@proto.iam.gserviceaccount.com',
      withKey: false,
    });
    const path = `/v1/projects/-/serviceAccounts/${sa.email}:generateIdToken`;
    const body = JSON.stringify({ audience: 'a', includeEmail: true, delegates: [] });
    const headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${apis.issueAccessToken(sa.email)}`,
    };
    const denied = await post(path, body, headers);
    assert.equal(denied.status, 403);
    assert.match(String((denied.body.error as { message: string }).message), /getOpenIdToken/);
    apis.allow(sa.email, sa.email);
    assert.equal((await post(path, body, headers)).status, 200);
  });

  it('guards the security token service parameters', async () => {
    apis.trustSubjectToken('t', { audience: POOL_AUDIENCE, principal: 'principal://p' });
    const sts = (fields: Record<string, string>) =>
      post('/v1/token', new URLSearchParams(fields).toString(), {
        'content-type': 'application/x-www-form-urlencoded',
      });
    const good = {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience: POOL_AUDIENCE,
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token: 't',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    };
    const ok = await sts(good);
    assert.equal(ok.status, 200);
    assert.deepEqual(Object.keys(ok.body).sort(), [
      'access_token',
      'expires_in',
      'issued_token_type',
      'token_type',
    ]);
    for (const [field, value] of [
      ['grant_type', 'refresh_token'],
      ['requested_token_type', 'urn:ietf:params:oauth:token-type:id_token'],
      ['subject_token_type', 'text'],
      ['audience', 'https://elsewhere'],
    ] as const) {
      const bad = await sts({ ...good, [field]: value });
      assert.equal(bad.status, 400, field);
      assert.equal(bad.body.error, 'invalid_request', field);
    }
    assert.equal((await sts({ ...good, subject_token: 'unknown' })).body.error, 'invalid_grant');
  });

  it('serves discovery and JWKS, and stops despite hanging requests', async () => {
    const own = await GoogleApis.start();
    const discovery = (await (
      await fetch(`${own.url}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    assert.equal(discovery.issuer, 'https://accounts.google.com');
    assert.equal(discovery.jwks_uri, own.jwksUrl);
    const jwks = (await (await fetch(own.jwksUrl)).json()) as { keys: { kid: string }[] };
    assert.deepEqual(jwks, own.jwks());
    own.setFault('*', 'hang');
    const hanging = fetch(own.tokenUrl, { method: 'POST' }).catch((error: unknown) => error);
    await eventually(
      'the request to be held',
      () => own.openHeldRequests,
      (n) => n === 1,
    );
    const started = Date.now();
    await own.stop();
    assert.ok(Date.now() - started < 1000);
    assert.ok((await hanging) instanceof Error);
  });
});
