/** Rules about the token itself: its kind, issuer, audience, lifetime and claims. */
import type { Rule } from './context';
import {
  GCLOUD_CLIENT_ID,
  GOOGLE_ISSUERS,
  GOOGLE_KINDS,
  KIND_LABEL,
  OAUTH_CLIENT_ID,
  audiences,
  glimpse,
  str,
  tokenHint,
} from './context';
import { recogniseCredential } from '../../jwt/credentialKind';
import { formatDuration, readTimes } from '../../jwt/time';
import type { Finding } from '../types';

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
  const known = recogniseCredential(token.replace(/^bearer\s+/i, ''));
  if (known) {
    return [
      {
        rule: 'token-kind',
        severity: 'error',
        title: `This is ${known.what}, not an ID token`,
        evidence: `Recognised by ${known.clue}${/^ya29\./.test(token) ? ' (what `gcloud auth print-access-token` prints)' : ''}. ${KIND_LABEL[kind]} needs an OIDC ID token: a JWT signed by ${GOOGLE_KINDS.has(kind) ? 'Google' : 'its issuer'} whose aud names the service.`,
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

/** A NumericDate as ISO-8601, or the number itself when it is beyond the range of dates. */
function isoTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isFinite(date.getTime()) ? date.toISOString() : `${seconds} (beyond any date)`;
}

/**
 * Expired, not yet valid, or issued in the future (a clock that is off), beyond the allowed skew.
 * The claims are read as the inspector reads them ({@link readTimes}): an exp that is there but no
 * usable NumericDate is "unreadable", never "no expiry".
 */
export const timeRule: Rule = ({ input, claims }) => {
  if (!claims) return [];
  const now = input.nowSeconds;
  const skew = input.clockSkewSeconds;
  const { exp, nbf, iat, expUnreadable } = readTimes(claims).times;
  const ago = (s: number) => formatDuration(Math.abs(s));
  const findings: Finding[] = [];
  if (exp !== undefined && exp <= now - skew) {
    findings.push({
      rule: 'time',
      severity: 'error',
      title: 'The token has expired',
      evidence: `exp was ${isoTime(exp)}, ${ago(now - exp)} ago (allowed skew ${skew} s).`,
      fix: 'Get a fresh token (Refresh ID Token on the tree row, or Get ID Token).',
    });
  } else if (expUnreadable !== undefined) {
    findings.push({
      rule: 'time',
      severity: 'error',
      title: 'The expiry is unreadable',
      evidence: `exp: ${expUnreadable}. Strict verifiers (jose, google-auth-library) reject such a token.`,
      fix: 'Mint a token whose exp is a JSON number of seconds since 1970.',
    });
  } else if (exp === undefined) {
    findings.push({
      rule: 'time',
      severity: 'warning',
      title: 'The token has no expiry',
      evidence: 'There is no exp claim; Google front ends and most libraries reject such tokens.',
      fix: 'Mint a token from an issuer that sets exp.',
    });
  }
  if (nbf !== undefined && nbf > now + skew) {
    findings.push({
      rule: 'time',
      severity: 'error',
      title: 'The token is not valid yet',
      evidence: `nbf is ${isoTime(nbf)}, ${ago(nbf - now)} from now by this machine's clock.`,
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
