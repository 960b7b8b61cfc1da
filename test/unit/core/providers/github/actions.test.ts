import * as assert from 'node:assert/strict';
import type { ErrorCode } from '../../../../../src/core/errors';
import { detectIssuerFamily } from '../../../../../src/core/jwt/claims';
import { inspectToken } from '../../../../../src/core/jwt/inspect';
import type { Fetch } from '../../../../../src/core/ports';
import type { Account, ProviderContext } from '../../../../../src/core/providers/provider';
import {
  githubActionsAvailable,
  githubActionsProvider,
} from '../../../../../src/core/providers/github/actions';
import { ActionsTokenServer } from '../../../../emulators/github/actionsTokenServer';
import { testContext } from '../../../../helpers/context';
import { rejectsWithout, verifyThroughIssuer } from '../../../helpers/assertions';
import { closedPort } from '../../../helpers/fixtures';

const AUDIENCE = 'https://api.example.com/?a=1&b=2 c';
const ACCOUNT: Account = { id: 'gh1', kind: 'github-actions', settings: {} };

function context(
  vars: Record<string, string | undefined>,
  options: { timeoutMs?: number; fetch?: Fetch } = {},
): ProviderContext {
  return {
    ...testContext({
      ...(options.fetch ? { fetch: options.fetch } : {}),
      runner: { run: () => Promise.reject(new Error('this provider never runs commands')) },
      timeoutMs: options.timeoutMs ?? 2000,
    }),
    // Read live: a test may change a variable between mints.
    env: { get: (name) => vars[name], homeDir: '/nonexistent', platform: process.platform },
  };
}

