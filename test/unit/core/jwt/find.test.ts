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

describe('findJwts and jwtAt: linear on adversarial text (issue 9)', function () {
  // With the old finder each of these took minutes; the suite's timeout is the check.
  this.timeout(10_000);
  const size = 1024 * 1024;
  const shapes: Record<string, string> = {
    '"eyJ" run': 'eyJ'.repeat(size / 3),
    'data: URL': `data:application/json;base64,${Buffer.from('{"a":{}}'.repeat(size / 12)).toString('base64')}`,
    '"eyJxxxx." run': 'eyJabcd.'.repeat(size / 8),
    '"=" run': `eyJhbGciOi${'='.repeat(size)}`,
    'wrapped "eyJ" lines': 'eyJabcdefghijklmnopq\n'.repeat(size / 21),
    'padding-like runs': 'eyJabcdefg=.'.repeat(size / 12),
    'mixed "eyJ" run (recheck\'s attack on a lookbehind)': 'eyJ-J-yJe--eee'.repeat(size / 14),
  };
  for (const [name, text] of Object.entries(shapes)) {
    it(`a 1 MB ${name}: find all and hover at three places`, () => {
      findJwts(text);
      for (const at of [0, text.length >> 1, text.length - 1]) jwtAt(text, at);
    });
  }
});

describe('findJwts: forms a token takes in documents', () => {
  const wrap = (text: string, width: number, newline: string, indent = '') =>
    (text.match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join(newline + indent);

  it('removes "=" padding and says so', () => {
    const padded = `${T.split('.')[0]}==.${T.split('.')[1]}.${T.split('.')[2]}=`;
    const [found] = findJwts(`Set-Cookie: id=${padded}; Path=/`);
    assert.equal(found?.token, T);
    assert.deepEqual(found?.repairs, ['removed "=" padding']);
  });

  it('joins a token hard-wrapped at 76 with LF, CRLF or indented lines, and says so', () => {
    for (const text of [
      wrap(T, 76, '\n'),
      wrap(T, 76, '\r\n'),
      `Bearer ${wrap(T, 40, '\n', '   ')}`,
    ]) {
      const [found] = findJwts(text);
      assert.equal(found?.token, T);
      assert.match(found?.repairs?.[0] ?? '', /^joined \d+ wrapped lines$/);
      assert.equal(jwtAt(text, text.length - 2)?.token, T, 'hover on the last line');
    }
  });

  it('never glues the next log line onto a complete token', () => {
    const text = `${T}\n2026-11-30T10:00:00Z INFO next\n${RFC7515_A5_NONE}\nabcdefghijklmnopqrstuvwxyz`;
    assert.deepEqual(
      findJwts(text).map((f) => f.token),
      [T, RFC7515_A5_NONE],
    );
  });

  it('a token on a line of its own after a short "eyJ" word is still found', () => {
    assert.equal(findJwts(`see eyJabcdefghijklmnop\n${T}`)[0]?.token, T);
  });
});
