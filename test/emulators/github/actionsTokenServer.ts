import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { HttpEmulator } from '../httpServer';

/** A fault the token service can be switched into, to test how clients report it. */
export type ActionsTokenFault =
  | 'none'
  | 'http-500'
  | 'hang'
  | 'reset'
  /** HTTP 401 whatever the request token, as for a job that has finished. */
  | 'bad-token'
  /** HTTP 200 with a body that is not JSON. */
  | 'malformed'
  /** HTTP 200 with JSON lacking `value`. */
  | 'no-value';

/** The repository and run the emulated job belongs to. */
export interface ActionsJobOptions {
  readonly owner?: string;
  readonly repo?: string;
  readonly ref?: string;
  readonly sha?: string;
  readonly workflowFile?: string;
  readonly runId?: string;
  /** Defaults to GitHub's `https://token.actions.githubusercontent.com`. */
  readonly issuer?: string;
  /** Token lifetime in seconds; 300 (5 min) by default, see {@link ActionsTokenServer}. */
  readonly lifetimeSeconds?: number;
}

/** One token request as the server saw it (never the request token itself). */
export interface ActionsTokenRequest {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Whether the bearer request token was the job's. */
  readonly authorized: boolean;
  /** The Accept header sent (the toolkit's `getJson` sends `application/json`). */
  readonly accept: string | undefined;
  readonly audience: string | undefined;
}

const JOB_PATH =
  '/_apis/distributedtask/hubs/Actions/plans/3b4c7a8e-0000-4000-8000-000000000001/jobs/3b4c7a8e-0000-4000-8000-000000000002/idtoken';

/**
 * GitHub Actions' OIDC token service on 127.0.0.1, as `core.getIDToken()` sees it: a job URL that
 * already has `?api-version=2.0`, a bearer request token it checks, an optional `audience`
 * parameter (the repository owner's URL when absent), and `{"value": "<jwt>"}` answers signed
 * RS256 with GitHub's claim shape. Serves discovery and its JWKS at `/.well-known/jwks`.
 *
 * Times follow the example token in GitHub's OIDC docs: `exp = iat + 300` (5 min; GitHub's actual
 * lifetime is not documented, and reports vary between 5 and 10 minutes) and `nbf = iat - 600`.
 * Numeric ids are strings, as in GitHub's tokens. Error bodies are Azure DevOps-style
 * `{"message": ...}` JSON (unconfirmed: what GitHub sends on 401 is not documented).
 */
export class ActionsTokenServer extends HttpEmulator {
  fault: ActionsTokenFault = 'none';
  /**
   * How many of the next requests get 503 before the service answers again: the transient
   * failures @actions/http-client retries (502, 503, 504 to a GET; HttpResponseRetryCodes).
   */
  unavailableFor = 0;
  readonly requests: ActionsTokenRequest[] = [];
  /** The job's `ACTIONS_ID_TOKEN_REQUEST_TOKEN`; tests check it never shows up in messages. */
  readonly requestToken = `ghs_emulator${randomBytes(24).toString('base64url')}`;
  readonly job: Required<Omit<ActionsJobOptions, 'issuer' | 'lifetimeSeconds'>>;
  readonly issuer: string;
  private readonly lifetimeSeconds: number;

  private constructor(
    private readonly key: { kid: string; x5t: string; privateKey: CryptoKey; publicJwk: JWK },
    options: ActionsJobOptions,
  ) {
    super();
    this.job = {
      owner: options.owner ?? 'octo-org',
      repo: options.repo ?? 'octo-repo',
      ref: options.ref ?? 'refs/heads/main',
      sha: options.sha ?? 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4',
      workflowFile: options.workflowFile ?? 'deploy.yml',
      runId: options.runId ?? '9876543210',
    };
    this.issuer = options.issuer ?? 'https://token.actions.githubusercontent.com';
    this.lifetimeSeconds = options.lifetimeSeconds ?? 300;
  }

