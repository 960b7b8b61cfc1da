import * as assert from 'node:assert/strict';
import type { MintedToken } from '../../../src/core/providers/provider';
import {
  STATUS_BAR_PART,
  countdownBadge,
  statusBarParts,
  tokenStateText,
} from '../../../src/extension/views/tokenState';
import { formatDuration } from '../../../src/core/jwt/time';

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
const token = (secondsLeft: number): MintedToken =>
  ({ token: 'eyJ.x.y', expiresAt: NOW + secondsLeft * 1000 }) as MintedToken;

describe('account row badge (countdown in two characters)', () => {
  it('says the minutes left, then hours, in at most two characters', () => {
    const cases: [number, string][] = [
      [59 * 60 + 59, '59'],
      [9 * 60 + 5, '9'],
      [45, '<1'],
      [99 * 60 + 30, '99'],
      [100 * 60, '1h'],
      [3 * 3600 + 60, '3h'],
      [12 * 3600, '9+'],
    ];
    for (const [left, badge] of cases) {
      const shown = countdownBadge(token(left), undefined, NOW);
      assert.equal(shown?.badge, badge, `${left} s`);
      assert.equal(shown?.tone, 'ok');
      assert.ok(badge.length <= 2);
    }
  });

  it('marks expired tokens and failed mints, and shows nothing before the first mint', () => {
    assert.deepEqual(countdownBadge(token(-5), undefined, NOW), { badge: '!', tone: 'expired' });
    assert.deepEqual(countdownBadge(undefined, new Error('no'), NOW), {
      badge: '!',
      tone: 'error',
    });
    assert.deepEqual(countdownBadge(token(0), new Error('no'), NOW), { badge: '!', tone: 'error' });
    assert.equal(countdownBadge(undefined, undefined, NOW), undefined);
    // A failed refresh with a live token still counts down, as the words do.
    assert.equal(countdownBadge(token(600), new Error('no'), NOW)?.badge, '10');
    assert.match(tokenStateText(token(600), new Error('no'), NOW) ?? '', /refresh failed/);
  });
});

describe('status bar text (countdown first)', () => {
  it('puts the countdown first, then the account and the audience without its scheme', () => {
    const state = tokenStateText(token(59 * 60), undefined, NOW) ?? '';
    assert.deepEqual(statusBarParts(state, 'runtime', 'https://svc.example'), [
      '59 min',
      'runtime',
      'svc.example',
    ]);
    assert.deepEqual(statusBarParts('expired 3 min ago', 'a', ''), [
      'expired 3 min ago',
      'a',
      'default audience',
    ]);
  });

  it('cuts a long account name and audience to a fixed width, keeping the countdown whole', () => {
    const long = 'x'.repeat(200);
    const [countdown, account, audience] = statusBarParts(
      'expires in 1 h 5 min',
      long,
      `https://${long}`,
    );
    assert.equal(countdown, '1 h 5 min');
    assert.equal(account.length, STATUS_BAR_PART);
    assert.equal(audience.length, STATUS_BAR_PART);
    assert.ok(account.endsWith('…') && audience.endsWith('…'));
  });
});

describe('one rounding rule for every countdown surface', () => {
  // The tree row said "expires in 1 h" while its badge and the inspector said 59 min.
  const surfaces = (left: number) => {
    const words = tokenStateText(token(left), undefined, NOW) ?? '';
    const badge = countdownBadge(token(left), undefined, NOW)?.badge ?? '';
    return { words, badge, bar: statusBarParts(words, 'a', 'b')[0] };
  };
  for (const left of [3599.6, 3599.001, 59 * 60 + 59.5, 119.9, 600.7]) {
    it(`${left} s left: the words, the status bar and the badge name the same minute`, () => {
      const { words, badge, bar } = surfaces(left);
      const minutes = Math.floor(left / 60);
      assert.equal(badge, String(minutes));
      assert.match(words, new RegExp(`^expires in ${minutes} min\\b`));
      assert.match(bar, new RegExp(`^${minutes} min\\b`));
      assert.equal(bar, formatDuration(left));
    });
  }
  it('an expired token is counted the same way', () => {
    assert.equal(tokenStateText(token(-119.9), undefined, NOW), 'expired 1 min 59 s ago');
  });
});
