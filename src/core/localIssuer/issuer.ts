import { isRecord } from '../guards';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';
import { TokenExplorerError, errorMessage, asClause } from '../errors';
import type { Clock, Logger, SecretStore } from '../ports';
import type { Remedy } from '../remedies';

/** The signing algorithms the local issuer can use. */
export type LocalIssuerAlg = 'ES256' | 'RS256';

/** SecretStorage key of the current private JWK (JSON, with `alg` and `kid`). */
export const PRIVATE_JWK_SECRET = 'localIssuer/privateJwk';
/** SecretStorage key of the public JWK that signed before the last rotation. */
export const PREVIOUS_PUBLIC_JWK_SECRET = 'localIssuer/previousPublicJwk';

/** Where the "Start local issuer" port comes from, named in the port-in-use error. */
const PORT_SETTING = 'tokenExplorer.localIssuer.port';
/** The port is the user's setting: opening it fixes a port that is taken or not allowed. */
const PORT: Remedy = { kind: 'openSetting', key: PORT_SETTING };
const START_COMMAND = '"Token Explorer: Start local issuer"';

/** Claims of a minted token, as listed in the discovery document. */
const CLAIMS_SUPPORTED = ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti'];

import type { MintTemplate } from './mintTemplate';
import { checkTemplate, mintTimes } from './mintTemplate';

interface SigningKey {
  readonly alg: LocalIssuerAlg;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  /** Stored in SecretStorage; never logged. */
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

/** The public members of a JWK, with the members a JWKS consumer needs. */
function publicPart(jwk: JWK, alg: LocalIssuerAlg, kid: string): JWK {
  const members =
    jwk.kty === 'EC'
      ? { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }
      : { kty: jwk.kty, n: jwk.n, e: jwk.e };
  return { ...members, kid, alg, use: 'sig' };
}

function algOf(jwk: JWK): LocalIssuerAlg | undefined {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256' && (jwk.alg ?? 'ES256') === 'ES256') return 'ES256';
  if (jwk.kty === 'RSA' && (jwk.alg ?? 'RS256') === 'RS256') return 'RS256';
  return undefined;
}

async function signingKey(privateJwk: JWK, alg: LocalIssuerAlg): Promise<SigningKey> {
  const kid = await calculateJwkThumbprint(privateJwk, 'sha256');
  const privateKey = (await importJWK({ ...privateJwk, alg }, alg)) as CryptoKey;
  return {
    alg,
    kid,
    privateKey,
    privateJwk: { ...privateJwk, alg, kid },
    publicJwk: publicPart(privateJwk, alg, kid),
  };
}

async function generateSigningKey(alg: LocalIssuerAlg): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return signingKey(await exportJWK(privateKey), alg);
}

/** The stored private key, or undefined (with a warning) when it is missing or unreadable. */
async function readStoredKey(
  secrets: SecretStore,
  logger: Logger | undefined,
): Promise<SigningKey | undefined> {
  const stored = await secrets.get(PRIVATE_JWK_SECRET);
  if (stored === undefined) return undefined;
  try {
    const jwk = JSON.parse(stored) as unknown;
    const alg = isRecord(jwk) && typeof jwk.d === 'string' ? algOf(jwk as JWK) : undefined;
    if (!alg) throw new Error('not an ES256 or RS256 private JWK');
    return await signingKey(jwk as JWK, alg);
  } catch {
    // The message names no key material; tokens signed with an unreadable key cannot verify anyway.
    logger?.warn('The stored local issuer key is unreadable; a new key pair replaces it.');
    return undefined;
  }
}

async function readPreviousKey(secrets: SecretStore): Promise<JWK | undefined> {
  const stored = await secrets.get(PREVIOUS_PUBLIC_JWK_SECRET);
  if (stored === undefined) return undefined;
  try {
    const jwk = JSON.parse(stored) as unknown;
    return isRecord(jwk) && typeof jwk.kid === 'string' && algOf(jwk as JWK)
      ? (jwk as JWK)
      : undefined;
  } catch {
    return undefined;
  }
}

