import { errorMessage } from './errors';
import type { FileReader } from './ports';

/**
 * The wizards' input rules: each takes the typed text (already trimmed or not) and answers why the
 * service would refuse it, or undefined when it is acceptable. The texts are shown as the input
 * box's validation message. Every pattern is anchored and checked for ReDoS (test/unit/core/jwt/redos.test.ts).
 */

// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const CONTROL = /[\u0000-\u001f\u007f]/;

/** `local@domain.tld`: one `@`, no spaces, a domain of dot-separated non-empty labels. */
function isEmail(value: string): boolean {
  const at = value.indexOf('@');
  if (at <= 0 || /\s/.test(value)) return false;
  return /^[^@.]+(\.[^@.]+)+$/.test(value.slice(at + 1));
}

/**
 * A Google service account as IAM and the metadata server name it: its email, which always ends in
 * `.gserviceaccount.com` (`NAME@PROJECT.iam.gserviceaccount.com`, `…-compute@developer…`,
 * `PROJECT@appspot…`; https://cloud.google.com/iam/docs/service-account-overview), or, where
 * `uniqueId` is allowed, the numeric unique id (`projects/-/serviceAccounts/{EMAIL_OR_UNIQUE_ID}`
 * in the IAM Credentials API reference). `default` is the metadata server's alias of the
 * attached account (`/computeMetadata/v1/instance/service-accounts/default/`).
 */
export function googleServiceAccountProblem(
  value: string,
  allow: { readonly defaultAlias?: boolean; readonly uniqueId?: boolean } = {},
): string | undefined {
  const v = value.trim();
  const forms = [
    allow.defaultAlias ? '"default"' : undefined,
    'a service-account email (…@….gserviceaccount.com)',
    allow.uniqueId ? 'its numeric unique id' : undefined,
  ]
    .filter(Boolean)
    .join(' or ');
  if (v === '') return `Type ${forms}.`;
  if (allow.defaultAlias && v === 'default') return undefined;
  if (allow.uniqueId && /^\d+$/.test(v)) return undefined;
  if (!isEmail(v)) return `"${shorten(v)}" is not an email. Type ${forms}.`;
  if (!/\.gserviceaccount\.com$/i.test(v)) {
    return `${shorten(v)} is not a service account: their emails end in .gserviceaccount.com. Type ${forms}.`;
  }
  return undefined;
}

/**
 * A Google Cloud project id: 6 to 30 lowercase letters, digits and hyphens, starting with a letter
 * and not ending with a hyphen (https://cloud.google.com/resource-manager/docs/creating-managing-projects);
 * older projects may carry a domain prefix (`example.com:my-project`). Empty is allowed when
 * `optional`.
 */
export function projectIdProblem(value: string, optional = false): string | undefined {
  const v = value.trim();
  if (v === '') return optional ? undefined : 'Type a project id, e.g. my-project-123456.';
  const id = v.includes(':') ? v.slice(v.lastIndexOf(':') + 1) : v;
  return firstBroken(v, 'a project id', PROJECT_ID_RULE, [
    [id.length >= 6 && id.length <= 30, `it has ${id.length} characters, not 6 to 30`],
    [/^[a-z0-9-]*$/.test(id), 'it has characters other than lowercase letters, digits or hyphens'],
    [/^[a-z]/.test(id), 'it does not start with a letter'],
    [!id.endsWith('-'), 'it ends with a hyphen'],
  ]);
}

const PROJECT_ID_RULE =
  "6 to 30 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen (the id, not the project's display name or number)";

/**
 * The message of a rule's first broken condition: `"value" is not <what>: <why>. It is <rule>.`,
 * so the user reads what is wrong with the text typed and every condition at once; undefined
 * when every condition holds. `conditions` are [holds, what is wrong when it does not].
 */
function firstBroken(
  value: string,
  what: string,
  rule: string,
  conditions: readonly (readonly [boolean, string])[],
): string | undefined {
  const broken = conditions.find(([holds]) => !holds);
  if (!broken) return undefined;
  return `"${shorten(value)}" is not ${what}: ${broken[1]}. It is ${rule}.`;
}

/**
 * An audience as the providers accept it: any string without spaces or control characters (the
 * `aud` claim is a StringOrURI, RFC 7519 section 4.1.3; `api://…` and client ids are common).
 * Text that starts like an http(s) URL must be one, with `//` and a host, since the service
 * compares `aud` with its own URL; other `scheme://` text must parse as a URL. Empty is allowed
 * when `optional`.
 */
export function audienceProblem(value: string, optional: boolean): string | undefined {
  const v = value.trim();
  if (v === '') return optional ? undefined : 'Type the audience, e.g. the service URL.';
  if (CONTROL.test(v) || /\s/.test(v)) return 'An audience has no spaces or line breaks.';
  const http = /^https?(?![a-z0-9])/i.test(v);
  if (!http && !/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(v);
  } catch {
    url = undefined;
  }
  if (url && url.host !== '' && (!http || /^https?:\/\/[^/]/i.test(v))) return undefined;
  return `"${shorten(v)}" is not a valid URL: type it as https://host/… (or an audience that is not a URL).`;
}

