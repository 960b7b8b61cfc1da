import * as assert from 'node:assert/strict';
import { ClipboardGuard } from '../../../../src/core/clipboard/clearAfter';
import type { ClipboardPort, TimerPort } from '../../../../src/core/clipboard/clearAfter';

/** A clipboard in memory and timers that fire only when the test moves the frozen clock. */
function rig(delaySeconds = 60) {
  let text = 'before';
  const clipboard: ClipboardPort = {
    readText: async () => text,
    writeText: async (value) => {
      text = value;
    },
  };
  let now = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  let next = 1;
  const timerPort: TimerPort = {
    set: (callback, ms) => {
      timers.set(next, { at: now + ms, callback });
      return next++;
    },
    clear: (handle) => void timers.delete(handle as number),
  };
  const advance = async (seconds: number) => {
    now += seconds * 1000;
    for (const [id, timer] of [...timers]) {
      if (timer.at <= now) {
        timers.delete(id);
        timer.callback();
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
  };
  let delay = delaySeconds;
  const guard = new ClipboardGuard(clipboard, timerPort, () => delay);
  return {
    guard,
    advance,
    read: () => text,
    userCopies: (value: string) => void (text = value),
    setDelay: (s: number) => void (delay = s),
    pending: () => timers.size,
  };
}

describe('ClipboardGuard', () => {
  it('clears the token after the delay, not before', async () => {
    const r = rig(60);
    assert.equal(await r.guard.copySecret('TOKEN'), 60);
    await r.advance(59);
    assert.equal(r.read(), 'TOKEN');
    await r.advance(1);
    assert.equal(r.read(), '');
  });

  it('leaves the clipboard alone when the user copied something else since', async () => {
    const r = rig(60);
    await r.guard.copySecret('TOKEN');
    r.userCopies('my notes');
    await r.advance(60);
    assert.equal(r.read(), 'my notes');
  });

  it('a second copy restarts the delay and replaces the first clear', async () => {
    const r = rig(60);
    await r.guard.copySecret('TOKEN-1');
    await r.advance(50);
    await r.guard.copySecret('TOKEN-2');
    assert.equal(r.pending(), 1);
    await r.advance(50);
    assert.equal(r.read(), 'TOKEN-2');
    await r.advance(10);
    assert.equal(r.read(), '');
  });

  it('0 turns clearing off; copying plain text cancels a pending clear', async () => {
    const r = rig(0);
    assert.equal(await r.guard.copySecret('TOKEN'), 0);
    assert.equal(r.pending(), 0);
    r.setDelay(30);
    await r.guard.copySecret('TOKEN');
    await r.guard.copyPlain('{"decoded": true}');
    assert.equal(r.pending(), 0);
  });
});
