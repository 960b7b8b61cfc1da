import * as assert from 'node:assert/strict';
import { createServer } from 'node:http';
import {
  calculateJwkThumbprint,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
} from 'jose';
import type { JWK } from 'jose';
import { inspectToken } from '../../../../src/core/jwt/inspect';
import { JwksCache } from '../../../../src/core/jwt/jwks';
import { verifySignature } from '../../../../src/core/jwt/verify';
import {
  LocalIssuer,
  PREVIOUS_PUBLIC_JWK_SECRET,
  PRIVATE_JWK_SECRET,
} from '../../../../src/core/localIssuer/issuer';
import { lifetimeSeconds, readTimes } from '../../../../src/core/jwt/time';
import {
  DEFAULT_TEMPLATE,
  type MintTemplate,
  parseTemplate,
} from '../../../../src/core/localIssuer/mintTemplate';
import type { LocalIssuerAlg } from '../../../../src/core/localIssuer/issuer';
import type { Clock } from '../../../../src/core/ports';
import { MemorySecrets } from '../../../helpers/context';
import { rejectsWith, throwsWith } from '../../helpers/assertions';

/** SecretStorage in memory, counting writes. */
class Secrets extends MemorySecrets {
  writes = 0;
  override async store(key: string, value: string): Promise<void> {
    this.writes++;
    await super.store(key, value);
  }
}

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
const frozen: Clock = { now: () => NOW };
const systemClock: Clock = { now: () => Date.now() };
const AUD = 'http://localhost:8080';

async function getJson(url: string): Promise<{ response: Response; body: unknown }> {
  const response = await fetch(url);
  return { response, body: await response.json() };
}

/** Our inspector's verification through discovery, with a fresh key cache. */
function verifyThroughDiscovery(token: string) {
  return verifySignature(inspectToken(token), {
    keySource: { kind: 'issuer' },
    jwks: new JwksCache(fetch, systemClock, { timeoutMs: 1000 }),
    allowNetwork: true,
  });
}

/** A relying party's check: keys from the issuer's JWKS URL, this issuer, this audience. */
async function verifyRemotely(issuer: string, token: string, audience = AUD) {
  const { body } = await getJson(`${issuer}/.well-known/openid-configuration`);
  const jwksUri = (body as { jwks_uri: string }).jwks_uri;
  return jwtVerify(token, createRemoteJWKSet(new URL(jwksUri)), { issuer, audience });
}

