import { decodeCompact } from '../jwt/decode';
import {
  audienceRule,
  challengeRule,
  headerFormRule,
  iapEmailRule,
  issuerRule,
  outcomeRule,
  permissionRule,
  redirectRule,
  timeRule,
  tokenKindRule,
} from './rules';
import type { Rule, RuleContext } from './rules';
import { detectServiceKind, parseServiceUrl } from './target';
import type { DiagnosisInput, Finding, ServiceKind, Severity } from './types';

/** Rules about the token itself: they run offline too ("Check against a URL…"). */
const TOKEN_RULES: readonly Rule[] = [
  tokenKindRule,
  issuerRule,
  audienceRule,
  timeRule,
  iapEmailRule,
  headerFormRule,
];
/** Rules that read the response; they know how many faults the token rules found. */
const RESPONSE_RULES: readonly Rule[] = [challengeRule, redirectRule, permissionRule, outcomeRule];

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2, ok: 3 };

/**
 * What to check when a request got no answer, by the sender's error code (src/core/call/send.ts):
 * `timeout`, `cancelled`, and `network` for refused, unresolved, reset, unreachable and TLS.
 */
function noAnswerFinding(noAnswer: NonNullable<DiagnosisInput['noAnswer']>, url: URL): Finding {
  const where = url.origin;
  if (noAnswer.code === 'cancelled') {
    return {
      rule: 'outcome',
      severity: 'warning',
      title: 'The call was cancelled: the service was not checked',
      evidence: noAnswer.message,
      fix: 'Call the service again and let it answer.',
    };
  }
  const tls = /\bTLS\b|certificate/i.test(noAnswer.message);
  const fix =
    noAnswer.code === 'timeout'
      ? `Check that ${where} is the right URL and reachable from here (VPN, firewall, http.proxy); a service starting from zero can be slow: call again, or raise tokenExplorer.timeoutSeconds.`
      : tls
        ? `Check the scheme and the certificate of ${where}: http or https, and a certificate this machine trusts. The token was not sent.`
        : `Check the URL (host name, port, http or https), that the service is running at ${where}, and your network (DNS, VPN, http.proxy).`;
  return {
    rule: 'outcome',
    severity: 'error',
    title: noAnswer.code === 'timeout' ? 'No answer in time' : 'The service could not be reached',
    evidence: `${noAnswer.message} No answer came back, so neither the token nor the permission was checked by the service.`,
    fix,
  };
}

/** A diagnosis: the front end it assumed and the findings, most severe first. */
export interface Diagnosis {
  readonly kind: ServiceKind;
  readonly findings: readonly Finding[];
}

/**
 * Explains why a service would (offline) or did (with `input.response`) reject a token: one
 * finding per cause, each with evidence and a fix. Pure and synchronous; never throws for a bad
 * token (that is a finding), only for a URL that does not parse (TokenExplorerError `bad-config`).
 */
export function diagnose(input: DiagnosisInput): Diagnosis {
  const url = parseServiceUrl(input.url);
  const decoded = decodeCompact(input.token.trim());
  const claims =
    decoded.kind === 'jws' && decoded.problems.length === 0 ? decoded.payload : undefined;
  const aud = claims?.['aud'];
  const auds = (Array.isArray(aud) ? aud : [aud]).filter((a): a is string => typeof a === 'string');
  const kind = detectServiceKind(url, input.response, input.kind, auds);
  const base: RuleContext = {
    input,
    url,
    kind,
    decoded,
    tokenFaults: 0,
    ...(claims ? { claims } : {}),
  };
  const tokenFindings = TOKEN_RULES.flatMap((rule) => rule(base));
  const tokenFaults = tokenFindings.filter((f) => f.severity === 'error').length;
  const responseFindings = RESPONSE_RULES.flatMap((rule) => rule({ ...base, tokenFaults }));
  const unanswered = input.noAnswer ? [noAnswerFinding(input.noAnswer, url)] : [];
  const findings = [...unanswered, ...tokenFindings, ...responseFindings].sort(
    (a, b) => ORDER[a.severity] - ORDER[b.severity],
  );
  if (findings.length === 0 && !input.response && !input.noAnswer) {
    return {
      kind,
      findings: [
        {
          rule: 'outcome',
          severity: 'ok',
          title: 'No problem found',
          evidence: `Kind, issuer, audience, times${kind === 'iap' ? ' and email' : ''} look right for this URL. Permissions can only be seen by calling it.`,
          fix: 'Call the service to check the invoker permission.',
        },
      ],
    };
  }
  return { kind, findings };
}
