/**
 * Diagnosis rules: one small function per cause of a 401/403, each returning its findings.
 * Facts about the real front ends are cited beside the rule that relies on them.
 */
import type { Decoded } from '../jwt/decode';
import { serviceCoordinates } from './target';
import type { DiagnosisInput, Finding, ServiceKind } from './types';
import { BEARER_ERRORS, parseWwwAuthenticate } from './wwwAuthenticate';

/** What every rule sees: the input, the decoded token and the service kind. */
export interface RuleContext {
  readonly input: DiagnosisInput;
  readonly url: URL;
  readonly kind: ServiceKind;
  /** Undefined when the token is not a decodable JWS. */
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly decoded: Decoded;
  /** Errors the token rules found (set before the response rules run). */
  readonly tokenFaults: number;
}

export type Rule = (ctx: RuleContext) => Finding[];

/** gcloud's own OAuth client: `aud` of `gcloud auth print-identity-token` for a user account. */
export const GCLOUD_CLIENT_ID = '32555940559.apps.googleusercontent.com';
const GOOGLE_ISSUERS = new Set(['https://accounts.google.com', 'accounts.google.com']);
const GOOGLE_KINDS = new Set<ServiceKind>(['cloud-run', 'cloud-functions', 'iap']);
const OAUTH_CLIENT_ID = /^[0-9a-z-]+\.apps\.googleusercontent\.com$/;

const KIND_LABEL: Record<ServiceKind, string> = {
  'cloud-run': 'Cloud Run',
  'cloud-functions': 'Cloud Functions',
  iap: 'IAP',
  'oidc-api': 'this API',
};

function str(
  claims: Readonly<Record<string, unknown>> | undefined,
  name: string,
): string | undefined {
  const value = claims?.[name];
  return typeof value === 'string' ? value : undefined;
}

function audiences(claims: Readonly<Record<string, unknown>> | undefined): string[] {
  const aud = claims?.['aud'];
  if (typeof aud === 'string') return [aud];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
}

/** `aaaa…zzzz`: enough of a credential to recognise it, never the whole of it. */
function glimpse(token: string): string {
  return token.length <= 12
    ? `${token.length} characters`
    : `${token.slice(0, 5)}…${token.slice(-3)}`;
}

function tokenHint(kind: ServiceKind): string {
  return kind === 'iap'
    ? 'Get an ID token whose audience is the IAP OAuth client id (Get ID Token → audience preset "IAP OAuth client id").'
    : kind === 'oidc-api'
      ? 'Get an ID token (a JWT) with the audience this API expects.'
      : `Get an ID token whose audience is the service URL (Get ID Token, or \`gcloud auth print-identity-token --audiences=${'URL'}\`).`;
}

/**
 * Wrong kind of token: an OAuth access token (`ya29.` from Google), an opaque string, an
 * encrypted JWE, or a JWT that declares itself an access token (`typ: at+jwt`, RFC 9068).
 * Cloud Run and IAP take only Google-signed ID tokens (cloud.google.com/run/docs/authenticating/
 * service-to-service; IAP answers "Invalid IAP credentials: Base64 decode failed on token: ya29…",
 * googleapis/google-auth-library-nodejs issue #792).
 */
export const tokenKindRule: Rule = ({ input, kind, decoded, url }) => {
  const token = input.token.trim();
  const fix = tokenHint(kind).replace('URL', url.origin);
  if (/^ya29\./.test(token)) {
    return [
      {
        rule: 'token-kind',
        severity: 'error',
        title: 'This is an OAuth access token, not an ID token',
        evidence: `The credential starts with "ya29.", Google's prefix for OAuth 2.0 access tokens (what \`gcloud auth print-access-token\` prints). ${KIND_LABEL[kind]} needs an OIDC ID token: a JWT signed by Google whose aud names the service.`,
        fix,
      },
    ];
  }
  if (decoded.kind === 'jwe') {
    return [
      {
        rule: 'token-kind',
        severity: 'error',
        title: 'This is an encrypted token (JWE)',
        evidence:
          'It has five parts: only its intended recipient can read it, and no front end verifies it as an ID token.',
        fix,
      },
    ];
  }
  if (!decoded.payload || decoded.problems.length > 0) {
    return [
      {
        rule: 'token-kind',
        severity: 'error',
        title: 'This is not a JWT',
        evidence: `The credential (${glimpse(token)}) does not decode as header.payload.signature${decoded.problems[0] ? `: ${decoded.problems[0].message}` : ''}. An opaque string (an API key, a session id, an access token) cannot be checked by ${KIND_LABEL[kind]}.`,
        fix,
      },
    ];
  }
  const typ = str(decoded.header, 'typ')?.toLowerCase();
  if (typ === 'at+jwt' || typ === 'application/at+jwt' || decoded.payload['scp'] !== undefined) {
    return [
      {
        rule: 'token-kind',
        severity: kind === 'oidc-api' ? 'warning' : 'error',
        title: 'This JWT is an access token',
        evidence:
          typ === 'at+jwt' || typ === 'application/at+jwt'
            ? `Its header says typ "${str(decoded.header, 'typ') ?? ''}" (RFC 9068 access token).`
            : 'It carries an "scp" (scopes) claim, as access tokens do.',
        fix,
      },
    ];
  }
  return [];
};

