// Would a Google Cloud workload identity pool provider (OIDC) accept this token at STS?
// Fields, the default audience (the provider's full resource name with or without "https:"),
// the mapping keys, google.subject's 127-byte limit and the attribute condition:
//   https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools.providers
//   https://cloud.google.com/iam/docs/workload-identity-federation#mapping
//   https://cloud.google.com/iam/docs/workload-identity-federation#conditions
// CEL is evaluated in cel.ts.
import { GOOGLE_ALIAS, evaluateCel } from './cel';
import {
  type TrustFinding,
  type TrustInput,
  type TrustReport,
  type TrustSection,
  audiences,
  finding,
  isRecord,
  reportOf,
  show,
  timeFinding,
} from './types';

const SOURCES = [
  'https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools.providers',
  'https://cloud.google.com/iam/docs/workload-identity-federation#mapping',
  'https://cloud.google.com/iam/docs/workload-identity-federation#conditions',
];
const SUBJECT_MAX_BYTES = 127;
const PROVIDER_NAME =
  /^(?:\/\/iam\.googleapis\.com\/)?(projects\/([^/]+)\/locations\/[^/]+\/workloadIdentityPools\/[^/]+\/providers\/[^/]+)$/;

/** The provider resource as `gcloud … providers describe` (camelCase) or Terraform (snake_case) gives it. */
interface ProviderDefinition {
  readonly name?: string;
  readonly issuerUri?: string;
  readonly allowedAudiences: readonly string[];
  readonly attributeMapping?: Readonly<Record<string, unknown>>;
  readonly attributeCondition?: string;
  readonly disabled: boolean;
}

/** True when the document looks like a workload identity pool provider. */
export function looksLikeGcpProvider(doc: Record<string, unknown>): boolean {
  return (
    isRecord(doc['oidc']) ||
    'attributeMapping' in doc ||
    'attribute_mapping' in doc ||
    (typeof doc['name'] === 'string' && doc['name'].includes('/workloadIdentityPools/'))
  );
}

function read(doc: Record<string, unknown>): ProviderDefinition {
  const oidc = isRecord(doc['oidc']) ? doc['oidc'] : {};
  const pick = (o: Record<string, unknown>, camel: string, snake: string): unknown =>
    o[camel] ?? o[snake];
  const audiencesRaw = pick(oidc, 'allowedAudiences', 'allowed_audiences');
  const mapping = pick(doc, 'attributeMapping', 'attribute_mapping');
  const condition = pick(doc, 'attributeCondition', 'attribute_condition');
  const issuer = pick(oidc, 'issuerUri', 'issuer_uri');
  return {
    name: typeof doc['name'] === 'string' ? doc['name'] : undefined,
    issuerUri: typeof issuer === 'string' ? issuer : undefined,
    allowedAudiences: Array.isArray(audiencesRaw) ? audiencesRaw.map(String) : [],
    attributeMapping: isRecord(mapping) ? mapping : undefined,
    attributeCondition: typeof condition === 'string' && condition.trim() ? condition : undefined,
    disabled: doc['disabled'] === true || doc['state'] === 'DELETED',
  };
}

/** Evaluates a workload identity pool provider against the token's claims. */
export function checkGcpProvider(doc: Record<string, unknown>, input: TrustInput): TrustReport {
  const def = read(doc);
  const { claims } = input;
  const basics: TrustFinding[] = [];
  if (def.disabled) {
    basics.push({
      field: 'disabled',
      outcome: 'fail',
      expected: 'false',
      actual: 'true',
      message:
        'The provider is disabled (or deleted): STS rejects every token until it is enabled.',
    });
  }
  basics.push(issuerFinding(def, claims['iss']));
  basics.push(audienceFinding(def, audiences(claims)));
  basics.push(timeFinding(input, 0, 'Google STS; no leeway documented'));
  const mapped = mapAttributes(def, claims);
  const condition = conditionFindings(def, claims, mapped.google, mapped.attribute);
  const sections: TrustSection[] = [
    { title: 'Issuer and audience', findings: basics },
    { title: 'Attribute mapping', findings: mapped.findings },
    { title: 'Attribute condition', findings: condition },
  ];
  return reportOf(
    {
      kind: 'gcp-workload-identity-provider',
      label: 'Google Cloud workload identity pool provider',
      sources: SOURCES,
    },
    sections,
    `STS would accept the token as google.subject ${show(mapped.google['subject'])}.`,
  );
}

