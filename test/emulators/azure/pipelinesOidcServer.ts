import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { HttpEmulator } from '../httpServer';

/** One service connection of the emulated project. */
export interface ServiceConnection {
  readonly id: string;
  readonly name: string;
}

/** One token request as the service saw it (never the access token itself). */
export interface PipelinesOidcRequest {
  readonly method: string;
  readonly query: Readonly<Record<string, string>>;
  readonly authorized: boolean;
  readonly fedAuthRedirect: string | undefined;
}

const PLAN = '3b4c7a8e-0000-4000-8000-00000000000a';
const JOB = '3b4c7a8e-0000-4000-8000-00000000000b';
const PROJECT_ID = '3b4c7a8e-0000-4000-8000-00000000000c';

/** Azure DevOps' error body shape (`$id`, `message`, `typeName`…), as GitHub's token service inherits it. */
function adoError(message: string, typeKey: string) {
  return {
    $id: '1',
    innerException: null,
    message,
    typeName: `Microsoft.TeamFoundation.DistributedTask.WebApi.${typeKey}, Microsoft.TeamFoundation.DistributedTask.WebApi`,
    typeKey,
    errorCode: 0,
    eventId: 3000,
  };
}

/**
 * Azure DevOps' "Oidctoken - Create" on 127.0.0.1, as a pipeline job sees it through
 * `SYSTEM_OIDCREQUESTURI` (https://learn.microsoft.com/rest/api/azure/devops/distributedtask/oidctoken/create):
 * - POST only: a GET gets 405 "The requested resource does not support http method 'GET'."
 *   (the answer quoted in googleapis/google-auth-library-python issue 1508);
 * - `api-version` required (azure-identity sends `7.1`; the REST page `7.1-preview.1`), and a
 *   known `serviceConnectionId`;
 * - `Authorization: Bearer <System.AccessToken>`; a wrong one gets 401 (with
 *   `X-TFS-FedAuthRedirect: Suppress`, as azure-identity sends, no sign-in redirect);
 * - `{"oidcToken": "<jwt>"}` signed RS256, issuer https://vstoken.dev.azure.com/ORG_ID by default
 *   (the "Azure DevOps issuer", https://learn.microsoft.com/azure/devops/pipelines/release/convert-service-connections),
 *   `sub` sc://ORG/PROJECT/CONNECTION, `aud` api://AzureADTokenExchange; discovery and JWKS are
 *   served at the emulator's origin.
 * The texts of the 400/401/404 bodies are unconfirmed (no public sample found).
 */
export class PipelinesOidcServer extends HttpEmulator {
  readonly requests: PipelinesOidcRequest[] = [];
  /** The job's `$(System.AccessToken)`; tests check it never shows up in messages. */
  readonly accessToken = `eyJ0eXAiOiJKV1Qi.ado${randomBytes(24).toString('base64url')}`;
  readonly organizationId = randomUUID();
  /** When set, tokens name this issuer instead of the emulator's URL. */
  issuer: string | undefined;
  lifetimeSeconds = 600;

  private constructor(
    private readonly key: { kid: string; privateKey: CryptoKey; publicJwk: JWK },
    readonly connections: readonly ServiceConnection[],
  ) {
    super();
  }

  static async start(connections: readonly ServiceConnection[]): Promise<PipelinesOidcServer> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomBytes(20).toString('hex').toUpperCase();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    const server = new PipelinesOidcServer({ kid, privateKey, publicJwk }, connections);
    await server.listen();
    return server;
  }

  /** `SYSTEM_OIDCREQUESTURI` of the emulated job. */
  get requestUri(): string {
    return `${this.url}/acme/${PROJECT_ID}/_apis/distributedtask/hubs/build/plans/${PLAN}/jobs/${JOB}/oidctoken`;
  }

  /** The environment of a step that maps `$(System.AccessToken)`. */
  env(): Record<string, string> {
    return {
      SYSTEM_OIDCREQUESTURI: this.requestUri,
      SYSTEM_ACCESSTOKEN: this.accessToken,
      TF_BUILD: 'True',
    };
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.key.publicJwk] };
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      this.json(res, 200, {
        issuer: this.issuer ?? this.url,
        jwks_uri: `${this.url}/.well-known/jwks`,
        subject_types_supported: ['public', 'pairwise'],
        response_types_supported: ['id_token'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/.well-known/jwks') {
      this.json(res, 200, this.jwks());
      return;
    }
    if (url.pathname !== new URL(this.requestUri).pathname) {
      this.json(res, 404, adoError('Page not found.', 'NotFoundException'));
      return;
    }
    const authorized = req.headers.authorization === `Bearer ${this.accessToken}`;
    this.requests.push({
      method: req.method ?? '',
      query: Object.fromEntries(url.searchParams),
      authorized,
      fedAuthRedirect: req.headers['x-tfs-fedauthredirect'] as string | undefined,
    });
    if (req.method !== 'POST') {
      this.json(res, 405, {
        count: 1,
        value: { Message: `The requested resource does not support http method '${req.method}'.` },
      });
      return;
    }
    if (!url.searchParams.get('api-version')) {
      this.json(
        res,
        400,
        adoError(
          'No api-version was supplied for the POST request.',
          'VssVersionNotSpecifiedException',
        ),
      );
      return;
    }
    if (!authorized) {
      this.json(
        res,
        401,
        adoError(
          "TF400813: The user '' is not authorized to access this resource.",
          'UnauthorizedRequestException',
        ),
      );
      return;
    }
    const id = url.searchParams.get('serviceConnectionId');
    const connection = this.connections.find((c) => c.id === id);
    if (!connection) {
      this.json(
        res,
        400,
        adoError(
          `Service connection ${id ?? ''} was not found or is not authorized for this pipeline.`,
          'InvalidServiceEndpointException',
        ),
      );
      return;
    }
    this.json(res, 200, { oidcToken: await this.sign(connection) });
  }

  private async sign(connection: ServiceConnection): Promise<string> {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: this.issuer ?? this.url,
      sub: `sc://acme/app/${connection.name}`,
      aud: 'api://AzureADTokenExchange',
      iat,
      nbf: iat,
      exp: iat + this.lifetimeSeconds,
    })
      .setProtectedHeader({ alg: 'RS256', kid: this.key.kid, typ: 'JWT' })
      .sign(this.key.privateKey);
  }
}
