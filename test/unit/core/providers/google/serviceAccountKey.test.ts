import * as assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { ErrorCode } from '../../../../../src/core/errors';
import type { Account, ProviderContext } from '../../../../../src/core/providers/provider';
import { secretKey } from '../../../../../src/core/providers/provider';
import {
  importServiceAccountKey,
  serviceAccountKeyProvider,
} from '../../../../../src/core/providers/google/serviceAccountKey';
import { GoogleApis } from '../../../../emulators/google/googleApis';
import { FrozenClock, MemorySecrets, testContext } from '../../../../helpers/context';
import type { EmulatedServiceAccount, GoogleFault } from '../../../../emulators/google/googleApis';
import { rejectsWith, verifyGoogleIdToken } from '../../../helpers/assertions';
import { remediesFor } from '../../../../../src/core/remedies';

const AUDIENCE = 'https://api.example.com';

/** Characters of a PEM body, to prove no message echoes key material. */
function keyMaterial(keyFile: string): string {
  return String((JSON.parse(keyFile) as { private_key: string }).private_key)
    .split('\n')[2]
    ?.slice(0, 40) as string;
}

describe('google-service-account-key provider', () => {
  let apis: GoogleApis;
  let sa: EmulatedServiceAccount;
  let secrets: MemorySecrets;
  let context: ProviderContext;
  let account: Account;

  before(async () => {
    apis = await GoogleApis.start();
    sa = await apis.addServiceAccount({ email: 'deployer@proj.iam.gserviceaccount.com' });
  });
  after(() => apis.stop());
  beforeEach(async () => {
    apis.clearFaults();
    apis.requests.length = 0;
    apis.now = () => Date.now();
    secrets = new MemorySecrets();
    context = testContext({ secrets, timeoutMs: 400 });
    const imported = await importServiceAccountKey(sa.keyFile, 'deployer.json');
    await secrets.store(secretKey('key', 'serviceAccountKey'), imported.secret);
    account = { id: 'key', kind: 'google-service-account-key', settings: { ...imported.settings } };
  });

  describe('importServiceAccountKey', () => {
    it('splits a key file into settings and the secret', async () => {
      const { settings, secret } = await importServiceAccountKey(sa.keyFile, 'deployer.json');
      assert.deepEqual(settings, {
        clientEmail: sa.email,
        privateKeyId: sa.keyId,
        tokenUri: apis.tokenUrl,
        projectId: 'proj',
      });
      assert.equal(secret, sa.keyFile);
      assert.ok(!JSON.stringify(settings).includes('PRIVATE KEY'));
    });

    it('rejects other credential types', async () => {
      const user = apis.addUser({ email: 'u@example.com' });
      await rejectsWith(
        importServiceAccountKey(user.adcJson, 'adc.json'),
        'bad-credentials',
        /adc\.json holds authorized_user credentials, not a service-account key/,
      );
    });

    it('names the missing field', async () => {
      const key = JSON.parse(sa.keyFile) as Record<string, unknown>;
      delete key.private_key_id;
      await rejectsWith(
        importServiceAccountKey(JSON.stringify(key), 'k.json'),
        'bad-credentials',
        /"private_key_id"/,
        /k\.json/,
      );
    });

    it('rejects a damaged private key without echoing it', async () => {
      const key = JSON.parse(sa.keyFile) as { private_key: string };
      key.private_key = key.private_key.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!');
      const error = await rejectsWith(
        importServiceAccountKey(JSON.stringify(key), 'k.json'),
        'bad-credentials',
        /"private_key" in k\.json is not a readable RSA PKCS#8 key/,
      );
      assert.ok(!error.message.includes(keyMaterial(sa.keyFile)));
      const rsa = {
        ...key,
        private_key: '-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n',
      };
      await rejectsWith(
        importServiceAccountKey(JSON.stringify(rsa), 'k.json'),
        'bad-credentials',
        /PKCS#1 RSA key .*does not parse/,
      );
    });

    describe('key files as people have them', () => {
      /** The key file with its private_key rewritten by `change`. */
      const withKey = (change: (pem: string) => string): string => {
        const key = JSON.parse(sa.keyFile) as { private_key: string };
        return JSON.stringify({ ...key, private_key: change(key.private_key) }, null, 2);
      };
      const pkcs1 = (pem: string): string =>
        createPrivateKey(pem).export({ type: 'pkcs1', format: 'pem' }).toString();
      const mintWith = async (keyFile: string): Promise<string> => {
        const own = new MemorySecrets();
        const imported = await importServiceAccountKey(keyFile, 'people.json');
        await own.store(secretKey('people', 'serviceAccountKey'), imported.secret);
        const minted = await serviceAccountKeyProvider.mint(
          { id: 'people', kind: 'google-service-account-key', settings: imported.settings },
          { audience: AUDIENCE },
          testContext({ secrets: own }),
        );
        return String(
          (await verifyGoogleIdToken(minted.token, apis.jwks(), AUDIENCE)).payload.email,
        );
      };

      const accepted: [string, () => string][] = [
        ['PKCS#1 (BEGIN RSA PRIVATE KEY, as openssl rsa writes)', () => withKey(pkcs1)],
        ['a UTF-8 byte-order mark', () => `\ufeff${sa.keyFile}`],
        [
          'CRLF line ends, in the file and in the key',
          () => withKey((pem) => pem.replace(/\n/g, '\r\n')).replace(/\n/g, '\r\n'),
        ],
        ['\\n escaped twice in the key', () => withKey((pem) => pem.replace(/\n/g, '\\n'))],
        ['trailing whitespace and blank lines', () => `${sa.keyFile}  \n\n\t`],
        [
          'PKCS#1 with a BOM and escaped newlines',
          () => `\ufeff${withKey((pem) => pkcs1(pem).replace(/\n/g, '\\n'))}`,
        ],
      ];
      for (const [shape, keyFile] of accepted) {
        it(`accepts ${shape}`, async () => {
          assert.equal(await mintWith(keyFile()), sa.email);
        });
      }

      const refused: [string, () => string | Promise<string>, RegExp][] = [
        [
          'a leading // comment',
          () => `// deploy key\n${sa.keyFile}`,
          /starts with a comment.*plain JSON/,
        ],
        [
          'UTF-16 (PowerShell >)',
          () => Buffer.from(`\ufeff${sa.keyFile}`, 'utf16le').toString('utf8'),
          /UTF-16.*Save it again as UTF-8/,
        ],
        [
          'an EC key',
          () =>
            withKey(() =>
              generateKeyPairSync('ec', { namedCurve: 'P-256' })
                .privateKey.export({ type: 'sec1', format: 'pem' })
                .toString(),
            ),
          /"EC PRIVATE KEY", not an RSA private key/,
        ],
        [
          'an encrypted key',
          () =>
            withKey((pem) =>
              createPrivateKey(pem)
                .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' })
                .toString(),
            ),
          /encrypted with a passphrase/,
        ],
      ];
      for (const [shape, keyFile, why] of refused) {
        it(`explains ${shape}`, async () => {
          const error = await rejectsWith(
            importServiceAccountKey(await keyFile(), 'people.json'),
            'bad-credentials',
            /people\.json/,
            why,
          );
          assert.ok(!error.message.includes(keyMaterial(sa.keyFile)));
        });
      }
    });

    it('reports broken JSON without its text', async () => {
      const error = await rejectsWith(
        importServiceAccountKey(sa.keyFile.slice(0, 200), 'k.json'),
        'bad-credentials',
        /not valid JSON/,
      );
      assert.ok(!error.message.includes('BEGIN'));
    });
  });

  it('mints an ID token through the jwt-bearer grant', async () => {
    const minted = await serviceAccountKeyProvider.mint(account, { audience: AUDIENCE }, context);
    const { payload } = await verifyGoogleIdToken(minted.token, apis.jwks(), AUDIENCE);
    assert.equal(payload.email, sa.email);
    assert.equal(payload.sub, sa.uniqueId);
    assert.equal(minted.expiresAt, (payload.exp ?? 0) * 1000);
    assert.deepEqual(apis.requests, [
      {
        method: 'POST',
        route: 'token',
        path: '/token',
        grantType: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        fields: {
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion: '<secret>',
        },
      },
    ]);
  });

  it('signs the assertion as Google expects', async () => {
    let assertion = '';
    const spying = testContext({
      secrets,
      clock: new FrozenClock(Date.parse('2026-01-02T03:04:05Z')),
      fetch: async (input, init) => {
        assertion = new URLSearchParams(String(init?.body)).get('assertion') ?? '';
        return new Response('{"id_token":"x"}', { status: 400 });
      },
    });
    await serviceAccountKeyProvider
      .mint(account, { audience: AUDIENCE }, spying)
      .catch(() => undefined);
    assert.deepEqual(decodeProtectedHeader(assertion), { alg: 'RS256', typ: 'JWT', kid: sa.keyId });
    assert.deepEqual(decodeJwt(assertion), {
      target_audience: AUDIENCE,
      iss: sa.email,
      aud: apis.tokenUrl,
      iat: Date.parse('2026-01-02T03:04:05Z') / 1000,
      exp: Date.parse('2026-01-02T03:04:05Z') / 1000 + 3600,
    });
  });

  it('a deleted key: invalid_grant explained', async () => {
    const extra = await apis.addServiceAccount({ email: 'rotated@proj.iam.gserviceaccount.com' });
    const imported = await importServiceAccountKey(extra.keyFile, 'rotated.json');
    await secrets.store(secretKey('rot', 'serviceAccountKey'), imported.secret);
    apis.deleteKey(extra.email, extra.keyId);
    const error = await rejectsWith(
      serviceAccountKeyProvider.mint(
        { id: 'rot', kind: 'google-service-account-key', settings: imported.settings },
        { audience: AUDIENCE },
        context,
      ),
      'bad-credentials',
      /invalid_grant: Invalid JWT Signature/,
      /deleted or disabled/,
      /import it again/,
    );
    assert.ok(!error.message.includes(keyMaterial(extra.keyFile)));
  });

  it('a wrong clock: invalid_grant explained', async () => {
    apis.now = () => Date.now() + 2 * 3600_000;
    await rejectsWith(
      serviceAccountKeyProvider.mint(account, { audience: AUDIENCE }, context),
      'bad-credentials',
      /short-lived token/,
      /clock/,
    );
  });

  it('a disabled service account is explained', async () => {
    const off = await apis.addServiceAccount({
      email: 'off@proj.iam.gserviceaccount.com',
      disabled: true,
    });
    const imported = await importServiceAccountKey(off.keyFile, 'off.json');
    await secrets.store(secretKey('off', 'serviceAccountKey'), imported.secret);
    await rejectsWith(
      serviceAccountKeyProvider.mint(
        { id: 'off', kind: 'google-service-account-key', settings: imported.settings },
        { audience: AUDIENCE },
        context,
      ),
      'bad-credentials',
      /disabled/,
    );
  });

  it('a key missing from SecretStorage says to import it again', async () => {
    await secrets.delete(secretKey('key', 'serviceAccountKey'));
    const lost = await rejectsWith(
      serviceAccountKeyProvider.mint(account, { audience: AUDIENCE }, context),
      'bad-credentials',
      /not in the secret storage/,
      /Import the key file again/,
    );
    assert.deepEqual(remediesFor(lost), [{ kind: 'reimportKey' }]);
  });

  it('a failing secret storage is reported', async () => {
    const broken = testContext({
      secrets: {
        get: () => Promise.reject(new Error('keychain locked')),
        store: () => Promise.resolve(),
        delete: () => Promise.resolve(),
      },
    });
    await rejectsWith(
      serviceAccountKeyProvider.mint(account, { audience: AUDIENCE }, broken),
      'secret-storage-unavailable',
    );
  });

  const faults: [GoogleFault, ErrorCode, RegExp][] = [
    ['http-500', 'http-status', /HTTP 500/],
    ['429', 'http-status', /wait 7 s/],
    ['hang', 'timeout', /did not answer within 0\.4 s/],
    ['reset', 'network', /Could not reach/],
    ['malformed-json', 'bad-response', /did not answer with JSON/],
    ['wrong-content-type', 'bad-response', /text\/html/],
    ['403', 'bad-credentials', /refused the key/],
  ];
  for (const [fault, code, pattern] of faults) {
    it(`token endpoint fault ${fault} → ${code}`, async () => {
      apis.setFault('*', fault);
      const error = await rejectsWith(
        serviceAccountKeyProvider.mint(account, { audience: AUDIENCE }, context),
        code,
        pattern,
      );
      assert.ok(!error.message.includes(keyMaterial(sa.keyFile)));
      assert.ok(!error.message.includes('eyJ'));
    });
  }

  it('validates and describes settings', () => {
    assert.deepEqual(serviceAccountKeyProvider.validate(account), []);
    assert.equal(
      serviceAccountKeyProvider.validate({ ...account, settings: { clientEmail: 'x' } }).length,
      2,
    );
    assert.equal(
      serviceAccountKeyProvider.validate({
        ...account,
        settings: { ...account.settings, tokenUri: 'nope' },
      }).length,
      1,
    );
    assert.equal(
      serviceAccountKeyProvider.describe(account),
      `${sa.email} (key ${sa.keyId.slice(0, 8)})`,
    );
  });
});
