import * as assert from 'node:assert/strict';
import { inspectToken } from '../../../src/core/jwt/inspect';
import { badgeStatus, countdownLine } from '../../../src/webview/countdown';

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
