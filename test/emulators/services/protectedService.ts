/**
 * The front ends of Cloud Run and Identity-Aware Proxy, as documented and as their answers show up
 * in public issues, on 127.0.0.1. Tokens are verified against the Google JWKS emulator
 * (GoogleApis, over HTTP) and checked for issuer, audience, expiry and (IAP) email; callers are
 * then checked against an invoker list. Every status, header and body text below is cited.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { compactVerify, createRemoteJWKSet, decodeJwt } from 'jose';
import type { JWTPayload } from 'jose';
import { HttpEmulator } from '../httpServer';

export type FrontEnd = 'cloud-run' | 'iap';

export interface ProtectedServiceOptions {
  readonly frontEnd: FrontEnd;
  /** The Google JWKS emulator's URL (GoogleApis.jwksUrl). */
  readonly jwksUrl: string;
  /** Emails (or `sub`s) holding the invoker role (run.invoker / iap.httpsResourceAccessor). */
  readonly invokers: readonly string[];
  /** Cloud Run: custom audiences accepted besides the URL. */
  readonly customAudiences?: readonly string[];
  /** IAP: its OAuth client id (the only audience it accepts). */
  readonly iapClientId?: string;
}

/** One request as the emulator saw it (no credential values). */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly credentialHeader?: string;
}

const GOOGLE_ISSUERS = new Set(['https://accounts.google.com', 'accounts.google.com']);
// Cloud Run accepts gcloud's user tokens from developers (cloud.google.com/run/docs/authenticating/
// developers: `curl -H "Authorization: Bearer $(gcloud auth print-identity-token)" SERVICE_URL`).
const GCLOUD_CLIENT_ID = '32555940559.apps.googleusercontent.com';

// Google's front end identifies itself so in Cloud Run answers (`server: Google Frontend` in
// `curl -i` output of *.run.app services); both front ends answer errors as HTML
// (`content-type: text/html; charset=UTF-8`, GoogleCloudPlatform/esp-v2 issue #171 for IAP).
const HTML = 'text/html; charset=UTF-8';

/** Cloud Run's error page: "Error: Unauthorized/Forbidden" and one sentence (pomerium/pomerium #1623). */
function cloudRunPage(status: 401 | 403, path: string): string {
  const title = status === 401 ? '401 Unauthorized' : '403 Forbidden';
  // 401: "Your client does not have permission to the requested URL /." (pomerium/pomerium #1623)
  // 403: "Your client does not have permission to get URL / from this server."
  //      (datacommonsorg/docsite PR #463; GoogleCloudPlatform/cloud-code-intellij issue #3133)
  const sentence =
    status === 401
      ? `Your client does not have permission to the requested URL <code>${path}</code>.`
      : `Your client does not have permission to get URL <code>${path}</code> from this server.`;
  return `<html><head><meta http-equiv="content-type" content="text/html;charset=utf-8">\n<title>${title}</title>\n</head>\n<body text=#000000 bgcolor=#ffffff>\n<h1>Error: ${status === 401 ? 'Unauthorized' : 'Forbidden'}</h1>\n<h2>${sentence}</h2>\n<h2></h2>\n</body></html>\n`;
}

/** Why a token failed, and how the front end words it. */
class Rejection {
  constructor(
    readonly status: 401 | 403,
    readonly iapText: string,
  ) {}
}

/** A Cloud Run or IAP front end in front of a trivial app that echoes who called. */
export class ProtectedService extends HttpEmulator {
  /** The emulator's clock (ms); tests may move it. */
  now: () => number = () => Date.now();
  readonly seen: SeenRequest[] = [];
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  private constructor(private readonly options: ProtectedServiceOptions) {
    super();
    this.jwks = createRemoteJWKSet(new URL(options.jwksUrl));
  }

