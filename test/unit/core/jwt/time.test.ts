import * as assert from 'node:assert/strict';
import {
  DATE_CLAIMS,
  countdownText,
  formatDuration,
  formatRelative,
  lifetimeSeconds,
  readTimes,
  timeStatus,
  toClaimTime,
} from '../../../../src/core/jwt/time';

/** 2024-01-15T12:00:00Z, the frozen "now" of every test. */
const NOW_MS = Date.UTC(2024, 0, 15, 12, 0, 0);
const NOW = NOW_MS / 1000;
const STRING_WARNING = 'NumericDate should be a JSON number, not a string';

function localOf(seconds: number): string {
  return new Date(seconds * 1000).toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: 'medium',
  });
}

describe('core/jwt/time', () => {
  describe('DATE_CLAIMS', () => {
    it('holds the NumericDate claims of RFC 7519, OpenID Connect and the nested ones', () => {
      for (const name of [
        'exp',
        'nbf',
        'iat',
        'auth_time',
        'updated_at',
        'kubernetes.io.warnafter',
        'google.compute_engine.instance_creation_timestamp',
      ]) {
        assert.ok(DATE_CLAIMS.has(name), name);
      }
    });

    it('does not hold claims that are not dates', () => {
      for (const name of ['sub', 'iss', 'jti', 'birthdate', '__proto__']) {
        assert.equal(DATE_CLAIMS.has(name), false, name);
      }
    });
  });

  describe('toClaimTime', () => {
    it('formats an integer NumericDate without a warning', () => {
      assert.deepEqual(toClaimTime(NOW), {
        time: { epochSeconds: NOW, local: localOf(NOW), utc: '2024-01-15T12:00:00.000Z' },
      });
    });

    it('keeps the fraction of a decimal NumericDate', () => {
      const { time, warning } = toClaimTime(NOW + 0.25);
      assert.equal(warning, undefined);
      assert.equal(time?.epochSeconds, NOW + 0.25);
      assert.equal(time?.utc, '2024-01-15T12:00:00.250Z');
    });

    it('accepts the epoch itself and writes -0 as 0', () => {
      assert.equal(toClaimTime(0).time?.utc, '1970-01-01T00:00:00.000Z');
      const negativeZero = toClaimTime(-0);
      assert.ok(Object.is(negativeZero.time?.epochSeconds, 0));
      assert.equal(negativeZero.warning, undefined);
    });

    it('reads a numeric string but warns that it should be a number', () => {
      assert.deepEqual(toClaimTime(String(NOW)), {
        time: { epochSeconds: NOW, local: localOf(NOW), utc: '2024-01-15T12:00:00.000Z' },
        warning: STRING_WARNING,
      });
    });

    it('reads a padded decimal string', () => {
      const { time, warning } = toClaimTime(` ${NOW}.5 `);
      assert.equal(time?.epochSeconds, NOW + 0.5);
      assert.equal(warning, STRING_WARNING);
    });

    it('refuses a date written as text, quoting it', () => {
      const { time, warning } = toClaimTime('2024-01-15T12:00:00Z');
      assert.equal(time, undefined);
      assert.equal(
        warning,
        'NumericDate should be a number of seconds since 1970, not the text "2024-01-15T12:00:00Z"',
      );
    });

    it('cuts a long text in the warning', () => {
      const { warning } = toClaimTime('x'.repeat(100_000));
      assert.ok(warning !== undefined && warning.length < 150, warning);
    });

    it('refuses null, booleans, arrays and objects, naming the type', () => {
      const cases: [unknown, string][] = [
        [null, 'null'],
        [true, 'a boolean'],
        [[NOW], 'an array'],
        [{ seconds: NOW }, 'an object'],
        [undefined, 'undefined'],
      ];
      for (const [value, kind] of cases) {
        assert.deepEqual(toClaimTime(value), {
          warning: `NumericDate should be a number of seconds since 1970, not ${kind}`,
        });
      }
    });

    it('refuses NaN and infinities', () => {
      for (const value of [NaN, Infinity, -Infinity]) {
        assert.deepEqual(toClaimTime(value), { warning: 'NumericDate is not a finite number' });
      }
    });

    it('refuses a numeric string that overflows to infinity, with both warnings', () => {
      assert.deepEqual(toClaimTime('1e400'), {
        warning: `${STRING_WARNING}; NumericDate is not a finite number`,
      });
    });

    it('refuses negative values', () => {
      assert.deepEqual(toClaimTime(-1), { warning: 'NumericDate -1 is negative (before 1970)' });
      assert.deepEqual(toClaimTime('-5'), {
        warning: `${STRING_WARNING}; NumericDate -5 is negative (before 1970)`,
      });
    });

    it('accepts the last representable date and refuses anything after it', () => {
      const last = toClaimTime(8.64e12);
      assert.equal(last.time?.utc, '+275760-09-13T00:00:00.000Z');
      const beyond = toClaimTime(8.64e12 + 1);
      assert.equal(beyond.time, undefined);
      assert.match(beyond.warning ?? '', /after the last date JavaScript can represent/);
      assert.match(beyond.warning ?? '', /milliseconds or microseconds/);
    });

    it('reads a millisecond-looking value as seconds and warns with the year it gives', () => {
      const ms = NOW_MS;
      const { time, warning } = toClaimTime(ms);
      assert.equal(time?.epochSeconds, ms);
      assert.equal(time?.utc, new Date(ms * 1000).toISOString());
      assert.equal(
        warning,
        'looks like milliseconds, not seconds: read as seconds it is the year 56009',
      );
    });

    it('draws the milliseconds line at 1e11 seconds (year 5138)', () => {
      assert.equal(toClaimTime(1e11 - 1).warning, undefined);
      assert.match(toClaimTime(1e11).warning ?? '', /looks like milliseconds.*year 5138$/);
    });

    it('never writes Invalid Date or NaN', () => {
      const values: unknown[] = [0, 1, NOW, NOW + 0.999, 1e11, 8.64e12, '123', '1.5', 'abc', -1];
      for (const value of values) {
        const { time, warning } = toClaimTime(value);
        const text = `${time?.local ?? ''} ${time?.utc ?? ''} ${warning ?? ''}`;
        assert.doesNotMatch(text, /Invalid Date|NaN/, String(value));
        if (time !== undefined) assert.notEqual(time.local, '');
      }
    });
  });

  describe('readTimes', () => {
    it('picks exp, nbf, iat and auth_time', () => {
      const payload = { iss: 'x', exp: NOW + 60, nbf: NOW - 5, iat: NOW, auth_time: NOW - 30 };
      assert.deepEqual(readTimes(payload), {
        times: { exp: NOW + 60, nbf: NOW - 5, iat: NOW, authTime: NOW - 30 },
        warnings: [],
      });
    });

    it('uses a numeric string and prefixes its warning with the claim name', () => {
      assert.deepEqual(readTimes({ exp: String(NOW + 60), iat: NOW }), {
        times: { exp: NOW + 60, iat: NOW },
        warnings: [
          `exp: ${STRING_WARNING}`,
          'exp: a strict verifier would not accept this token: jose rejects it ("exp" claim must be a number)',
        ],
      });
    });

    it('warns that a token without exp never expires', () => {
      assert.deepEqual(readTimes({ iat: NOW }), {
        times: { iat: NOW },
        warnings: ['no exp claim: the token never expires'],
      });
    });

    it('marks an unusable exp as unreadable, never as absent, and says how verifiers judge it', () => {
      const { times, warnings } = readTimes({ exp: 'soon', nbf: null });
      assert.deepEqual(times, {
        expUnreadable: 'NumericDate should be a number of seconds since 1970, not the text "soon"',
      });
      assert.deepEqual(warnings, [
        'exp: NumericDate should be a number of seconds since 1970, not the text "soon"',
        'nbf: NumericDate should be a number of seconds since 1970, not null',
        'exp: a strict verifier would not accept this token: jose rejects it ("exp" claim must be a number); google-auth-library rejects it (exp field using invalid format)',
        'nbf: a strict verifier would not accept this token: jose rejects it ("nbf" claim must be a number)',
      ]);
    });

    for (const exp of ['2026-12-01T00:00:00Z', null, 'soon', { at: 1 }, [1], true, Infinity]) {
      it(`an exp of ${JSON.stringify(exp)} is "expiry unreadable", not "never expires"`, () => {
        const { times } = readTimes({ exp, iat: NOW });
        assert.equal(timeStatus(times, NOW * 1000, 0), 'expiry-unreadable');
        assert.match(countdownText(times, NOW * 1000, 0), /^expiry unreadable: /);
      });
    }

    it('reads a negative exp as long expired, as jose compares it', () => {
      const { times } = readTimes({ exp: -5 });
      assert.equal(timeStatus(times, NOW * 1000, 0), 'expired');
    });

    it('warns when exp is before iat', () => {
      assert.deepEqual(readTimes({ exp: NOW - 1, iat: NOW }).warnings, [
        'exp is before iat: the token expired before it was issued',
      ]);
    });

    it('warns when exp equals iat', () => {
      assert.deepEqual(readTimes({ exp: NOW, iat: NOW }).warnings, [
        'exp equals iat: the token expired as it was issued',
      ]);
    });

    it('warns when exp is not after nbf', () => {
      assert.deepEqual(readTimes({ exp: NOW, nbf: NOW }).warnings, [
        'exp is not after nbf: the token is never valid',
      ]);
    });

    it('warns when auth_time is after iat', () => {
      assert.deepEqual(readTimes({ exp: NOW + 60, iat: NOW, auth_time: NOW + 1 }).warnings, [
        'auth_time is after iat: the user authenticated after the token was issued',
      ]);
    });

    it('reads only own properties', () => {
      const payload = Object.create({ exp: NOW + 60 }) as Record<string, unknown>;
      payload['iat'] = NOW;
      assert.deepEqual(readTimes(payload), {
        times: { iat: NOW },
        warnings: ['no exp claim: the token never expires'],
      });
    });

    it('treats a "__proto__" claim as data', () => {
      const payload = JSON.parse('{"__proto__": {"exp": 1}, "exp": 1705320060}') as Record<
        string,
        unknown
      >;
      assert.deepEqual(readTimes(payload), { times: { exp: NOW + 60 }, warnings: [] });
    });
  });

  describe('formatDuration', () => {
    const cases: [number, string][] = [
      [0, '0 s'],
      [0.9, '0 s'],
      [42, '42 s'],
      [42.99, '42 s'],
      [60, '1 min'],
      [303, '5 min 3 s'],
      [599, '9 min 59 s'],
      [600, '10 min'],
      [41 * 60 + 3, '41 min'],
      [3599, '59 min'],
      [3600, '1 h'],
      [3600 + 2 * 60 + 59, '1 h 2 min'],
      [86_400, '1 d'],
      [3 * 86_400 + 4 * 3600 + 59, '3 d 4 h'],
      [365 * 86_400, '1 y'],
      [2 * 365 * 86_400 + 10 * 86_400 + 5, '2 y 10 d'],
      [8.64e12, '273972 y 220 d'],
      [-42, '42 s'],
      [-3720, '1 h 2 min'],
    ];
    for (const [seconds, text] of cases) {
      it(`formats ${seconds} as "${text}"`, () => assert.equal(formatDuration(seconds), text));
    }

    it('bounds huge values and names NaN and infinity', () => {
      assert.equal(formatDuration(1e300), 'over 1000000 y');
      assert.equal(formatDuration(Number.MAX_VALUE), 'over 1000000 y');
      assert.equal(formatDuration(Infinity), 'forever');
      assert.equal(formatDuration(-Infinity), 'forever');
      assert.equal(formatDuration(NaN), 'unknown');
    });
  });

  describe('formatRelative', () => {
    it('says "in" for the future and "ago" for the past', () => {
      assert.equal(formatRelative(NOW + 42 * 60, NOW_MS), 'in 42 min');
      assert.equal(formatRelative(NOW - 180, NOW_MS), '3 min ago');
      assert.equal(formatRelative(NOW + 1, NOW_MS), 'in 1 s');
      assert.equal(formatRelative(NOW - 1, NOW_MS), '1 s ago');
    });

    it('says "now" within one second', () => {
      assert.equal(formatRelative(NOW, NOW_MS), 'now');
      assert.equal(formatRelative(NOW + 0.999, NOW_MS), 'now');
      assert.equal(formatRelative(NOW - 0.999, NOW_MS), 'now');
    });

    it('says "unknown" for a non-finite difference', () => {
      assert.equal(formatRelative(NaN, NOW_MS), 'unknown');
      assert.equal(formatRelative(NOW, Infinity), 'unknown');
    });
  });

  describe('timeStatus', () => {
    it('is valid between nbf and exp', () => {
      assert.equal(timeStatus({ exp: NOW + 100, nbf: NOW - 5, iat: NOW - 5 }, NOW_MS, 0), 'valid');
    });

    it('is expired from exp on without skew', () => {
      assert.equal(timeStatus({ exp: NOW }, NOW_MS, 0), 'expired');
      assert.equal(timeStatus({ exp: NOW + 0.001 }, NOW_MS, 0), 'valid');
    });

    it('is expired from exp + skew on', () => {
      assert.equal(timeStatus({ exp: NOW }, NOW_MS, 60), 'valid');
      assert.equal(timeStatus({ exp: NOW - 59.5 }, NOW_MS, 60), 'valid');
      assert.equal(timeStatus({ exp: NOW - 60 }, NOW_MS, 60), 'expired');
    });

    it('is not yet valid before nbf - skew', () => {
      assert.equal(timeStatus({ exp: NOW + 600, nbf: NOW + 1 }, NOW_MS, 0), 'not-yet-valid');
      assert.equal(timeStatus({ exp: NOW + 600, nbf: NOW }, NOW_MS, 0), 'valid');
      assert.equal(timeStatus({ exp: NOW + 600, nbf: NOW + 60 }, NOW_MS, 60), 'valid');
      assert.equal(timeStatus({ exp: NOW + 600, nbf: NOW + 60.5 }, NOW_MS, 60), 'not-yet-valid');
    });

    it('ignores an iat in the future', () => {
      assert.equal(timeStatus({ exp: NOW + 7200, iat: NOW + 3600 }, NOW_MS, 0), 'valid');
    });

    it('is no-expiry without exp, unless nbf is ahead', () => {
      assert.equal(timeStatus({}, NOW_MS, 0), 'no-expiry');
      assert.equal(timeStatus({ iat: NOW - 10 }, NOW_MS, 0), 'no-expiry');
      assert.equal(timeStatus({ nbf: NOW + 10 }, NOW_MS, 0), 'not-yet-valid');
    });

    it('prefers expired when the token is also not yet valid', () => {
      assert.equal(timeStatus({ exp: NOW - 10, nbf: NOW + 10 }, NOW_MS, 0), 'expired');
    });

    it('counts a negative or non-finite skew as 0', () => {
      assert.equal(timeStatus({ exp: NOW + 50 }, NOW_MS, -100), 'valid');
      assert.equal(timeStatus({ exp: NOW }, NOW_MS, NaN), 'expired');
      assert.equal(timeStatus({ exp: NOW }, NOW_MS, Infinity), 'expired');
    });
  });

  describe('countdownText', () => {
    it('counts down to exp with seconds below an hour', () => {
      assert.equal(countdownText({ exp: NOW + 41 * 60 + 3 }, NOW_MS, 0), 'expires in 41 min 3 s');
      assert.equal(countdownText({ exp: NOW + 5 }, NOW_MS, 0), 'expires in 5 s');
      assert.equal(countdownText({ exp: NOW + 0.5 }, NOW_MS, 0), 'expires in 0 s');
      assert.equal(countdownText({ exp: NOW + 300 }, NOW_MS, 0), 'expires in 5 min 0 s');
    });

    it('shows hours, minutes and seconds below a day', () => {
      assert.equal(countdownText({ exp: NOW + 3725 }, NOW_MS, 0), 'expires in 1 h 2 min 5 s');
      assert.equal(countdownText({ exp: NOW + 86_399 }, NOW_MS, 0), 'expires in 23 h 59 min 59 s');
    });

    it('shows two units from a day on', () => {
      assert.equal(
        countdownText({ exp: NOW + 2 * 86_400 + 3600 }, NOW_MS, 0),
        'expires in 2 d 1 h',
      );
    });

    it('says how long ago the token expired', () => {
      assert.equal(countdownText({ exp: NOW - 192 }, NOW_MS, 60), 'expired 3 min 12 s ago');
      assert.equal(countdownText({ exp: NOW }, NOW_MS, 0), 'expired 0 s ago');
    });

    it('says when an expired token is still accepted thanks to the skew', () => {
      assert.equal(
        countdownText({ exp: NOW - 10 }, NOW_MS, 60),
        'expired 10 s ago (within the 60 s clock skew)',
      );
    });

    it('counts down to nbf when the token is not yet valid', () => {
      assert.equal(
        countdownText({ exp: NOW + 3600, nbf: NOW + 250 }, NOW_MS, 0),
        'valid in 4 min 10 s (nbf)',
      );
      assert.equal(countdownText({ nbf: NOW + 250 }, NOW_MS, 0), 'valid in 4 min 10 s (nbf)');
    });

    it('says when a token is valid only thanks to the skew on nbf', () => {
      assert.equal(
        countdownText({ exp: NOW + 300, nbf: NOW + 30 }, NOW_MS, 60),
        'expires in 5 min 0 s (nbf is 30 s ahead, within the 60 s clock skew)',
      );
    });

    it('says a token without exp never expires', () => {
      assert.equal(countdownText({ iat: NOW }, NOW_MS, 0), 'never expires (no exp claim)');
      assert.equal(countdownText({}, NOW_MS, 60), 'never expires (no exp claim)');
    });

    it('changes every second below a day, before and after exp', () => {
      for (const offset of [3, 59, 61, 599, 601, 3599, 3601, 43_200, 86_398]) {
        for (const exp of [NOW + offset, NOW - offset]) {
          const texts = [0, 1000, 2000].map((ms) => countdownText({ exp }, NOW_MS + ms, 0));
          assert.equal(new Set(texts).size, 3, texts.join(' | '));
        }
      }
    });

    it('starts with "expired" exactly when the status is expired or within the skew', () => {
      const skew = 60;
      for (let step = -400; step <= 400; step++) {
        const nowMs = NOW_MS + step * 500;
        const times = { exp: NOW, nbf: NOW - 100 };
        const text = countdownText(times, nowMs, skew);
        const expired = timeStatus(times, nowMs, skew) === 'expired';
        assert.equal(text.startsWith('expired') && !text.includes('skew'), expired, text);
        assert.equal(text.startsWith('expired'), nowMs >= NOW_MS, text);
      }
    });
  });

  describe('lifetimeSeconds', () => {
    it('is exp - nbf, or exp - iat without nbf', () => {
      assert.equal(lifetimeSeconds({ exp: NOW + 300, nbf: NOW - 5, iat: NOW }), 305);
      assert.equal(lifetimeSeconds({ exp: NOW + 3600, iat: NOW }), 3600);
      assert.equal(lifetimeSeconds({ exp: NOW + 1.5, iat: NOW }), 1.5);
    });

    it('is undefined when an end is missing', () => {
      assert.equal(lifetimeSeconds({ exp: NOW }), undefined);
      assert.equal(lifetimeSeconds({ iat: NOW, nbf: NOW }), undefined);
      assert.equal(lifetimeSeconds({}), undefined);
    });
  });
});
