// The one way tests wait for something that happens on its own time (a server, a webview, a
// process): poll, and on timeout fail with what was awaited and what was last seen.

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `read` every `intervalMs` until `accept` takes its value; a `read` that throws is tried
 * again. Fails after `timeoutMs` with `what` and the last value (or error) seen.
 */
export async function eventually<T>(
  what: string,
  read: () => T | Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 15_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let seen = 'nothing';
  for (;;) {
    try {
      const value = await read();
      if (accept(value)) return value;
      seen = JSON.stringify(value) ?? String(value);
    } catch (error) {
      seen = String(error);
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not there after ${timeoutMs} ms (last seen: ${seen})`);
    }
    await sleep(intervalMs);
  }
}

/** Polls `probe` until it returns something other than undefined or false, and returns that. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const value = await eventually(what, probe, (v) => v !== undefined && v !== false, timeoutMs, 50);
  return value as T;
}
