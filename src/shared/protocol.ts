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
