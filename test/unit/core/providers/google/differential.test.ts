// Differential tests: our providers and google-auth-library against the same emulators must send
// the same upstream requests (method, route, the principal whose token is in Authorization, the
// documented body fields) and get equivalent tokens. A rule of the emulator that only we exercise
// would show up here as a difference.
import * as assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  Compute,
  ExternalAccountAuthorizedUserClient,
  ExternalAccountClient,
  IdentityPoolClient,
  JWT,
  PluggableAuthClient,
  UserRefreshClient,
  gaxios,
} from 'google-auth-library';
import type { AuthClient } from 'google-auth-library';
import { nodeProcessRunner } from '../../../../../src/core/node/processRunner';
import type { Account, ProviderContext } from '../../../../../src/core/providers/provider';
import { secretKey } from '../../../../../src/core/providers/provider';
import { impersonationProvider } from '../../../../../src/core/providers/google/impersonation';
import { metadataProvider } from '../../../../../src/core/providers/google/metadata';
import {
  importServiceAccountKey,
  serviceAccountKeyProvider,
} from '../../../../../src/core/providers/google/serviceAccountKey';
import { userIdentityProvider } from '../../../../../src/core/providers/google/userIdentity';
import { ImdsServer } from '../../../../emulators/aws/imdsServer';
import { GoogleApis } from '../../../../emulators/google/googleApis';
import type {
  EmulatedServiceAccount,
  EmulatedUser,
  LoggedRequest,
} from '../../../../emulators/google/googleApis';
import { MetadataServer } from '../../../../emulators/google/metadataServer';
import { MemorySecrets, testContext } from '../../../../helpers/context';
import { verifyGoogleIdToken } from '../../../helpers/assertions';
import { useTempDir } from '../../../helpers/fixtures';
import {
  AWS_VARIABLES,
  awsExternalAccount,
  clearVariables,
  libraryImpersonatedIdToken,
} from '../../../../fixtures/officialClients';

const AUDIENCE = 'https://differential.example.com';
const POOL =
  '//iam.googleapis.com/projects/9/locations/global/workloadIdentityPools/pool/providers/ci';
const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

/**
 * Fields of each request that the API reference documents (and that both clients must agree
 * on). google-auth-library also sends `useEmailAzp` to generateIdToken (not in the REST
 * reference) and, for STS, `scope` as its configured scopes; those are left out of the
 * comparison and named in the report.
 */
const COMPARED: Readonly<Record<string, readonly string[]>> = {
  token: ['grant_type', 'assertion', 'refresh_token', 'client_id', 'client_secret'],
  sts: [
    'grant_type',
    'audience',
    'requested_token_type',
    'subject_token',
    'subject_token_type',
    'options',
  ],
  stsOauthToken: ['grant_type', 'refresh_token'],
  generateIdToken: ['audience', 'includeEmail', 'delegates'],
  generateAccessToken: ['delegates', 'scope', 'lifetime'],
};

function shape(requests: readonly LoggedRequest[]): unknown[] {
  return requests.map((r) => {
    const fields: Record<string, unknown> = {};
    for (const name of COMPARED[r.route] ?? []) {
      if (r.fields?.[name] !== undefined) fields[name] = r.fields[name];
    }
    return {
      method: r.method,
      route: r.route,
      caller: r.caller,
      basicClient: r.basicClient,
      userProject: r.userProject,
      fields,
    };
  });
}

