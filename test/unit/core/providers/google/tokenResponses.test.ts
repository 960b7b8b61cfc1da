import * as assert from 'node:assert/strict';
import { expiryOf, mintedToken } from '../../../../../src/core/providers/google/tokenResponses';
import { rejectsWith } from '../../../helpers/assertions';

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (payload: unknown) => `${part({ alg: 'RS256' })}.${part(payload)}.c2ln`;

describe('minted ID tokens: the expiry read from the payload alone', () => {
  it('reads a numeric exp', () => {
    assert.equal(expiryOf(jwt({ exp: 1_900_000_000, iat: 1 })), 1_900_000_000);
    assert.deepEqual(mintedToken(jwt({ exp: 1_900_000_000 }), 'x'), {
      token: jwt({ exp: 1_900_000_000 }),
      expiresAt: 1_900_000_000_000,
    });
  });

  for (const [what, token] of [
    ['no exp', jwt({ iat: 1 })],
    ['exp as text', jwt({ exp: '1900000000' })],
    ['a payload that is not JSON', `${part({})}.bm90IGpzb24.c2ln`],
    ['a payload that is JSON but not an object', `${part({})}.${part([1])}.c2ln`],
    ['two parts', `${part({})}.${part({ exp: 1 })}`],
    ['an empty payload', `${part({})}..c2ln`],
  ] as const) {
    it(`has none for ${what}, and a mint says so`, async () => {
      assert.equal(expiryOf(token), undefined);
      await rejectsWith(
        Promise.resolve().then(() => mintedToken(token, 'https://iam.example')),
        'bad-response',
        /https:\/\/iam\.example returned an ID token that is not a JWT with an expiry/,
      );
    });
  }
});
