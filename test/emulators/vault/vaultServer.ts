// A Vault server speaking the JWT auth login API, for tests: POST /v1/auth/<mount>/login.
// Each rule follows Vault's own code and docs:
// - request/response shapes: https://developer.hashicorp.com/vault/api-docs/auth/jwt#jwt-login
//   (auth.client_token, accessor, policies, token_policies, identity_policies, metadata,
//   lease_duration, renewable, entity_id, token_type, orphan);
// - errors are {"errors": [text]} with HTTP 400 for logical.ErrorResponse, 403 for
//   logical.ErrPermissionDenied, 404 for an unmounted path, 503 when sealed
//   (https://developer.hashicorp.com/vault/api-docs#http-status-codes);
// - the checks and their texts in path_login.go order (missing role, role not found, oidc role,
//   missing token, token_bound_cidrs → permission denied, signature/iss/sub/aud/time from
//   hashicorp/cap jwt/jwt.go, "audience claim found in JWT but no audiences bound to the role",
//   user_claim, claim_mappings, bound_claims with go-glob) from
//   hashicorp/vault-plugin-auth-jwt path_login.go and claims.go;
// - namespaces through X-Vault-Namespace (https://developer.hashicorp.com/vault/api-docs#namespaces).
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { JSONWebKeySet, JWTPayload } from 'jose';
import { HttpEmulator } from '../httpServer';

/** A role as `vault write auth/<mount>/role/<name>` takes it (the fields the emulator enforces). */
export interface EmulatedVaultRole {
  readonly role_type?: 'jwt' | 'oidc';
  readonly user_claim: string;
  readonly bound_audiences?: readonly string[];
  readonly bound_subject?: string;
  readonly bound_claims?: Readonly<Record<string, unknown>>;
  readonly bound_claims_type?: 'string' | 'glob';
  readonly claim_mappings?: Readonly<Record<string, string>>;
  readonly token_policies?: readonly string[];
  readonly token_ttl?: number;
  readonly token_bound_cidrs?: readonly string[];
}

/** One JWT auth mount: its config (the issuer's keys) and roles. */
export interface EmulatedVaultMount {
  readonly jwks: JSONWebKeySet;
  readonly boundIssuer?: string;
  readonly defaultRole?: string;
  readonly roles: Readonly<Record<string, EmulatedVaultRole>>;
  /** Namespace the mount lives in ('' = root). */
  readonly namespace?: string;
}

export interface VaultLoginLog {
  readonly path: string;
  readonly namespace: string | undefined;
  readonly role: unknown;
}

// cap's default leeway (jwt/jwt.go DefaultLeewaySeconds) and the role's default leeways.
const LEEWAY = 150;

export class VaultServer extends HttpEmulator {
  readonly logins: VaultLoginLog[] = [];
  /** Every client token handed out, so a test can look for it where it must not be. */
  readonly issuedTokens: string[] = [];
  sealed = false;
  private readonly mounts = new Map<string, EmulatedVaultMount>();

  static async start(): Promise<VaultServer> {
    const server = new VaultServer();
    await server.listen();
    return server;
  }

  /** Mounts JWT auth at `path` (e.g. "jwt", "gitlab"). */
  mount(path: string, mount: EmulatedVaultMount): void {
    this.mounts.set(`${mount.namespace ?? ''}|${path}`, mount);
  }
  /**
   * Mounts JWT auth at `path` with the keys an issuer serves now at `jwksUrl` (as `vault write
   * auth/<path>/config jwt_validation_pubkeys=…` would pin them).
   */
  async mountTrusting(
    path: string,
    jwksUrl: string,
    mount: Omit<EmulatedVaultMount, 'jwks'>,
  ): Promise<void> {
    const jwks = (await (await fetch(jwksUrl)).json()) as JSONWebKeySet;
    this.mount(path, { ...mount, jwks });
  }

