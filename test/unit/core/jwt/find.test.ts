import * as assert from 'node:assert/strict';
import { findJwts, jwtAt } from '../../../../src/core/jwt/find';
import { RFC7515_A1_HS256 as T, RFC7515_A5_NONE } from '../../../fixtures/rfcTokens';

describe('findJwts', () => {
  it('finds every token with its offsets', () => {
    const text = `a ${T}\n"id_token": "${RFC7515_A5_NONE}", x`;
    const found = findJwts(text);
    assert.deepEqual(
      found.map((f) => f.token),
      [T, RFC7515_A5_NONE],
    );
    assert.equal(text.slice(found[0]!.start, found[0]!.end), T);
  });

  it('ignores lookalikes inside longer words and bare eyJ prefixes', () => {
    assert.deepEqual(findJwts(`x${T} eyJ eyJabc. eyJ.a.b`), []);
  });

  it('finds a five-part JWE', () => {
    const jwe = 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXY.Y2lwaGVy.dGFn';
    assert.deepEqual(
      findJwts(`jwe=${jwe};`).map((f) => f.token),
      [jwe],
    );
  });

  it('honours the limit', () => {
    assert.equal(findJwts(`${T} ${T} ${T}`, 2).length, 2);
  });

  it('jwtAt finds the token under an offset', () => {
    const line = `token: ${T} end`;
    assert.equal(jwtAt(line, 10)?.token, T);
    assert.equal(jwtAt(line, 2), undefined);
  });
});
