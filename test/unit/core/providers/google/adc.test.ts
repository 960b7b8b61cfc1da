import * as assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ErrorCode, TokenExplorerError } from '../../../../../src/core/errors';
import { nodeProcessRunner } from '../../../../../src/core/node/processRunner';
import type { ProcessRunner } from '../../../../../src/core/ports';
import { AccessTokenSource } from '../../../../../src/core/providers/google/accessTokenSource';
import {
  adcAccessTokenSource,
  findAdc,
  gcloudAdcPath,
} from '../../../../../src/core/providers/google/adc';
import { parseCredentials } from '../../../../../src/core/providers/google/credentialFiles';
import { EAGER_REFRESH_MS } from '../../../../../src/core/providers/google/credentials';
import type { GoogleCredentials } from '../../../../../src/core/providers/google/credentials';
import { findScript } from '../../../../emulators/fakeCli';
import { GoogleApis } from '../../../../emulators/google/googleApis';
import { FrozenClock, testContext } from '../../../../helpers/context';
import type { GoogleFault } from '../../../../emulators/google/googleApis';
import { MetadataServer } from '../../../../emulators/google/metadataServer';
import { rejectsWith } from '../../../helpers/assertions';
import { useTempDir } from '../../../helpers/fixtures';

const POOL_AUDIENCE =
  '//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/oidc';
const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