  static async start(options: ProtectedServiceOptions): Promise<ProtectedService> {
    const service = new ProtectedService(options);
    await service.listen();
    return service;
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', this.url).pathname;
    const { header, value } = this.credential(req);
    this.seen.push({
      method: req.method ?? 'GET',
      path,
      ...(header ? { credentialHeader: header } : {}),
    });
    for await (const _chunk of req) void _chunk;
    const frontEnd = this.options.frontEnd;
    if (value === undefined) {
      if (frontEnd === 'iap') {
        // No credential: IAP treats the call as a browser visit and sends it to Google sign-in
        // (cloud.google.com/iap/docs/authentication-howto; the 302 browsers see).
        res
          .writeHead(302, {
            location: `https://accounts.google.com/o/oauth2/v2/auth?client_id=${encodeURIComponent(this.options.iapClientId ?? '')}&response_type=code&scope=openid+email`,
            'x-goog-iap-generated-response': 'true',
            'content-type': HTML,
          })
          .end();
        return;
      }
      // No token: 403 (datacommonsorg/docsite PR #463: "you have not provided an authentication token").
      this.cloudRunError(res, 403, path);
      return;
    }
    const outcome = await this.check(value);
    if (outcome instanceof Rejection) {
      if (frontEnd === 'iap') this.iapError(res, outcome.status, outcome.iapText);
      else this.cloudRunError(res, outcome.status, path);
      return;
    }
    const principal = typeof outcome.email === 'string' ? outcome.email : String(outcome.sub);
    if (!this.options.invokers.includes(principal)) {
      if (frontEnd === 'iap') {
        // An authenticated principal without roles/iap.httpsResourceAccessor. Unconfirmed wording:
        // no public source quotes IAP's programmatic 403 body; the status is the documented one.
        this.iapError(res, 403, 'Access denied: the caller lacks roles/iap.httpsResourceAccessor.');
      } else {
        this.cloudRunError(res, 403, path);
      }
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json', server: 'Google Frontend' })
      .end(JSON.stringify({ hello: principal, path }));
  }

  /**
   * Where each front end reads the token. Cloud Run: `X-Serverless-Authorization` first, else
   * `Authorization` (cloud.google.com/run/docs/authenticating/service-to-service). IAP:
   * `Proxy-Authorization` first, else `Authorization` (cloud.google.com/iap/docs/authentication-howto:
   * "Pass these credentials to IAP in the Authorization or Proxy-Authorization HTTP header").
   */
  private credential(req: IncomingMessage): { header?: string; value?: string } {
    const order =
      this.options.frontEnd === 'iap'
        ? ['proxy-authorization', 'authorization']
        : ['x-serverless-authorization', 'authorization'];
    for (const name of order) {
      const raw = req.headers[name];
      if (typeof raw !== 'string') continue;
      const match = /^Bearer +(\S+)$/i.exec(raw.trim());
      return { header: name, ...(match?.[1] ? { value: match[1] } : { value: '' }) };
    }
    return {};
  }

  private async check(token: string): Promise<JWTPayload | Rejection> {
    let claims: JWTPayload;
    try {
      claims = decodeJwt(token);
    } catch {
      // An access token: "Invalid IAP credentials: Base64 decode failed on token: ya29.c.…"
      // (googleapis/google-auth-library-nodejs issue #792; IAP echoes the credential).
      return new Rejection(401, `Invalid IAP credentials: Base64 decode failed on token: ${token}`);
    }
    try {
      await compactVerify(token, this.jwks);
    } catch {
      // Unconfirmed wording for IAP; Cloud Run answers its generic 401 page.
      return new Rejection(401, 'Invalid IAP credentials: Unable to verify JWT signature');
    }
    if (typeof claims.iss !== 'string' || !GOOGLE_ISSUERS.has(claims.iss)) {
      return new Rejection(
        401,
        `Invalid IAP credentials: JWT issuer ('${String(claims.iss)}') is not accepted`,
      );
    }
    const nowSeconds = Math.floor(this.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp < nowSeconds) {
      // Unconfirmed wording for IAP ("Expired JWT" as IAP logs it is not quoted publicly).
      return new Rejection(401, 'Invalid IAP credentials: Expired JWT');
    }
    const auds = Array.isArray(claims.aud) ? claims.aud : claims.aud ? [claims.aud] : [];
    if (this.options.frontEnd === 'iap') {
      const expected = this.options.iapClientId ?? '';
      if (!auds.includes(expected)) {
        // GoogleCloudPlatform/professional-services issue #603, verbatim shape.
        return new Rejection(
          401,
          `Invalid IAP credentials: JWT audience doesn't match this application ('aud' claim (${auds.join(',')}) doesn't match expected value (${expected}))`,
        );
      }
      if (typeof claims.email !== 'string') {
        // googleapis/google-auth-library-nodejs issue #792, verbatim.
        return new Rejection(401, "Invalid IAP credentials: JWT 'email' claim isn't a string");
      }
      return claims;
    }
    // Cloud Run: the service URL (with or without "/") or a custom audience
    // (cloud.google.com/run/docs/configuring/custom-audiences), or gcloud's developer token.
    const accepted = [
      this.url,
      `${this.url}/`,
      ...(this.options.customAudiences ?? []),
      GCLOUD_CLIENT_ID,
    ];
    if (!auds.some((aud) => accepted.includes(aud))) return new Rejection(401, '');
    return claims;
  }

  /**
   * Cloud Run's rejections: 401 for a token it cannot verify (with an RFC 6750 challenge,
   * `error="invalid_token"`: the body wording "The access token could not be verified" is how
   * Cloud Run's 401 reads in public deployment notes; the header form is unconfirmed), 403 for a
   * missing token or a principal without roles/run.invoker.
   */
  private cloudRunError(res: ServerResponse, status: 401 | 403, path: string): void {
    res
      .writeHead(status, {
        'content-type': HTML,
        server: 'Google Frontend',
        ...(status === 401
          ? {
              'www-authenticate':
                'Bearer error="invalid_token" error_description="The access token could not be verified"',
            }
          : {}),
      })
      .end(cloudRunPage(status, path));
  }

  /** IAP's rejections: plain text, marked as generated by IAP (esp-v2 issue #171). */
  private iapError(res: ServerResponse, status: number, text: string): void {
    res
      .writeHead(status, { 'content-type': HTML, 'x-goog-iap-generated-response': 'true' })
      .end(text);
  }
}