  /** The same handler over TLS with the given certificate; resolves to its https URL. */
  async startTls(pems: {
    certPem: string;
    keyPem: string;
  }): Promise<{ url: string; stop: () => Promise<void> }> {
    const server = createHttpsServer({ cert: pems.certPem, key: pems.keyPem }, (req, res) => {
      Promise.resolve(this.handle(req, res)).catch((error: unknown) =>
        res.writeHead(500).end(String(error)),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `https://127.0.0.1:${port}`,
      stop: () => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://vault');
    const namespace = headerValue(req, 'x-vault-namespace')?.replace(/^\/+|\/+$/g, '');
    if (this.sealed) return this.json(res, 503, { errors: ['Vault is sealed'] });
    const match = /^\/v1\/auth\/(.+)\/login$/.exec(url.pathname);
    const mount = match?.[1] ? this.mounts.get(`${namespace ?? ''}|${match[1]}`) : undefined;
    if (req.method !== 'POST' || !match || !mount) {
      // Vault's router: `no handler for route "auth/x/login". route entry not found.`
      return this.json(res, 404, {
        errors: [`no handler for route "${url.pathname.slice(4)}". route entry not found.`],
      });
    }
    const body = await readJson(req);
    this.logins.push({ path: url.pathname, namespace, role: body['role'] });
    const fail = (text: string) => this.json(res, 400, { errors: [text] });
    const roleName =
      typeof body['role'] === 'string' && body['role'] ? body['role'] : mount.defaultRole;
    if (!roleName) return fail('missing role');
    const role = mount.roles[roleName];
    if (!role) return fail(`role "${roleName}" could not be found`);
    if (role.role_type === 'oidc') return fail('role with oidc role_type is not allowed');
    const jwt = typeof body['jwt'] === 'string' ? body['jwt'] : '';
    if (!jwt) return fail('missing token');
    if (role.token_bound_cidrs?.length)
      return this.json(res, 403, { errors: ['permission denied'] });
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(jwt, createLocalJWKSet(mount.jwks), {
        clockTolerance: LEEWAY,
      }));
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ERR_JWT_EXPIRED')
        return fail(
          'error validating token: invalid expiration time (exp) claim: token is expired',
        );
      if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED')
        return fail('error validating token: invalid not before (nbf) claim: token not yet valid');
      return fail(
        `error validating token: error verifying token signature: ${(error as Error).message}`,
      );
    }
    if (mount.boundIssuer && claims.iss !== mount.boundIssuer)
      return fail('error validating token: invalid issuer (iss) claim');
    if (role.bound_subject && claims.sub !== role.bound_subject)
      return fail('error validating token: invalid subject (sub) claim');
    const aud = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud ?? []);
    const bound = role.bound_audiences ?? [];
    if (bound.length > 0 && !bound.some((b) => aud.includes(b))) {
      return fail(
        'error validating token: invalid audience (aud) claim: audience claim does not match any expected audience',
      );
    }
    if (bound.length === 0 && aud.some((a) => a !== ''))
      return fail('audience claim found in JWT but no audiences bound to the role');
    const user = (claims as Record<string, unknown>)[role.user_claim];
    if (user === undefined || user === null)
      return fail(`claim "${role.user_claim}" not found in token`);
    if (typeof user !== 'string')
      return fail(`claim "${role.user_claim}" could not be converted to string`);
    const metadata: Record<string, string> = {};
    for (const [source, target] of Object.entries(role.claim_mappings ?? {})) {
      const value = (claims as Record<string, unknown>)[source];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string') return fail(`error converting claim '${source}' to string`);
      metadata[target] = value;
    }
    metadata['role'] = roleName;
    for (const [claim, expected] of Object.entries(role.bound_claims ?? {})) {
      const actual = (claims as Record<string, unknown>)[claim];
      if (actual === undefined || actual === null)
        return fail(`error validating claims: claim "${claim}" is missing`);
      const actuals = Array.isArray(actual) ? actual : [actual];
      const wanted = Array.isArray(expected) ? expected : [expected];
      const glob = role.bound_claims_type === 'glob';
      const ok = wanted.some((w) =>
        actuals.some((a) =>
          glob ? typeof w === 'string' && typeof a === 'string' && globMatch(w, a) : w === a,
        ),
      );
      if (!ok)
        return fail(
          `error validating claims: claim "${claim}" does not match any associated bound claim values`,
        );
    }
    const clientToken = `hvs.${randomBytes(18).toString('base64url')}`;
    this.issuedTokens.push(clientToken);
    const policies = ['default', ...(role.token_policies ?? [])];
    this.json(res, 200, {
      request_id: randomBytes(8).toString('hex'),
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data: null,
      wrap_info: null,
      warnings: null,
      auth: {
        client_token: clientToken,
        accessor: randomBytes(12).toString('base64url'),
        policies,
        token_policies: policies,
        identity_policies: [],
        metadata,
        lease_duration: role.token_ttl ?? 2764800,
        renewable: true,
        entity_id: 'e0b1c2d3-0000-4000-8000-000000000001',
        token_type: 'service',
        orphan: true,
      },
    });
  }
}

/** ryanuber/go-glob: `*` matches any run, nothing else is special. */
function globMatch(pattern: string, text: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === text;
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (!text.startsWith(first) || !text.endsWith(last) || text.length < first.length + last.length)
    return false;
  let at = first.length;
  for (const part of parts.slice(1, -1)) {
    const found = text.indexOf(part, at);
    if (found < 0 || found + part.length > text.length - last.length) return false;
    at = found + part.length;
  }
  return true;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
