import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { HttpEmulator } from '../httpServer';

/** One managed identity of the emulated resource. */
export interface EmulatedIdentity {
  readonly clientId: string;
  readonly objectId: string;
  /** The system-assigned identity answers requests without client_id. */
  readonly systemAssigned?: boolean;
}

/** One token request as the endpoint saw it. */
export interface ManagedIdentityRequest {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly metadata: string | undefined;
  readonly identityHeader: string | undefined;
}

/**
 * The two managed-identity token endpoints on 127.0.0.1:
 * - IMDS, `GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=R[&client_id=C]`
 *   with `Metadata: true` (required "as a mitigation against server side request forgery",
 *   https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token);
 *   without it, 400 `invalid_request` "Required metadata header not specified" (that page's error
 *   table); an unknown client_id, 400 "Identity not found" (wording unconfirmed). Values in the
 *   answer are strings (`expires_on` "1506484173"), as the page's sample shows.
 * - App Service / Functions, `GET /msi/token?api-version=2019-08-01&resource=R[&client_id=C]`
 *   with `X-IDENTITY-HEADER: $IDENTITY_HEADER`
 *   (https://learn.microsoft.com/azure/app-service/overview-managed-identity, REST endpoint
 *   reference); a missing or wrong header gets 401 (status and text unconfirmed).
 * Tokens are Entra-shaped v1.0 access tokens for the resource, with `xms_mirid`
 * (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
 */
export class ManagedIdentityServer extends HttpEmulator {
  readonly requests: ManagedIdentityRequest[] = [];
  /** App Service's IDENTITY_HEADER secret. */
  readonly identityHeader = randomBytes(16).toString('hex');
  readonly tenant = randomUUID();

  private constructor(
    private readonly key: { kid: string; privateKey: CryptoKey; publicJwk: JWK },
    readonly identities: readonly EmulatedIdentity[],
  ) {
    super();
  }

  static async start(identities: readonly EmulatedIdentity[]): Promise<ManagedIdentityServer> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomBytes(20).toString('base64url');
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    const server = new ManagedIdentityServer({ kid, privateKey, publicJwk }, identities);
    await server.listen();
    return server;
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.key.publicJwk] };
  }

  /** The App Service environment: IDENTITY_ENDPOINT and IDENTITY_HEADER. */
  appServiceEnv(): Record<string, string> {
    return { IDENTITY_ENDPOINT: `${this.url}/msi/token`, IDENTITY_HEADER: this.identityHeader };
  }

  /** The IMDS host override the Azure SDKs read. */
  imdsEnv(): Record<string, string> {
    return { AZURE_POD_IDENTITY_AUTHORITY_HOST: this.url };
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({
      path: url.pathname,
      query,
      metadata: req.headers.metadata as string | undefined,
      identityHeader: req.headers['x-identity-header'] as string | undefined,
    });
    const imds = url.pathname === '/metadata/identity/oauth2/token';
    if (!imds && url.pathname !== '/msi/token') {
      this.json(res, 404, { error: 'not_found', error_description: 'Not found' });
      return;
    }
    if (imds && req.headers.metadata !== 'true') {
      this.json(res, 400, {
        error: 'invalid_request',
        error_description: 'Required metadata header not specified',
      });
      return;
    }
    if (!imds && req.headers['x-identity-header'] !== this.identityHeader) {
      this.json(res, 401, {
        statusCode: 401,
        message: 'Unauthorized: the X-IDENTITY-HEADER is missing or wrong.',
      });
      return;
    }
    const wantedVersion = imds ? '2018-02-01' : '2019-08-01';
    if (query['api-version'] !== wantedVersion) {
      this.json(res, 400, {
        error: 'invalid_request',
        error_description: `Invalid api-version: ${query['api-version'] ?? ''}`,
      });
      return;
    }
    if (!query.resource) {
      this.json(res, 400, {
        error: 'invalid_request',
        error_description: 'Required query variable resource is missing',
      });
      return;
    }
    const identity = query.client_id
      ? this.identities.find((i) => i.clientId === query.client_id)
      : this.identities.find((i) => i.systemAssigned);
    if (!identity) {
      this.json(res, 400, { error: 'invalid_request', error_description: 'Identity not found' });
      return;
    }
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + 86_399;
    const token = await new SignJWT({
      aud: query.resource,
      iss: `https://sts.windows.net/${this.tenant}/`,
      iat,
      nbf: iat,
      exp,
      appid: identity.clientId,
      appidacr: '2',
      idp: `https://sts.windows.net/${this.tenant}/`,
      oid: identity.objectId,
      sub: identity.objectId,
      tid: this.tenant,
      ver: '1.0',
      xms_mirid: `/subscriptions/${randomUUID()}/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app-id`,
    })
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', x5t: this.key.kid, kid: this.key.kid })
      .sign(this.key.privateKey);
    this.json(
      res,
      200,
      imds
        ? {
            access_token: token,
            refresh_token: '',
            expires_in: String(exp - iat),
            expires_on: String(exp),
            ext_expires_in: String(exp - iat),
            not_before: String(iat),
            resource: query.resource,
            token_type: 'Bearer',
          }
        : {
            access_token: token,
            expires_on: String(exp),
            resource: query.resource,
            token_type: 'Bearer',
            client_id: identity.clientId,
          },
    );
  }
}