  /** Starts the service with a fresh RS256 key. */
  static async start(options: ActionsJobOptions = {}): Promise<ActionsTokenServer> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    // GitHub's x5t is the SHA-1 of a certificate this emulator does not have: any 20 bytes do.
    const x5t = randomBytes(20).toString('base64url');
    const kid = randomBytes(20).toString('hex').toUpperCase();
    const publicJwk = { ...jwk, kid, x5t, alg: 'RS256', use: 'sig' };
    const server = new ActionsTokenServer({ kid, x5t, privateKey, publicJwk }, options);
    await server.listen();
    return server;
  }

  /** The job's `ACTIONS_ID_TOKEN_REQUEST_URL` (with its `?api-version=2.0` query). */
  get requestUrl(): string {
    return `${this.url}${JOB_PATH}?api-version=2.0`;
  }

  get jwksUrl(): string {
    return `${this.url}/.well-known/jwks`;
  }

  /** The environment of a job with `permissions: id-token: write`. */
  env(): Record<string, string> {
    return {
      ACTIONS_ID_TOKEN_REQUEST_URL: this.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: this.requestToken,
      GITHUB_ACTIONS: 'true',
    };
  }

  /** The public key set that verifies this service's tokens. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.key.publicJwk] };
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (req.method !== 'GET') {
      this.json(res, 405, { message: 'Method not allowed' });
      return;
    }
    if (url.pathname === '/.well-known/openid-configuration') {
      this.json(res, 200, {
        issuer: this.issuer,
        jwks_uri: this.jwksUrl,
        subject_types_supported: ['public', 'pairwise'],
        response_types_supported: ['id_token'],
        claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'ref', 'repository'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid'],
      });
      return;
    }
    if (url.pathname === '/.well-known/jwks') {
      this.json(res, 200, this.jwks());
      return;
    }
    if (url.pathname !== JOB_PATH) {
      this.json(res, 404, { message: 'Not found' });
      return;
    }
    const authorized = req.headers.authorization === `Bearer ${this.requestToken}`;
    const audience = url.searchParams.get('audience') ?? undefined;
    this.requests.push({
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorized,
      audience,
      accept: req.headers.accept,
    });
    if (this.connectionFault(this.fault, req, res)) return;
    if (this.unavailableFor > 0) {
      this.unavailableFor--;
      this.json(res, 503, { message: 'Service Unavailable' });
      return;
    }
    switch (this.fault) {
      case 'http-500':
        this.json(res, 500, { message: 'Internal server error' });
        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in</html>');
        return;
      case 'no-value':
        this.json(res, 200, { count: 0 });
        return;
      default:
        break;
    }
    if (!authorized || this.fault === 'bad-token') {
      this.json(res, 401, {
        $id: '1',
        innerException: null,
        message: "TF400813: The user '' is not authorized to access this resource.",
        typeName: 'Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException',
        typeKey: 'UnauthorizedRequestException',
        errorCode: 0,
        eventId: 3000,
      });
      return;
    }
    this.json(res, 200, { count: 1, value: await this.sign(audience) });
  }

  private async sign(audience: string | undefined): Promise<string> {
    const { owner, repo, ref, sha, workflowFile, runId } = this.job;
    const iat = Math.floor(Date.now() / 1000);
    const workflowRef = `${owner}/${repo}/.github/workflows/${workflowFile}@${ref}`;
    return new SignJWT({
      jti: randomUUID(),
      sub: `repo:${owner}/${repo}:ref:${ref}`,
      aud: audience || `https://github.com/${owner}`,
      ref,
      sha,
      repository: `${owner}/${repo}`,
      repository_owner: owner,
      repository_owner_id: '65',
      repository_id: '74',
      repository_visibility: 'private',
      run_id: runId,
      run_number: '10',
      run_attempt: '1',
      actor: 'octocat',
      actor_id: '12',
      workflow: 'Deploy',
      workflow_ref: workflowRef,
      workflow_sha: sha,
      head_ref: '',
      base_ref: '',
      event_name: 'push',
      ref_protected: 'false',
      ref_type: 'branch',
      job_workflow_ref: workflowRef,
      job_workflow_sha: sha,
      runner_environment: 'github-hosted',
      iss: this.issuer,
      nbf: iat - 600,
      iat,
      exp: iat + this.lifetimeSeconds,
    })
      .setProtectedHeader({ alg: 'RS256', kid: this.key.kid, x5t: this.key.x5t, typ: 'JWT' })
      .sign(this.key.privateKey);
  }
}