function issuerFinding(def: ProviderDefinition, iss: unknown): TrustFinding {
  if (!def.issuerUri) {
    return {
      field: 'oidc.issuerUri',
      outcome: 'unknown',
      actual: show(iss),
      message: 'The definition has no OIDC issuer URI (is this an AWS or SAML provider?).',
    };
  }
  return finding(
    'oidc.issuerUri',
    iss === def.issuerUri,
    show(def.issuerUri),
    show(iss),
    'The token comes from the provider’s issuer.',
    typeof iss === 'string' && iss.replace(/\/$/, '') === def.issuerUri.replace(/\/$/, '')
      ? 'The issuer differs only by a trailing slash; set issuerUri exactly as the token’s iss.'
      : 'The token’s iss is not the provider’s issuer URI.',
  );
}

function audienceFinding(def: ProviderDefinition, aud: readonly string[]): TrustFinding {
  if (def.allowedAudiences.length > 0) {
    const ok = aud.some((a) => def.allowedAudiences.includes(a));
    return finding(
      'oidc.allowedAudiences',
      ok,
      def.allowedAudiences.map(show).join(' or '),
      aud.map(show).join(', ') || '(absent)',
      'The token’s aud is one of the allowed audiences.',
      'The token’s aud is none of the allowed audiences: mint the token for one of them, or add its audience to allowedAudiences.',
    );
  }
  const name = def.name ? PROVIDER_NAME.exec(def.name) : null;
  if (!name?.[1]) {
    const ok = aud.some((a) =>
      /^(?:https:)?\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/[^/]+\/workloadIdentityPools\/[^/]+\/providers\/[^/]+$/.test(
        a,
      ),
    );
    return {
      field: 'oidc.allowedAudiences',
      outcome: ok ? 'unknown' : 'fail',
      expected:
        '//iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider> (with or without https:)',
      actual: aud.map(show).join(', ') || '(absent)',
      message: ok
        ? 'No allowed audiences: the default is the provider’s own resource name, which the definition does not include (paste the gcloud describe output, which has name).'
        : 'No allowed audiences, so the audience must be the provider’s full resource name; the token’s aud is not of that form.',
    };
  }
  const resource = `//iam.googleapis.com/${name[1]}`;
  const accepted = [resource, `https:${resource}`];
  const byId = name[2] !== undefined && !/^\d+$/.test(name[2]);
  return finding(
    'oidc.allowedAudiences (default)',
    aud.some((a) => accepted.includes(a)),
    accepted.map(show).join(' or '),
    aud.map(show).join(', ') || '(absent)',
    'No allowed audiences are set and the token’s aud is the provider’s resource name.',
    byId
      ? 'The default audience uses the project number, not the project id: mint for //iam.googleapis.com/projects/<number>/….'
      : 'No allowed audiences are set, so aud must be the provider’s full resource name (with or without https:).',
  );
}

interface Mapped {
  readonly google: Record<string, unknown>;
  readonly attribute: Record<string, unknown>;
  readonly findings: TrustFinding[];
}