/**
 * A warning (not a refusal) for an audience typed without a scheme where the service most likely
 * compares it with its URL: Cloud Run checks `aud` against its service URL
 * (https://cloud.google.com/run/docs/authenticating/service-to-service), while IAP's audience is
 * an OAuth client id (`….apps.googleusercontent.com`), also accepted without a word. Undefined
 * when there is nothing to say.
 */
export function audienceSchemeWarning(value: string): string | undefined {
  const v = value.trim();
  if (v === '' || /^[a-z][a-z0-9+.-]*:/i.test(v)) return undefined;
  if (/\.apps\.googleusercontent\.com$/i.test(v)) return undefined;
  return `"${shorten(v)}" has no scheme: Cloud Run and Cloud Functions expect their URL (https://${shorten(v)}). Press Enter to keep it as it is (e.g. an IAP client id).`;
}

/**
 * A Kubernetes namespace: an RFC 1123 label, at most 63 lowercase letters, digits and hyphens,
 * starting and ending alphanumeric (k8s.io/apimachinery pkg/util/validation IsDNS1123Label).
 */
export function kubernetesNamespaceProblem(value: string): string | undefined {
  const v = value.trim();
  return firstBroken(
    v,
    'a namespace name',
    'up to 63 lowercase letters, digits or hyphens, starting and ending with a letter or digit',
    [
      [v !== '', 'it is empty'],
      [v.length <= 63, `it has ${v.length} characters, more than 63`],
      [/^[a-z0-9-]*$/.test(v), 'it has characters other than lowercase letters, digits or hyphens'],
      [/^[a-z0-9]/.test(v) && /[a-z0-9]$/.test(v), 'it starts or ends with a hyphen'],
    ],
  );
}

/**
 * A Kubernetes service account name: an RFC 1123 subdomain, at most 253 characters, labels of
 * lowercase letters, digits and hyphens joined by dots (apimachinery IsDNS1123Subdomain, which
 * ValidateServiceAccountName uses).
 */
export function kubernetesNameProblem(value: string): string | undefined {
  const v = value.trim();
  const parts = v.split('.');
  return firstBroken(
    v,
    'a service account name',
    'up to 253 lowercase letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit',
    [
      [v !== '', 'it is empty'],
      [v.length <= 253, `it has ${v.length} characters, more than 253`],
      [
        /^[a-z0-9.-]*$/.test(v),
        'it has characters other than lowercase letters, digits, "-" or "."',
      ],
      [
        parts.every((part) => /^[a-z0-9]/.test(part) && /[a-z0-9]$/.test(part)),
        'a dot-separated part is empty or starts or ends with "-"',
      ],
    ],
  );
}

/**
 * A Yandex Cloud resource id: Latin letters and digits (https://yandex.cloud/en/docs/api-design-guide/concepts/resources-identification),
 * at most 50 characters (IAM API ServiceAccount.Get `serviceAccountId`), e.g. `aje0123456789abcdefg`.
 */
export function yandexIdProblem(value: string): string | undefined {
  const v = value.trim();
  return firstBroken(
    v,
    'a service account id',
    'up to 50 Latin letters and digits as yc iam service-account list prints them (e.g. aje0123456789abcdefg), not its name',
    [
      [v !== '', 'it is empty'],
      [/^[a-zA-Z0-9]*$/.test(v), 'it has characters other than Latin letters and digits'],
      [v.length <= 50, `it has ${v.length} characters, more than 50`],
    ],
  );
}

/** An environment variable name as a shell and GitLab's `id_tokens:` keys accept it. */
export function variableNameProblem(value: string): string | undefined {
  const v = value.trim().replace(/^\$/, '');
  return firstBroken(
    v,
    'a variable name',
    'letters, digits and underscores, not starting with a digit',
    [
      [v !== '', 'it is empty'],
      [/^[A-Za-z0-9_]*$/.test(v), 'it has characters other than letters, digits and underscores'],
      [!/^[0-9]/.test(v), 'it starts with a digit'],
    ],
  );
}

/**
 * An OIDC `sub`: at most 255 ASCII characters (OpenID Connect Core 1.0 section 2), no control
 * characters. Empty is allowed (the default subject is used).
 */
export function subjectProblem(value: string): string | undefined {
  const v = value.trim();
  if (v.length > 255) return `The subject is ${v.length} characters; OpenID Connect allows 255.`;
  if (CONTROL.test(v)) return 'The subject has a control character (a line break or tab?).';
  return undefined;
}

/** A path is absolute on POSIX (`/…`) or Windows (`C:\…`, `\\server\…`). */
export function isAbsolutePath(value: string): boolean {
  return /^(\/|[A-Za-z]:[/\\]|\\\\)/.test(value.trim());
}

/**
 * Why `path` cannot be used as a file the extension reads: not absolute, absent or unreadable;
 * undefined when it exists. Uses `stat` when the reader has it, so nothing is read.
 */
export async function existingFileProblem(
  files: FileReader,
  path: string,
): Promise<string | undefined> {
  const p = path.trim();
  if (!isAbsolutePath(p)) return `"${shorten(p)}" is not an absolute path (e.g. /builds/id_token).`;
  try {
    const found = files.stat ? await files.stat(p) : await files.readText(p);
    return found === undefined ? `${shorten(p)} does not exist.` : undefined;
  } catch (error) {
    return `${shorten(p)} cannot be read: ${errorMessage(error)}`;
  }
}

function shorten(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}…` : value;
}
