import * as assert from 'node:assert/strict';
import { accountRange } from '../../../src/core/settingsJson';

const KEY = 'tokenExplorer.accounts';

describe('settings.json: where an account is written', () => {
  const text = `{
  // comments and trailing commas, as VS Code writes and reads settings.json
  "editor.fontSize": 14,
  "tokenExplorer.accounts": [
    { "id": "vm", "kind": "google-metadata", "settings": { "id": "not-this" } },
    {
      "id": "ci",
      "kind": "google-gcloud",
      "settings": {},
    },
  ],
}`;

  it("finds the account's object by its id, not a nested id", () => {
    const range = accountRange(text, KEY, 'ci');
    assert.ok(range);
    const found = text.slice(range.offset, range.offset + range.length);
    assert.match(found, /^\{\s*"id": "ci",[^]*"settings": \{\},\s*\}$/);
    const vm = accountRange(text, KEY, 'vm');
    assert.ok(vm);
    assert.ok(text.slice(vm.offset, vm.offset + vm.length).startsWith('{ "id": "vm"'));
    assert.equal(accountRange(text, KEY, 'not-this'), undefined);
  });

  it('answers undefined without the array, the account, or readable JSON', () => {
    assert.equal(accountRange(text, KEY, 'missing'), undefined);
    assert.equal(accountRange('{ "tokenExplorer.accounts": {} }', KEY, 'ci'), undefined);
    assert.equal(accountRange('', KEY, 'ci'), undefined);
    assert.equal(accountRange('not json at all', KEY, 'ci'), undefined);
  });
});
