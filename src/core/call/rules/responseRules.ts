/** Rules about the request and the service's answer: header form, challenge, redirect, permission. */
import type { Rule } from './context';
import { KIND_LABEL, str } from './context';
import { serviceCoordinates } from '../target';
import type { ServiceKind } from '../types';
import { BEARER_ERRORS, parseWwwAuthenticate } from '../wwwAuthenticate';

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
