import assert from 'node:assert/strict';
import { wildcardMatch } from '../../../../src/core/trust/wildcard';

describe('wildcardMatch', () => {
  const table: [string, string, boolean, boolean][] = [
    ['repo:octo-org/*', 'repo:octo-org/octo-repo:ref:refs/heads/main', true, true],
    ['repo:octo-org/*:ref:refs/heads/main', 'repo:octo-org/x:ref:refs/heads/main', true, true],
    ['*', '', true, true],
    ['a?c', 'abc', true, true],
    ['a?c', 'abc', false, false],
    ['a*', 'b', true, false],
    ['*main', 'refs/heads/main', true, true],
    ['feature-*-1', 'feature-branch-1', false, true],
    ['abc', 'ABC', true, false],
  ];
  for (const [pattern, text, questionMark, expected] of table) {
    it(`${pattern} ~ ${text} (? ${questionMark ? 'on' : 'off'}) = ${expected}`, () => {
      assert.equal(wildcardMatch(pattern, text, questionMark), expected);
    });
  }
  it('does not blow up on many stars against a long text', () => {
    assert.equal(wildcardMatch('*a*a*a*a*a*a*b', 'a'.repeat(20_000), true), false);
  });
});