/** Cloud Run, Cloud Functions and IAP accept only tokens Google signed (`iss` accounts.google.com). */
export const issuerRule: Rule = ({ kind, claims }) => {
  if (!claims || !GOOGLE_KINDS.has(kind)) return [];
  const iss = str(claims, 'iss');
  if (iss !== undefined && GOOGLE_ISSUERS.has(iss)) return [];
  return [
    {
      rule: 'issuer',
      severity: 'error',
      title: `${KIND_LABEL[kind]} accepts only Google-signed ID tokens`,
      evidence: `The issuer is ${iss === undefined ? 'missing' : `"${iss}"`}; ${KIND_LABEL[kind]} verifies tokens against https://accounts.google.com only.`,
      fix: 'Mint the token from a Google identity (service account or user), e.g. with a google-* account in the tree.',
    },
  ];
};

/** The audiences a Cloud Run service accepts: its URL (with or without "/") and custom audiences. */
function cloudRunAudiences(url: URL, custom: readonly string[]): string[] {
  return [url.origin, `${url.origin}/`, ...custom];
}

/**
 * Wrong `aud`. Cloud Run / Cloud Functions: the service URL or a custom audience
 * (cloud.google.com/run/docs/configuring/custom-audiences), and for developers also gcloud's user
 * token (cloud.google.com/run/docs/authenticating/developers). IAP: its OAuth client id ("Invalid
 * IAP credentials: JWT audience doesn't match this application", GoogleCloudPlatform/
 * professional-services issue #603). A plain API: the URL, or whatever it documents.
 */
export const audienceRule: Rule = ({ input, url, kind, claims }) => {
  if (!claims) return [];
  const auds = audiences(claims);
  const shown = auds.length === 0 ? 'missing' : auds.map((a) => `"${a}"`).join(', ');
  const custom = input.customAudiences ?? [];
  if (auds.length === 0) {
    return [
      {
        rule: 'audience',
        severity: 'error',
        title: 'The token has no audience',
        evidence: 'There is no aud claim, so no service can accept it as meant for itself.',
        fix: tokenHint(kind).replace('URL', url.origin),
      },
    ];
  }
  if (kind === 'iap') {
    const expected = input.iapClientId;
    if (expected !== undefined) {
      if (auds.includes(expected)) return [];
      return [
        {
          rule: 'audience',
          severity: 'error',
          title: "Wrong audience: not this IAP application's OAuth client id",
          evidence: `aud is ${shown}; IAP expects "${expected}".`,
          fix: `Get an ID token with audience ${expected}.`,
        },
      ];
    }
    if (auds.includes(GCLOUD_CLIENT_ID)) {
      return [gcloudUserToken('error', 'IAP rejects it: it expects its own OAuth client id.')];
    }
    if (auds.some((a) => OAUTH_CLIENT_ID.test(a))) return [];
    return [
      {
        rule: 'audience',
        severity: 'error',
        title: 'Wrong audience for IAP',
        evidence: `aud is ${shown}; IAP expects the OAuth client id of the IAP application (NNN-xxxx.apps.googleusercontent.com), not a URL.`,
        fix: 'Find the client id under Security → Identity-Aware Proxy → (resource) → Edit OAuth client, and mint a token for it.',
      },
    ];
  }
  if (kind === 'cloud-run' || kind === 'cloud-functions') {
    const accepted = cloudRunAudiences(url, custom);
    if (auds.some((a) => accepted.includes(a))) return [];
    if (auds.includes(GCLOUD_CLIENT_ID)) {
      return [
        gcloudUserToken(
          'info',
          `${KIND_LABEL[kind]} accepts it from developers for testing, but a service account's token must name the service URL.`,
        ),
      ];
    }
    const withPath = auds.find(
      (a) => a.startsWith(`${url.origin}/`) && a.length > url.origin.length + 1,
    );
    return [
      {
        rule: 'audience',
        severity: 'error',
        title: `Wrong audience: not this ${KIND_LABEL[kind]} service`,
        evidence: withPath
          ? `aud is "${withPath}", the URL with a path; ${KIND_LABEL[kind]} expects the service's root URL "${url.origin}"${custom.length ? ` or a custom audience (${custom.join(', ')})` : ''}.`
          : `aud is ${shown}; ${KIND_LABEL[kind]} expects "${url.origin}"${custom.length ? ` or a custom audience (${custom.join(', ')})` : ' or one of the custom audiences configured on the service'}.`,
        fix: `Get an ID token with audience ${url.origin}, or add the audience to the service: gcloud run services update SERVICE --add-custom-audiences=AUDIENCE.`,
      },
    ];
  }
  // A plain OIDC API: the convention is the URL; anything else may still be what it documents.
  const url0 = `${url.origin}${url.pathname}`;
  if (
    auds.some((a) => a === url.origin || a === `${url.origin}/` || a === url0 || custom.includes(a))
  ) {
    return [];
  }
  if (auds.includes(GCLOUD_CLIENT_ID)) {
    return [
      gcloudUserToken(
        'warning',
        "Your API accepts it only if it was configured for gcloud's client id.",
      ),
    ];
  }
  return [
    {
      rule: 'audience',
      severity: 'warning',
      title: 'The audience is not this URL',
      evidence: `aud is ${shown}, not "${url.origin}". Fine if the API documents that audience; otherwise it will answer 401.`,
      fix: `Check which audience the API expects (its configuration or docs) and mint a token for it, e.g. ${url.origin}.`,
    },
  ];
};

