import type { CallResponse, Finding, HeaderForm, ServiceKind } from '../core/call/types';
import type { Inspection } from '../core/jwt/types';
import type { TrustReport } from '../core/trust/types';
import type { AudienceCheck, VerifyOutcome } from '../core/jwt/verifyTypes';

/** Verification as the panel shows it: a finished outcome or a check in flight. */
export type VerificationView =
  VerifyOutcome | { readonly status: 'pending'; readonly detail: string };

/** What the panel needs to render one token. */
export interface InspectorState {
  /** Opaque reference the webview persists (see PersistedWebviewState). */
  readonly ref: string;
  readonly inspection: Inspection;
  readonly verification: VerificationView;
  readonly audience: AudienceCheck;
  /** Allowed clock skew in seconds for the valid / expired / not-yet-valid status. */
  readonly clockSkewSeconds: number;
  /** Masked mode: the raw token shows only its first and last characters until revealed. */
  readonly masked: boolean;
  /** The last Call Service result or offline check for this token, if any. */
  readonly call?: CallView;
}

/** A Call Service result (or an offline "Check against a URL…") as the panel shows it. */
export interface CallView {
  readonly method: string;
  readonly url: string;
  readonly headerForm: HeaderForm;
  readonly kind: ServiceKind;
  /** Absent for the offline check and when the call failed. */
  readonly response?: CallResponse;
  /** Why the call failed (unreachable, TLS, timeout…), in words. */
  readonly error?: string;
  readonly findings: readonly Finding[];
}

/** Messages from the extension host to the inspector webview. */
export type HostToWebview =
  | { readonly type: 'show'; readonly state: InspectorState }
  | {
      readonly type: 'verification';
      readonly token: string;
      readonly verification: VerificationView;
      readonly audience: AudienceCheck;
    }
  | { readonly type: 'empty'; readonly message: string }
  | { readonly type: 'call'; readonly token: string; readonly call: CallView }
  | { readonly type: 'masked'; readonly masked: boolean }
  | TrustMessage;

/** The result of "Would this trust accept it?" for the token shown: a report or why there is none. */
export type TrustMessage =
  | { readonly type: 'trust'; readonly token: string; readonly report: TrustReport }
  | { readonly type: 'trust'; readonly token: string; readonly error: string };

/** Which text a copy button puts on the clipboard. */
export type CopyTarget = 'token' | 'bearer' | 'header-json' | 'payload-json';

/** Messages from the inspector webview to the extension host. */
export type WebviewToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'copy'; readonly target: CopyTarget }
  | { readonly type: 'verifyWithKey' }
  | { readonly type: 'verifyWithIssuer' }
  | { readonly type: 'checkTrust' }
  | { readonly type: 'inspectAnother' }
  | { readonly type: 'callService' }
  | { readonly type: 'checkAgainstUrl' }
  | { readonly type: 'copyAs' }
  /** Copies the command of the shown finding at this index (a gcloud grant, never run). */
  | { readonly type: 'copyFindingCommand'; readonly index: number }
  | {
      /**
       * Sent after each render so tests and the host know what the user sees. It names the
       * shown state by its `ref`, never by the token: tokens travel to the webview only.
       */
      readonly type: 'rendered';
      readonly ref: string;
      readonly claimNames: readonly string[];
      readonly countdown: string;
    };

/**
 * State persisted by the webview so the panel restores after a window reload. It holds no token:
 * the host keeps the inspected token in SecretStorage and finds it again by this reference.
 */
export interface PersistedWebviewState {
  readonly ref: string;
}
