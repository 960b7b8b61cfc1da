import { HEADER_NAMES } from './send';
import type { HeaderForm } from './types';

/** Every way Token Explorer copies a token for a service. */
export type CopyForm = HeaderForm | 'curl' | 'http-file' | 'shell-export';

/** One entry of the "Copy as…" list: what it is for, in a line. */
export interface CopyFormInfo {
  readonly form: CopyForm;
  readonly label: string;
  readonly detail: string;
}

export const COPY_FORMS: readonly CopyFormInfo[] = [
  {
    form: 'authorization',
    label: 'Authorization: Bearer …',
    detail: 'The standard header (RFC 6750): Cloud Run, Cloud Functions, IAP, Vault, most APIs.',
  },
  {
    form: 'x-serverless-authorization',
    label: 'X-Serverless-Authorization: Bearer …',
    detail: 'Cloud Run, when your app uses Authorization for its own credentials.',
  },
  {
    form: 'proxy-authorization',
    label: 'Proxy-Authorization: Bearer …',
    detail: 'IAP, when Authorization must reach the app behind it.',
  },
  {
    form: 'curl',
    label: 'curl command',
    detail: 'A shell command calling the URL with the token.',
  },
  {
    form: 'http-file',
    label: '.http request',
    detail: 'A request for REST Client or httpyac (`.http` / `.rest` files).',
  },
  {
    form: 'shell-export',
    label: 'export line',
    detail: 'export ID_TOKEN=… for a POSIX shell (bash, zsh).',
  },
];

/**
 * Quotes a word for a POSIX shell: single quotes, each embedded `'` written as `'\''`. Safe for
 * any text (no expansion happens inside single quotes).
 */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** `NAME: Bearer TOKEN` for a header form. */
export function headerLine(form: HeaderForm, token: string): string {
  return `${HEADER_NAMES[form]}: Bearer ${token}`;
}

/** What the other forms need besides the token. */
export interface FormContext {
  /** The URL to call; a placeholder is used when there is none. */
  readonly url?: string;
  readonly method?: string;
  /** The header form inside curl and .http requests (Authorization by default). */
  readonly headerForm?: HeaderForm;
  /** Shell variable name of the export line (default ID_TOKEN). */
  readonly variable?: string;
}

const PLACEHOLDER_URL = 'https://SERVICE_URL';

/**
 * The token in one copy form. curl and export lines are quoted for POSIX shells; the .http
 * request follows REST Client / httpyac syntax (`METHOD URL` then header lines).
 */
export function formatToken(form: CopyForm, token: string, context: FormContext = {}): string {
  const url = context.url && /^https?:\/\//i.test(context.url) ? context.url : PLACEHOLDER_URL;
  const method = (context.method ?? 'GET').toUpperCase();
  const header = context.headerForm ?? 'authorization';
  switch (form) {
    case 'authorization':
    case 'x-serverless-authorization':
    case 'proxy-authorization':
      return headerLine(form, token);
    case 'curl':
      return `curl${method === 'GET' ? '' : ` -X ${method}`} -H ${shellQuote(headerLine(header, token))} ${shellQuote(url)}`;
    case 'http-file':
      // REST Client and httpyac: a request line, header lines, a blank line before any body.
      return `${method} ${url.replace(/\s/g, (c) => encodeURIComponent(c))}\n${headerLine(header, token)}\n`;
    case 'shell-export': {
      const name =
        context.variable && /^[A-Za-z_][A-Za-z0-9_]*$/.test(context.variable)
          ? context.variable
          : 'ID_TOKEN';
      return `export ${name}=${shellQuote(token)}`;
    }
  }
}
