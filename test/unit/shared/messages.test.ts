import * as assert from 'node:assert/strict';
import { isHostMessage, parseWebviewMessage } from '../../../src/shared/messages';

describe('parseWebviewMessage (the webview is untrusted)', () => {
  it('accepts each message of the protocol, rebuilt without extra fields', () => {
    for (const type of [
      'ready',
      'verifyWithKey',
      'verifyWithIssuer',
      'inspectAnother',
      'callService',
      'checkAgainstUrl',
      'copyAs',
    ] as const) {
      assert.deepEqual(parseWebviewMessage({ type, extra: 'dropped' }), { type });
    }
    for (const target of ['token', 'bearer', 'header-json', 'payload-json'] as const) {
      assert.deepEqual(parseWebviewMessage({ type: 'copy', target }), { type: 'copy', target });
    }
    assert.deepEqual(parseWebviewMessage({ type: 'copyFindingCommand', index: 2 }), {
      type: 'copyFindingCommand',
      index: 2,
    });
    const rendered = { type: 'rendered', ref: 'r-1', claimNames: ['iss', 'aud'], countdown: '' };
    assert.deepEqual(parseWebviewMessage({ ...rendered, token: 'eyJ.x.y' }), rendered);
  });

  const malformed: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['a string', 'ready'],
    ['a number', 42],
    ['an array', [{ type: 'ready' }]],
    ['no type', {}],
    ['a type that is not a string', { type: 1 }],
    ['an unknown type', { type: 'runCommand', command: 'workbench.action.terminal.new' }],
    ['a prototype name as type', { type: 'constructor' }],
    ['__proto__ as type', JSON.parse('{"type":"__proto__"}')],
    ['toString as type', { type: 'toString' }],
    ['a copy without target', { type: 'copy' }],
    ['a copy of something else', { type: 'copy', target: 'secret' }],
    ['a copy target from the prototype', { type: 'copy', target: 'hasOwnProperty' }],
    ['a copy target of the wrong type', { type: 'copy', target: ['token'] }],
    ['rendered without ref', { type: 'rendered', claimNames: [], countdown: '' }],
    ['a finding command copy without index', { type: 'copyFindingCommand' }],
    ['a finding command copy with a text index', { type: 'copyFindingCommand', index: '0' }],
    ['a finding command copy with a negative index', { type: 'copyFindingCommand', index: -1 }],
    ['a finding command copy with a fractional index', { type: 'copyFindingCommand', index: 0.5 }],
    [
      'rendered with the old token field only',
      { type: 'rendered', token: 'eyJ', claimNames: [], countdown: '' },
    ],
    ['rendered with a numeric ref', { type: 'rendered', ref: 7, claimNames: [], countdown: '' }],
    [
      'rendered with an oversized ref',
      { type: 'rendered', ref: 'r'.repeat(101), claimNames: [], countdown: '' },
    ],
    [
      'rendered with claim names not a list',
      { type: 'rendered', ref: 'r', claimNames: 'iss', countdown: '' },
    ],
    [
      'rendered with a claim name not a string',
      { type: 'rendered', ref: 'r', claimNames: ['iss', {}], countdown: '' },
    ],
    [
      'rendered with too many claim names',
      { type: 'rendered', ref: 'r', claimNames: Array(1001).fill('a'), countdown: '' },
    ],
    [
      'rendered with a huge claim name',
      { type: 'rendered', ref: 'r', claimNames: ['a'.repeat(1001)], countdown: '' },
    ],
    ['rendered without countdown', { type: 'rendered', ref: 'r', claimNames: [] }],
  ];
  for (const [what, data] of malformed) {
    it(`drops ${what}`, () => {
      assert.equal(parseWebviewMessage(data), undefined);
    });
  }
});

describe('isHostMessage', () => {
  it('takes the host message types only', () => {
    for (const type of ['show', 'verification', 'empty', 'call', 'masked']) {
      assert.ok(isHostMessage({ type }));
    }
    for (const data of [null, 'show', [], {}, { type: 'copy' }, { type: 'constructor' }]) {
      assert.equal(isHostMessage(data), false, JSON.stringify(data));
    }
  });
});
