// Vault JWT auth login: POST /v1/auth/<mount>/login with {role, jwt}, X-Vault-Namespace for a
// namespace, the answer's `auth` block or `errors` list.
//   https://developer.hashicorp.com/vault/api-docs/auth/jwt#jwt-login
//   https://developer.hashicorp.com/vault/api-docs#namespaces (X-Vault-Namespace)
//   https://developer.hashicorp.com/vault/api-docs#error-response ({"errors": [...]})
// The error texts explained below come from hashicorp/vault-plugin-auth-jwt path_login.go and
// claims.go, and hashicorp/cap jwt/jwt.go.
import type { ClientRequest, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { TokenExplorerError, errorMessage, asClause } from '../errors';
import type { Remedy } from '../remedies';

/** Where and how to log in. `caCertificate` is PEM text (from the machine-scoped setting's file). */
export interface VaultLoginOptions {
  /** e.g. `https://vault.example.com:8200`. */
  readonly address: string;
  /** Auth mount path; `jwt` when empty. */
  readonly mount?: string;
  /** Role name; Vault uses the mount's default_role when empty. */
  readonly role?: string;
  readonly namespace?: string;
  readonly caCertificate?: string;
  readonly timeoutMs: number;
}

/** What a successful login gives. `clientToken` is a secret: show it only on request. */
export interface VaultLogin {
  readonly clientToken: string;
  readonly accessor: string;
  readonly policies: readonly string[];
  readonly tokenPolicies: readonly string[];
  readonly identityPolicies: readonly string[];
  /** Seconds. */
  readonly leaseDuration: number;
  readonly renewable: boolean;
  readonly entityId: string;
  readonly tokenType: string;
  readonly metadata: Readonly<Record<string, string>>;
}

const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * Logs in to Vault with an ID token.
 * @throws TokenExplorerError `bad-config` (address, mount, CA), `network`, `timeout`,
 *   `permission-denied` (Vault refused the token: its exact error and the likely cause),
 *   `http-status` / `bad-response` (anything else).
 */
export async function vaultLogin(options: VaultLoginOptions, jwt: string): Promise<VaultLogin> {
  const mount = (options.mount?.trim() || 'jwt').replace(/^\/+|\/+$/g, '');
  let url: URL;
  try {
    url = new URL(`/v1/auth/${mount}/login`, options.address);
  } catch {
    throw new TokenExplorerError(
      'bad-config',
      `The Vault address "${options.address}" is not a URL, e.g. https://vault.example.com:8200.`,
      { remedies: [ADDRESS] },
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TokenExplorerError(
      'bad-config',
      `The Vault address must start with https:// (or http:// for a dev server); got "${url.protocol}".`,
      { remedies: [ADDRESS] },
    );
  }
  const body = JSON.stringify(options.role ? { role: options.role, jwt } : { jwt });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    ...(options.namespace ? { 'x-vault-namespace': options.namespace } : {}),
  };
  const answer = await post(url, headers, body, options);
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.text);
  } catch {
    throw new TokenExplorerError(
      'bad-response',
      `${url.origin} answered HTTP ${answer.status} without JSON: is ${options.address} a Vault server?`,
      { remedies: [ADDRESS] },
    );
  }
  const record =
    typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  if (answer.status >= 400 || Array.isArray(record['errors'])) {
    throw vaultError(answer.status, record['errors'], {
      mount,
      role: options.role,
      namespace: options.namespace,
    });
  }
  const auth = record['auth'];
  if (
    typeof auth !== 'object' ||
    auth === null ||
    typeof (auth as Record<string, unknown>)['client_token'] !== 'string'
  ) {
    throw new TokenExplorerError(
      'bad-response',
      `Vault answered HTTP ${answer.status} without an auth block.`,
    );
  }
  const a = auth as Record<string, unknown>;
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  return {
    clientToken: a['client_token'] as string,
    accessor: typeof a['accessor'] === 'string' ? a['accessor'] : '',
    policies: list(a['policies']),
    tokenPolicies: list(a['token_policies']),
    identityPolicies: list(a['identity_policies']),
    leaseDuration: typeof a['lease_duration'] === 'number' ? a['lease_duration'] : 0,
    renewable: a['renewable'] === true,
    entityId: typeof a['entity_id'] === 'string' ? a['entity_id'] : '',
    tokenType: typeof a['token_type'] === 'string' ? a['token_type'] : '',
    metadata:
      typeof a['metadata'] === 'object' && a['metadata'] !== null
        ? (a['metadata'] as Record<string, string>)
        : {},
  };
}

/** Settings of the login that the user can change (the role's own rules are Vault's). */
const ADDRESS: Remedy = { kind: 'openSetting', key: 'tokenExplorer.vault.address' };
const ROLE: Remedy = { kind: 'openSetting', key: 'tokenExplorer.vault.role' };
const MOUNT: Remedy = { kind: 'openSetting', key: 'tokenExplorer.vault.mount' };
const NAMESPACE: Remedy = { kind: 'openSetting', key: 'tokenExplorer.vault.namespace' };
const CA: Remedy = { kind: 'openSetting', key: 'tokenExplorer.vault.caCertificate' };

