import * as assert from 'node:assert/strict';
import { fuzzInputs } from '../../../fixtures/fuzz';
import { TokenExplorerError } from '../../../../src/core/errors';
import { findJwts, jwtAt } from '../../../../src/core/jwt/find';
import { inspectToken } from '../../../../src/core/jwt/inspect';

describe('fuzz: inspectToken never throws anything but its own error', () => {
  it('survives 10,000 random and mutated inputs', () => {
    let decoded = 0;
    for (const input of fuzzInputs(10_000, 42)) {
      for (const found of findJwts(input)) {
        assert.equal(
          jwtAt(input, found.start)?.start,
          found.start,
          'hover finds what the finder finds',
        );
      }
      try {
        const inspection = inspectToken(input);
        assert.equal(typeof inspection.token, 'string');
        decoded++;
      } catch (error) {
        if (!(error instanceof TokenExplorerError)) {
          throw new Error(
            `unexpected ${String(error)} for input ${JSON.stringify(input.slice(0, 200))}`,
          );
        }
      }
    }
    assert.ok(decoded > 1000, `only ${decoded} inputs produced an inspection`);
  });
});
