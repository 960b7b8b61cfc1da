import * as assert from 'node:assert/strict';
import { SignJWT, exportSPKI, generateKeyPair } from 'jose';
import { inspectToken } from '../../../../src/core/jwt/inspect';
import { JwksCache } from '../../../../src/core/jwt/jwks';
import { checkAudience, verifySignature } from '../../../../src/core/jwt/verify';
import type { KeySource, VerifyOutcome } from '../../../../src/core/jwt/verifyTypes';
import { FrozenClock } from '../../../helpers/context';
import { OidcIssuer } from '../../../emulators/oidcIssuer';
import {
  RFC7515_A1_HS256,
  RFC7515_A1_KEY,
  RFC7515_A3_ES256,
  RFC7515_A3_PUBLIC_KEY,
  RFC7515_A5_NONE,
} from '../../../fixtures/rfcTokens';
import { closedPort } from '../../helpers/fixtures';

const NOW = Date.parse('2026-11-21T12:00:00Z');

describe('verifySignature', () => {
  let issuer: OidcIssuer;
  let clock: FrozenClock;
  let jwks: JwksCache;

  before(async () => {
    issuer = await OidcIssuer.start();
  });
  after(() => issuer.stop());
  beforeEach(() => {
    issuer.fault = 'none';
    issuer.requests.length = 0;
    clock = new FrozenClock(NOW);
    jwks = new JwksCache(fetch, clock, { timeoutMs: 1000 });
  });

  const verify = (token: string, keySource: KeySource = { kind: 'issuer' }, allowNetwork = true) =>
    verifySignature(inspectToken(token), { keySource, jwks, allowNetwork });

  it('verifies a token with keys found by OIDC discovery', async () => {
    const token = await issuer.sign({ sub: 'svc', aud: 'https://api.example' });
    const outcome = await verify(token);
    assert.deepEqual(outcome, {
      status: 'verified',
      alg: 'RS256',
      kid: 'key-1',
      keyFrom: issuer.jwksUrl,
    });
    assert.deepEqual(issuer.requests, ['/.well-known/openid-configuration', '/jwks']);
  });

  it('caches the key set per issuer and shares concurrent fetches', async () => {
    const token = await issuer.sign({ sub: 'svc' });
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => verify(token)));
    assert.ok(outcomes.every((o) => o.status === 'verified'));
    await verify(token);
    assert.equal(issuer.requests.length, 2);
    clock.ms += 11 * 60_000;
    await verify(token);
    assert.equal(issuer.requests.length, 4, 'refetched after the TTL');
  });

  it('reports a bad signature', async () => {
    const token = await issuer.sign({ sub: 'svc' });
    const [h, p, s] = token.split('.');
    const tampered = `${h}.${Buffer.from('{"sub":"admin","iss":"' + issuer.url + '"}').toString('base64url')}.${s}`;
    assert.equal(p === undefined, false);
    const outcome = await verify(tampered);
    assert.equal(outcome.status, 'bad-signature');
  });

  it('reports no matching key, and refetches once for key rotation after the cooldown', async () => {
    const first = await issuer.sign({ sub: 'svc' });
    assert.equal((await verify(first)).status, 'verified');
    const kid = await issuer.addKey('ES256', 'rotated');
    const rotated = await issuer.sign({ sub: 'svc' }, { kid });
    const early = await verify(rotated);
    assert.equal(early.status, 'no-matching-key');
    assert.match(
      (early as Extract<VerifyOutcome, { status: 'no-matching-key' }>).detail,
      /kid "rotated"/,
    );
    clock.ms += 60_000;
    assert.deepEqual(await verify(rotated), {
      status: 'verified',
      alg: 'ES256',
      kid: 'rotated',
      keyFrom: issuer.jwksUrl,
    });
  });

  const faults: [OidcIssuer['fault'], RegExp][] = [
    ['http-500', /HTTP 500/],
    ['not-found', /HTTP 404/],
    ['malformed-json', /did not answer with JSON \(application\/json\)/],
    ['hang', /did not answer within 1 s/],
    ['reset', /reset|socket|closed|terminated/i],
    ['no-jwks-uri', /has no "jwks_uri"/],
  ];
  for (const [fault, reason] of faults) {
    it(`says why the issuer is unreachable: ${fault}`, async () => {
      const token = await issuer.sign({ sub: 'svc' });
      issuer.fault = fault;
      const outcome = await verify(token);
      assert.equal(outcome.status, 'issuer-unreachable');
      assert.match(
        (outcome as Extract<VerifyOutcome, { status: 'issuer-unreachable' }>).reason,
        reason,
      );
    });
  }

  it('says connection refused for an issuer that is not listening', async () => {
    const port = await closedPort();
    const token = await new SignJWT({ iss: `http://127.0.0.1:${port}` })
      .setProtectedHeader({ alg: 'ES256' })
      .sign((await generateKeyPair('ES256')).privateKey);
    const outcome = await verify(token);
    assert.equal(outcome.status, 'issuer-unreachable');
    assert.match(JSON.stringify(outcome), /connection refused/);
  });

  it('does not fetch plain-http issuers other than localhost', async () => {
    const token = await new SignJWT({ iss: 'http://issuer.example' })
      .setProtectedHeader({ alg: 'ES256' })
      .sign((await generateKeyPair('ES256')).privateKey);
    const outcome = await verify(token);
    assert.equal(outcome.status, 'not-attempted');
    assert.match(JSON.stringify(outcome), /not https/);
  });

  it('does nothing on the network when network verification is off', async () => {
    const token = await issuer.sign({ sub: 'svc' });
    const outcome = await verify(token, { kind: 'issuer' }, false);
    assert.equal(outcome.status, 'not-attempted');
    assert.deepEqual(issuer.requests, []);
  });

  it('refuses alg none and HMAC tokens against an issuer', async () => {
    assert.equal((await verify(RFC7515_A5_NONE)).status, 'algorithm-not-allowed');
    const hs = await verify(RFC7515_A1_HS256);
    assert.equal(hs.status, 'not-attempted');
    assert.match(JSON.stringify(hs), /shared secret/);
  });

  it('verifies RFC 7515 A.1 with its JWK and A.3 with its public JWK', async () => {
    assert.equal(
      (await verify(RFC7515_A1_HS256, { kind: 'jwks', json: JSON.stringify(RFC7515_A1_KEY) }))
        .status,
      'verified',
    );
    const es = await verify(RFC7515_A3_ES256, {
      kind: 'jwks',
      json: JSON.stringify({ keys: [RFC7515_A3_PUBLIC_KEY] }),
    });
    assert.deepEqual(es, { status: 'verified', alg: 'ES256', keyFrom: 'supplied JWKS' });
  });

  it('verifies with a PEM public key and rejects the wrong one', async () => {
    const token = await issuer.sign({ sub: 'svc' });
    const pem = await exportSPKI((await generateKeyPair('RS256', { extractable: true })).publicKey);
    assert.equal((await verify(token, { kind: 'pem', pem })).status, 'bad-signature');
    const jwk = issuer.jwks().keys[0]!;
    assert.equal(
      (await verify(token, { kind: 'jwks', json: JSON.stringify(jwk) })).status,
      'verified',
    );
  });

  it('refuses a private key without echoing it', async () => {
    const token = await issuer.sign({ sub: 'svc' });
    const pem =
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    const outcome = await verify(token, { kind: 'pem', pem });
    assert.equal(outcome.status, 'key-unreadable');
    assert.match(JSON.stringify(outcome), /That is a private key/);
    assert.doesNotMatch(JSON.stringify(outcome), /MIIEv/);
  });

  it('says a key it cannot read is unreadable, not that no key matches', async () => {
    const token = await issuer.sign({ sub: 'svc' });
    for (const pem of [
      '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n',
      '-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----',
    ]) {
      const outcome = await verify(token, { kind: 'pem', pem });
      assert.equal(outcome.status, 'key-unreadable', JSON.stringify(outcome));
    }
  });

  it('verifies HMAC with a typed secret and says when the secret is wrong', async () => {
    const secret = 'correct horse battery staple';
    const token = await new SignJWT({ sub: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(secret));
    assert.equal((await verify(token, { kind: 'secret', secret })).status, 'verified');
    assert.equal(
      (await verify(token, { kind: 'secret', secret: 'wrong' })).status,
      'bad-signature',
    );
    const rs = await issuer.sign({ sub: 'svc' });
    assert.equal((await verify(rs, { kind: 'secret', secret })).status, 'algorithm-not-allowed');
  });

  it('explains broken supplied keys', async () => {
    const token = await issuer.sign({ sub: 'svc' });
    assert.match(
      JSON.stringify(await verify(token, { kind: 'jwks', json: '{not json' })),
      /not valid JSON/,
    );
    assert.match(
      JSON.stringify(await verify(token, { kind: 'jwks', json: '{"a":1}' })),
      /no \\"keys\\" array/,
    );
    assert.match(
      JSON.stringify(await verify(token, { kind: 'pem', pem: 'hello' })),
      /Not a PEM public key/,
    );
  });

  it('does not attempt broken or encrypted tokens', async () => {
    const outcome = await verify('eyJhbGciOiJSUzI1NiJ9.e30.');
    assert.equal(outcome.status, 'not-attempted');
  });
});

describe('checkAudience', () => {
  it('matches string and array audiences', () => {
    assert.deepEqual(checkAudience({ aud: 'a' }, 'a'), { status: 'match', expected: 'a' });
    assert.deepEqual(checkAudience({ aud: ['b', 'a'] }, 'a'), { status: 'match', expected: 'a' });
    assert.deepEqual(checkAudience({ aud: ['b'] }, 'a'), {
      status: 'mismatch',
      expected: 'a',
      actual: ['b'],
    });
    assert.deepEqual(checkAudience({ aud: 'a' }, undefined), { status: 'not-checked' });
  });
});