function gcloudUserToken(severity: Finding['severity'], consequence: string): Finding {
  return {
    rule: 'audience',
    severity,
    title: "A user token for gcloud's own OAuth client",
    evidence: `aud is "${GCLOUD_CLIENT_ID}", the client id of gcloud itself: this is \`gcloud auth print-identity-token\` for a user account, without an audience. ${consequence}`,
    fix: 'Use a service account (impersonation: `gcloud auth print-identity-token --impersonate-service-account=SA --audiences=AUDIENCE --include-email`, or a google-impersonation account here) with the audience the service expects.',
  };
}

/** Expired, not yet valid, or issued in the future (a clock that is off), beyond the allowed skew. */
export const timeRule: Rule = ({ input, claims }) => {
  if (!claims) return [];
  const now = input.nowSeconds;
  const skew = input.clockSkewSeconds;
  const num = (name: string) => {
    const v = claims[name];
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  const exp = num('exp');
  const nbf = num('nbf');
  const iat = num('iat');
  const ago = (s: number) => formatDuration(Math.abs(s));
  const findings: Finding[] = [];
  if (exp === undefined) {
    findings.push({
      rule: 'time',
      severity: 'warning',
      title: 'The token has no expiry',
      evidence: 'There is no exp claim; Google front ends and most libraries reject such tokens.',
      fix: 'Mint a token from an issuer that sets exp.',
    });
  } else if (exp <= now - skew) {
    findings.push({
      rule: 'time',
      severity: 'error',
      title: 'The token has expired',
      evidence: `exp was ${new Date(exp * 1000).toISOString()}, ${ago(now - exp)} ago (allowed skew ${skew} s).`,
      fix: 'Get a fresh token (Refresh Token on the tree row, or Get ID Token).',
    });
  }
  if (nbf !== undefined && nbf > now + skew) {
    findings.push({
      rule: 'time',
      severity: 'error',
      title: 'The token is not valid yet',
      evidence: `nbf is ${new Date(nbf * 1000).toISOString()}, ${ago(nbf - now)} from now by this machine's clock.`,
      fix: "Wait, or check the clocks: this machine's and the issuer's must agree within a minute.",
    });
  }
  if (iat !== undefined && iat > now + skew) {
    findings.push({
      rule: 'time',
      severity: 'warning',
      title: 'A clock is off',
      evidence: `iat is ${ago(iat - now)} in the future by this machine's clock: either this clock is behind or the issuer's is ahead.`,
      fix: 'Sync this machine\'s clock (NTP); services reject tokens issued "in the future" beyond a small leeway.',
    });
  }
  return findings;
};

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}

/**
 * IAP needs `email`: a token without it fails with "Invalid IAP credentials: JWT 'email' claim
 * isn't a string" (googleapis/google-auth-library-nodejs issue #792). The metadata server omits
 * it unless `format=full`; generateIdToken unless `includeEmail: true`.
 */
