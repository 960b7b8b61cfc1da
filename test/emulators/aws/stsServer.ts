import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { JWK, JWTPayload, KeyObject } from 'jose';
import { HttpEmulator } from '../httpServer';
import { SigV4Refused, type SigV4Identity, verifySigV4 } from './sigv4';

/**
 * AWS STS `GetWebIdentityToken` (IAM outbound identity federation), with the issuer's discovery
 * document and JWKS, so that the inspector verifies what it signs. Rules and sources:
 * - API: https://docs.aws.amazon.com/STS/latest/APIReference/API_GetWebIdentityToken.html
 *   (Audience.member.N 1-10 items of 1-1000 characters, required; SigningAlgorithm RS256|ES384,
 *   required; DurationSeconds 60-3600, default 300; Tags.member.N at most 50; response
 *   WebIdentityToken + Expiration; errors JWTPayloadSizeExceeded 400,
 *   OutboundWebIdentityFederationDisabled 403, SessionDurationEscalation 403; "not available on
 *   the STS Global endpoint"). The wire codes carry the `Exception` suffix (aws-sdk-sts
 *   protocol_serde/shape_get_web_identity_token.rs matches "JWTPayloadSizeExceededException").
 * - Claims: IAM user guide "Understanding token claims" (id_roles_providers_outbound_token_claims):
 *   iss/aud/sub (the principal's ARN)/iat/exp/jti and the `https://sts.amazonaws.com/` object
 *   (aws_account, source_region, org_id, ou_path, principal_tags, request_tags, ...); the API
 *   page: `principal_id` there holds the requesting principal's ARN.
 * - Issuer: per account, `https://<id>.tokens.sts.global.api.aws`, serving
 *   `/.well-known/openid-configuration` and `/.well-known/jwks.json` (IAM API
 *   GetOutboundWebIdentityFederationInfo). Here the issuer is this server's URL.
 * - Query protocol errors: `<ErrorResponse><Error><Type>Sender</Type><Code/><Message/></Error>
 *   <RequestId/></ErrorResponse>` (https://smithy.io/2.0/aws/protocols/aws-query-protocol.html);
 *   ValidationError texts as STS words constraint failures ("1 validation error detected: Value
 *   … at '…' failed to satisfy constraint: …"; the exact text is inferred from other STS
 *   operations' ValidationError, not from a GetWebIdentityToken capture).
 * - The payload size limit is not documented: {@link StsOptions.maxPayloadBytes} (inferred).
 */

/** An IAM principal the emulated account knows. */
export interface StsPrincipal extends SigV4Identity {
  /** The principal's ARN: the token's `sub` and `principal_id`. */
  readonly arn: string;
  /** May call sts:GetWebIdentityToken (an identity policy allows it); default true. */
  readonly allowed?: boolean;
  /** When temporary credentials' session ends (ms); a longer token is a duration escalation. */
  readonly sessionExpiresAt?: number;
  readonly principalTags?: Readonly<Record<string, string>>;
}

export interface StsOptions {
  readonly region: string;
  readonly account: string;
  readonly principals: readonly StsPrincipal[];
  readonly orgId?: string;
  /** The largest payload STS signs, in bytes of JSON (default 4096; undocumented, inferred). */
  readonly maxPayloadBytes?: number;
}

/** One logged call: its action and parameters (never credentials or tokens). */
export interface StsCall {
  readonly accessKeyId?: string;
  readonly params: Readonly<Record<string, string>>;
  readonly status: number;
}

export type StsFault = 'none' | 'hang' | 'reset' | 'http-500';

interface SigningKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES384';
  readonly privateKey: KeyObject | CryptoKey;
  readonly publicJwk: JWK;
}

export class StsServer extends HttpEmulator {
  fault: StsFault = 'none';
  /** IAM's account setting: EnableOutboundWebIdentityFederation has run. */
  federationEnabled = true;
  readonly calls: StsCall[] = [];
  /** Fixes the emulator's clock (ms) for signature-window tests; real time when undefined. */
  now: number | undefined;
  private readonly keys: SigningKey[] = [];

