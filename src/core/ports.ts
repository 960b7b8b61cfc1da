/** The current time; tests pass a frozen one. */
export interface Clock {
  now(): number;
}

/** Node's `fetch`, injectable so tests and the bench can count or redirect calls. */
export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** Where the core writes diagnostics. Never given a token or key material. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const systemClock: Clock = { now: () => Date.now() };