describe('Application Default Credentials', () => {
  let apis: GoogleApis;
  const tmp = useTempDir('adc-');

  before(async () => {
    apis = await GoogleApis.start();
  });
  after(() => apis.stop());
  beforeEach(() => {
    apis.clearFaults();
    apis.requests.length = 0;
  });

  async function file(name: string, content: string): Promise<string> {
    const path = join(tmp.path, name);
    await writeFile(path, content);
    return path;
  }

  describe('findAdc', () => {
    it('takes GOOGLE_APPLICATION_CREDENTIALS first', async () => {
      const user = apis.addUser({ email: 'env@example.com' });
      const path = await file('env.json', user.adcJson);
      const found = await findAdc(
        testContext({ env: { GOOGLE_APPLICATION_CREDENTIALS: path }, homeDir: tmp.path }),
      );
      assert.equal(found?.source, 'env');
      assert.equal(found?.path, path);
      assert.equal(found?.credentials?.type, 'authorized_user');
    });

    it('says so when GOOGLE_APPLICATION_CREDENTIALS names a missing file', async () => {
      const missing = join(tmp.path, 'missing.json');
      await rejectsWith(
        findAdc(testContext({ env: { GOOGLE_APPLICATION_CREDENTIALS: missing } })),
        'bad-credentials',
        /GOOGLE_APPLICATION_CREDENTIALS/,
        new RegExp(missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
      );
    });

    it("then gcloud's file under ~/.config/gcloud", async () => {
      await mkdir(join(tmp.path, '.config', 'gcloud'), { recursive: true });
      const user = apis.addUser({ email: 'home@example.com' });
      const path = join(tmp.path, '.config', 'gcloud', 'application_default_credentials.json');
      await writeFile(path, user.adcJson);
      const found = await findAdc(testContext({ homeDir: tmp.path }));
      assert.deepEqual(
        { source: found?.source, path: found?.path },
        { source: 'gcloud-adc-file', path },
      );
    });

    it('honours CLOUDSDK_CONFIG', async () => {
      const user = apis.addUser({ email: 'sdk@example.com' });
      await file('application_default_credentials.json', user.adcJson);
      const found = await findAdc(testContext({ env: { CLOUDSDK_CONFIG: tmp.path } }));
      assert.equal(found?.path, join(tmp.path, 'application_default_credentials.json'));
    });

    it('knows the Windows location', () => {
      const env = (vars: Record<string, string>) => ({
        get: (name: string) => vars[name],
        homeDir: 'C:\\Users\\ada',
        platform: 'win32' as const,
      });
      assert.equal(
        gcloudAdcPath(env({ APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' })),
        'C:\\Users\\ada\\AppData\\Roaming\\gcloud\\application_default_credentials.json',
      );
      assert.equal(
        gcloudAdcPath(env({ CLOUDSDK_CONFIG: 'D:\\gcloud' })),
        'D:\\gcloud\\application_default_credentials.json',
      );
    });

    it('finds nothing, and probes the metadata server only when asked', async () => {
      const metadata = await MetadataServer.start();
      try {
        const context = testContext({
          homeDir: tmp.path,
          env: { GCE_METADATA_HOST: metadata.host },
        });
        assert.equal(await findAdc(context), undefined);
        assert.equal(metadata.requestCount, 0);
        assert.deepEqual(await findAdc(context, { probeMetadata: true }), { source: 'metadata' });
        assert.equal(
          await findAdc(testContext({ homeDir: tmp.path }), { probeMetadata: true }),
          undefined,
        );
      } finally {
        await metadata.stop();
      }
    });
  });

  describe('metadata server detection, as gcp-metadata and google-auth honour it', () => {
    let metadata: MetadataServer;
    before(async () => {
      metadata = await MetadataServer.start();
    });
    after(() => metadata.stop());
    beforeEach(() => {
      metadata.requests.length = 0;
    });
    const detecting = (env: Record<string, string>) =>
      testContext({ homeDir: tmp.path, env: { GCE_METADATA_HOST: metadata.host, ...env } });

    it('METADATA_SERVER_DETECTION=none: never asked, and the search order is explained', async () => {
      const context = detecting({ METADATA_SERVER_DETECTION: ' None ' });
      assert.equal(await findAdc(context, { probeMetadata: true }), undefined);
      await rejectsWith(
        adcAccessTokenSource(context),
        'no-credentials',
        /METADATA_SERVER_DETECTION=none/,
      );
      assert.equal(metadata.requests.length, 0);
    });

    it('NO_GCE_CHECK=true: the same', async () => {
      const context = detecting({ NO_GCE_CHECK: 'true' });
      assert.equal(await findAdc(context, { probeMetadata: true }), undefined);
      await rejectsWith(adcAccessTokenSource(context), 'no-credentials', /NO_GCE_CHECK=true/);
      assert.equal(metadata.requests.length, 0);
    });

    it('assume-present: used without a ping', async () => {
      const context = detecting({ METADATA_SERVER_DETECTION: 'assume-present' });
      assert.deepEqual(await findAdc(context, { probeMetadata: true }), { source: 'metadata' });
      assert.equal(metadata.requests.length, 0);
    });

    it('bios-only: residency decides (a Cloud Run variable), no ping', async () => {
      // Not Linux, so no BIOS file is read: the machine running the tests may be a GCE VM.
      const off = testContext({
        homeDir: tmp.path,
        platform: 'darwin',
        env: { GCE_METADATA_HOST: metadata.host, METADATA_SERVER_DETECTION: 'bios-only' },
      });
      const onRun = detecting({ METADATA_SERVER_DETECTION: 'bios-only', K_SERVICE: 'svc' });
      assert.equal(await findAdc(off, { probeMetadata: true }), undefined);
      assert.deepEqual(await findAdc(onRun, { probeMetadata: true }), { source: 'metadata' });
      assert.equal(metadata.requests.length, 0);
    });

    it('an unknown value is refused with the accepted ones', async () => {
      await rejectsWith(
        findAdc(detecting({ METADATA_SERVER_DETECTION: 'maybe' }), { probeMetadata: true }),
        'bad-config',
        /assume-present, none, bios-only, ping-only/,
      );
    });
  });

  describe('parseCredentials', () => {
    it('reports broken JSON without quoting it', async () => {
      const sa = await apis.addServiceAccount({ email: 'broken@proj.iam.gserviceaccount.com' });
      const text = sa.keyFile.slice(0, -20);
      const error = await rejectsWith(
        Promise.resolve().then(() => parseCredentials(text, '/tmp/key.json')),
        'bad-credentials',
        /\/tmp\/key\.json/,
        /not valid JSON/,
      );
      assert.ok(!error.message.includes('PRIVATE KEY'));
    });

    it('names an unknown type', () => {
      assert.throws(
        () => parseCredentials('{"type":"gdch_service_account"}', 'f.json'),
        (e: TokenExplorerError) =>
          e.code === 'bad-credentials' && /gdch_service_account/.test(e.message),
      );
      assert.throws(() => parseCredentials('{}', 'f.json'), /no "type" field/);
      assert.throws(() => parseCredentials('[1]', 'f.json'), /not a JSON object/);
    });

    it('names the missing field and never the private key', async () => {
      const sa = await apis.addServiceAccount({ email: 'field@proj.iam.gserviceaccount.com' });
      const key = JSON.parse(sa.keyFile) as Record<string, unknown>;
      delete key.client_email;
      assert.throws(
        () => parseCredentials(JSON.stringify(key), 'k.json'),
        (e: TokenExplorerError) =>
          e.code === 'bad-credentials' &&
          /"client_email"/.test(e.message) &&
          /k\.json/.test(e.message) &&
          !e.message.includes(String(key.private_key).slice(40, 80)),
      );
      assert.throws(
        () => parseCredentials('{"type":"authorized_user","client_id":"x"}', 'u.json'),
        /"client_secret"/,
      );
    });

    it('reads every credential type', () => {
      const impersonated = parseCredentials(
        JSON.stringify({
          type: 'impersonated_service_account',
          service_account_impersonation_url: apis.impersonationUrl('t@p.iam.gserviceaccount.com'),
          delegates: ['d@p.iam.gserviceaccount.com'],
          source_credentials: {
            type: 'authorized_user',
            client_id: 'c',
            client_secret: 's',
            refresh_token: 'r',
          },
        }),
        'i.json',
      );
      assert.equal(impersonated.type, 'impersonated_service_account');
      if (impersonated.type === 'impersonated_service_account') {
        assert.equal(impersonated.targetPrincipal, 't@p.iam.gserviceaccount.com');
        assert.deepEqual(impersonated.delegates, [
          'projects/-/serviceAccounts/d@p.iam.gserviceaccount.com',
        ]);
        assert.equal(impersonated.sourceCredentials.type, 'authorized_user');
      }
      const external = parseCredentials(
        JSON.stringify({
          type: 'external_account',
          audience: POOL_AUDIENCE,
          subject_token_type: JWT_TYPE,
          credential_source: {
            url: 'http://127.0.0.1/token',
            headers: { Metadata: 'True' },
            format: { type: 'json', subject_token_field_name: 'access_token' },
          },
        }),
        'e.json',
      );
      assert.deepEqual(external.type === 'external_account' && external.credentialSource, {
        kind: 'url',
        url: 'http://127.0.0.1/token',
        headers: { Metadata: 'True' },
        format: { type: 'json', subjectTokenFieldName: 'access_token' },
      });
      assert.equal(
        external.type === 'external_account' && external.tokenUrl,
        'https://sts.googleapis.com/v1/token',
      );
    });
  });

  describe('AccessTokenSource', () => {
    it('authorized_user: refresh grant, and learns the email', async () => {
      const user = apis.addUser({ email: 'ada@example.com' });
      const source = new AccessTokenSource(
        parseCredentials(user.adcJson, 'adc.json'),
        testContext(),
      );
      const token = await source.getAccessToken();
      assert.match(token.accessToken, /^ya29\./);
      assert.equal(source.callerEmail, 'ada@example.com');
      assert.deepEqual(
        apis.requests.map((r) => r.grantType),
        ['refresh_token'],
      );
    });

    it('authorized_user: a revoked refresh token says to log in again', async () => {
      const user = apis.addUser({ email: 'revoked@example.com' });
      const credentials = parseCredentials(user.adcJson, 'adc.json');
      apis.revokeUser(user.email);
      const error = await rejectsWith(
        new AccessTokenSource(credentials, testContext()).getAccessToken(),
        'bad-credentials',
        /invalid_grant/,
        /gcloud auth application-default login/,
        /adc\.json/,
      );
      assert.ok(!error.message.includes(user.refreshToken));
    });

    it('service_account: jwt-bearer with the cloud-platform scope', async () => {
      const sa = await apis.addServiceAccount({ email: 'ci@proj.iam.gserviceaccount.com' });
      const source = new AccessTokenSource(parseCredentials(sa.keyFile, 'k.json'), testContext());
      assert.match((await source.getAccessToken()).accessToken, /^ya29\./);
      assert.equal(source.callerEmail, sa.email);
      assert.deepEqual(
        apis.requests.map((r) => r.grantType),
        ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
      );
    });

    it('impersonated_service_account: source token, then generateAccessToken', async () => {
      const user = apis.addUser({ email: 'imp@example.com' });
      const target = await apis.addServiceAccount({ email: 'target@proj.iam.gserviceaccount.com' });
      const json = JSON.stringify({
        type: 'impersonated_service_account',
        service_account_impersonation_url: apis.impersonationUrl(target.email),
        delegates: [],
        source_credentials: JSON.parse(user.adcJson) as unknown,
      });
      const source = new AccessTokenSource(parseCredentials(json, 'imp.json'), testContext());
      await rejectsWith(
        source.getAccessToken(),
        'permission-denied',
        /imp@example\.com may not impersonate target@proj/,
        /roles\/iam\.serviceAccountTokenCreator/,
      );
      apis.allow(user.email, target.email);
      assert.match((await source.getAccessToken()).accessToken, /^ya29\./);
      assert.equal(source.callerEmail, target.email);
      assert.deepEqual(
        apis.requests.map((r) => r.route),
        ['token', 'generateAccessToken', 'generateAccessToken'],
        'the source token is cached',
      );
    });

    describe('external_account', () => {
      const external = (source: unknown, extra: Record<string, unknown> = {}) =>
        JSON.stringify({
          type: 'external_account',
          audience: POOL_AUDIENCE,
          subject_token_type: JWT_TYPE,
          token_url: apis.stsUrl,
          credential_source: source,
          ...extra,
        });

      it('file source (text) through STS', async () => {
        const subject = 'eyJ.subject.text';
        apis.trustSubjectToken(subject, {
          audience: POOL_AUDIENCE,
          principal: 'principal://x/sub',
        });
        const path = await file('subject.txt', `${subject}\n`);
        const credentials = parseCredentials(external({ file: path }), 'ext.json');
        const token = await new AccessTokenSource(credentials, testContext()).getAccessToken();
        assert.match(token.accessToken, /^ya29\./);
        assert.deepEqual(
          apis.requests.map((r) => r.grantType),
          ['urn:ietf:params:oauth:grant-type:token-exchange'],
        );
      });

      it('file source (json field), then impersonation', async () => {
        const sa = await apis.addServiceAccount({ email: 'wif@proj.iam.gserviceaccount.com' });
        apis.trustSubjectToken('json-subject', {
          audience: POOL_AUDIENCE,
          principal: 'principal://wif',
        });
        apis.allow('principal://wif', sa.email);
        const path = await file('subject.json', JSON.stringify({ id_token: 'json-subject' }));
        const credentials = parseCredentials(
          external(
            { file: path, format: { type: 'json', subject_token_field_name: 'id_token' } },
            { service_account_impersonation_url: apis.impersonationUrl(sa.email) },
          ),
          'ext.json',
        );
        const source = new AccessTokenSource(credentials, testContext());
        assert.match((await source.getAccessToken()).accessToken, /^ya29\./);
        assert.equal(source.callerEmail, sa.email);
        assert.deepEqual(
          apis.requests.map((r) => r.route),
          ['sts', 'generateAccessToken'],
        );
      });

      it('url source with headers', async () => {
        apis.trustSubjectToken('url-subject', {
          audience: POOL_AUDIENCE,
          principal: 'principal://u',
        });
        const seen: Record<string, string>[] = [];
        const context = testContext({
          fetch: async (input, init) => {
            if (input === 'http://169.254.169.254/subject') {
              seen.push(init?.headers as Record<string, string>);
              return new Response(JSON.stringify({ token: 'url-subject' }));
            }
            return fetch(input, init);
          },
        });
        const credentials = parseCredentials(
          external({
            url: 'http://169.254.169.254/subject',
            headers: { Metadata: 'True' },
            format: { type: 'json', subject_token_field_name: 'token' },
          }),
          'ext.json',
        );
        await new AccessTokenSource(credentials, context).getAccessToken();
        assert.deepEqual(seen, [{ Metadata: 'True' }]);
      });

      it('executable source: off unless GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1', async () => {
        apis.trustSubjectToken('exe-subject', {
          audience: POOL_AUDIENCE,
          principal: 'principal://e',
        });
        const calls: { file: string; args: readonly string[]; env?: unknown }[] = [];
        const runner: ProcessRunner = {
          run: async (file, args, options) => {
            calls.push({ file, args, env: options.env });
            return {
              stdout: JSON.stringify({
                version: 1,
                success: true,
                token_type: JWT_TYPE,
                id_token: 'exe-subject',
                expiration_time: Math.floor(Date.now() / 1000) + 600,
              }),
              stderr: '',
              exitCode: 0,
            };
          },
        };
        const credentials = parseCredentials(
          external({ executable: { command: '/usr/bin/get-token --aud x', timeout_millis: 5000 } }),
          'exe.json',
        );
        await rejectsWith(
          new AccessTokenSource(credentials, testContext({ runner })).getAccessToken(),
          'bad-config',
          /GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1/,
          /exe\.json/,
        );
        assert.equal(calls.length, 0);
        const allowed = testContext({
          runner,
          env: { GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: '1' },
        });
        assert.match(
          (await new AccessTokenSource(credentials, allowed).getAccessToken()).accessToken,
          /^ya29\./,
        );
        assert.equal(calls[0]?.file, '/usr/bin/get-token');
        assert.deepEqual(calls[0]?.args, ['--aud', 'x']);
        assert.equal(
          (calls[0]?.env as Record<string, string>).GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE,
          POOL_AUDIENCE,
        );
      });

      describe('executable answers and settings, as google-auth-library checks them', () => {
        const answering = (answer: unknown, calls: { env?: unknown; timeoutMs: number }[] = []) =>
          testContext({
            env: { GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: '1' },
            runner: {
              run: async (_file, _args, options) => {
                calls.push({ env: options.env, timeoutMs: options.timeoutMs });
                return { stdout: JSON.stringify(answer), stderr: '', exitCode: 0 };
              },
            },
          });
        const good = {
          version: 1,
          success: true,
          token_type: JWT_TYPE,
          id_token: 'exe-checked',
          expiration_time: Math.floor(Date.now() / 1000) + 600,
        };
        before(() =>
          apis.trustSubjectToken('exe-checked', {
            audience: POOL_AUDIENCE,
            principal: 'principal://checked',
          }),
        );

        it('passes the documented variables, GOOGLE_EXTERNAL_ACCOUNT_ID included', async () => {
          const sa = await apis.addServiceAccount({
            email: 'exe-target@proj.iam.gserviceaccount.com',
            withKey: false,
          });
          apis.allow('principal://checked', sa.email);
          const calls: { env?: unknown; timeoutMs: number }[] = [];
          const output = join(tmp.path, 'out.json');
          const credentials = parseCredentials(
            external(
              { executable: { command: 'get-token', output_file: output } },
              { service_account_impersonation_url: apis.impersonationUrl(sa.email) },
            ),
            'exe.json',
          );
          await new AccessTokenSource(credentials, answering(good, calls)).getAccessToken();
          assert.deepEqual(calls, [
            {
              timeoutMs: 30_000,
              env: {
                GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE: POOL_AUDIENCE,
                GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE: JWT_TYPE,
                GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE: '0',
                GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL: sa.email,
                GOOGLE_EXTERNAL_ACCOUNT_ID: sa.email,
                GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE: output,
              },
            },
          ]);
        });

        for (const timeout of [4_999, 120_001, '30000']) {
          it(`refuses timeout_millis ${JSON.stringify(timeout)} (5000-120000 only)`, () => {
            assert.throws(
              () =>
                parseCredentials(
                  external({ executable: { command: 'x', timeout_millis: timeout } }),
                  'exe.json',
                ),
              /between 5000 and 120000/,
            );
          });
        }

        const bad: [string, unknown, RegExp][] = [
          [
            'no token_type',
            { ...good, token_type: undefined },
            /"token_type" null; it must be one of/,
          ],
          ['an unknown token_type', { ...good, token_type: 'text' }, /"token_type" "text"/],
          [
            'saml2 without saml_response',
            { ...good, token_type: 'urn:ietf:params:oauth:token-type:saml2' },
            /no saml_response/,
          ],
          ['version 2', { ...good, version: 2 }, /only version 1/],
          ['no version', { ...good, version: undefined }, /numeric "version"/],
          [
            'a failure without code',
            { version: 1, success: false, message: 'm' },
            /without the "code" and "message"/,
          ],
          [
            'a failure',
            { version: 1, success: false, code: '401', message: 'login expired' },
            /reported failure 401: login expired/,
          ],
          ['an expired token', { ...good, expiration_time: 1000 }, /expired/],
        ];
        for (const [what, answer, why] of bad) {
          it(`explains ${what}`, async () => {
            const credentials = parseCredentials(
              external({ executable: { command: 'get-token' } }),
              'exe.json',
            );
            await rejectsWith(
              new AccessTokenSource(credentials, answering(answer)).getAccessToken(),
              'bad-credentials',
              why,
            );
          });
        }

        it('takes the JSON of a program that colours its output (a real process)', async () => {
          // Coloured as through a pipe with FORCE_COLOR: SGR, OSC 8 links, a title, 8-bit CSI.
          const colour = pathToFileURL(findScript('colour', 'terminalColour.mjs')).href;
          const script = join(tmp.path, 'coloured-token.mjs');
          await writeFile(
            script,
            `#!/usr/bin/env node\nimport { paint } from ${JSON.stringify(colour)};\nprocess.stdout.write(paint(JSON.stringify(${JSON.stringify(good)}, null, 2)));\n`,
          );
          await chmod(script, 0o755);
          const credentials = parseCredentials(
            external({ executable: { command: script, timeout_millis: 10_000 } }),
            'exe.json',
          );
          const context = testContext({
            runner: nodeProcessRunner,
            env: { GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: '1' },
            timeoutMs: 10_000,
          });
          const token = await new AccessTokenSource(credentials, context).getAccessToken();
          assert.match(token.accessToken, /^ya29\./);
        });

        it('names the file and the setting when the program is missing', async () => {
          const credentials = parseCredentials(
            external({ executable: { command: join(tmp.path, 'no-such-program') } }),
            'exe.json',
          );
          const context = testContext({
            runner: nodeProcessRunner,
            env: { GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: '1' },
          });
          await rejectsWith(
            new AccessTokenSource(credentials, context).getAccessToken(),
            'cli-not-found',
            /no-such-program/,
            /credential_source\.executable\.command/,
            /exe\.json/,
          );
        });

        it('requires expiration_time when an output file is set', async () => {
          const credentials = parseCredentials(
            external({ executable: { command: 'get-token', output_file: join(tmp.path, 'o') } }),
            'exe.json',
          );
          await rejectsWith(
            new AccessTokenSource(
              credentials,
              answering({ ...good, expiration_time: undefined }),
            ).getAccessToken(),
            'bad-credentials',
            /"expiration_time", which is required when an output_file is set/,
          );
        });
      });

      it('an untrusted subject token is explained', async () => {
        const path = await file('subject.txt', 'not-trusted');
        const credentials = parseCredentials(external({ file: path }), 'ext.json');
        const error = await rejectsWith(
          new AccessTokenSource(credentials, testContext()).getAccessToken(),
          'bad-credentials',
          /security token service/,
          /invalid_grant/,
          /workload identity provider/,
        );
        assert.ok(!error.message.includes('not-trusted'));
      });

      it('a missing subject-token file is named', async () => {
        const credentials = parseCredentials(
          external({ file: join(tmp.path, 'nope') }),
          'ext.json',
        );
        await rejectsWith(
          new AccessTokenSource(credentials, testContext()).getAccessToken(),
          'bad-credentials',
          /nope named in ext\.json does not exist/,
        );
      });
    });

    it('metadata server via metadataAccessToken', async () => {
      const metadata = await MetadataServer.start();
      try {
        const context = testContext({ env: { GCE_METADATA_HOST: metadata.host } });
        const token = await new AccessTokenSource({ type: 'metadata' }, context).getAccessToken();
        assert.equal(token.accessToken, metadata.accessToken);
      } finally {
        await metadata.stop();
      }
    });

    it('caches, and refreshes 5 minutes before expiry (frozen clock)', async () => {
      const user = apis.addUser({ email: 'cache@example.com' });
      const clock = new FrozenClock();
      const source = new AccessTokenSource(
        parseCredentials(user.adcJson, 'adc.json'),
        testContext({ clock }),
      );
      const first = await source.getAccessToken();
      assert.equal(first.expiresAt, clock.ms + 3599_000);
      clock.ms = first.expiresAt - EAGER_REFRESH_MS - 1000;
      assert.equal((await source.getAccessToken()).accessToken, first.accessToken);
      assert.equal(apis.requests.length, 1);
      clock.ms = first.expiresAt - EAGER_REFRESH_MS + 1000;
      const second = await source.getAccessToken();
      assert.notEqual(second.accessToken, first.accessToken);
      assert.equal(apis.requests.length, 2);
      source.invalidate();
      await source.getAccessToken();
      assert.equal(apis.requests.length, 3);
    });

    it('shares one upstream call among concurrent callers', async () => {
      const sa = await apis.addServiceAccount({ email: 'flight@proj.iam.gserviceaccount.com' });
      const source = new AccessTokenSource(parseCredentials(sa.keyFile, 'k.json'), testContext());
      const tokens = await Promise.all(Array.from({ length: 10 }, () => source.getAccessToken()));
      assert.equal(new Set(tokens.map((t) => t.accessToken)).size, 1);
      assert.equal(apis.requests.length, 1);
    });

    it("one caller's cancel does not fail the others", async () => {
      const user = apis.addUser({ email: 'cancel@example.com' });
      const source = new AccessTokenSource(
        parseCredentials(user.adcJson, 'adc.json'),
        testContext(),
      );
      const controller = new AbortController();
      const cancelled = source.getAccessToken(controller.signal);
      const other = source.getAccessToken();
      controller.abort();
      await rejectsWith(cancelled, 'cancelled');
      assert.match((await other).accessToken, /^ya29\./);
    });

    const faults: [GoogleFault, ErrorCode, RegExp][] = [
      ['http-500', 'http-status', /HTTP 500.*try again/],
      ['429', 'http-status', /HTTP 429.*wait 7 s/],
      ['hang', 'timeout', /did not answer within 0\.3 s/],
      ['reset', 'network', /Could not reach .*\/token/],
      ['malformed-json', 'bad-response', /did not answer with JSON/],
      ['wrong-content-type', 'bad-response', /text\/html/],
      ['403', 'bad-credentials', /PERMISSION_DENIED/],
    ];
    for (const [fault, code, pattern] of faults) {
      it(`token endpoint fault ${fault} → ${code}`, async () => {
        const user = apis.addUser({ email: `${fault}@example.com` });
        apis.setFault('token', fault);
        const started = Date.now();
        const error = await rejectsWith(
          new AccessTokenSource(
            parseCredentials(user.adcJson, 'adc.json'),
            testContext({ timeoutMs: 300 }),
          ).getAccessToken(),
          code,
          pattern,
        );
        assert.ok(Date.now() - started < 2000);
        assert.ok(!error.message.includes(user.refreshToken));
        assert.ok(!error.message.includes(user.clientSecret));
      });
    }
  });

  describe('adcAccessTokenSource', () => {
    it('explains the search order when there is nothing', async () => {
      await rejectsWith(
        adcAccessTokenSource(testContext({ homeDir: tmp.path })),
        'no-credentials',
        /GOOGLE_APPLICATION_CREDENTIALS/,
        /application_default_credentials\.json/,
        /metadata server/,
        /gcloud auth application-default login/,
      );
    });

    it('reads an ADC file saved with a UTF-8 byte-order mark', async () => {
      const user = apis.addUser({ email: 'bom@example.com' });
      const path = await file('bom.json', `\ufeff${user.adcJson}\r\n`);
      const context = testContext({ env: { GOOGLE_APPLICATION_CREDENTIALS: path } });
      const source = await adcAccessTokenSource(context);
      assert.match((await source.getAccessToken()).accessToken, /^ya29\./);
    });

    it('parses the file once while its mtime and size hold; a re-login is seen at once', async () => {
      const user = apis.addUser({ email: 'parsed-once@example.com' });
      const path = await file('adc.json', user.adcJson);
      const base = testContext().files;
      let reads = 0;
      const files = {
        readText: (p: string) => {
          reads++;
          return base.readText(p);
        },
        stat: (p: string) => (base.stat ? base.stat(p) : Promise.resolve(undefined)),
      };
      const context = testContext({ env: { GOOGLE_APPLICATION_CREDENTIALS: path }, files });
      const first = await adcAccessTokenSource(context);
      for (let i = 0; i < 5; i++) assert.equal(await adcAccessTokenSource(context), first);
      assert.equal(reads, 1);
      const other = apis.addUser({ email: 'relogin@example.com' });
      await writeFile(path, `${other.adcJson} `);
      const after = await adcAccessTokenSource(context);
      assert.notEqual(after, first);
      assert.equal((after.credentials as { clientId: string }).clientId, other.clientId);
      assert.equal(reads, 2);
    });

    it('reuses one source per file while the file is unchanged', async () => {
      const user = apis.addUser({ email: 'reuse@example.com' });
      const path = await file('adc.json', user.adcJson);
      const context = testContext({ env: { GOOGLE_APPLICATION_CREDENTIALS: path } });
      const a = await adcAccessTokenSource(context);
      const b = await adcAccessTokenSource(context);
      assert.equal(a, b);
      const other = apis.addUser({ email: 'other@example.com' });
      await writeFile(path, other.adcJson);
      assert.notEqual(await adcAccessTokenSource(context), a);
      const explicit = await adcAccessTokenSource(context, { credentialsFile: path });
      assert.equal((explicit.credentials as GoogleCredentials).type, 'authorized_user');
      await rejectsWith(
        adcAccessTokenSource(context, { credentialsFile: join(tmp.path, 'gone.json') }),
        'no-credentials',
        /gone\.json/,
      );
    });
  });
});
