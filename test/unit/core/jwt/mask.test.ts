import * as assert from 'node:assert/strict';
import { maskToken, shownToken } from '../../../../src/core/jwt/mask';

describe('maskToken', () => {
  it('keeps the first 6 and last 4 characters of a token', () => {
    assert.equal(maskToken('eyJhbGciOiJSUzI1NiJ9.payload.signatureXYZW'), 'eyJhbG…XYZW');
    assert.equal(
      shownToken('eyJhbGciOiJSUzI1NiJ9.payload.sig', false),
      'eyJhbGciOiJSUzI1NiJ9.payload.sig',
    );
  });
  it('hides short strings entirely', () => {
    assert.equal(maskToken('short'), '•••••');
  });
});
