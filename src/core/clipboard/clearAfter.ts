/** The system clipboard, as far as clearing it needs. */
export interface ClipboardPort {
  readText(): Promise<string>;
  writeText(text: string): Promise<void>;
}

/** setTimeout/clearTimeout, injectable so tests drive time instead of sleeping. */
export interface TimerPort {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const systemTimers: TimerPort = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Copies secrets to the clipboard and clears them after a delay, but only if the clipboard still
 * holds exactly what we put there: text the user copied since is left alone. One pending clear
 * at a time (a new copy replaces the old timer).
 */
export class ClipboardGuard {
  private pending: { handle: unknown; text: string } | undefined;

  constructor(
    private readonly clipboard: ClipboardPort,
    private readonly timers: TimerPort,
    /** Seconds before clearing; 0 turns clearing off. Read at each copy. */
    private readonly delaySeconds: () => number,
  ) {}

  /** Writes `text` and schedules its removal. Returns the delay in seconds (0: none). */
  async copySecret(text: string): Promise<number> {
    await this.clipboard.writeText(text);
    this.cancel();
    const delay = this.delaySeconds();
    if (!(delay > 0)) return 0;
    const handle = this.timers.set(() => void this.clearIfUnchanged(text), delay * 1000);
    this.pending = { handle, text };
    return delay;
  }

  /** Copies text that is not a secret; a pending clear of an earlier secret is dropped. */
  async copyPlain(text: string): Promise<void> {
    await this.clipboard.writeText(text);
    this.cancel();
  }

  /** Stops the pending clear, if any. */
  cancel(): void {
    if (this.pending) this.timers.clear(this.pending.handle);
    this.pending = undefined;
  }

  private async clearIfUnchanged(text: string): Promise<void> {
    if (this.pending?.text === text) this.pending = undefined;
    const now = await this.clipboard.readText();
    if (now === text) await this.clipboard.writeText('');
  }
}