describe('differential: our providers and google-auth-library send the same requests', () => {
  let apis: GoogleApis;
  let target: EmulatedServiceAccount;
  const tmp = useTempDir('differential-');

  before(async () => {
    apis = await GoogleApis.start();
    target = await apis.addServiceAccount({ email: 'diff@proj.iam.gserviceaccount.com' });
  });
  after(() => apis.stop());

  /** Runs `fn` and returns the shape of the requests it caused, and its token. */
  async function recorded(fn: () => Promise<string>): Promise<{ calls: unknown[]; token: string }> {
    const start = apis.requests.length;
    const token = await fn();
    return { calls: shape(apis.requests.slice(start)), token };
  }

  const impersonation = (settings: Record<string, unknown>): Account => ({
    id: `imp-${Math.random()}`,
    kind: 'google-impersonation',
    settings: { targetServiceAccount: target.email, iamCredentialsEndpoint: apis.url, ...settings },
  });

  /** Both ID tokens verify for the audience and name the same service account. */
  async function sameIdentity(ours: string, theirs: string, audience = AUDIENCE): Promise<void> {
    const [a, b] = await Promise.all(
      [ours, theirs].map(
        async (t) => (await verifyGoogleIdToken(t, apis.jwks(), audience)).payload,
      ),
    );
    assert.deepEqual(
      { sub: a?.sub, email: a?.email, aud: a?.aud, azp: a?.azp },
      { sub: b?.sub, email: b?.email, aud: b?.aud, azp: b?.azp },
    );
  }

  /** The library's ID token for `target`, through `sourceClient` as its documentation shows. */
  const libraryIdToken = (sourceClient: AuthClient, delegates: string[] = []) =>
    libraryImpersonatedIdToken(sourceClient, {
      target: target.email,
      endpoint: apis.url,
      audience: AUDIENCE,
      delegates,
    });

  /** Our impersonation provider's ID token for `target` with the ADC file at `path`, recorded. */
  const ourIdToken = (path: string, context: ProviderContext = testContext()) =>
    recorded(
      async () =>
        (
          await impersonationProvider.mint(
            impersonation({ credentialsFile: path }),
            { audience: AUDIENCE },
            context,
          )
        ).token,
    );

  /** The library's client for an emulated user's refresh token (what an authorized_user file holds). */
  const libraryUserClient = (user: EmulatedUser, extra: { quotaProjectId?: string } = {}) =>
    new UserRefreshClient({
      clientId: user.clientId,
      clientSecret: user.clientSecret,
      refreshToken: user.refreshToken,
      endpoints: { oauth2TokenUrl: apis.tokenUrl },
      ...extra,
    });

  it('user refresh (authorized_user): the refresh grant and its id_token', async () => {
    const user = apis.addUser({ email: 'diff-user@example.com' });
    const path = join(tmp.path, 'user.json');
    await writeFile(path, user.adcJson);
    const ours = await recorded(async () => {
      const account: Account = {
        id: 'u',
        kind: 'google-user',
        settings: { credentialsFile: path },
      };
      return (await userIdentityProvider.mint(account, { audience: '' }, testContext())).token;
    });
    const theirs = await recorded(async () => {
      const client = libraryUserClient(user);
      await client.getAccessToken();
      return client.credentials.id_token ?? '';
    });
    assert.deepEqual(ours.calls, theirs.calls);
    await sameIdentity(ours.token, theirs.token, user.clientId);
  });

  it('impersonation with a user ADC: refresh, then generateIdToken as the user', async () => {
    const user = apis.addUser({ email: 'diff-caller@example.com' });
    apis.allow(user.email, target.email);
    const path = join(tmp.path, 'adc.json');
    await writeFile(path, JSON.stringify({ ...JSON.parse(user.adcJson), quota_project_id: 'q' }));
    const ours = await ourIdToken(path);
    const theirs = await recorded(() =>
      libraryIdToken(libraryUserClient(user, { quotaProjectId: 'q' })),
    );
    assert.deepEqual(ours.calls, theirs.calls);
    await sameIdentity(ours.token, theirs.token);
  });

  it('impersonated_service_account ADC: the source user calls, with the delegates', async () => {
    const user = apis.addUser({ email: 'diff-source@example.com' });
    const hop = await apis.addServiceAccount({
      email: 'diff-hop@proj.iam.gserviceaccount.com',
      withKey: false,
    });
    apis.allow(user.email, hop.email);
    apis.allow(hop.email, target.email);
    const path = join(tmp.path, 'impersonated.json');
    await writeFile(
      path,
      JSON.stringify({
        type: 'impersonated_service_account',
        service_account_impersonation_url: apis.impersonationUrl(target.email),
        source_credentials: JSON.parse(user.adcJson),
        delegates: [`projects/-/serviceAccounts/${hop.email}`],
      }),
    );
    const ours = await ourIdToken(path);
    // What GoogleAuth.fromImpersonatedJSON builds from that file, pointed at the emulator.
    const theirs = await recorded(() =>
      libraryIdToken(libraryUserClient(user), [`projects/-/serviceAccounts/${hop.email}`]),
    );
    assert.deepEqual(ours.calls, theirs.calls);
    await sameIdentity(ours.token, theirs.token);
  });

  it('service-account key: one jwt-bearer grant', async () => {
    const { settings, secret } = await importServiceAccountKey(target.keyFile, 'diff.json');
    const secrets = new MemorySecrets();
    await secrets.store(secretKey('k', 'serviceAccountKey'), secret);
    const ours = await recorded(
      async () =>
        (
          await serviceAccountKeyProvider.mint(
            { id: 'k', kind: 'google-service-account-key', settings },
            { audience: AUDIENCE },
            testContext({ secrets }),
          )
        ).token,
    );
    const key = JSON.parse(target.keyFile) as { private_key: string; private_key_id: string };
    // google-auth-library posts to the fixed https://oauth2.googleapis.com/token; a transporter
    // interceptor (a documented client option) sends it to the emulator.
    const transporter = new gaxios.Gaxios();
    transporter.interceptors.request.add({
      resolved: async (options) => {
        if (options.url.href === 'https://oauth2.googleapis.com/token')
          options.url = new URL(apis.tokenUrl);
        return options;
      },
    });
    const theirs = await recorded(() =>
      new JWT({
        email: target.email,
        key: key.private_key,
        keyId: key.private_key_id,
        transporter,
      }).fetchIdToken(AUDIENCE),
    );
    assert.deepEqual(
      ours.calls.map((c) => ({
        ...(c as object),
        fields: { grant_type: (c as { fields: { grant_type: string } }).fields.grant_type },
      })),
      theirs.calls.map((c) => ({
        ...(c as object),
        fields: { grant_type: (c as { fields: { grant_type: string } }).fields.grant_type },
      })),
    );
    await sameIdentity(ours.token, theirs.token);
  });

  describe('external_account sources, then generateIdToken with the STS token', () => {
    async function compareExternal(
      source: Record<string, unknown>,
      subject: string,
      principal: string,
      context: ProviderContext = testContext(),
    ): Promise<void> {
      apis.trustSubjectToken(subject, { audience: POOL, principal });
      apis.allow(principal, target.email);
      const file = {
        type: 'external_account',
        audience: POOL,
        subject_token_type: JWT_TYPE,
        token_url: apis.stsUrl,
        credential_source: source,
        service_account_impersonation_url: apis.impersonationUrl(target.email),
      };
      const path = join(tmp.path, `wif-${Math.random()}.json`);
      await writeFile(path, JSON.stringify(file));
      const ours = await ourIdToken(path, context);
      const { service_account_impersonation_url: _, ...federated } = file;
      const client =
        'executable' in source
          ? new PluggableAuthClient(federated as never)
          : new IdentityPoolClient(federated as never);
      const theirs = await recorded(() => libraryIdToken(client));
      assert.deepEqual(ours.calls, theirs.calls);
      await sameIdentity(ours.token, theirs.token);
    }

    it('file', async () => {
      const subjectFile = join(tmp.path, 'subject.json');
      await writeFile(subjectFile, JSON.stringify({ id_token: 'diff-file-subject' }));
      await compareExternal(
        { file: subjectFile, format: { type: 'json', subject_token_field_name: 'id_token' } },
        'diff-file-subject',
        'principal://diff/file',
      );
    });

    it('url, with its headers', async () => {
      const server = createServer((req, res) => {
        res.writeHead(req.headers['metadata'] === 'True' ? 200 : 401).end('diff-url-subject');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        await compareExternal(
          { url: `http://127.0.0.1:${port}/token`, headers: { Metadata: 'True' } },
          'diff-url-subject',
          'principal://diff/url',
        );
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });

    it('executable (a real program)', async () => {
      const script = join(tmp.path, 'get-token.mjs');
      await writeFile(
        script,
        `#!/usr/bin/env node\nprocess.stdout.write(JSON.stringify({ version: 1, success: true, token_type: '${JWT_TYPE}', id_token: 'diff-exe-subject', expiration_time: Math.floor(Date.now() / 1000) + 600 }));\n`,
      );
      await chmod(script, 0o755);
      const saved = process.env.GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES;
      process.env.GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES = '1';
      try {
        await compareExternal(
          { executable: { command: script, timeout_millis: 10_000 } },
          'diff-exe-subject',
          'principal://diff/exe',
          testContext({
            runner: nodeProcessRunner,
            env: { GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: '1' },
            timeoutMs: 10_000,
          }),
        );
      } finally {
        if (saved === undefined) delete process.env.GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES;
        else process.env.GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES = saved;
      }
    });
  });

  describe('external_account with an AWS source (aws1), IMDSv2 required', () => {
    let restore: () => void;
    let imds: ImdsServer;
    before(async () => {
      restore = clearVariables(AWS_VARIABLES);
      imds = await ImdsServer.start({ requireSessionToken: true, availabilityZone: 'us-east-2b' });
    });
    after(async () => {
      restore();
      await imds.stop();
    });

    /** Both clients' IMDS calls, then their Google calls, then the ID token. */
    async function both(variables: Record<string, string>): Promise<void> {
      const principal = `principal://diff/aws/${Math.random()}`;
      apis.trustAwsCredentials(imds.role!, { audience: POOL, principal });
      apis.trustAwsCredentials(
        { accessKeyId: 'AKIADIFFENV', secretAccessKey: 'diff-env-secret' },
        { audience: POOL, principal },
      );
      apis.allow(principal, target.email);
      const federated = awsExternalAccount(imds, { audience: POOL, tokenUrl: apis.stsUrl });
      const file = {
        ...federated,
        service_account_impersonation_url: apis.impersonationUrl(target.email),
      };
      const path = join(tmp.path, `aws-${Math.random()}.json`);
      await writeFile(path, JSON.stringify(file));
      const imdsShape = (from: number) =>
        imds.requests.slice(from).map((r) => [r.method, r.path, r.withSessionToken, r.ttlSeconds]);

      const subjects = apis.awsSubjects.length;
      let start = imds.requests.length;
      const ours = await ourIdToken(path, testContext({ env: variables }));
      const ourImds = imdsShape(start);

      start = imds.requests.length;
      for (const [name, value] of Object.entries(variables)) process.env[name] = value;
      try {
        const client = ExternalAccountClient.fromJSON(federated as never);
        assert.ok(client);
        const theirs = await recorded(() => libraryIdToken(client));
        assert.deepEqual(ourImds, imdsShape(start));
        // The signed GetCallerIdentity requests: same URL, method, header list and signed headers.
        const [ourSubject, theirSubject, ...more] = apis.awsSubjects.slice(subjects);
        assert.ok(ourSubject && theirSubject && more.length === 0);
        assert.deepEqual(ourSubject, theirSubject);
        assert.deepEqual(ours.calls, theirs.calls);
        await sameIdentity(ours.token, theirs.token);
      } finally {
        for (const name of Object.keys(variables)) delete process.env[name];
      }
    }

    it('the instance role through IMDSv2: PUT, zone, PUT, role, credentials; STS; generateIdToken', async () => {
      await both({});
      assert.ok(imds.requests.some((r) => r.method === 'PUT'));
    });

    it('region and keys from the environment: no metadata call from either', async () => {
      const before = imds.requests.length;
      await both({
        AWS_REGION: 'ca-central-1',
        AWS_ACCESS_KEY_ID: 'AKIADIFFENV',
        AWS_SECRET_ACCESS_KEY: 'diff-env-secret',
      });
      assert.equal(imds.requests.length, before);
    });
  });

  it('external_account_authorized_user: workforce refresh with Basic auth, then generateIdToken', async () => {
    const worker = apis.addWorkforceUser({ pool: 'diff', subject: 'ada' });
    apis.allow(worker.principal, target.email);
    const path = join(tmp.path, 'workforce.json');
    await writeFile(path, worker.adcJson);
    const ours = await ourIdToken(path);
    const theirs = await recorded(() =>
      libraryIdToken(new ExternalAccountAuthorizedUserClient(JSON.parse(worker.adcJson) as never)),
    );
    assert.deepEqual(ours.calls, theirs.calls);
    await sameIdentity(ours.token, theirs.token);
  });

  describe('metadata server', () => {
    let server: MetadataServer;
    before(async () => {
      server = await MetadataServer.start({ projectId: 'diff-proj' });
    });
    after(() => server.stop());

    it('one identity GET with the same query', async () => {
      const saved = process.env.GCE_METADATA_HOST;
      process.env.GCE_METADATA_HOST = server.host;
      try {
        const context = testContext({ env: { GCE_METADATA_HOST: server.host } });
        const start = server.requests.length;
        const ours = await metadataProvider.mint(
          { id: 'm', kind: 'google-metadata', settings: {} },
          { audience: AUDIENCE },
          context,
        );
        const mid = server.requests.length;
        const theirs = await new Compute().fetchIdToken(AUDIENCE);
        const calls = server.requests.slice(start);
        assert.deepEqual(calls.slice(0, mid - start), calls.slice(mid - start));
        const verify = async (token: string) =>
          (await verifyGoogleIdToken(token, server.jwks(), AUDIENCE)).payload;
        const [a, b] = await Promise.all([verify(ours.token), verify(theirs)]);
        assert.deepEqual({ sub: a.sub, email: a.email }, { sub: b.sub, email: b.email });
      } finally {
        if (saved === undefined) delete process.env.GCE_METADATA_HOST;
        else process.env.GCE_METADATA_HOST = saved;
      }
    });
  });
});
