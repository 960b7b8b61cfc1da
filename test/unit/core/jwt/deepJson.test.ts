import * as assert from 'node:assert/strict';
import { clampDepth, compactJson, depthOf, jsonText } from '../../../../src/core/jwt/deepJson';
import { inspectToken } from '../../../../src/core/jwt/inspect';

function nested(depth: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

describe('deepJson: structures deeper than JSON.stringify and postMessage allow (issue 9)', () => {
  it('writes compact JSON of any depth, as JSON.stringify would', () => {
    const sample = { a: [1, 'two', { b: null, c: true }], d: { e: [] }, '"q"': -1.5 };
    assert.equal(compactJson(sample), JSON.stringify(sample));
    const deep = nested(10_000);
    assert.throws(() => JSON.stringify(deep), RangeError);
    assert.equal(compactJson(deep), `${'['.repeat(10_000)}${']'.repeat(10_000)}`);
    assert.equal(jsonText(deep).length, 20_000);
  });

  it('measures depth without recursion and clamps what goes over the wire', () => {
    assert.equal(depthOf(nested(10_000)), 10_000);
    const payload = { sub: 'x', deep: nested(10_000), shallow: [[1]] };
    const wire = clampDepth(payload);
    assert.equal(wire.sub, 'x');
    assert.deepEqual(wire.shallow, [[1]]);
    assert.match(String(wire.deep), /nested more than 64 levels deep/);
    assert.doesNotThrow(() => JSON.stringify(wire));
    const flat = { a: 1 };
    assert.equal(clampDepth(flat), flat);
  });

  it('a token with a 10,000-deep claim inspects, and its claim row holds the whole value', () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const payload = Buffer.from(`{"sub":"x","deep":${deep}}`).toString('base64url');
    const header = Buffer.from('{"alg":"HS256"}').toString('base64url');
    const inspection = inspectToken(`${header}.${payload}.${'A'.repeat(43)}`);
    assert.equal(inspection.claimRows.find((row) => row.name === 'deep')?.display, deep);
  });
});
