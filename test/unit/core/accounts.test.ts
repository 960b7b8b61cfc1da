import * as assert from 'node:assert/strict';
import { newAccountId, parseAccounts } from '../../../src/core/accounts';

describe('parseAccounts', () => {
  it('reads valid accounts and reports the broken ones without dropping the rest', () => {
    const parsed = parseAccounts([
      {
        id: 'ci',
        kind: 'google-metadata',
        defaultAudience: 'https://svc',
        settings: { format: 'full' },
      },
      { id: 'ci', kind: 'google-gcloud' },
      { kind: 'google-gcloud' },
      { id: 'x', kind: 'aws' },
      'nope',
      { id: 'me', kind: 'google-user', name: 'Me', settings: [1] },
    ]);
    assert.deepEqual(parsed.accounts, [
      {
        id: 'ci',
        kind: 'google-metadata',
        defaultAudience: 'https://svc',
        settings: { format: 'full' },
      },
      { id: 'me', kind: 'google-user', name: 'Me', settings: {} },
    ]);
    assert.equal(parsed.problems.length, 4);
    assert.match(parsed.problems.join('\n'), /used twice/);
    assert.match(parsed.problems.join('\n'), /\[2\] has no "id"/);
    assert.match(parsed.problems.join('\n'), /unknown "kind" "aws"/);
    assert.match(parsed.problems.join('\n'), /\[4\] is not an object/);
  });

  it('treats a missing setting as no accounts and a non-array as a problem', () => {
    assert.deepEqual(parseAccounts(undefined), { accounts: [], problems: [] });
    assert.equal(parseAccounts({}).problems.length, 1);
  });
});

describe('newAccountId', () => {
  it('makes a readable unique slug', () => {
    assert.equal(newAccountId('Invoker@my-proj.iam.gserviceaccount.com', new Set()), 'invoker');
    assert.equal(newAccountId('invoker@x', new Set(['invoker', 'invoker-2'])), 'invoker-3');
    assert.equal(newAccountId('@@', new Set()), 'account');
  });
});