const LOOPBACK_HOST = /^(?:127(?:\.\d{1,3}){3}|::1|localhost)$/;

/**
 * A local OIDC issuer for testing a service's token validation: a key pair kept in
 * SecretStorage, an OIDC discovery document and a JWKS on loopback, and tokens signed with
 * claims from a template. Tokens verify with any standard library pointed at {@link url}.
 *
 * After {@link rotateKey} the JWKS serves the new key and the previous one, so tokens minted
 * before the rotation keep verifying until the next rotation (the grace period) drops it.
 */
export class LocalIssuer {
  private server: Server | undefined;
  private issuerUrl: string | undefined;

  private constructor(
    private readonly secrets: SecretStore,
    private current: SigningKey,
    private previous: JWK | undefined,
  ) {}

  /**
   * The issuer with its stored key, or a new key pair (ES256 unless `alg` says RS256) stored in
   * SecretStorage under {@link PRIVATE_JWK_SECRET}. When the stored key uses another algorithm
   * than `alg`, the key is rotated to `alg` (the old key stays in the JWKS for its grace period).
   * An unreadable stored key is replaced, with a warning to `logger`.
   */
  static async load(
    secrets: SecretStore,
    options: { readonly alg?: LocalIssuerAlg; readonly logger?: Logger } = {},
  ): Promise<LocalIssuer> {
    const stored = await readStoredKey(secrets, options.logger);
    if (!stored) {
      const key = await generateSigningKey(options.alg ?? 'ES256');
      await secrets.store(PRIVATE_JWK_SECRET, JSON.stringify(key.privateJwk));
      await secrets.delete(PREVIOUS_PUBLIC_JWK_SECRET);
      return new LocalIssuer(secrets, key, undefined);
    }
    const issuer = new LocalIssuer(secrets, stored, await readPreviousKey(secrets));
    if (options.alg && options.alg !== stored.alg) await issuer.rotateKey(options.alg);
    return issuer;
  }

  /** The algorithm tokens are signed with now. */
  get alg(): LocalIssuerAlg {
    return this.current.alg;
  }

  /** The kid of the current key: its RFC 7638 JWK thumbprint (SHA-256). */
  get kid(): string {
    return this.current.kid;
  }

