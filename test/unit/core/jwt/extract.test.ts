import * as assert from 'node:assert/strict';
import { TokenExplorerError } from '../../../../src/core/errors';
import { extractToken } from '../../../../src/core/jwt/extract';
import { RFC7515_A1_HS256 as T } from '../../../fixtures/rfcTokens';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof TokenExplorerError);
    return error.code;
  }
  return undefined;
}

describe('extractToken: the paste forms people use', () => {
  const forms: [string, string, string][] = [
    ['the bare token', T, 'pasted text'],
    ['surrounding whitespace and newlines', `\n\t  ${T}  \r\n`, 'pasted text'],
    ['double quotes', `"${T}"`, 'pasted text'],
    ['single quotes and a trailing comma', `'${T}',`, 'pasted text'],
    ['backticks', `\`${T}\``, 'pasted text'],
    ['a Bearer prefix', `Bearer ${T}`, 'Bearer prefix'],
    ['a lower-case bearer prefix', `bearer ${T}`, 'Bearer prefix'],
    ['an Authorization header', `Authorization: Bearer ${T}`, 'bearer header'],
    ['a quoted curl header', `-H "Authorization: Bearer ${T}"`, 'bearer header'],
    [
      'an oauth2 token response',
      JSON.stringify({ access_token: 'ya29.x', id_token: T, expires_in: 3599 }),
      'JSON field "id_token"',
    ],
    ['a generateIdToken response', JSON.stringify({ token: T }), 'JSON field "token"'],
    ['a GitHub Actions response', JSON.stringify({ count: 1, value: T }), 'JSON field "value"'],
    [
      'a nested JSON response',
      JSON.stringify({ data: { credentials: [{ jwt: T }] } }),
      'JSON field "data.credentials[0].jwt"',
    ],
    ['a JSON string', JSON.stringify(T), 'pasted text'],
    [
      'a URL fragment',
      `https://app.example/cb#state=xyz&id_token=${T}&expires_in=3600`,
      'URL parameter "id_token"',
    ],
    [
      'a URL query',
      `https://app.example/cb?id_token=${encodeURIComponent(T)}`,
      'URL parameter "id_token"',
    ],
    ['a log line', `2026-11-21 INFO got token=${T} for svc`, 'text (the first token in it)'],
    ['free text', `the token is ${T} (expired)`, 'text (the first token in it)'],
  ];
  for (const [name, input, foundIn] of forms) {
    it(name, () => {
      assert.deepEqual(extractToken(input), { token: T, foundIn });
    });
  }

  it('returns a single broken dotted word as-is so decoding can explain it', () => {
    assert.deepEqual(extractToken('abc.def'), { token: 'abc.def', foundIn: 'pasted text' });
  });

  it('says what is wrong with input that holds no token', () => {
    assert.equal(
      code(() => extractToken('   ')),
      'no-token',
    );
    assert.equal(
      code(() => extractToken('hello world')),
      'not-a-jwt',
    );
    assert.equal(
      code(() => extractToken('{"access_token":"ya29.opaque","expires_in":3599}')),
      'json-without-token',
    );
    assert.throws(() => extractToken('{"error":"invalid_grant"}'), /fields: error/);
  });
});

describe('extractToken: linear on adversarial pastes (issue 9)', function () {
  // The old trailing-punctuation strip took about 20 s on the first input; the timeout checks.
  this.timeout(10_000);
  for (const [name, input] of [
    ['40,000 commas and a letter', `${','.repeat(40_000)}x`],
    ['a token followed by 1 MB of commas', `${T}${','.repeat(1_000_000)}`],
    ['1 MB of nested quotes', `${'"'.repeat(500_000)}${T}${'"'.repeat(500_000)}`],
    ['10,000-deep JSON arrays around a token', `${'['.repeat(10_000)}"${T}"${']'.repeat(10_000)}`],
  ] as const) {
    it(name, () => {
      try {
        extractToken(input);
      } catch (error) {
        assert.ok(error instanceof TokenExplorerError);
      }
    });
  }

  it('finds the token inside 10,000-deep JSON arrays', () => {
    const deep = `${'['.repeat(10_000)}"${T}"${']'.repeat(10_000)}`;
    assert.equal(extractToken(deep).token, T);
  });
});