export const iapEmailRule: Rule = ({ kind, claims }) => {
  if (kind !== 'iap' || !claims || typeof claims['email'] === 'string') return [];
  return [
    {
      rule: 'iap-email',
      severity: 'error',
      title: 'IAP needs the email claim',
      evidence:
        'The token has no email claim; IAP identifies the caller by it and rejects the token.',
      fix: 'Mint with the email included: gcloud `--include-email`, generateIdToken `includeEmail: true`, the metadata server `format=full`.',
    },
  ];
};

/** A header form that only one front end reads. */
export const headerFormRule: Rule = ({ input, kind }) => {
  const form = input.headerForm;
  if (form === 'x-serverless-authorization' && kind !== 'cloud-run' && kind !== 'cloud-functions') {
    return [
      {
        rule: 'header-form',
        severity: 'warning',
        title: 'X-Serverless-Authorization is read only by Cloud Run',
        evidence: `The token went in X-Serverless-Authorization, which ${KIND_LABEL[kind]} does not read.`,
        fix: 'Send it as Authorization: Bearer.',
      },
    ];
  }
  if (form === 'proxy-authorization' && kind !== 'iap') {
    return [
      {
        rule: 'header-form',
        severity: 'warning',
        title: 'Proxy-Authorization is read by IAP, not by this service',
        evidence: `The token went in Proxy-Authorization; ${KIND_LABEL[kind]} reads Authorization.`,
        fix: 'Send it as Authorization: Bearer.',
      },
    ];
  }
  return [];
};

/** What the WWW-Authenticate challenge says (RFC 6750 §3: error, error_description, scope). */
export const challengeRule: Rule = ({ input }) => {
  const header = input.response?.headers['www-authenticate'];
  if (!header) return [];
  const challenges = parseWwwAuthenticate(header);
  const bearer = challenges.find((c) => c.scheme.toLowerCase() === 'bearer');
  if (!bearer) {
    return [
      {
        rule: 'challenge',
        severity: 'info',
        title: `The service asks for ${challenges.map((c) => c.scheme).join(', ') || 'an unknown scheme'}`,
        evidence: `WWW-Authenticate: ${header.slice(0, 300)}`,
        fix: 'It does not offer Bearer: check that this URL takes tokens at all.',
      },
    ];
  }
  const { error, error_description: description, scope, realm } = bearer.params;
  if (!error) {
    // RFC 6750 §3.1: without any authentication in the request, the server should not send an error code.
    return [
      {
        rule: 'challenge',
        severity: input.response && input.response.status === 401 ? 'warning' : 'info',
        title: 'The service saw no token',
        evidence: `WWW-Authenticate: ${header.slice(0, 300)} (a Bearer challenge without an error code: RFC 6750 §3.1 says servers omit it when the request had no credentials).`,
        fix: `Check the header it expects${realm ? ` (realm "${realm}")` : ''}: most take Authorization: Bearer; a proxy in between may drop it.`,
      },
    ];
  }
  const meaning = BEARER_ERRORS[error] ?? 'a non-standard error code';
  return [
    {
      rule: 'challenge',
      severity: 'error',
      title: `The service says ${error}${description ? `: ${description}` : ''}`,
      evidence: `WWW-Authenticate: ${header.slice(0, 300)}. "${error}" means ${meaning} (RFC 6750 §3.1).`,
      fix:
        error === 'insufficient_scope'
          ? `Get a token with the scope it asks for${scope ? ` ("${scope}")` : ''}.`
          : 'See the other findings for which claim is wrong; get a fresh token with the right audience.',
    },
  ];
};

/**
 * Redirects are shown, never followed. IAP sends browsers without a valid credential to the
 * Google sign-in page (a 302 to accounts.google.com).
 */
export const redirectRule: Rule = ({ input, url }) => {
  const response = input.response;
  if (!response || response.status < 300 || response.status > 399) return [];
  const location = response.headers['location'];
  let target: URL | undefined;
  try {
    target = location ? new URL(location, url) : undefined;
  } catch {
    target = undefined;
  }
  const other = target !== undefined && target.origin !== url.origin;
  const signIn = target?.hostname === 'accounts.google.com';
  return [
    {
      rule: 'redirect',
      severity: signIn ? 'error' : 'info',
      title: signIn
        ? 'Redirected to the Google sign-in page'
        : `Redirected${other ? ' to another origin' : ''} (not followed)`,
      evidence: `HTTP ${response.status} Location: ${location ?? '(none)'}${other ? `; following it would have sent the token to ${target?.origin ?? ''}` : ''}.`,
      fix: signIn
        ? 'IAP did not accept a credential and treated the call as a browser visit: send an ID token for the IAP client id, with email.'
        : 'Call the redirect target directly if you trust it.',
    },
  ];
};

