/**
 * Sending a request again as each official client does: the policies (Google's gaxios,
 * actions/toolkit, client-go) and the loop that applies one within a deadline.
 */

/** A timeout or a cancellation (AbortSignal), which no retry can help. */
export const isAbort = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');

/**
 * When and how often the official clients send a request again. Delays are between attempts, in
 * milliseconds; their count is the number of retries.
 */
export interface RetryPolicy {
  readonly delaysMs: readonly number[];
  /** HTTP statuses worth another attempt. */
  transientStatus(status: number): boolean;
  /**
   * Whether a request that got no answer at all (refused, reset, DNS) is sent again: always,
   * never, or when the predicate says so for the error.
   */
  readonly retryWithoutAnswer: boolean | ((error: unknown) => boolean);
  /**
   * client-go: wait the answer's `Retry-After` seconds instead of the next delay, and take an
   * answer without a usable one as final.
   */
  readonly followRetryAfter?: boolean;
}

/**
 * google-auth-library and gcp-metadata, through gaxios (src/retry.ts `getRetryConfig`,
 * `shouldRetryRequest`, `getNextRetryDelay`): 3 retries of 408, 429 and 5xx answers and of requests
 * that got no answer, waiting 100 ms, then ((2^n − 1) / 2) s: 0.5 s and 1.5 s. google-auth-library
 * turns this on for its auth requests, POST included (`AuthClient.RETRY_CONFIG`); gcp-metadata
 * passes `noResponseRetries: 3` for metadata reads.
 */
export const GOOGLE_RETRY: RetryPolicy = {
  delaysMs: [100, 500, 1500],
  transientStatus: (status) => status === 408 || status === 429 || (status >= 500 && status <= 599),
  retryWithoutAnswer: true,
};

/**
 * actions/toolkit @actions/http-client as @actions/core's OidcClient configures it
 * (`allowRetries: true, maxRetries: 10`): 502, 503 and 504 answers to a GET are retried up to 10
 * times, waiting 5 ms × 2^n (n = 1…10, `ExponentialBackoffTimeSlice`, `ExponentialBackoffCeiling`);
 * a request without an answer is not retried.
 */
export const ACTIONS_TOOLKIT_RETRY: RetryPolicy = {
  delaysMs: Array.from({ length: 10 }, (_, i) => 5 * 2 ** (i + 1)),
  transientStatus: (status) => status === 502 || status === 503 || status === 504,
  retryWithoutAnswer: false,
};

/**
 * client-go's REST client (kubernetes/client-go `rest/request.go` `request()`, `maxRetries: 10`;
 * `rest/with_retry.go` `IsNextRetry`, `checkWait`, `retryAfterResponse`): up to 10 retries of a
 * 429 or 5xx answer **that carries `Retry-After`** (integer seconds, `retryAfterSeconds`),
 * waiting what it says; an answer without it is final. A failed connection becomes an artificial
 * `Retry-After: 1` answer when the error is retryable; client-go counts only resets and EOFs of a
 * GET as retryable. Here a refused connection is retried too, POST included: nothing was sent, so
 * repeating it cannot create a second token (an API server restarting, a port-forward starting).
 */
export const KUBERNETES_RETRY: RetryPolicy = {
  delaysMs: Array.from({ length: 10 }, () => 1000),
  transientStatus: (status) => status === 429 || status >= 500,
  retryWithoutAnswer: (error) => causeCode(error) === 'ECONNREFUSED',
  followRetryAfter: true,
};

/** No retry: for probes that must answer fast (gcp-metadata's detection retries 0 times). */
export const NO_RETRY: RetryPolicy = {
  delaysMs: [],
  transientStatus: () => false,
  retryWithoutAnswer: false,
};

/**
 * Errors another attempt cannot help: the server's certificate, a proxy that wants other
 * credentials, a proxy setting that is not a URL (see `net/outboundProxy.ts`).
 */
const DEFINITE_CODE =
  /^(ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_SSL_|ERR_PROXY_AUTHENTICATION|ERR_PROXY_CONFIG)/;

/** The `code` of the error's cause (Node's fetch and our clients put the socket error there). */
function causeCode(error: unknown): string | undefined {
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' ? code : undefined;
}

function isDefinite(error: unknown): boolean {
  const code = causeCode(error);
  return isAbort(error) || (code !== undefined && DEFINITE_CODE.test(code));
}

/** `Retry-After` as whole seconds (client-go reads only that form), else undefined. */
function retryAfterMs(answer: RetryableAnswer): number | undefined {
  const value = answer.headers.get('retry-after')?.trim();
  return value && /^\d{1,6}$/.test(value) ? Number(value) * 1000 : undefined;
}

/** What {@link withRetries} needs of an answer: a fetch Response, or another client's. */
export interface RetryableAnswer {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body?: ReadableStream | null;
}

/** Waits `ms`, or less when `signal` aborts (the caller then sees the abort on its next step). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Sends a request (`attempt`) and again while the policy calls the outcome transient, within
 * `deadline` (epoch ms; the configured timeout): a retry whose pause would end past it is not
 * made, and the last answer or error is what the caller gets. Aborts, certificate errors and
 * other answers end at once. Bodies of answers that are retried are discarded.
 */
export async function withRetries<T extends RetryableAnswer>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  signal: AbortSignal,
  deadline: number,
): Promise<T> {
  for (let retry = 0; ; retry++) {
    const delay = policy.delaysMs[retry];
    const worthWaiting = (wait: number | undefined): wait is number =>
      delay !== undefined && wait !== undefined && !signal.aborted && Date.now() + wait < deadline;
    let response: T;
    try {
      response = await attempt();
    } catch (error) {
      const again =
        typeof policy.retryWithoutAnswer === 'function'
          ? policy.retryWithoutAnswer(error)
          : policy.retryWithoutAnswer;
      if (!again || isDefinite(error) || !worthWaiting(delay)) throw error;
      await pause(delay, signal);
      continue;
    }
    if (!policy.transientStatus(response.status)) return response;
    const wait = policy.followRetryAfter ? retryAfterMs(response) : delay;
    if (!worthWaiting(wait)) return response;
    await response.body?.cancel().catch(() => undefined);
    await pause(wait, signal);
  }
}