function mapAttributes(def: ProviderDefinition, claims: Readonly<Record<string, unknown>>): Mapped {
  const google: Record<string, unknown> = {};
  const attribute: Record<string, unknown> = {};
  const findings: TrustFinding[] = [];
  const mapping = def.attributeMapping;
  if (!mapping || !('google.subject' in mapping)) {
    findings.push({
      field: 'attributeMapping["google.subject"]',
      outcome: 'fail',
      expected: 'a mapping, e.g. assertion.sub',
      actual: '(none)',
      message: 'OIDC providers must map google.subject.',
    });
  }
  for (const [key, expression] of Object.entries(mapping ?? {})) {
    const field = `attributeMapping["${key}"]`;
    const [scope, name] = splitKey(key);
    if (!scope || !name) {
      findings.push({
        field,
        outcome: 'fail',
        expected: 'google.subject, google.groups or attribute.<name>',
        actual: show(key),
        message: 'Unknown attribute key.',
      });
      continue;
    }
    const result = evaluateCel(String(expression), { assertion: claims });
    if ('error' in result) {
      findings.push({
        field,
        outcome: result.outcome,
        expected: String(expression),
        actual: result.error,
        message:
          result.outcome === 'unknown'
            ? result.error
            : `The mapping fails on this token: ${result.error}`,
      });
      continue;
    }
    (scope === 'google' ? google : attribute)[name] = result.value;
    if (key === 'google.subject') findings.push(subjectFinding(String(expression), result.value));
    else
      findings.push({
        field,
        outcome: 'info',
        expected: String(expression),
        actual: show(result.value),
        message: `${key} = ${show(result.value)}`,
      });
  }
  return { google, attribute, findings };
}

function subjectFinding(expression: string, value: unknown): TrustFinding {
  const field = 'attributeMapping["google.subject"]';
  if (typeof value !== 'string' || value === '') {
    return {
      field,
      outcome: 'fail',
      expected: `${expression} → a non-empty string`,
      actual: show(value),
      message: 'google.subject must map to a non-empty string.',
    };
  }
  const bytes = new TextEncoder().encode(value).length;
  return finding(
    field,
    bytes <= SUBJECT_MAX_BYTES,
    `${expression} → at most ${SUBJECT_MAX_BYTES} bytes`,
    `${show(value)} (${bytes} bytes)`,
    `google.subject = ${show(value)}`,
    `google.subject is ${bytes} bytes, over the ${SUBJECT_MAX_BYTES}-byte limit: map a shorter value (e.g. assertion.sub.extract(…) or a hash of several claims).`,
  );
}

function conditionFindings(
  def: ProviderDefinition,
  claims: Readonly<Record<string, unknown>>,
  google: Record<string, unknown>,
  attribute: Record<string, unknown>,
): TrustFinding[] {
  const field = 'attributeCondition';
  if (!def.attributeCondition) {
    return [
      {
        field,
        outcome: 'info',
        message:
          'No attribute condition: every token from this issuer with the right audience is accepted. Google recommends one for multi-tenant issuers such as GitHub and GitLab.',
      },
    ];
  }
  const result = evaluateCel(def.attributeCondition, {
    assertion: claims,
    [GOOGLE_ALIAS]: google,
    attribute,
  });
  if ('error' in result) {
    return [
      {
        field,
        outcome: result.outcome,
        expected: def.attributeCondition,
        actual: result.error,
        message:
          result.outcome === 'unknown'
            ? result.error
            : `The condition fails with an error on this token (STS rejects it): ${result.error}`,
      },
    ];
  }
  if (typeof result.value !== 'boolean') {
    return [
      {
        field,
        outcome: 'fail',
        expected: 'a boolean',
        actual: show(result.value),
        message: 'The condition must return a boolean.',
      },
    ];
  }
  return [
    finding(
      field,
      result.value,
      def.attributeCondition,
      String(result.value),
      'The condition holds for this token.',
      'The condition is false for this token: STS rejects it with "The given credential is rejected by the attribute condition".',
    ),
  ];
}

function splitKey(key: string): ['google' | 'attribute' | undefined, string | undefined] {
  const dot = key.indexOf('.');
  const scope = key.slice(0, dot);
  const name = key.slice(dot + 1);
  if (scope === 'google' && (name === 'subject' || name === 'groups')) return ['google', name];
  if (scope === 'attribute' && /^[a-z0-9_]{1,100}$/.test(name)) return ['attribute', name];
  return [undefined, undefined];
}