describe('githubActionsProvider', () => {
  let server: ActionsTokenServer;

  before(async () => {
    server = await ActionsTokenServer.start({ owner: 'octo-org', repo: 'octo-repo' });
  });
  after(() => server.stop());
  beforeEach(() => {
    server.fault = 'none';
    server.unavailableFor = 0;
    server.requests.length = 0;
  });

  /** Errors must never carry the request token or a JWT. */
  const rejectsWith = rejectsWithout(() => [server.requestToken, /eyJ/]);

  it("mints a token for the audience that verifies with GitHub's keys and explains as GitHub", async () => {
    const minted = await githubActionsProvider.mint(
      ACCOUNT,
      { audience: AUDIENCE },
      context(server.env()),
    );
    const [request] = server.requests;
    assert.equal(request?.authorized, true);
    assert.equal(request?.audience, AUDIENCE);
    assert.equal(request?.query['api-version'], '2.0');
    // actions/toolkit @actions/http-client getJson: Accept application/json.
    assert.equal(request?.accept, 'application/json');

    const inspection = inspectToken(minted.token);
    const payload = inspection.payload ?? {};
    assert.equal(payload.aud, AUDIENCE);
    assert.equal(payload.iss, 'https://token.actions.githubusercontent.com');
    assert.equal(payload.sub, 'repo:octo-org/octo-repo:ref:refs/heads/main');
    assert.equal(minted.expiresAt, (inspection.times.exp ?? 0) * 1000);
    assert.equal((inspection.times.exp ?? 0) - (inspection.times.iat ?? 0), 300);
    assert.equal(detectIssuerFamily(payload), 'github');
    const rows = new Map(inspection.claimRows.map((row) => [row.name, row]));
    for (const claim of ['job_workflow_ref', 'repository_owner', 'runner_environment']) {
      assert.equal(rows.get(claim)?.source, 'github', claim);
    }

    const outcome = await verifyThroughIssuer(inspection, server.issuer, server.jwksUrl);
    assert.equal(outcome.status, 'verified');
  });

  it("leaves the audience out when empty: GitHub uses the owner's URL", async () => {
    const minted = await githubActionsProvider.mint(
      ACCOUNT,
      { audience: ' ' },
      context(server.env()),
    );
    assert.deepEqual(server.requests[0]?.query, { 'api-version': '2.0' });
    assert.equal(inspectToken(minted.token).payload?.aud, 'https://github.com/octo-org');
  });

  it('starts the query with ? when the request URL has none', async () => {
    const env = {
      ...server.env(),
      ACTIONS_ID_TOKEN_REQUEST_URL: server.requestUrl.split('?')[0],
    };
    await githubActionsProvider.mint(ACCOUNT, { audience: 'sts.amazonaws.com' }, context(env));
    assert.deepEqual(server.requests[0]?.query, { audience: 'sts.amazonaws.com' });
  });

  it('serves discovery pointing at its JWKS', async () => {
    const doc = (await (
      await fetch(`${server.url}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    assert.equal(doc.issuer, server.issuer);
    assert.equal(doc.jwks_uri, server.jwksUrl);
  });

  it('is available only with both variables', () => {
    const env = (vars: Record<string, string>) => context(vars).env;
    assert.equal(githubActionsAvailable(env(server.env())), true);
    assert.equal(githubActionsAvailable(env({ ACTIONS_ID_TOKEN_REQUEST_URL: 'x' })), false);
    assert.equal(githubActionsAvailable(env({ ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'x' })), false);
    assert.equal(githubActionsAvailable(env({})), false);
  });

  it('has no settings to get wrong and a fixed description', () => {
    assert.deepEqual(githubActionsProvider.validate(ACCOUNT), []);
    assert.match(githubActionsProvider.describe(ACCOUNT), /GitHub Actions/);
  });

  it('retries 502/503/504 as the toolkit does, and not a 500', async () => {
    server.unavailableFor = 3;
    const minted = await githubActionsProvider.mint(
      ACCOUNT,
      { audience: AUDIENCE },
      context(server.env()),
    );
    assert.ok(minted.token);
    assert.equal(server.requests.length, 4);
    server.requests.length = 0;
    server.fault = 'http-500';
    await rejectsWith(
      githubActionsProvider.mint(ACCOUNT, { audience: AUDIENCE }, context(server.env())),
      'http-status',
      /HTTP 500/,
    );
    assert.equal(server.requests.length, 1);
  });

  describe('explains each failure', () => {
    it('variables that are not set (not inside a job with id-token: write)', async () => {
      await rejectsWith(
        githubActionsProvider.mint(ACCOUNT, { audience: AUDIENCE }, context({})),
        'no-credentials',
        /ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set/,
        /permissions: id-token: write/,
        /Codespaces and other editors do not have them/,
      );
      await rejectsWith(
        githubActionsProvider.mint(
          ACCOUNT,
          { audience: AUDIENCE },
          context({ ACTIONS_ID_TOKEN_REQUEST_URL: server.requestUrl }),
        ),
        'no-credentials',
        /^ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set/,
      );
      assert.equal(server.requests.length, 0);
    });

    it('a request URL that is not a URL', async () => {
      await rejectsWith(
        githubActionsProvider.mint(
          ACCOUNT,
          { audience: '' },
          context({ ...server.env(), ACTIONS_ID_TOKEN_REQUEST_URL: 'not a url' }),
        ),
        'bad-config',
      );
    });

    it('a request token the service refuses (HTTP 401)', async () => {
      await rejectsWith(
        githubActionsProvider.mint(
          ACCOUNT,
          { audience: AUDIENCE },
          context({ ...server.env(), ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'stale' }),
        ),
        'bad-credentials',
        /HTTP 401: "TF400813: The user '' is not authorized/,
        /valid only while its job runs/,
      );
      assert.equal(server.requests[0]?.authorized, false);
    });

    const faults: [ActionsTokenServer['fault'], ErrorCode, RegExp][] = [
      ['bad-token', 'bad-credentials', /HTTP 401/],
      ['http-500', 'http-status', /HTTP 500: "Internal server error"\. Try again/],
      ['malformed', 'bad-response', /did not answer with JSON/],
      ['no-value', 'bad-response', /without a token in its "value" field/],
      ['reset', 'network', /Could not reach .*127\.0\.0\.1/],
    ];
    for (const [fault, code, message] of faults) {
      it(`the ${fault} fault`, async () => {
        server.fault = fault;
        await rejectsWith(
          githubActionsProvider.mint(ACCOUNT, { audience: AUDIENCE }, context(server.env())),
          code,
          message,
        );
      });
    }

    it('a service that does not answer in time', async () => {
      server.fault = 'hang';
      const started = Date.now();
      await rejectsWith(
        githubActionsProvider.mint(
          ACCOUNT,
          { audience: AUDIENCE },
          context(server.env(), { timeoutMs: 200 }),
        ),
        'timeout',
        /did not answer within 0\.2 s/,
      );
      assert.ok(Date.now() - started < 2000);
    });

    it('a cancelled request', async () => {
      server.fault = 'hang';
      const controller = new AbortController();
      const pending = githubActionsProvider.mint(
        ACCOUNT,
        { audience: AUDIENCE, signal: controller.signal },
        context(server.env()),
      );
      setTimeout(() => controller.abort(), 50);
      await rejectsWith(pending, 'cancelled', /was cancelled/);
    });

    it('nothing listening at the request URL', async () => {
      const port = await closedPort();
      await rejectsWith(
        githubActionsProvider.mint(
          ACCOUNT,
          { audience: AUDIENCE },
          context({
            ...server.env(),
            ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/idtoken?api-version=2.0`,
          }),
        ),
        'network',
        /ECONNREFUSED/,
      );
    });

    it('a service that echoes the request token in its error', async () => {
      const echo: Fetch = (_input, init) =>
        Promise.resolve(
          new Response(
            JSON.stringify({
              message: `bad token ${(init?.headers as Record<string, string>).authorization}`,
            }),
            { status: 400 },
          ),
        );
      await rejectsWith(
        githubActionsProvider.mint(
          ACCOUNT,
          { audience: '' },
          context(server.env(), { fetch: echo }),
        ),
        'http-status',
        /HTTP 400: "bad token Bearer \*\*\*"/,
      );
    });
  });
});