describe('local issuer', () => {
  describe('parseTemplate', () => {
    it('reads the default template', () => {
      const template = parseTemplate(DEFAULT_TEMPLATE);
      assert.equal(template.aud, AUD);
      assert.equal(template.sub, 'test-user');
      assert.equal(template.expiresInSeconds, 3600);
      assert.deepEqual(Object.keys(template.claims ?? {}), ['email', 'roles']);
      assert.match(DEFAULT_TEMPLATE, /\n {2}"aud"/, 'pretty-printed');
    });

    it('accepts an audience array, skew and registered claims', () => {
      const template = parseTemplate(
        '{"aud":["a","b"],"sub":"u","nbfSkewSeconds":-30,"claims":{"exp":1,"nbf":2.5,"jti":"x"}}',
      );
      assert.deepEqual(template.aud, ['a', 'b']);
      assert.equal(template.nbfSkewSeconds, -30);
    });

    const cases: [string, string, RegExp][] = [
      ['not JSON', '{"aud": ', /not valid JSON/],
      ['an array', '[]', /must be a JSON object.*not an array/],
      ['a string', '"x"', /must be a JSON object.*not the string "x"/],
      ['no aud', '{"sub":"u"}', /no "aud".*audience your service expects/],
      ['an empty aud', '{"aud":"","sub":"u"}', /"aud" must be.*not the string ""/],
      ['a numeric aud', '{"aud":5,"sub":"u"}', /"aud" must be.*not a number/],
      ['an aud array with a number', '{"aud":["a",1],"sub":"u"}', /"aud" must be.*not an array/],
      ['no sub', '{"aud":"a"}', /no "sub"/],
      ['a numeric sub', '{"aud":"a","sub":1}', /"sub" must be a non-empty string, not a number/],
      ['exp at the top', '{"aud":"a","sub":"u","exp":1}', /unknown field "exp".*expiresInSeconds/],
      ['a misspelt field', '{"aud":"a","sub":"u","claim":{}}', /unknown field "claim".*"claims"/],
      [
        'a string lifetime',
        '{"aud":"a","sub":"u","expiresInSeconds":"1h"}',
        /"expiresInSeconds" must be a whole number of seconds, not the string "1h"/,
      ],
      [
        'a fractional skew',
        '{"aud":"a","sub":"u","nbfSkewSeconds":1.5}',
        /"nbfSkewSeconds" must be a whole number/,
      ],
      ['claims as an array', '{"aud":"a","sub":"u","claims":[]}', /"claims" must be an object/],
      [
        'a string exp claim',
        '{"aud":"a","sub":"u","claims":{"exp":"tomorrow"}}',
        /"claims\.exp" must be a number of seconds since 1970.*"tomorrow"/,
      ],
      ['a null nbf claim', '{"aud":"a","sub":"u","claims":{"nbf":null}}', /"claims\.nbf".*null/],
      ['a numeric aud claim', '{"aud":"a","sub":"u","claims":{"aud":1}}', /"claims\.aud" must be/],
    ];
    for (const [name, json, pattern] of cases) {
      it(`rejects ${name} precisely`, () => {
        throwsWith(() => parseTemplate(json), 'bad-config', /^The token template: /, pattern);
      });
    }
  });

  describe('keys', () => {
    it('generates an ES256 pair once and reloads it from SecretStorage', async () => {
      const secrets = new Secrets();
      const first = await LocalIssuer.load(secrets, {});
      assert.equal(first.alg, 'ES256');
      const stored = JSON.parse(secrets.values.get(PRIVATE_JWK_SECRET) ?? '{}') as JWK;
      assert.equal(stored.kty, 'EC');
      assert.equal(typeof stored.d, 'string');
      assert.equal(first.kid, await calculateJwkThumbprint(stored, 'sha256'));
      const writes = secrets.writes;
      const second = await LocalIssuer.load(secrets, {});
      assert.equal(second.kid, first.kid);
      assert.equal(secrets.writes, writes, 'nothing regenerated');
      const third = await LocalIssuer.load(secrets, { alg: 'ES256' });
      assert.equal(third.kid, first.kid);
    });

    it('generates RS256 when asked, and rotates when the algorithm setting changes', async () => {
      const secrets = new Secrets();
      const rsa = await LocalIssuer.load(secrets, { alg: 'RS256' });
      assert.equal(rsa.alg, 'RS256');
      assert.equal((JSON.parse(secrets.values.get(PRIVATE_JWK_SECRET) ?? '{}') as JWK).kty, 'RSA');
      const ec = await LocalIssuer.load(secrets, { alg: 'ES256' });
      assert.equal(ec.alg, 'ES256');
      assert.deepEqual(
        ec.jwks().keys.map((k) => [k.alg, k.kid]),
        [
          ['ES256', ec.kid],
          ['RS256', rsa.kid],
        ],
      );
    });

    it('replaces an unreadable stored key with a warning that holds no key material', async () => {
      const secrets = new Secrets();
      await secrets.store(PRIVATE_JWK_SECRET, '{"kty":"EC","crv":"P-256","d":"c2VjcmV0"}');
      const warnings: string[] = [];
      const issuer = await LocalIssuer.load(secrets, {
        logger: { info: () => {}, warn: (m) => warnings.push(m), error: () => {} },
      });
      assert.equal(warnings.length, 1);
      assert.doesNotMatch(warnings[0] ?? '', /c2VjcmV0/);
      const stored = JSON.parse(secrets.values.get(PRIVATE_JWK_SECRET) ?? '{}') as JWK;
      assert.equal(stored.kid, issuer.kid);
    });

    it('serves only public members in the JWKS', async () => {
      for (const alg of ['ES256', 'RS256'] as const) {
        const issuer = await LocalIssuer.load(new Secrets(), { alg });
        const [key] = issuer.jwks().keys;
        for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
          assert.equal(key?.[member as keyof JWK], undefined, `${alg} ${member}`);
        }
      }
    });
  });

  for (const alg of ['ES256', 'RS256'] as LocalIssuerAlg[]) {
    describe(`serving and minting (${alg})`, () => {
      let issuer: LocalIssuer;
      let url: string;

      before(async () => {
        issuer = await LocalIssuer.load(new Secrets(), { alg });
        url = await issuer.start();
      });
      after(() => issuer.stop());

      it('listens on 127.0.0.1 and reports its URL', () => {
        assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
        assert.equal(issuer.url, url);
        assert.equal(issuer.running, true);
      });

      it('serves the discovery document with CORS and caching headers', async () => {
        const { response, body } = await getJson(`${url}/.well-known/openid-configuration`);
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('access-control-allow-origin'), '*');
        assert.equal(response.headers.get('cache-control'), 'max-age=60');
        assert.match(response.headers.get('content-type') ?? '', /application\/json/);
        assert.deepEqual(body, {
          issuer: url,
          jwks_uri: `${url}/jwks`,
          id_token_signing_alg_values_supported: [alg],
          response_types_supported: ['id_token'],
          subject_types_supported: ['public'],
          claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti'],
        });
      });

      it('serves the JWKS with kid, alg and use', async () => {
        const { response, body } = await getJson(`${url}/jwks?x=1`);
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('access-control-allow-origin'), '*');
        assert.equal(response.headers.get('cache-control'), 'max-age=60');
        const keys = (body as { keys: JWK[] }).keys;
        assert.equal(keys.length, 1);
        assert.deepEqual(keys[0], issuer.jwks().keys[0]);
        assert.equal(keys[0]?.kid, issuer.kid);
        assert.equal(keys[0]?.alg, alg);
        assert.equal(keys[0]?.use, 'sig');
        assert.equal(keys[0]?.kid, await calculateJwkThumbprint(keys[0] as JWK, 'sha256'));
      });

      it('answers 404 JSON for other paths and 405 for other methods', async () => {
        const missing = await getJson(`${url}/token`);
        assert.equal(missing.response.status, 404);
        assert.equal(missing.response.headers.get('access-control-allow-origin'), '*');
        assert.match((missing.body as { message: string }).message, /\/token/);
        const post = await fetch(`${url}/jwks`, { method: 'POST', body: '{}' });
        assert.equal(post.status, 405);
        assert.equal(post.headers.get('allow'), 'GET');
        assert.equal(((await post.json()) as { error: string }).error, 'method_not_allowed');
      });

      it('mints tokens that jose verifies through the remote JWKS', async () => {
        const token = await issuer.mint(
          { aud: AUD, sub: 'test-user', claims: { email: 'a@b.c', roles: ['admin'] } },
          systemClock,
        );
        const { payload, protectedHeader } = await verifyRemotely(url, token);
        assert.deepEqual(protectedHeader, { alg, kid: issuer.kid, typ: 'JWT' });
        assert.equal(payload.sub, 'test-user');
        assert.equal(payload.email, 'a@b.c');
        assert.deepEqual(payload.roles, ['admin']);
      });

      it('mints tokens our verifier verifies through discovery', async () => {
        const token = await issuer.mint({ aud: AUD, sub: 'test-user' }, systemClock);
        assert.deepEqual(await verifyThroughDiscovery(token), {
          status: 'verified',
          alg,
          kid: issuer.kid,
          keyFrom: `${url}/jwks`,
        });
      });

      it('sets iat, nbf, exp and a random jti from the template and the clock', async () => {
        const template = { aud: [AUD, 'other'], sub: 's', expiresInSeconds: 60, nbfSkewSeconds: 5 };
        const token = await issuer.mint(template, frozen);
        const payload = decodeJwt(token);
        const now = NOW / 1000;
        assert.deepEqual(
          { ...payload, jti: undefined },
          {
            iss: url,
            sub: 's',
            aud: [AUD, 'other'],
            iat: now,
            nbf: now - 5,
            exp: now + 60,
            jti: undefined,
          },
        );
        assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
        assert.notEqual(decodeJwt(await issuer.mint(template, frozen)).jti, payload.jti);
        const defaults = decodeJwt(await issuer.mint({ aud: AUD, sub: 's' }, frozen));
        assert.equal(defaults.exp, now + 3600);
        assert.equal(defaults.nbf, now);
      });

      it('lets claims override registered claims but never iss', async () => {
        const token = await issuer.mint(
          {
            aud: AUD,
            sub: 's',
            claims: { iss: 'https://evil.example', sub: 'other', jti: 'fixed', iat: 1 },
          },
          frozen,
        );
        const payload = decodeJwt(token);
        assert.equal(payload.iss, url);
        assert.equal(payload.sub, 'other');
        assert.equal(payload.jti, 'fixed');
        assert.equal(payload.iat, 1);
      });

      it('mints expired tokens on request (signed correctly, rejected as expired)', async () => {
        const past = Math.floor(Date.now() / 1000) - 600;
        for (const template of [
          { aud: AUD, sub: 's', claims: { exp: past } },
          { aud: AUD, sub: 's', expiresInSeconds: -600 },
        ]) {
          const token = await issuer.mint(template, systemClock);
          await assert.rejects(verifyRemotely(url, token), errors.JWTExpired);
          assert.equal((await verifyThroughDiscovery(token)).status, 'verified');
        }
      });

      it('gives expired and not-yet-valid tokens consistent times (iat ≤ exp, nbf < exp)', async () => {
        const now = NOW / 1000;
        const cases: [MintTemplate, { iat: number; nbf: number; exp: number }][] = [
          [
            { aud: AUD, sub: 's', expiresInSeconds: -120 },
            { iat: now - 3720, nbf: now - 3720, exp: now - 120 },
          ],
          [
            { aud: AUD, sub: 's', expiresInSeconds: 0 },
            { iat: now - 3600, nbf: now - 3600, exp: now },
          ],
          [
            { aud: AUD, sub: 's', nbfSkewSeconds: -600, expiresInSeconds: 120 },
            { iat: now, nbf: now + 600, exp: now + 720 },
          ],
          [
            { aud: AUD, sub: 's', claims: { exp: now - 60 } },
            { iat: now - 3660, nbf: now - 3660, exp: now - 60 },
          ],
          [
            { aud: AUD, sub: 's', claims: { nbf: now + 300 } },
            { iat: now, nbf: now + 300, exp: now + 3900 },
          ],
          [
            { aud: AUD, sub: 's', expiresInSeconds: -30, nbfSkewSeconds: 10 },
            { iat: now - 3630, nbf: now - 3640, exp: now - 30 },
          ],
        ];
        for (const [template, expected] of cases) {
          const payload = decodeJwt(await issuer.mint(template, frozen));
          assert.deepEqual(
            { iat: payload.iat, nbf: payload.nbf, exp: payload.exp },
            expected,
            JSON.stringify(template),
          );
          const { times, warnings } = readTimes(payload);
          assert.deepEqual(warnings, [], JSON.stringify(template));
          assert.ok((lifetimeSeconds(times) ?? 0) > 0, JSON.stringify(template));
        }
      });

      it('mints not-yet-valid tokens on request', async () => {
        const future = Math.floor(Date.now() / 1000) + 600;
        for (const template of [
          { aud: AUD, sub: 's', claims: { nbf: future } },
          { aud: AUD, sub: 's', nbfSkewSeconds: -600 },
        ]) {
          const token = await issuer.mint(template, systemClock);
          await assert.rejects(verifyRemotely(url, token), (error: unknown) => {
            assert.ok(error instanceof errors.JWTClaimValidationFailed);
            assert.equal(error.claim, 'nbf');
            return true;
          });
        }
      });

      it('rejects a bad template passed to mint', async () => {
        await rejectsWith(
          issuer.mint({ aud: AUD, sub: 's', claims: { exp: 'soon' } }, frozen),
          'bad-config',
          /"claims\.exp"/,
        );
      });
    });
  }

  describe('rotation', () => {
    let issuer: LocalIssuer;
    let secrets: Secrets;
    let url: string;

    before(async () => {
      secrets = new Secrets();
      issuer = await LocalIssuer.load(secrets, {});
      url = await issuer.start();
    });
    after(() => issuer.stop());

    it('keeps tokens minted before a rotation verifying until the next rotation', async () => {
      const firstKid = issuer.kid;
      const before = await issuer.mint({ aud: AUD, sub: 's' }, systemClock);
      await issuer.rotateKey();
      assert.notEqual(issuer.kid, firstKid);
      const after = await issuer.mint({ aud: AUD, sub: 's' }, systemClock);
      assert.equal(decodeProtectedHeader(after).kid, issuer.kid);

      const { body } = await getJson(`${url}/jwks`);
      assert.deepEqual(
        (body as { keys: JWK[] }).keys.map((k) => k.kid),
        [issuer.kid, firstKid],
      );
      await verifyRemotely(url, before);
      await verifyRemotely(url, after);
      assert.equal((await verifyThroughDiscovery(before)).status, 'verified');
      assert.equal((await verifyThroughDiscovery(after)).status, 'verified');

      const reloaded = await LocalIssuer.load(secrets, {});
      assert.deepEqual(reloaded.jwks(), issuer.jwks(), 'the previous key survives a reload');

      await issuer.rotateKey('RS256');
      assert.equal(issuer.alg, 'RS256');
      assert.equal(JSON.parse(secrets.values.get(PREVIOUS_PUBLIC_JWK_SECRET) ?? '{}').d, undefined);
      await assert.rejects(verifyRemotely(url, before), errors.JWKSNoMatchingKey);
      await verifyRemotely(url, after);
      const { body: discovery } = await getJson(`${url}/.well-known/openid-configuration`);
      assert.deepEqual(
        (discovery as { id_token_signing_alg_values_supported: string[] })
          .id_token_signing_alg_values_supported,
        ['RS256', 'ES256'],
      );
    });
  });

  describe('lifecycle', () => {
    it('refuses to mint before start and after stop', async () => {
      const issuer = await LocalIssuer.load(new Secrets(), {});
      await rejectsWith(
        issuer.mint({ aud: AUD, sub: 's' }, frozen),
        'bad-config',
        /not running/,
        /start the local issuer first/,
      );
      await issuer.start();
      await issuer.mint({ aud: AUD, sub: 's' }, frozen);
      await issuer.stop();
      assert.equal(issuer.running, false);
      assert.equal(issuer.url, undefined);
      await rejectsWith(
        issuer.mint({ aud: AUD, sub: 's' }, frozen),
        'bad-config',
        /start the local/,
      );
    });

    it('returns the same URL when started twice', async () => {
      const issuer = await LocalIssuer.load(new Secrets(), {});
      try {
        const url = await issuer.start();
        assert.equal(await issuer.start(), url);
      } finally {
        await issuer.stop();
      }
    });

    it('explains a port in use and points at the port setting', async () => {
      const secrets = new Secrets();
      const first = await LocalIssuer.load(secrets, {});
      const second = await LocalIssuer.load(secrets, {});
      const url = await first.start();
      try {
        const port = Number(new URL(url).port);
        await rejectsWith(
          second.start(port),
          'bad-config',
          new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`),
          /tokenExplorer\.localIssuer\.port/,
          /0 picks any free port/,
        );
        assert.equal(second.running, false);
      } finally {
        await first.stop();
      }
    });

    it('binds only to loopback and checks the port', async () => {
      const issuer = await LocalIssuer.load(new Secrets(), {});
      await rejectsWith(issuer.start(0, '0.0.0.0'), 'bad-config', /only on this machine/);
      await rejectsWith(issuer.start(70000), 'bad-config', /0 to 65535/);
      assert.equal(issuer.running, false);
    });

    it('frees the port on stop, even with a keep-alive connection open', async () => {
      const issuer = await LocalIssuer.load(new Secrets(), {});
      const url = await issuer.start();
      await (await fetch(`${url}/jwks`)).json();
      await issuer.stop();
      await assert.rejects(fetch(`${url}/jwks`));
      const port = Number(new URL(url).port);
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
      assert.equal(await issuer.start(port), url, 'the issuer restarts on its old port');
      await issuer.stop();
    });
  });
});
