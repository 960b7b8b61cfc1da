import * as assert from 'node:assert/strict';
import { parseWwwAuthenticate } from '../../../../src/core/call/wwwAuthenticate';

describe('parseWwwAuthenticate', () => {
  it('reads an RFC 6750 §3 example challenge', () => {
    const [c] = parseWwwAuthenticate(
      'Bearer realm="example", error="invalid_token", error_description="The access token expired"',
    );
    assert.equal(c?.scheme, 'Bearer');
    assert.deepEqual(c?.params, {
      realm: 'example',
      error: 'invalid_token',
      error_description: 'The access token expired',
    });
  });

  it('reads several challenges, token68 and escaped quotes', () => {
    const challenges = parseWwwAuthenticate(
      'Negotiate abc123==, Basic realm="a \\"quoted\\" realm", Bearer scope="read write" , error=insufficient_scope',
    );
    assert.deepEqual(
      challenges.map((c) => c.scheme),
      ['Negotiate', 'Basic', 'Bearer'],
    );
    assert.equal(challenges[0]?.token68, 'abc123==');
    assert.equal(challenges[1]?.params.realm, 'a "quoted" realm');
    assert.equal(challenges[2]?.params.scope, 'read write');
    assert.equal(challenges[2]?.params.error, 'insufficient_scope');
  });

  it('survives garbage, and long hostile input in one pass (a super-linear scan would time out)', () => {
    assert.deepEqual(parseWwwAuthenticate(''), []);
    assert.ok(parseWwwAuthenticate('=,=,"unterminated').every((c) => c.scheme !== ''));
    const hostile = `Bearer ${'a=,'.repeat(100_000)}${'"'.repeat(100_000)} ${'x '.repeat(100_000)}`;
    const parsed = parseWwwAuthenticate(hostile);
    assert.equal(parsed[0]?.scheme, 'Bearer');
  });
});
