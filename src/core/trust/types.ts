/** Which kind of trust definition a text is. */
export type TrustKind =
  | 'aws-iam-role'
  | 'gcp-workload-identity-provider'
  | 'entra-federated-credential'
  | 'vault-jwt-role'
  | 'github-sub-template'
  | 'gitlab-sub-template';

/**
 * The result of one rule: `pass` and `fail` are definite; `unknown` means the rule depends on
 * something the token does not carry (the caller's IP, a session name) or on an expression outside
 * what we evaluate, and says so in `message`.
 */
export type FindingOutcome = 'pass' | 'fail' | 'unknown' | 'info';

/** One checked field, with what the trust expects and what the token has. */
export interface TrustFinding {
  /** The field of the trust definition, as the user wrote it (e.g. `Condition.StringLike["…:sub"]`). */
  readonly field: string;
  readonly outcome: FindingOutcome;
  readonly expected?: string;
  readonly actual?: string;
  /** What it means, written for the user; names the claim and what to change. */
  readonly message: string;
}

/** A group of findings, e.g. one policy statement or one federated credential. */
export interface TrustSection {
  readonly title: string;
  readonly findings: readonly TrustFinding[];
}

/** Overall answer: would the trust accept this token? */
export type TrustVerdict = 'accepted' | 'rejected' | 'undetermined';

/** What "Would this trust accept it?" shows. */
export interface TrustReport {
  readonly kind: TrustKind;
  /** Human name of the kind, e.g. "AWS IAM role trust policy". */
  readonly label: string;
  readonly verdict: TrustVerdict;
  /** One sentence: the first failing field, or why it is accepted. */
  readonly summary: string;
  readonly sections: readonly TrustSection[];
  /** The documentation the rules follow (URLs). */
  readonly sources: readonly string[];
}

/** The token as the evaluators see it: its claims and the time of the check. */
export interface TrustInput {
  readonly claims: Readonly<Record<string, unknown>>;
  /** Seconds since the epoch. */
  readonly now: number;
}

/** Renders a claim value for the expected/actual columns. */
export function show(value: unknown): string {
  if (value === undefined) return '(absent)';
  if (typeof value === 'string') return JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/** A finding helper: pass when `ok`, else fail. */
export function finding(
  field: string,
  ok: boolean,
  expected: string,
  actual: string,
  okMessage: string,
  failMessage: string,
): TrustFinding {
  return ok
    ? { field, outcome: 'pass', expected, actual, message: okMessage }
    : { field, outcome: 'fail', expected, actual, message: failMessage };
}

/** The verdict of a list of findings: any fail rejects, else any unknown leaves it open. */
export function verdictOf(findings: readonly TrustFinding[]): TrustVerdict {
  if (findings.some((f) => f.outcome === 'fail')) return 'rejected';
  if (findings.some((f) => f.outcome === 'unknown')) return 'undetermined';
  return 'accepted';
}

/** The first finding with this outcome, for a one-line summary. */
export function firstWith(
  sections: readonly TrustSection[],
  outcome: FindingOutcome,
): TrustFinding | undefined {
  for (const section of sections) {
    const hit = section.findings.find((f) => f.outcome === outcome);
    if (hit) return hit;
  }
  return undefined;
}

/**
 * The report of one acceptor's rules: the verdict of all its findings, and a summary that is
 * `accepted` or names the first failing (else undecided) finding.
 */
export function reportOf(
  about: Pick<TrustReport, 'kind' | 'label' | 'sources'>,
  sections: readonly TrustSection[],
  accepted: string,
): TrustReport {
  const verdict = verdictOf(sections.flatMap((s) => s.findings));
  const fail = firstWith(sections, verdict === 'rejected' ? 'fail' : 'unknown');
  return {
    kind: about.kind,
    label: about.label,
    verdict,
    summary: verdict === 'accepted' ? accepted : `${fail?.field ?? ''}: ${fail?.message ?? ''}`,
    sections,
    sources: about.sources,
  };
}

/** Claim `aud` as a list (RFC 7519 §4.1.3: a string or an array of strings). */
export function audiences(claims: Readonly<Record<string, unknown>>): string[] {
  const aud = claims['aud'];
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === 'string');
  return [];
}

/** A finding on `exp` / `nbf` with the acceptor's documented leeway in seconds. */
export function timeFinding(
  input: TrustInput,
  leewaySeconds: number,
  source: string,
): TrustFinding {
  const { exp, nbf } = input.claims;
  const leeway = `${leewaySeconds} s leeway (${source})`;
  if (typeof exp === 'number' && input.now > exp + leewaySeconds) {
    return {
      field: 'exp',
      outcome: 'fail',
      expected: `later than now − ${leeway}`,
      actual: new Date(exp * 1000).toISOString(),
      message: 'The token has expired: get a fresh one.',
    };
  }
  if (typeof nbf === 'number' && input.now + leewaySeconds < nbf) {
    return {
      field: 'nbf',
      outcome: 'fail',
      expected: `not later than now + ${leeway}`,
      actual: new Date(nbf * 1000).toISOString(),
      message: 'The token is not valid yet (check the clock of the machine that minted it).',
    };
  }
  return {
    field: 'exp',
    outcome: 'pass',
    expected: `not expired, ${leeway}`,
    actual: typeof exp === 'number' ? new Date(exp * 1000).toISOString() : '(absent)',
    message: 'The token is within its lifetime.',
  };
}

export { isRecord } from '../guards';
