import { base64url } from 'jose';

/**
 * Recognises credentials that are not JWTs by their documented public prefix or shape, so that
 * "this is not a JWT" can say what it is instead. Matches are anchored prefixes and fixed shapes:
 * linear in the input. Messages name the kind and the public prefix, never the secret text.
 */

/** A recognised non-JWT credential: what it is and what to do for an ID token instead. */
export interface CredentialKind {
  /** "a Google OAuth 2.0 access token", in a sentence. */
  readonly what: string;
  /** The public prefix that gave it away ("ya29."), or how it was recognised. */
  readonly clue: string;
  /** What to do instead. */
  readonly instead: string;
}

const ID_TOKEN_ADVICE =
  'An ID token is a JWT (three base64url parts, usually starting with "eyJ"): get one with Get ID Token.';

interface PrefixRule {
  readonly test: RegExp;
  readonly what: string;
  readonly instead?: string;
}

// Each prefix is documented by its issuer (sources beside each group).
const PREFIX_RULES: readonly PrefixRule[] = [
  // Google OAuth 2.0 access tokens are opaque and start "ya29." (what `gcloud auth
  // print-access-token` prints; IAP answers "Base64 decode failed on token: ya29…",
  // googleapis/google-auth-library-nodejs issue #792). Refresh tokens start "1//", API keys "AIza".
  {
    test: /^ya29\./,
    what: 'a Google OAuth 2.0 access token',
    instead:
      'Access tokens are opaque: only Google can read them. For an ID token, use Get ID Token or `gcloud auth print-identity-token --audiences=…`.',
  },
  { test: /^1\/\/[\w-]{20,}$/, what: 'a Google OAuth 2.0 refresh token' },
  { test: /^AIza[\w-]{35}$/, what: 'a Google API key' },
  // GitHub: "ghp_ personal access tokens, gho_ OAuth access tokens, ghu_ GitHub App user-to-server
  // tokens, ghs_ GitHub App server-to-server tokens, ghr_ refresh tokens"
  // (github.blog/changelog/2021-03-31-authentication-token-format-updates-are-generally-available);
  // github_pat_ fine-grained personal access tokens (github.blog 2022-10-18).
  { test: /^ghp_\w+$/, what: 'a GitHub personal access token' },
  { test: /^github_pat_\w+$/, what: 'a GitHub fine-grained personal access token' },
  { test: /^gho_\w+$/, what: 'a GitHub OAuth access token' },
  { test: /^ghu_\w+$/, what: 'a GitHub App user access token' },
  {
    test: /^ghs_\w+$/,
    what: 'a GitHub App installation token (GITHUB_TOKEN in Actions)',
    instead:
      'An Actions job gets an ID token from ACTIONS_ID_TOKEN_REQUEST_URL (permissions: id-token: write), not GITHUB_TOKEN.',
  },
  { test: /^ghr_\w+$/, what: 'a GitHub refresh token' },
  // GitLab token prefixes (docs.gitlab.com/security/tokens/#token-prefixes): glpat- personal,
  // project and group access tokens; gloas- OAuth application secrets; gldt- deploy tokens;
  // glrt- runner authentication tokens; glptt- pipeline trigger tokens; glcbt- CI/CD job tokens.
  { test: /^glpat-/, what: 'a GitLab personal, project or group access token' },
  {
    test: /^glcbt-/,
    what: 'a GitLab CI/CD job token (CI_JOB_TOKEN)',
    instead:
      'A GitLab job gets an ID token from `id_tokens:` in .gitlab-ci.yml (e.g. $ID_TOKEN), not CI_JOB_TOKEN.',
  },
  { test: /^gldt-/, what: 'a GitLab deploy token' },
  { test: /^glrt-/, what: 'a GitLab runner authentication token' },
  { test: /^glptt-/, what: 'a GitLab pipeline trigger token' },
  { test: /^gloas-/, what: 'a GitLab OAuth application secret' },
  // Slack: xoxb- bot, xoxp- user, xoxe- refresh/config, xapp- app-level tokens
  // (docs.slack.dev/authentication/tokens).
  { test: /^xox[a-z]-/, what: 'a Slack token' },
  { test: /^xapp-/, what: 'a Slack app-level token' },
  // AWS access key ids: "AKIA" long-term, "ASIA" temporary (STS) credentials (AWS STS API
  // reference, GetAccessKeyInfo; IAM User Guide, unique identifier prefixes).
  {
    test: /^AKIA[A-Z0-9]{12,}$/,
    what: 'an AWS access key id (long-term, an IAM user)',
    instead:
      'AWS signs requests with it (SigV4); for a JWT from AWS, add an aws-sts account (STS GetWebIdentityToken).',
  },
  {
    test: /^ASIA[A-Z0-9]{12,}$/,
    what: 'an AWS access key id (temporary, from STS)',
    instead:
      'AWS signs requests with it (SigV4); for a JWT from AWS, add an aws-sts account (STS GetWebIdentityToken).',
  },
  // Azure Storage shared access signature: a query string with sv= (version) and sig= (signature)
  // (learn.microsoft.com/rest/api/storageservices/create-service-sas).
  {
    test: /^\??(?=.*(?:^|&)sv=)(?=.*(?:^|&)sig=)[\w%=&.:+/-]+$/,
    what: 'an Azure shared access signature (SAS)',
    instead: 'A SAS is signed query parameters for a URL, not a token: no claims to read.',
  },
];