  private constructor(private readonly options: StsOptions) {
    super();
  }

  static async start(options: StsOptions): Promise<StsServer> {
    const server = new StsServer(options);
    for (const alg of ['RS256', 'ES384'] as const) {
      const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
      const kid = `${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`;
      server.keys.push({
        kid,
        alg,
        privateKey,
        publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
      });
    }
    await server.listen();
    return server;
  }

  /** The issuer of the tokens: this server (discovery at /.well-known/openid-configuration). */
  get issuer(): string {
    return this.url;
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.connectionFault(this.fault, req, res)) return;
    if (this.fault === 'http-500') {
      this.error(
        res,
        500,
        'InternalFailure',
        'The request processing has failed because of an unknown error.',
        'Receiver',
      );
      return;
    }
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname;
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
      this.json(res, 200, {
        issuer: this.issuer,
        jwks_uri: `${this.issuer}/.well-known/jwks.json`,
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256', 'ES384'],
      });
      return;
    }
    if (req.method === 'GET' && path === '/.well-known/jwks.json') {
      this.json(res, 200, this.jwks());
      return;
    }
    if (req.method !== 'POST' || path !== '/') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
    const nowMs = this.now ?? Date.now();
    let principal: StsPrincipal;
    try {
      principal = verifySigV4(
        { method: 'POST', url, headers: req.headers, body },
        { service: 'sts', region: this.options.region, sessionTokenSigned: true },
        this.options.principals,
        nowMs,
      ).identity;
    } catch (error) {
      if (!(error instanceof SigV4Refused)) throw error;
      this.calls.push({ params, status: error.status });
      this.error(res, error.status, error.code, error.message);
      return;
    }
    const answer = await this.getWebIdentityToken(params, principal, nowMs);
    this.calls.push({ accessKeyId: principal.accessKeyId, params, status: answer.status });
    res.writeHead(answer.status, { 'content-type': 'text/xml' }).end(answer.xml);
  }

  private async getWebIdentityToken(
    params: Readonly<Record<string, string>>,
    principal: StsPrincipal,
    nowMs: number,
  ): Promise<{ status: number; xml: string }> {
    if (params.Action !== 'GetWebIdentityToken' || params.Version !== '2011-06-15') {
      return errorXml(
        400,
        'InvalidAction',
        `Could not find operation ${params.Action ?? ''} for version ${params.Version ?? ''}`,
      );
    }
    const audiences = members(params, 'Audience.member.');
    const problems: string[] = [];
    if (audiences.length === 0) {
      problems.push(
        "Value null at 'audience' failed to satisfy constraint: Member must not be null",
      );
    } else if (audiences.length > 10) {
      problems.push(
        `Value '[${audiences.join(', ')}]' at 'audience' failed to satisfy constraint: Member must have length less than or equal to 10`,
      );
    } else if (audiences.some((a) => a.length < 1 || a.length > 1000)) {
      problems.push(
        "Value at 'audience' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 1000, Member must have length greater than or equal to 1]",
      );
    }
    const alg = params.SigningAlgorithm;
    if (alg === undefined) {
      problems.push(
        "Value null at 'signingAlgorithm' failed to satisfy constraint: Member must not be null",
      );
    } else if (alg !== 'RS256' && alg !== 'ES384') {
      problems.push(
        `Value '${alg}' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RS256, ES384]`,
      );
    }
    const duration = params.DurationSeconds === undefined ? 300 : Number(params.DurationSeconds);
    if (!Number.isInteger(duration) || duration < 60 || duration > 3600) {
      problems.push(
        `Value '${params.DurationSeconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${duration < 60 ? 'greater than or equal to 60' : 'less than or equal to 3600'}`,
      );
    }
    const tagKeys = members(params, 'Tags.member.', '.Key');
    const tagValues = members(params, 'Tags.member.', '.Value');
    if (tagKeys.length > 50) {
      problems.push(
        "Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
      );
    }
    if (problems.length > 0) {
      const n = problems.length;
      return errorXml(
        400,
        'ValidationError',
        `${n} validation error${n > 1 ? 's' : ''} detected: ${problems.join('; ')}`,
      );
    }
    if (principal.allowed === false) {
      return errorXml(
        403,
        'AccessDenied',
        `User: ${principal.arn} is not authorized to perform: sts:GetWebIdentityToken because no identity-based policy allows the sts:GetWebIdentityToken action`,
      );
    }
    if (!this.federationEnabled) {
      return errorXml(
        403,
        'OutboundWebIdentityFederationDisabledException',
        'The outbound web identity federation feature is not enabled for this account. To use this feature, you must first enable it through the AWS Management Console or API.',
      );
    }
    const iat = Math.floor(nowMs / 1000);
    const exp = iat + duration;
    if (principal.sessionExpiresAt !== undefined && exp * 1000 > principal.sessionExpiresAt) {
      return errorXml(
        403,
        'SessionDurationEscalationException',
        'The requested token duration would extend the session beyond its original expiration time. You cannot use this operation to extend the lifetime of a session beyond what was granted when the session was originally created.',
      );
    }
    const requestTags = Object.fromEntries(tagKeys.map((k, i) => [k, tagValues[i] ?? '']));
    const sts: Record<string, unknown> = {
      aws_account: this.options.account,
      source_region: this.options.region,
      principal_id: principal.arn,
      ...(this.options.orgId ? { org_id: this.options.orgId } : {}),
      ...(principal.principalTags ? { principal_tags: principal.principalTags } : {}),
      ...(tagKeys.length > 0 ? { request_tags: requestTags } : {}),
    };
    // One audience is a string in the docs' sample token; several, an array (inferred).
    const payload: JWTPayload = {
      aud: audiences.length === 1 ? audiences[0] : audiences,
      sub: principal.arn,
      jti: randomUUID(),
      'https://sts.amazonaws.com/': sts,
    };
    if (JSON.stringify(payload).length > (this.options.maxPayloadBytes ?? 4096)) {
      return errorXml(
        400,
        'JWTPayloadSizeExceededException',
        'The requested token payload size exceeds the maximum allowed size. Reduce the number of request tags included in the GetWebIdentityToken API call to reduce the token payload size.',
      );
    }
    const key = this.keys.find((k) => k.alg === alg) as SigningKey;
    const token = await new SignJWT(payload)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(key.privateKey);
    const expiration = new Date(exp * 1000).toISOString();
    return {
      status: 200,
      xml: `<GetWebIdentityTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetWebIdentityTokenResult>
    <WebIdentityToken>${token}</WebIdentityToken>
    <Expiration>${expiration}</Expiration>
  </GetWebIdentityTokenResult>
  <ResponseMetadata>
    <RequestId>${randomUUID()}</RequestId>
  </ResponseMetadata>
</GetWebIdentityTokenResponse>
`,
    };
  }

  private error(
    res: ServerResponse,
    status: number,
    code: string,
    message: string,
    type = 'Sender',
  ): void {
    res
      .writeHead(status, { 'content-type': 'text/xml' })
      .end(errorXml(status, code, message, type).xml);
  }
}

/** `Prefix1Suffix`, `Prefix2Suffix`… values in order, stopping at the first gap (as STS reads lists). */
function members(params: Readonly<Record<string, string>>, prefix: string, suffix = ''): string[] {
  const values: string[] = [];
  for (let i = 1; params[`${prefix}${i}${suffix}`] !== undefined; i++) {
    values.push(params[`${prefix}${i}${suffix}`] as string);
  }
  return values;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function errorXml(
  status: number,
  code: string,
  message: string,
  type = 'Sender',
): { status: number; xml: string } {
  return {
    status,
    xml: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>${type}</Type>
    <Code>${escapeXml(code)}</Code>
    <Message>${escapeXml(message)}</Message>
  </Error>
  <RequestId>${randomUUID()}</RequestId>
</ErrorResponse>
`,
  };
}