/** What fixes a Vault login error, by a fragment of its text: a login setting, where one does. */
const FIXES: readonly (readonly [RegExp, Remedy])[] = [
  [/role ".*" could not be found|missing role/, ROLE],
  [/no handler for route|unsupported path/, MOUNT],
];

/** The likely cause of each Vault login error, by a fragment of its text. */
const CAUSES: readonly (readonly [RegExp, string])[] = [
  [
    /invalid audience \(aud\)/,
    'The token’s aud is not in the role’s bound_audiences: mint the token for one of them, or add its audience to the role.',
  ],
  [
    /audience claim found in JWT but no audiences bound/,
    'The role binds no audience but the token has one: set bound_audiences on the role.',
  ],
  [/invalid subject \(sub\)/, 'The token’s sub is not the role’s bound_subject.'],
  [
    /invalid issuer \(iss\)/,
    'The token’s iss is not the mount’s bound_issuer (auth/<mount>/config).',
  ],
  [
    /does not match any associated bound claim values|claim ".*" is missing/,
    'A bound claim of the role does not match the token: see the claim named above, and bound_claims_type (string or glob).',
  ],
  [
    /not found in token|could not be converted to string/,
    'The role’s user_claim (or groups_claim) is missing from the token or not a string.',
  ],
  [
    /token is expired|token not yet valid|issued in the future/,
    'The token’s lifetime (exp/nbf/iat) is outside the role’s leeway: get a fresh token, check clocks.',
  ],
  [
    /signature|no known key|kid|keyset|key set/i,
    'Vault could not verify the signature: the mount’s jwks_url, jwt_validation_pubkeys or oidc_discovery_url does not hold the issuer’s key.',
  ],
  [
    /role ".*" could not be found/,
    'No role of that name on this mount: check the role name (vault list auth/<mount>/role).',
  ],
  [/missing role/, 'No role was given and the mount has no default_role: set the role.'],
  [
    /oidc role_type is not allowed/,
    'The role is an OIDC (browser) role: JWT login needs role_type=jwt.',
  ],
  [
    /no handler for route|unsupported path/,
    'Nothing is mounted there: check the mount path (vault auth list) and the namespace.',
  ],
  [
    /permission denied/,
    'Vault refused the request: the role’s token_bound_cidrs do not include your address, or the namespace is wrong.',
  ],
  [/Vault is sealed/, 'Vault is sealed: unseal it first.'],
];

function vaultError(
  status: number,
  errors: unknown,
  where: { mount: string; role?: string; namespace?: string },
): TokenExplorerError {
  const texts = Array.isArray(errors) ? errors.map(String) : [];
  const said = texts.join('; ') || `HTTP ${status}`;
  const cause = CAUSES.find(([pattern]) => pattern.test(said))?.[1];
  const at = `auth/${where.mount}${where.role ? ` role "${where.role}"` : ''}${where.namespace ? ` in namespace "${where.namespace}"` : ''}`;
  const code = status === 400 || status === 403 ? 'permission-denied' : 'http-status';
  const fix = FIXES.find(([pattern]) => pattern.test(said))?.[1];
  const remedies = fix === MOUNT ? [MOUNT, NAMESPACE] : fix ? [fix] : [];
  return new TokenExplorerError(
    code,
    `Vault refused the login (${at}, HTTP ${status}): "${said}".${cause ? ` ${cause}` : ''}`,
    { remedies },
  );
}

interface Answer {
  readonly status: number;
  readonly text: string;
}

function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  options: VaultLoginOptions,
): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (error: unknown) => {
      const code = (error as { code?: string }).code;
      const untrusted = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code ?? '');
      reject(
        code === 'ETIMEDOUT'
          ? new TokenExplorerError(
              'timeout',
              `Vault at ${url.origin} did not answer within ${options.timeoutMs / 1000} s.`,
            )
          : new TokenExplorerError(
              'network',
              `Could not reach Vault at ${url.origin}: ${code ?? errorMessage(error)}.${untrusted ? ' Set tokenExplorer.vault.caCertificate to the CA that signed Vault’s certificate.' : ''}`,
              { cause: error, remedies: untrusted ? [CA] : [{ kind: 'retry' }, ADDRESS] },
            ),
      );
    };
    const onResponse = (res: IncomingMessage) => {
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
          req.destroy();
          reject(
            new TokenExplorerError(
              'bad-response',
              `${url.origin} answered with more than 1 MiB: is it a Vault server?`,
            ),
          );
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', fail);
    };
    let req: ClientRequest;
    try {
      req =
        url.protocol === 'https:'
          ? httpsRequest(
              url,
              {
                method: 'POST',
                headers,
                agent: false,
                ...(options.caCertificate ? { ca: options.caCertificate } : {}),
              },
              onResponse,
            )
          : httpRequest(url, { method: 'POST', headers, agent: false }, onResponse);
    } catch (error) {
      reject(
        new TokenExplorerError(
          'bad-config',
          `The Vault CA certificate cannot be used: ${asClause(errorMessage(error))}.`,
          { cause: error, remedies: [CA] },
        ),
      );
      return;
    }
    req.setTimeout(options.timeoutMs, () =>
      req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })),
    );
    req.on('error', fail);
    req.end(body);
  });
}
