import * as assert from 'node:assert/strict';
import { parseYaml } from '../../../src/core/yaml';
import { yamlProblemInWords } from '../../../src/core/yamlProblem';

function parseFailure(text: string): unknown {
  try {
    parseYaml(text);
  } catch (error) {
    return error;
  }
  assert.fail(`${JSON.stringify(text)} parsed`);
}

describe('yamlProblemInWords', () => {
  it('words the position 1-based and leaves out the code frame, for every kind of YAML error', () => {
    const cases: [string, RegExp][] = [
      ['apiVersion: v1\nclusters: [\n- name: x\n', /at line 3, column 1$/],
      ['a:\n  b: 1\n c: 2\n', /at line 3, column \d+$/],
      ['a: "unterminated\n', /at line \d+, column \d+$/],
      ['a: 1\n- b\n', /at line 2, column 1$/],
      ['x: !custom 1\n', /unknown tag .* at line 1, column \d+$/],
      ['\ta: 1\n', /at line 1, column \d+$/],
    ];
    for (const [text, expected] of cases) {
      const words = yamlProblemInWords(parseFailure(text));
      assert.match(words, expected, JSON.stringify(text));
      assert.doesNotMatch(words, /\n| \| |\^|\(\d+:\d+\)/, JSON.stringify(text));
    }
  });

  it('takes the first line of any other error, and a thrown string as it is', () => {
    assert.equal(yamlProblemInWords(new Error('boom\n 1 | frame')), 'boom');
    assert.equal(yamlProblemInWords('boom'), 'boom');
    assert.equal(yamlProblemInWords(undefined), 'undefined');
  });
});
