import * as assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import type { ErrorCode } from '../../../../../src/core/errors';
import { inspectToken } from '../../../../../src/core/jwt/inspect';
import { nodeProcessRunner } from '../../../../../src/core/node/processRunner';
import type { Clock, Fetch } from '../../../../../src/core/ports';
import type { Account, ProviderContext } from '../../../../../src/core/providers/provider';
import { metadataProvider } from '../../../../../src/core/providers/google/metadata';
import { probeMetadataServer } from '../../../../../src/core/providers/google/metadataProbe';
import {
  metadataAccessToken,
  metadataBaseUrl,
} from '../../../../../src/core/providers/google/metadataServer';
import { testContext } from '../../../../helpers/context';
import { eventually } from '../../../../helpers/poll';
import { MetadataServer } from '../../../../emulators/google/metadataServer';
import { rejectsWith, verifyGoogleIdToken } from '../../../helpers/assertions';
import { closedPort } from '../../../helpers/fixtures';

const AUDIENCE = 'https://api.example.com/?a=1&b=2';
const FROZEN: Clock = { now: () => Date.parse('2026-11-21T12:00:00Z') };

function context(
  vars: Record<string, string>,
  options: { timeoutMs?: number; fetch?: Fetch } = {},
): ProviderContext {
  return testContext({
    // Only `vars`: no metadata host unless a test names one.
    env: { GCE_METADATA_HOST: undefined, ...vars },
    clock: FROZEN,
    runner: nodeProcessRunner,
    timeoutMs: options.timeoutMs ?? 2000,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

function account(settings: Record<string, unknown> = {}): Account {
  return { id: 'm1', kind: 'google-metadata', settings };
}

describe('metadataProvider', () => {
  let server: MetadataServer;
  let ctx: ProviderContext;

  before(async () => {
    server = await MetadataServer.start({
      serviceAccounts: [
        { email: 'runner@proj-1.iam.gserviceaccount.com', uniqueId: '111' },
        { email: 'other@proj-1.iam.gserviceaccount.com', uniqueId: '222' },
      ],
      projectId: 'proj-1',
    });
  });
  after(() => server.stop());
  beforeEach(() => {
    server.fault = 'none';
    server.requests.length = 0;
    ctx = context({ GCE_METADATA_HOST: server.host });
  });

  const verify = (token: string) => verifyGoogleIdToken(token, server.jwks(), AUDIENCE);

  it('mints a format=full token of the default account that verifies against the JWKS', async () => {
    const minted = await metadataProvider.mint(account(), { audience: AUDIENCE }, ctx);
    const { payload } = await verify(minted.token);
    assert.equal(payload.email, 'runner@proj-1.iam.gserviceaccount.com');
    assert.equal(payload.sub, '111');
    assert.equal(minted.expiresAt, (payload.exp ?? 0) * 1000);
    const compute = (payload.google as { compute_engine: Record<string, unknown> }).compute_engine;
    assert.equal(compute.project_id, 'proj-1');
    assert.equal(compute.license_id, undefined);
    const [request] = server.requests;
    assert.equal(request?.path, '/computeMetadata/v1/instance/service-accounts/default/identity');
    assert.deepEqual(request?.query, { audience: AUDIENCE, format: 'full' });
    assert.equal(request?.flavor, 'Google');
  });

  it('asks for a named account, format=standard, or license codes as set', async () => {
    const standard = await metadataProvider.mint(
      account({ serviceAccount: 'other@proj-1.iam.gserviceaccount.com', format: 'standard' }),
      { audience: AUDIENCE },
      ctx,
    );
    const { payload } = await verify(standard.token);
    // format=standard has no email: only aud, azp, exp, iat, iss, sub.
    assert.equal(payload.email, undefined);
    assert.equal(payload.email_verified, undefined);
    assert.equal(payload.sub, '222');
    assert.equal(payload.google, undefined);
    assert.equal(
      server.requests[0]?.path,
      '/computeMetadata/v1/instance/service-accounts/other@proj-1.iam.gserviceaccount.com/identity',
    );
    const licensed = await metadataProvider.mint(
      account({ licenses: true }),
      { audience: AUDIENCE },
      ctx,
    );
    const claims = decodeJwt(licensed.token) as { google: { compute_engine: { license_id: [] } } };
    assert.deepEqual(claims.google.compute_engine.license_id, ['1000010']);
    assert.equal(server.requests[1]?.query.licenses, 'TRUE');
  });

  it('warns in the log and the description when an account asks for format=standard', async () => {
    const warnings: string[] = [];
    const logged = { ...ctx, logger: { ...ctx.logger, warn: (m: string) => warnings.push(m) } };
    await metadataProvider.mint(account({ format: 'standard' }), { audience: AUDIENCE }, logged);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /format "standard".*no email.*IAP/);
    await metadataProvider.mint(account(), { audience: AUDIENCE }, logged);
    assert.equal(warnings.length, 1, 'format=full (the default) is not warned about');
    assert.match(metadataProvider.describe(account({ format: 'standard' })), /no email/);
    const standard = await metadataProvider.mint(
      account({ format: 'standard' }),
      { audience: AUDIENCE },
      ctx,
    );
    const full = await metadataProvider.mint(account(), { audience: AUDIENCE }, ctx);
    assert.match(inspectToken(standard.token).warnings.join('\n'), /no email claim.*IAP/);
    assert.doesNotMatch(inspectToken(full.token).warnings.join('\n'), /no email claim/);
    assert.doesNotMatch(metadataProvider.describe(account()), /no email/);
  });

  describe('rides out what gcp-metadata rides out', () => {
    it('a server that refuses connections for its first second (cold start)', async () => {
      const patient = context({ GCE_METADATA_HOST: server.host }, { timeoutMs: 5000 });
      await server.refuseConnectionsFor(1000);
      const minted = await metadataProvider.mint(account(), { audience: AUDIENCE }, patient);
      await verify(minted.token);
      assert.equal(server.requests.length, 1, 'only the attempt after the cold start arrived');
    });

    it('a 503 answered once', async () => {
      server.unavailableFor = 1;
      const minted = await metadataProvider.mint(account(), { audience: AUDIENCE }, ctx);
      await verify(minted.token);
      assert.equal(server.requests.length, 2);
    });

    it('gives up with the last answer after 3 retries, as gaxios does', async () => {
      const patient = context({ GCE_METADATA_HOST: server.host }, { timeoutMs: 5000 });
      server.unavailableFor = 10;
      try {
        await rejectsWith(
          metadataProvider.mint(account(), { audience: AUDIENCE }, patient),
          'http-status',
          /HTTP 503/,
        );
        assert.equal(server.requests.length, 4);
      } finally {
        server.unavailableFor = 0;
      }
    });

    it('stops retrying within the configured timeout', async () => {
      server.unavailableFor = 10;
      try {
        // 2 s allows the retries after 0.1 s and 0.6 s, not the one after a further 1.5 s.
        await rejectsWith(
          metadataProvider.mint(account(), { audience: AUDIENCE }, ctx),
          'http-status',
          /HTTP 503/,
        );
        assert.equal(server.requests.length, 3);
      } finally {
        server.unavailableFor = 0;
      }
    });

    it('does not retry an answer that is not transient (404)', async () => {
      await rejectsWith(
        metadataProvider.mint(
          account({ serviceAccount: 'ghost@x.iam.gserviceaccount.com' }),
          { audience: AUDIENCE },
          ctx,
        ),
        'bad-config',
      );
      assert.equal(server.requests.length, 1);
    });
  });

  describe('finds the server', () => {
    const cases: [string, (s: MetadataServer) => Record<string, string>][] = [
      ['GCE_METADATA_HOST without a scheme', (s) => ({ GCE_METADATA_HOST: s.host })],
      ['GCE_METADATA_HOST with a scheme', (s) => ({ GCE_METADATA_HOST: `${s.url}/` })],
      ['the older GCE_METADATA_ROOT', (s) => ({ GCE_METADATA_ROOT: s.host })],
      ['GCE_METADATA_IP', (s) => ({ GCE_METADATA_IP: s.host })],
      [
        'GCE_METADATA_HOST before GCE_METADATA_IP',
        (s) => ({ GCE_METADATA_HOST: s.host, GCE_METADATA_IP: '127.0.0.1:9' }),
      ],
    ];
    for (const [name, vars] of cases) {
      it(`through ${name}`, async () => {
        const minted = await metadataProvider.mint(
          account(),
          { audience: AUDIENCE },
          context(vars(server)),
        );
        await verify(minted.token);
      });
    }

    it("through the account's endpoint before the environment", async () => {
      const minted = await metadataProvider.mint(
        account({ endpoint: server.host }),
        { audience: AUDIENCE },
        context({ GCE_METADATA_HOST: '127.0.0.1:9' }),
      );
      await verify(minted.token);
    });

    it('at 169.254.169.254 by default', () => {
      assert.equal(metadataBaseUrl(context({})), 'http://169.254.169.254');
      assert.equal(metadataBaseUrl(context({}), 'https://md.example/'), 'https://md.example');
    });
  });

  describe('explains each failure', () => {
    it('a missing audience (HTTP 400)', async () => {
      const error = await rejectsWith(
        metadataProvider.mint(account(), { audience: '' }, ctx),
        'bad-config',
      );
      assert.match(error.message, /without an audience/);
      assert.match(error.message, /non-empty audience parameter required/);
    });

    it('a service account that is not attached (HTTP 404)', async () => {
      const error = await rejectsWith(
        metadataProvider.mint(
          account({ serviceAccount: 'nobody@proj-1.iam.gserviceaccount.com' }),
          { audience: AUDIENCE },
          ctx,
        ),
        'bad-config',
      );
      assert.match(error.message, /nobody@proj-1.iam.gserviceaccount.com is not attached/);
    });

    const faults: [MetadataServer['fault'], ErrorCode, RegExp][] = [
      ['http-500', 'http-status', /HTTP 500: "Internal Server Error"\. Try again/],
      ['429', 'http-status', /busy \(HTTP 429.*try again in 7 s/],
      ['403', 'permission-denied', /HTTP 403 Forbidden/],
      ['reset', 'network', /connection was reset|other side closed|socket/i],
      ['malformed', 'bad-response', /not a JWT/],
      ['no-flavor-header', 'bad-response', /is not a metadata server/],
      ['wrong-content-type', 'bad-response', /is not a metadata server/],
    ];
    for (const [fault, code, message] of faults) {
      it(`the ${fault} fault`, async () => {
        server.fault = fault;
        const error = await rejectsWith(
          metadataProvider.mint(account(), { audience: AUDIENCE }, ctx),
          code,
        );
        assert.match(error.message, message);
      });
    }

    it('a server that hangs, within the timeout', async () => {
      server.fault = 'hang';
      const held = server.heldRequests;
      const started = Date.now();
      const error = await rejectsWith(
        metadataProvider.mint(
          account(),
          { audience: AUDIENCE },
          context({ GCE_METADATA_HOST: server.host }, { timeoutMs: 300 }),
        ),
        'timeout',
      );
      const elapsed = Date.now() - started;
      assert.equal(server.heldRequests - held, 1, 'the request reached the server and was held');
      assert.ok(elapsed >= 290, `gave up after ${elapsed} ms, before its 300 ms limit`);
      assert.ok(elapsed < 1500);
      assert.match(error.message, /did not answer within 0.3 s/);
      await eventually(
        'the client to close the held request',
        () => server.openHeldRequests,
        (n) => n === 0,
      );
    });

    it('a cancelled request', async () => {
      server.fault = 'hang';
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      await rejectsWith(
        metadataProvider.mint(account(), { audience: AUDIENCE, signal: controller.signal }, ctx),
        'cancelled',
      );
    });

    it('nothing listening', async () => {
      const port = await closedPort();
      const error = await rejectsWith(
        metadataProvider.mint(
          account(),
          { audience: AUDIENCE },
          context({ GCE_METADATA_HOST: `127.0.0.1:${port}` }),
        ),
        'network',
      );
      assert.match(error.message, /connection refused/);
    });

    it('an HTTP server that is not a metadata server', async () => {
      const other = createServer((_req, res) => res.end('hello'));
      await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = other.address() as AddressInfo;
        const error = await rejectsWith(
          metadataProvider.mint(
            account(),
            { audience: AUDIENCE },
            context({ GCE_METADATA_HOST: `127.0.0.1:${port}` }),
          ),
          'bad-response',
        );
        assert.match(error.message, /is not a metadata server/);
      } finally {
        other.close();
      }
    });

    it('settings that are wrong, before any request', async () => {
      await rejectsWith(
        metadataProvider.mint(account({ format: 'jwt' }), { audience: AUDIENCE }, ctx),
        'bad-config',
      );
      assert.equal(server.requestCount, 0);
    });
  });

  it('validates settings', () => {
    assert.deepEqual(metadataProvider.validate(account()), []);
    assert.deepEqual(
      metadataProvider.validate(
        account({
          endpoint: 'http://127.0.0.1:8080',
          serviceAccount: 'a@b.iam.gserviceaccount.com',
        }),
      ),
      [],
    );
    assert.equal(metadataProvider.validate(account({ serviceAccount: 'not an email' })).length, 1);
    assert.equal(
      metadataProvider.validate(account({ endpoint: 'http://h/computeMetadata/v1' })).length,
      1,
    );
    assert.equal(
      metadataProvider.validate(account({ format: 'standard', licenses: true })).length,
      1,
    );
    assert.equal(metadataProvider.validate(account({ licenses: 'yes' })).length, 1);
  });

  it('describes the account', () => {
    assert.equal(metadataProvider.describe(account()), 'Metadata server: default service account');
    assert.equal(
      metadataProvider.describe(account({ serviceAccount: 'a@b.c', endpoint: '127.0.0.1:1' })),
      'Metadata server: a@b.c at 127.0.0.1:1',
    );
  });
});

describe('probeMetadataServer', () => {
  let server: MetadataServer;
  before(async () => {
    server = await MetadataServer.start({ projectId: 'probe-proj' });
  });
  after(() => server.stop());
  beforeEach(() => {
    server.fault = 'none';
    server.requests.length = 0;
  });

  it('reports the default account and project of a server that answers', async () => {
    const probe = await probeMetadataServer(context({ GCE_METADATA_HOST: server.host }));
    assert.deepEqual(probe, {
      available: true,
      email: 'runner@probe-proj.iam.gserviceaccount.com',
      project: 'probe-proj',
    });
    assert.equal(server.requests[0]?.path, '/computeMetadata/v1/instance');
  });

  it('gives up within its short bound on a server that hangs', async () => {
    server.fault = 'hang';
    const held = server.heldRequests;
    const started = Date.now();
    const probe = await probeMetadataServer(context({ GCE_METADATA_HOST: server.host }), 300);
    const elapsed = Date.now() - started;
    assert.equal(server.heldRequests - held, 1, 'the probe reached the server and was held');
    assert.ok(elapsed >= 290, `gave up after ${elapsed} ms, before its 300 ms limit`);
    assert.ok(elapsed < 1500);
    assert.equal(probe.available, false);
    assert.match(probe.reason ?? '', /did not answer within 0.3 s/);
  });

  it('names a residency hint when the server is missing', async () => {
    const port = await closedPort();
    const probe = await probeMetadataServer(
      context({ GCE_METADATA_HOST: `127.0.0.1:${port}`, K_SERVICE: 'api' }),
      300,
    );
    assert.equal(probe.available, false);
    assert.match(probe.reason ?? '', /connection refused.*K_SERVICE is set.*Cloud Run service/);
  });

  it('does not take a server without the flavor header for a metadata server', async () => {
    server.fault = 'no-flavor-header';
    const probe = await probeMetadataServer(context({ GCE_METADATA_HOST: server.host }));
    assert.equal(probe.available, false);
    assert.match(probe.reason ?? '', /is not a metadata server/);
  });
});

describe('metadataAccessToken', () => {
  let server: MetadataServer;
  before(async () => {
    server = await MetadataServer.start();
  });
  after(() => server.stop());
  beforeEach(() => {
    server.fault = 'none';
  });

  it('reads the access token and when it expires', async () => {
    const ctx = context({ GCE_METADATA_HOST: server.host });
    const result = await metadataAccessToken(ctx);
    assert.deepEqual(result, {
      accessToken: server.accessToken,
      expiresAt: FROZEN.now() + 3599 * 1000,
    });
  });

  it('explains a broken answer without quoting it', async () => {
    server.fault = 'malformed';
    const error = await rejectsWith(
      metadataAccessToken(context({ GCE_METADATA_HOST: server.host })),
      'bad-response',
    );
    assert.match(error.message, /did not answer with \{access_token, expires_in\}/);
    assert.ok(!error.message.includes('access_token": '));
  });

  it('reports a hang as a timeout and a cancel as cancelled', async () => {
    server.fault = 'hang';
    await rejectsWith(
      metadataAccessToken(context({ GCE_METADATA_HOST: server.host }, { timeoutMs: 300 })),
      'timeout',
    );
    await rejectsWith(
      metadataAccessToken(context({ GCE_METADATA_HOST: server.host }), AbortSignal.timeout(50)),
      'cancelled',
    );
  });
});

describe('MetadataServer emulator', () => {
  let server: MetadataServer;
  before(async () => {
    server = await MetadataServer.start();
  });
  after(() => server.stop());

  it('refuses requests without Metadata-Flavor: Google, like GCE', async () => {
    const response = await fetch(`${server.url}/computeMetadata/v1/instance/`);
    assert.equal(response.status, 403);
    assert.match(await response.text(), /Missing Metadata-Flavor:Google header/);
  });

  it('stops with a request still hanging', async () => {
    const hung = await MetadataServer.start();
    hung.fault = 'hang';
    const pending = fetch(`${hung.url}/computeMetadata/v1/instance`, {
      headers: { 'Metadata-Flavor': 'Google' },
    }).catch((error: unknown) => error);
    await eventually(
      'the request to be held',
      () => hung.openHeldRequests,
      (n) => n === 1,
    );
    await hung.stop();
    assert.ok((await pending) instanceof Error);
  });
});
