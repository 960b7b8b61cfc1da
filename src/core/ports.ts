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

/** What a finished child process printed and how it ended. */
export interface ProcessResult {
  readonly stdout: string;
  readonly stderr: string;
  /** null when the process was killed by a signal. */
  readonly exitCode: number | null;
}

/**
 * Runs an executable without a shell. Implementations reject with TokenExplorerError
 * `cli-not-found` when the file does not exist, `timeout` when it outlives `timeoutMs` (it is
 * killed), and `cancelled` when `signal` aborts.
 */
export interface ProcessRunner {
  run(
    file: string,
    args: readonly string[],
    options: {
      readonly timeoutMs: number;
      readonly env?: Readonly<Record<string, string | undefined>>;
      readonly signal?: AbortSignal;
    },
  ): Promise<ProcessResult>;
}

/** Secret material (private keys, refresh tokens), kept in VS Code SecretStorage. */
export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** When a file last changed and how big it is; undefined when it does not exist. */
export interface FileStamp {
  readonly mtimeMs: number;
  readonly size: number;
}

/** Reads local files (credential files, ADC); undefined when the file does not exist. */
export interface FileReader {
  readText(path: string): Promise<string | undefined>;
  /** Optional: lets callers keep what they parsed until the file changes. */
  stat?(path: string): Promise<FileStamp | undefined>;
}

/** The process environment and the few machine facts providers need. */
export interface Environment {
  get(name: string): string | undefined;
  readonly homeDir: string;
  readonly platform: string;
}
