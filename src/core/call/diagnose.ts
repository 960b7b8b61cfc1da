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
  const findings = [...tokenFindings, ...responseFindings].sort(
    (a, b) => ORDER[a.severity] - ORDER[b.severity],
  );
  if (findings.length === 0 && !input.response) {
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
