/**
 * Shapes shared by Call Service and its diagnosis: the request, what came back, and findings.
 * Pure data (no vscode, no DOM): the webview renders them and the local proxy reuses them.
 */

/** The front end a URL sits behind; decides which audience, claims and role apply. */
export type ServiceKind = 'cloud-run' | 'cloud-functions' | 'iap' | 'oidc-api';

/** The request header that carries the token. */
export type HeaderForm = 'authorization' | 'x-serverless-authorization' | 'proxy-authorization';

/** One Call Service request, as the user chose it. `headers` never hold the token. */
export interface CallRequest {
  readonly method: string;
  readonly url: string;
  readonly headerForm: HeaderForm;
  /** Extra request headers (name → value). */
  readonly headers: Readonly<Record<string, string>>;
  /** Request body as text; ignored for GET and HEAD. */
  readonly body?: string;
}

/** What the service answered, bounded and safe to show as plain text. */
export interface CallResponse {
  readonly status: number;
  readonly statusText: string;
  /** Milliseconds from sending to the end of the (bounded) body read. */
  readonly elapsedMs: number;
  /** The response headers that matter for diagnosis, lower-cased names (see {@link SHOWN_HEADERS}). */
  readonly headers: Readonly<Record<string, string>>;
  /** The first part of the body decoded as UTF-8 (never rendered as HTML). */
  readonly bodyStart: string;
  /** Bytes read from the body (at most the limit). */
  readonly bodyBytesRead: number;
  /** True when the body was longer than the limit and the read was stopped. */
  readonly bodyTruncated: boolean;
}

/** Response headers Call Service shows and the rules read. */
export const SHOWN_HEADERS = [
  'www-authenticate',
  'content-type',
  'content-length',
  'server',
  'location',
  'x-goog-iap-generated-response',
  'retry-after',
] as const;

export type Severity = 'error' | 'warning' | 'info' | 'ok';

/** Which rule produced a finding (one small rule per cause; see rules.ts). */
export type RuleId =
  | 'token-kind'
  | 'issuer'
  | 'audience'
  | 'time'
  | 'iap-email'
  | 'header-form'
  | 'challenge'
  | 'redirect'
  | 'permission'
  | 'outcome';

/** One diagnosis finding: what is wrong (or right), the evidence, and the fix. */
export interface Finding {
  readonly rule: RuleId;
  readonly severity: Severity;
  readonly title: string;
  /** What in the token or the response shows it. */
  readonly evidence: string;
  /** What to do. */
  readonly fix: string;
  /** A command to copy (never run by the extension), e.g. `gcloud run services add-iam-policy-binding …`. */
  readonly command?: string;
}

/** Everything a diagnosis needs; `response` is absent for the offline "Check against a URL…". */
export interface DiagnosisInput {
  /** The credential as sent (a JWT, or whatever the user had). */
  readonly token: string;
  readonly url: string;
  /** Forces the service kind; otherwise it is guessed from the URL and the response. */
  readonly kind?: ServiceKind;
  /** Cloud Run custom audiences the service also accepts. */
  readonly customAudiences?: readonly string[];
  /** The IAP OAuth client id, when known. */
  readonly iapClientId?: string;
  readonly headerForm?: HeaderForm;
  /** Seconds since the epoch. */
  readonly nowSeconds: number;
  readonly clockSkewSeconds: number;
  readonly response?: CallResponse;
  /**
   * Set when a request was sent and no answer came back (refused, DNS, TLS, timeout, proxy,
   * cancelled): the error code and the sender's message. Such a call never ends "no problem".
   */
  readonly noAnswer?: { readonly code: string; readonly message: string };
}