const BASE64_JSON = /^eyJ[A-Za-z0-9_\-+/]+=*$/;

/**
 * What a credential that is not a compact JWT is, when its public prefix or shape says so:
 * Google access and refresh tokens and API keys, GitHub and GitLab tokens, Slack tokens, AWS
 * access key ids, an Azure SAS, or base64 of one JSON object (a lone JWT part). Undefined
 * for anything else (a JWT included).
 */
export function recogniseCredential(text: string): CredentialKind | undefined {
  const word = text.trim();
  for (const rule of PREFIX_RULES) {
    if (!rule.test.test(word)) continue;
    const clue = rule.what.includes('signature (SAS)')
      ? 'its sv= and sig= parameters'
      : `its prefix "${prefixOf(word)}"`;
    return { what: rule.what, clue, instead: rule.instead ?? ID_TOKEN_ADVICE };
  }
  if (BASE64_JSON.test(word) && decodesToObject(word)) {
    return {
      what: 'base64 of one JSON object, a single JWT part',
      clue: 'it decodes to JSON but has no dots',
      instead:
        'A JWT is header.payload.signature: paste the whole token, with its two dots (it may have been cut when copied).',
    };
  }
  return undefined;
}

/** The public prefix of a recognised credential: up to its first "_", "-" or ".", or 4 letters. */
function prefixOf(word: string): string {
  if (word.startsWith('github_pat_')) return 'github_pat_';
  if (word.startsWith('1//')) return '1//';
  const cut = /^[A-Za-z0-9]+[._-]/.exec(word);
  return cut && cut[0].length <= 8 ? cut[0] : word.slice(0, 4);
}

function decodesToObject(word: string): boolean {
  try {
    let end = word.length;
    while (end > 0 && word.charCodeAt(end - 1) === 61) end--;
    const body = word.slice(0, end).replace(/\+/g, '-').replace(/\//g, '_');
    const json: unknown = JSON.parse(new TextDecoder().decode(base64url.decode(body)));
    return json !== null && typeof json === 'object' && !Array.isArray(json);
  } catch {
    return false;
  }
}

/** The sentence for a recognised credential: what it is, how we know, what to do. */
export function notAJwtMessage(kind: CredentialKind): string {
  return `This is ${kind.what} (${kind.clue}), not a JWT. ${kind.instead}`;
}