  /** The issuer URL (`iss` of minted tokens) while running, e.g. `http://127.0.0.1:8765`. */
  get url(): string | undefined {
    return this.issuerUrl;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /**
   * Replaces the signing key with a new pair (of `alg`, by default the current algorithm) and
   * stores it. The JWKS keeps serving the replaced public key until the next rotation, so tokens
   * minted before this call keep verifying.
   */
  async rotateKey(alg: LocalIssuerAlg = this.current.alg): Promise<void> {
    const key = await generateSigningKey(alg);
    await this.secrets.store(PRIVATE_JWK_SECRET, JSON.stringify(key.privateJwk));
    await this.secrets.store(PREVIOUS_PUBLIC_JWK_SECRET, JSON.stringify(this.current.publicJwk));
    this.previous = this.current.publicJwk;
    this.current = key;
  }

  /** The public key set as served at `/jwks`: the current key first. */
  jwks(): { keys: JWK[] } {
    return {
      keys: this.previous ? [this.current.publicJwk, this.previous] : [this.current.publicJwk],
    };
  }

  /**
   * Serves discovery and the JWKS on a loopback address; `port` 0 takes any free port. Starting
   * a running issuer returns its URL.
   * @returns the issuer URL, e.g. `http://127.0.0.1:8765`.
   * @throws TokenExplorerError `bad-config` for a non-loopback host, a bad port or a port in use.
   */
  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.issuerUrl) return this.issuerUrl;
    if (!LOOPBACK_HOST.test(host)) {
      throw new TokenExplorerError(
        'bad-config',
        `The local issuer listens only on this machine (127.0.0.1, ::1 or localhost), not on "${host}".`,
      );
    }
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new TokenExplorerError(
        'bad-config',
        `The local issuer port must be a whole number from 0 to 65535 (0 picks any free port), not ${port}: check the setting ${PORT_SETTING}.`,
        { remedies: [PORT] },
      );
    }
    const server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: unknown) => {
      throw listenError(error, port, host);
    });
    const bound = (server.address() as AddressInfo).port;
    this.server = server;
    this.issuerUrl = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
    return this.issuerUrl;
  }

  /** Stops serving and frees the port; minting needs a new {@link start}. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.issuerUrl = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  /**
   * Signs a test token: `iss` is the issuer URL, `iat`, `nbf` and `exp` from {@link mintTimes}
   * (the clock's now, `nbfSkewSeconds`, `expiresInSeconds`, consistent with each other), a random
   * `jti`, then `claims` merged over them (except `iss`, which they cannot override).
   * @throws TokenExplorerError `bad-config` when the issuer is not running or the template is bad.
   */
  async mint(template: MintTemplate, clock: Clock): Promise<string> {
    const iss = this.issuerUrl;
    if (!iss) {
      throw new TokenExplorerError(
        'bad-config',
        `The local issuer is not running, so a token with its URL as "iss" would not verify: start the local issuer first (${START_COMMAND}).`,
      );
    }
    const checked = checkTemplate(template);
    const now = Math.floor(clock.now() / 1000);
    const { iss: _ignored, ...claims } = checked.claims ?? {};
    const payload: JWTPayload = {
      iss,
      sub: checked.sub,
      aud: checked.aud,
      ...mintTimes(checked, now),
      jti: randomUUID(),
      ...claims,
    };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: this.current.alg, kid: this.current.kid, typ: 'JWT' })
      .sign(this.current.privateKey);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const headers = {
      'content-type': 'application/json',
      'access-control-allow-origin': '*',
    };
    if (req.method !== 'GET') {
      res
        .writeHead(405, { ...headers, allow: 'GET' })
        .end(JSON.stringify({ error: 'method_not_allowed', message: 'Only GET is served.' }));
      return;
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const cached = { ...headers, 'cache-control': 'max-age=60' };
    const iss = this.issuerUrl ?? '';
    if (path === '/.well-known/openid-configuration') {
      res.writeHead(200, cached).end(
        JSON.stringify({
          issuer: iss,
          jwks_uri: `${iss}/jwks`,
          id_token_signing_alg_values_supported: [...new Set(this.jwks().keys.map((k) => k.alg))],
          response_types_supported: ['id_token'],
          subject_types_supported: ['public'],
          claims_supported: CLAIMS_SUPPORTED,
        }),
      );
    } else if (path === '/jwks') {
      res.writeHead(200, cached).end(JSON.stringify(this.jwks()));
    } else {
      res.writeHead(404, headers).end(
        JSON.stringify({
          error: 'not_found',
          message: `Not found: ${path}. This issuer serves /.well-known/openid-configuration and /jwks.`,
        }),
      );
    }
  }
}

function listenError(error: unknown, port: number, host: string): TokenExplorerError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new TokenExplorerError(
      'bad-config',
      `Port ${port} on ${host} is already in use, so the local issuer cannot start. Stop the program using it, or change the setting ${PORT_SETTING} (0 picks any free port).`,
      { cause: error, remedies: [PORT] },
    );
  }
  if (code === 'EACCES') {
    return new TokenExplorerError(
      'bad-config',
      `Port ${port} needs administrator rights, so the local issuer cannot start. Set ${PORT_SETTING} to a port above 1023 (0 picks any free port).`,
      { cause: error, remedies: [PORT] },
    );
  }
  return new TokenExplorerError(
    'bad-config',
    `The local issuer cannot listen on ${host}:${port}: ${asClause(errorMessage(error))}. Check the setting ${PORT_SETTING} (0 picks any free port).`,
    { cause: error, remedies: [PORT] },
  );
}