/** `serviceAccount:EMAIL` or `user:EMAIL`, as IAM policy members are written. */
function member(email: string | undefined): string {
  if (!email) return 'serviceAccount:SA_EMAIL';
  return /\.gserviceaccount\.com$/i.test(email) ? `serviceAccount:${email}` : `user:${email}`;
}

/** The invoker role and the gcloud command that grants it, per front end. */
export function grantCommand(
  kind: ServiceKind,
  url: URL,
  email: string | undefined,
): { role: string; resource: string; command?: string } {
  const who = member(email);
  const at = serviceCoordinates(url);
  if (kind === 'iap') {
    return {
      role: 'roles/iap.httpsResourceAccessor',
      resource: 'the IAP-secured backend service or App Engine app',
      command: `gcloud iap web add-iam-policy-binding --resource-type=backend-services --service=BACKEND_SERVICE --member='${who}' --role='roles/iap.httpsResourceAccessor'`,
    };
  }
  if (kind === 'cloud-functions') {
    return {
      role: 'roles/cloudfunctions.invoker',
      resource: `function ${at.service ?? 'FUNCTION'}`,
      command: `gcloud functions add-iam-policy-binding ${at.service ?? 'FUNCTION'} --region=${at.region ?? 'REGION'}${at.project ? ` --project=${at.project}` : ''} --member='${who}' --role='roles/cloudfunctions.invoker'`,
    };
  }
  if (kind === 'cloud-run') {
    return {
      role: 'roles/run.invoker',
      resource: `Cloud Run service ${at.service ?? 'SERVICE'}`,
      command: `gcloud run services add-iam-policy-binding ${at.service ?? 'SERVICE'} --region=${at.region ?? 'REGION'} --member='${who}' --role='roles/run.invoker'`,
    };
  }
  return { role: "the API's own permission", resource: url.origin };
}

/**
 * A 403 for a token no other rule faults: the principal lacks the invoker role. Cloud Run answers
 * 403 "Your client does not have permission to get URL / from this server" (datacommonsorg/docsite
 * PR #463; cloud.google.com/run/docs/troubleshooting).
 */
export const permissionRule: Rule = ({ input, kind, url, claims, tokenFaults }) => {
  const response = input.response;
  if (!response || response.status !== 403 || tokenFaults > 0 || !claims) return [];
  const email = str(claims, 'email');
  const principal = email ?? str(claims, 'sub');
  const grant = grantCommand(kind, url, email);
  if (kind === 'oidc-api') {
    return [
      {
        rule: 'permission',
        severity: 'error',
        title: 'The token is fine; the API refused this principal',
        evidence: `HTTP 403 with a token that passes every check here (principal ${principal ?? 'unknown'}).`,
        fix: "Ask the API's owner to authorize this principal (role, group, allow-list).",
      },
    ];
  }
  return [
    {
      rule: 'permission',
      severity: 'error',
      title: `The principal lacks ${grant.role}`,
      evidence: `HTTP 403 from ${KIND_LABEL[kind]} with a valid token for ${principal ?? 'an unknown principal'}: authentication passed, authorization failed. It needs ${grant.role} on ${grant.resource}.${email ? '' : ' The token has no email claim, so the member below is a placeholder.'}`,
      fix: `Ask someone who administers the ${grant.resource} to grant ${grant.role} (the command below; Token Explorer never runs it).`,
      ...(grant.command ? { command: grant.command } : {}),
    },
  ];
};

/** The overall outcome: accepted, or rejected for a reason none of the rules found. */
export const outcomeRule: Rule = ({ input, kind, tokenFaults }) => {
  const response = input.response;
  if (!response) return [];
  if (response.status >= 200 && response.status < 300) {
    return [
      {
        rule: 'outcome',
        severity: 'ok',
        title: `Accepted: HTTP ${response.status}`,
        evidence: `${KIND_LABEL[kind]} accepted the token.`,
        fix: 'Nothing to fix.',
      },
    ];
  }
  if (response.status === 401 && tokenFaults === 0) {
    return [
      {
        rule: 'outcome',
        severity: 'error',
        title: 'Rejected (401) for a reason the token does not show',
        evidence: `The token passes every check here, yet ${KIND_LABEL[kind]} answered 401: ${response.bodyStart.slice(0, 200) || 'no body'}.`,
        fix: 'Check the signature in the inspector (a token signed by an issuer the service does not trust), and whether the service expects another header.',
      },
    ];
  }
  return [];
};
