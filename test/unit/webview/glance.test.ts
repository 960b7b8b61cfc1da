import * as assert from 'node:assert/strict';
import { inspectToken } from '../../../src/core/jwt/inspect';
import { glanceRows, signatureAnswer } from '../../../src/webview/glance';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (payload: unknown, header: unknown = { alg: 'RS256', typ: 'JWT' }): string =>
  `${b64(header)}.${b64(payload)}.c2ln`;
const row = (rows: ReturnType<typeof glanceRows>, key: string) => rows.find((r) => r.key === key);

describe('inspector first screen (glance, pure parts)', () => {
  it('answers what, issuer, audience, subject, email and expiry for a Google ID token', () => {
    const exp = 1_900_000_000;
    const rows = glanceRows(
      inspectToken(
        jwt({
          iss: 'https://accounts.google.com',
          aud: 'https://svc-abc-uc.a.run.app',
          sub: '1045',
          email: 'deployer@p.iam.gserviceaccount.com',
          exp,
        }),
      ),
    );
    assert.deepEqual(
      rows.map((r) => r.key),
      ['what', 'issuer', 'audience', 'subject', 'email', 'expires'],
    );
    assert.equal(row(rows, 'what')?.value, 'Google token · signed JWT (RS256)');
    assert.equal(row(rows, 'audience')?.value, 'https://svc-abc-uc.a.run.app');
    assert.equal(row(rows, 'email')?.value, 'deployer@p.iam.gserviceaccount.com');
    assert.equal(row(rows, 'expires')?.epochSeconds, exp);
  });

  it('joins several audiences, and says which claim is missing instead of leaving a blank', () => {
    const rows = glanceRows(inspectToken(jwt({ aud: ['a', 'b'] })));
    assert.equal(row(rows, 'audience')?.value, 'a, b');
    assert.equal(row(rows, 'issuer')?.note, '(no iss claim)');
    assert.equal(row(rows, 'subject')?.note, '(no sub claim)');
    assert.equal(row(rows, 'email'), undefined, 'no email row when there is no email');
    assert.match(row(rows, 'expires')?.note ?? '', /no exp claim/);
  });

  it('never reads an unreadable exp as "no time limit"', () => {
    const rows = glanceRows(inspectToken(jwt({ exp: 'soon' })));
    const expires = row(rows, 'expires');
    assert.match(expires?.note ?? '', /^unreadable: /);
    assert.equal(expires?.epochSeconds, undefined);
  });

  it('names access tokens (typ at+jwt), unsecured and encrypted tokens', () => {
    const at = glanceRows(inspectToken(jwt({ scp: 'x' }, { alg: 'ES256', typ: 'at+jwt' })));
    assert.equal(row(at, 'what')?.value, 'access token · signed JWT (ES256)');
    const none = glanceRows(inspectToken(`${b64({ alg: 'none' })}.${b64({ sub: 'x' })}.`));
    assert.equal(row(none, 'what')?.value, 'Unsecured JWT (alg none)');
    const jwe = glanceRows(inspectToken(`${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`));
    assert.equal(row(jwe, 'what')?.value, 'Encrypted JWT (JWE, RSA-OAEP)');
    assert.match(row(jwe, 'issuer')?.note ?? '', /encrypted payload/);
  });

  it('keeps the signature answer apart from time: unverified never looks verified', () => {
    const token = inspectToken(jwt({ exp: 1_900_000_000 }));
    const verified = signatureAnswer(token, { status: 'verified', alg: 'RS256', keyFrom: 'k' });
    assert.equal(verified.tone, 'ok');
    assert.equal(verified.headline, 'Signature verified');
    for (const outcome of [
      { status: 'not-attempted', reason: 'offline' },
      { status: 'issuer-unreachable', url: 'https://i', reason: 'refused' },
      { status: 'pending', detail: 'fetching' },
      { status: 'bad-signature', alg: 'RS256', keyFrom: 'k' },
      { status: 'no-matching-key', keyFrom: 'k', detail: 'kid x' },
      { status: 'key-unreadable', keyFrom: 'supplied key', detail: 'no END line' },
      { status: 'algorithm-not-allowed', alg: 'HS256', reason: 'r' },
      { status: 'unverifiable', reason: 'Graph nonce' },
    ] as const) {
      const answer = signatureAnswer(token, outcome);
      assert.notEqual(answer.tone, 'ok', outcome.status);
      assert.doesNotMatch(answer.headline, /^Signature verified$/, outcome.status);
    }
    const unsecured = inspectToken(`${b64({ alg: 'none' })}.${b64({ sub: 'x' })}.`);
    const none = signatureAnswer(unsecured, { status: 'not-attempted', reason: 'alg none' });
    assert.equal(none.headline, 'No signature');
    assert.equal(none.tone, 'error');
  });

  it('says an unreadable key is unreadable, not "No matching key"', () => {
    const token = inspectToken(jwt({ exp: 1_900_000_000 }));
    const answer = signatureAnswer(token, {
      status: 'key-unreadable',
      keyFrom: 'supplied key',
      detail: 'The PEM key has no END line.',
    });
    assert.equal(answer.headline, 'Key unreadable');
    assert.notEqual(answer.tone, 'ok');
    assert.match(answer.detail ?? '', /END line/);
  });
});
