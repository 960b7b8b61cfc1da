import * as assert from 'node:assert/strict';
import { inspectToken } from '../../../src/core/jwt/inspect';
import { badgeStatus, countdownLine, noTimesReason } from '../../../src/webview/countdown';
import { glanceRows } from '../../../src/webview/glance';

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
const seconds = NOW / 1000;
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (payload: unknown, header: unknown = { alg: 'RS256', typ: 'JWT' }): string =>
  `${b64(header)}.${b64(payload)}.c2ln`;

describe('webview countdown (pure parts)', () => {
  it('says valid with the time left, then expired, across the clock skew', () => {
    const token = inspectToken(jwt({ iss: 'i', exp: seconds + 600 }));
    assert.equal(badgeStatus(token, NOW, 60), 'valid');
    assert.match(countdownLine(token, NOW, 60), /10 min/);
    assert.equal(badgeStatus(token, NOW + 630_000, 60), 'valid', 'within the skew');
    assert.equal(badgeStatus(token, NOW + 661_000, 60), 'expired');
    assert.match(countdownLine(token, NOW + 661_000, 60), /expired/i);
  });

  it('says not yet valid before nbf', () => {
    const token = inspectToken(jwt({ nbf: seconds + 3600, exp: seconds + 7200 }));
    assert.equal(badgeStatus(token, NOW, 0), 'not-yet-valid');
  });

  it('lets decoding and signing problems outrank the clock', () => {
    const unsigned = inspectToken(`${b64({ alg: 'none' })}.${b64({ exp: seconds + 600 })}.`);
    assert.equal(badgeStatus(unsigned, NOW, 60), 'unsigned');
    const broken = inspectToken(`${b64({ alg: 'RS256' })}.not+base64url.c2ln`);
    assert.equal(badgeStatus(broken, NOW, 60), 'broken');
  });

  it('shows no countdown for an encrypted token, whose times are inside it', () => {
    const jwe = inspectToken(`${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`);
    assert.equal(badgeStatus(jwe, NOW, 60), 'encrypted');
    assert.equal(countdownLine(jwe, NOW, 60), '');
  });

  it('says when a token has no expiry', () => {
    const token = inspectToken(jwt({ iss: 'i' }));
    assert.equal(badgeStatus(token, NOW, 60), 'no-expiry');
  });
});

describe('a token whose expiry cannot be read never says "no expiry"', () => {
  const header = b64({ alg: 'RS256' });
  const unreadablePayloads: [string, string][] = [
    ['the report: standard Base64 "+" after JSON', 'eyJzdWIiOiJhYmMiLCJleHAiOiJzb29uIn0+'],
    ['not base64url (standard Base64 "/")', 'eyJleHAiOjE4MD/wMDAwMDB9'],
    ['not UTF-8', Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url')],
    ['not JSON', Buffer.from('exp=1800000000').toString('base64url')],
    ['a JSON array', b64([{ exp: 1 }])],
    ['a JSON string', b64('exp')],
    ['JSON null', b64(null)],
    ['truncated JSON holding "exp"', Buffer.from('{"sub":"a","exp":18000').toString('base64url')],
    ['an impossible length', 'eyJleHAiOjE4MDAwMDAwMDB9x'],
  ];
  for (const [what, payload] of unreadablePayloads) {
    it(`payload ${what}`, () => {
      const token = inspectToken(`${header}.${payload}.c2ln`);
      assert.equal(token.payload, undefined);
      assert.equal(badgeStatus(token, NOW, 60), 'broken');
      const line = countdownLine(token, NOW, 60);
      assert.match(line, /^expiry unreadable: /);
      assert.doesNotMatch(line, /never expires|no exp/);
      assert.match(noTimesReason(token), /cannot be decoded/);
      assert.doesNotMatch(noTimesReason(token), /no time claims/);
      const glance = JSON.stringify(glanceRows(token));
      assert.match(glance, /could not be read/);
      assert.doesNotMatch(glance, /no exp|no time limit/);
    });
  }

  const unreadableExps: [string, unknown][] = [
    ['a word', 'soon'],
    ['null', null],
    ['the text NaN', 'NaN'],
    ['an empty string', ''],
    ['true', true],
    ['an object', { at: 1 }],
    ['beyond the range of dates', 1e20],
    ['just past the last date', 8.64e12 + 1],
  ];
  for (const [what, exp] of unreadableExps) {
    it(`an exp that is ${what} says so`, () => {
      const token = inspectToken(jwt({ sub: 'a', exp }));
      assert.equal(badgeStatus(token, NOW, 60), 'expiry-unreadable');
      assert.match(countdownLine(token, NOW, 60), /^expiry unreadable: /);
      assert.match(glanceRows(token).find((r) => r.key === 'expires')?.note ?? '', /unreadable/);
    });
  }

  it('a JSON number too large for a double (1e400) is unreadable too', () => {
    const payload = Buffer.from('{"exp":1e400}').toString('base64url');
    const token = inspectToken(`${header}.${payload}.c2ln`);
    assert.equal(badgeStatus(token, NOW, 60), 'expiry-unreadable');
  });

  it('only a payload that decodes without exp says "no expiry"; a JWE says nothing', () => {
    assert.equal(
      countdownLine(inspectToken(jwt({ sub: 'a' })), NOW, 60),
      'never expires (no exp claim)',
    );
    assert.match(noTimesReason(inspectToken(jwt({ sub: 'a' }))), /no time claims/);
    const jwe = inspectToken(`${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`);
    assert.deepEqual(jwe.times, {});
  });
});
