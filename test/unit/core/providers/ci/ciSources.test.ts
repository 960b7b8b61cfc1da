import * as assert from 'node:assert/strict';
import { remediesFor } from '../../../../../src/core/remedies';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { detectIssuerFamily, lookupClaim } from '../../../../../src/core/jwt/claims';
import { inspectToken } from '../../../../../src/core/jwt/inspect';
import { azurePipelinesProvider } from '../../../../../src/core/providers/azurePipelines/oidcToken';
import { azurePipelinesDescriptor } from '../../../../../src/core/providers/azurePipelines/oidcTokenDescriptor';
import { bitbucketPipelinesProvider } from '../../../../../src/core/providers/bitbucket/pipelines';
import { bitbucketPipelinesDescriptor } from '../../../../../src/core/providers/bitbucket/pipelinesDescriptor';
import { buildkiteProvider } from '../../../../../src/core/providers/buildkite/agentOidc';
import { buildkiteDescriptor } from '../../../../../src/core/providers/buildkite/agentOidcDescriptor';
import { circleciProvider } from '../../../../../src/core/providers/circleci/oidc';
import { circleciDescriptor } from '../../../../../src/core/providers/circleci/oidcDescriptor';
import type { Account } from '../../../../../src/core/providers/provider';
import { makeFakeBuildkiteAgent, makeFakeCircleci } from '../../../../emulators/ci/fakeCiClis';
import type { FakeBuildkiteAgent, FakeCircleci } from '../../../../emulators/ci/fakeCiClis';
import { PipelinesOidcServer } from '../../../../emulators/azure/pipelinesOidcServer';
import { detected, envContext } from '../../../helpers/jobContext';
import { rejectsWith, rejectsWithout, verifyThroughIssuer } from '../../../helpers/assertions';

const CONNECTION = { id: '5e0a6c3f-1a2b-4c3d-8e9f-0a1b2c3d4e5f', name: 'prod-deploy' };

const context = envContext;

const account = (kind: Account['kind'], settings: Record<string, unknown> = {}): Account => ({
  id: `a-${kind}`,
  kind,
  settings,
});

describe('CI job token sources', () => {
  let circle: FakeCircleci;
  let buildkite: FakeBuildkiteAgent;
  let pipelines: PipelinesOidcServer;
  const agentToken = 'bkua_0123456789abcdef';

  before(async function () {
    this.timeout(30_000);
    circle = await makeFakeCircleci();
    buildkite = await makeFakeBuildkiteAgent({ agentAccessToken: agentToken });
    pipelines = await PipelinesOidcServer.start([CONNECTION]);
  });
  after(async () => {
    await Promise.all([circle.cleanup(), buildkite.cleanup(), pipelines.stop()]);
  });

  describe('Bitbucket Pipelines', () => {
    const bb = account('bitbucket-pipelines');
    let token: string;
    before(async () => {
      token = await circle.jobToken('v2'); // any signed job token will do for reading
    });

    it('reads $BITBUCKET_STEP_OIDC_TOKEN again at each mint', async () => {
      const vars: Record<string, string> = { BITBUCKET_STEP_OIDC_TOKEN: token };
      assert.equal(
        (await bitbucketPipelinesProvider.mint(bb, { audience: '' }, context(vars))).token,
        token,
      );
      const next = await circle.jobToken('v1');
      vars.BITBUCKET_STEP_OIDC_TOKEN = `${next}\n`;
      assert.equal(
        (await bitbucketPipelinesProvider.mint(bb, { audience: '' }, context(vars))).token,
        next,
      );
    });

    it('takes an audience the step declared and refuses another with the YAML fix', async () => {
      const vars = { BITBUCKET_STEP_OIDC_TOKEN: token };
      const aud = circle.organizationId;
      assert.equal(
        (await bitbucketPipelinesProvider.mint(bb, { audience: aud }, context(vars))).token,
        token,
      );
      await rejectsWithout(() => [token, /eyJ/])(
        bitbucketPipelinesProvider.mint(bb, { audience: 'sts.amazonaws.com' }, context(vars)),
        'bad-config',
        /not "sts\.amazonaws\.com"/,
        /oidc: audiences:/,
      );
    });

    it('says what to do without a token, with garbage and with an expired one', async () => {
      await rejectsWith(
        bitbucketPipelinesProvider.mint(bb, { audience: '' }, context({})),
        'no-credentials',
        /not set.*oidc: true/s,
      );
      await rejectsWith(
        bitbucketPipelinesProvider.mint(
          bb,
          { audience: '' },
          context({ BITBUCKET_STEP_OIDC_TOKEN: 'hunter2 secret' }),
        ),
        'not-a-jwt',
        /does not hold a JWT \(14 characters\)/,
      );
      const expired = await circle.jobToken('v2', -60);
      await rejectsWith(
        bitbucketPipelinesProvider.mint(
          bb,
          { audience: '' },
          context({ BITBUCKET_STEP_OIDC_TOKEN: expired }),
        ),
        'bad-credentials',
        /expired at .*run the step again/,
      );
    });

    it('is detected only when the step has a token', async () => {
      assert.deepEqual(await detected(bitbucketPipelinesDescriptor, context({})), []);
      const found = await detected(
        bitbucketPipelinesDescriptor,
        context({ BITBUCKET_STEP_OIDC_TOKEN: token }),
      );
      assert.equal(found.length, 1);
      assert.equal(found[0]?.draft.kind, 'bitbucket-pipelines');
    });
  });

  describe('CircleCI', () => {
    it('takes $CIRCLE_OIDC_TOKEN_V2 (or V1) for the organization audience without running the CLI', async () => {
      const v2 = await circle.jobToken('v2');
      const v1 = await circle.jobToken('v1');
      const vars = { CIRCLE_OIDC_TOKEN_V2: v2, CIRCLE_OIDC_TOKEN: v1, CIRCLECI: 'true' };
      const before = (await circle.calls()).length;
      assert.equal(
        (await circleciProvider.mint(account('circleci-oidc'), { audience: '' }, context(vars)))
          .token,
        v2,
      );
      assert.equal(
        (
          await circleciProvider.mint(
            account('circleci-oidc', { version: 'v1' }),
            { audience: circle.organizationId },
            context(vars),
          )
        ).token,
        v1,
      );
      assert.equal((await circle.calls()).length, before);
    });

    it('runs circleci run oidc get for another audience; the token verifies and explains as CircleCI', async () => {
      const vars = { CIRCLE_OIDC_TOKEN_V2: await circle.jobToken('v2'), CIRCLECI: 'true' };
      const minted = await circleciProvider.mint(
        account('circleci-oidc'),
        { audience: 'https://vault.example.com' },
        context(vars, { circleciPath: circle.path }),
      );
      assert.deepEqual((await circle.calls()).at(-1), [
        'run',
        'oidc',
        'get',
        '--claims',
        '{"aud":"https://vault.example.com"}',
      ]);
      const { payload } = await jwtVerify(minted.token, createLocalJWKSet(circle.jwks), {
        issuer: circle.issuer,
        audience: 'https://vault.example.com',
      });
      assert.match(
        String(payload.sub),
        /\/vcs-origin\/github\.com\/acme\/app\/vcs-ref\/refs\/heads\/main$/,
      );
      const inspection = inspectToken(minted.token);
      assert.equal(detectIssuerFamily(inspection.payload ?? {}), 'circleci');
      assert.equal(
        inspection.claimRows.find((r) => r.name === 'oidc.circleci.com/project-id')?.source,
        'circleci',
      );
    });

    it("quotes the CLI's refusal outside a job, and says where the CLI comes from when it is missing", async () => {
      const outside = context({}, { circleciPath: circle.path });
      await rejectsWith(
        circleciProvider.mint(account('circleci-oidc'), { audience: 'https://x.example' }, outside),
        'cli-failed',
        /circleci run oidc get --claims '\{"aud":"https:\/\/x\.example"\}' failed \(exit code 1\)/,
        /only inside a CircleCI job/,
      );
      await rejectsWith(
        circleciProvider.mint(
          account('circleci-oidc'),
          { audience: 'https://x.example' },
          context({ CIRCLECI: 'true' }, { circleciPath: '/nonexistent/circleci' }),
        ),
        'cli-not-found',
        /circleci run oidc get/,
        /tokenExplorer\.circleci\.path/,
      );
      await rejectsWith(
        circleciProvider.mint(account('circleci-oidc'), { audience: '' }, context({})),
        'no-credentials',
        /CIRCLE_OIDC_TOKEN_V2 is not set/,
      );
    });

    it('validates the version and detects each token the job has', async () => {
      assert.deepEqual(circleciProvider.validate(account('circleci-oidc', { version: 'v3' })), [
        '"version" must be "v2" (CIRCLE_OIDC_TOKEN_V2) or "v1" (CIRCLE_OIDC_TOKEN).',
      ]);
      const found = await detected(
        circleciDescriptor,
        context({
          CIRCLE_OIDC_TOKEN_V2: await circle.jobToken('v2'),
          CIRCLE_OIDC_TOKEN: await circle.jobToken('v1'),
        }),
      );
      assert.deepEqual(
        found.map((f) => f.draft.settings.version),
        ['v2', 'v1'],
      );
    });
  });

  describe('Buildkite', () => {
    const job = {
      BUILDKITE_JOB_ID: '0184990a-477b-4fa8-9968-496074483cee',
      BUILDKITE_AGENT_ACCESS_TOKEN: agentToken,
    };

    it('runs buildkite-agent oidc request-token with the default audience and lifetime', async () => {
      const minted = await buildkiteProvider.mint(
        account('buildkite-oidc'),
        { audience: '' },
        context(job, { buildkiteAgentPath: buildkite.path }),
      );
      assert.deepEqual((await buildkite.calls()).at(-1), ['oidc', 'request-token']);
      const { payload } = await jwtVerify(minted.token, createLocalJWKSet(buildkite.jwks), {
        issuer: 'https://agent.buildkite.com',
        audience: 'https://buildkite.com/acme-inc',
      });
      assert.equal(payload.job_id, job.BUILDKITE_JOB_ID);
      assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 300);
      assert.equal(detectIssuerFamily(payload as Record<string, unknown>), 'buildkite');
    });

    it('passes the audience, lifetime and optional claims as the agent takes them', async () => {
      const acct = account('buildkite-oidc', {
        lifetime: 900,
        claims: ['organization_id', 'pipeline_id'],
      });
      const minted = await buildkiteProvider.mint(
        acct,
        { audience: 'sts.amazonaws.com' },
        context(job, { buildkiteAgentPath: buildkite.path }),
      );
      assert.deepEqual((await buildkite.calls()).at(-1), [
        'oidc',
        'request-token',
        '--audience',
        'sts.amazonaws.com',
        '--lifetime',
        '900',
        '--claim',
        'organization_id',
        '--claim',
        'pipeline_id',
      ]);
      const payload = decodeJwt(minted.token);
      assert.equal(payload.aud, 'sts.amazonaws.com');
      assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 900);
      assert.equal(typeof payload.organization_id, 'string');
      assert.equal(lookupClaim('organization_id', 'payload', 'buildkite')?.source, 'buildkite');
    });

    it("quotes the agent's error and names what the job lacks", async () => {
      await rejectsWithout(() => ['bkua_wrong'])(
        buildkiteProvider.mint(
          account('buildkite-oidc'),
          { audience: 'vault' },
          context(
            { ...job, BUILDKITE_AGENT_ACCESS_TOKEN: 'bkua_wrong' },
            { buildkiteAgentPath: buildkite.path },
          ),
        ),
        'cli-failed',
        /Could not obtain OIDC token for audience vault/,
        /401 Unauthorized/,
      );
      await rejectsWith(
        buildkiteProvider.mint(
          account('buildkite-oidc'),
          { audience: '' },
          context(
            { BUILDKITE_AGENT_ACCESS_TOKEN: agentToken },
            { buildkiteAgentPath: buildkite.path },
          ),
        ),
        'cli-failed',
        /BUILDKITE_JOB_ID is not set: the agent sets them only for the steps of a job/,
      );
      const missing = await rejectsWith(
        buildkiteProvider.mint(
          account('buildkite-oidc'),
          { audience: '' },
          context(job, { buildkiteAgentPath: '/nonexistent/buildkite-agent' }),
        ),
        'cli-not-found',
        /tokenExplorer\.buildkiteAgent\.path/,
      );
      assert.deepEqual(
        missing.remedies.map((r) => r.kind),
        ['pickExecutable', 'openSetting', 'openUrl'],
      );
    });

    it('validates lifetime and claims before running anything', async () => {
      assert.deepEqual(
        buildkiteProvider.validate(account('buildkite-oidc', { lifetime: -1, claims: ['email'] })),
        [
          '"lifetime" must be a whole number of seconds, 0 or more (0: Buildkite chooses).',
          '"claims" may list only organization_id and pipeline_id.',
        ],
      );
      const calls = (await buildkite.calls()).length;
      await rejectsWith(
        buildkiteProvider.mint(
          account('buildkite-oidc', { lifetime: 1.5 }),
          { audience: '' },
          context(job, { buildkiteAgentPath: buildkite.path }),
        ),
        'bad-config',
        /lifetime/,
      );
      assert.equal((await buildkite.calls()).length, calls);
      assert.equal((await detected(buildkiteDescriptor, context(job))).length, 1);
      assert.equal((await detected(buildkiteDescriptor, context({}))).length, 0);
    });
  });

  describe('Azure Pipelines', () => {
    const acct = account('azure-pipelines', { serviceConnectionId: CONNECTION.id });
    const rejects = rejectsWithout(() => [pipelines.accessToken, /eyJ[\w-]{20,}\.[\w-]+\./]);
    beforeEach(() => {
      pipelines.requests.length = 0;
    });

    it('POSTs to SYSTEM_OIDCREQUESTURI as azure-identity does; the token verifies by discovery', async () => {
      const minted = await azurePipelinesProvider.mint(
        acct,
        { audience: '' },
        context(pipelines.env()),
      );
      assert.deepEqual(pipelines.requests, [
        {
          method: 'POST',
          query: { 'api-version': '7.1', serviceConnectionId: CONNECTION.id },
          authorized: true,
          fedAuthRedirect: 'Suppress',
        },
      ]);
      const inspection = inspectToken(minted.token);
      assert.equal(inspection.payload?.sub, 'sc://acme/app/prod-deploy');
      assert.equal(inspection.payload?.aud, 'api://AzureADTokenExchange');
      const outcome = await verifyThroughIssuer(
        inspection,
        pipelines.url,
        `${pipelines.url}/.well-known/jwks`,
      );
      assert.equal(outcome.status, 'verified');
    });

    it('refuses an audience Azure DevOps does not mint', async () => {
      await rejects(
        azurePipelinesProvider.mint(
          acct,
          { audience: 'sts.amazonaws.com' },
          context(pipelines.env()),
        ),
        'bad-config',
        /is for "api:\/\/AzureADTokenExchange", not "sts\.amazonaws\.com"/,
        /cannot be chosen/,
      );
      assert.equal(
        (
          await azurePipelinesProvider.mint(
            acct,
            { audience: 'api://AzureADTokenExchange' },
            context(pipelines.env()),
          )
        ).token.split('.').length,
        3,
      );
    });

    it('explains a wrong access token, an unknown connection and a job without the variables', async () => {
      const mapping = {
        kind: 'copyText',
        text: 'env:\n  SYSTEM_ACCESSTOKEN: $(System.AccessToken)\n',
        label: 'Copy env Mapping',
        pasteInto: 'the step of your pipeline',
      };
      const stale = await rejects(
        azurePipelinesProvider.mint(
          acct,
          { audience: '' },
          context({ ...pipelines.env(), SYSTEM_ACCESSTOKEN: 'stale-token' }),
        ),
        'bad-credentials',
        /HTTP 401: "TF400813/,
        /env: SYSTEM_ACCESSTOKEN: \$\(System\.AccessToken\)/,
      );
      assert.deepEqual(remediesFor(stale), [mapping]);
      const unknown = await rejects(
        azurePipelinesProvider.mint(
          account('azure-pipelines', {
            serviceConnectionId: '00000000-0000-4000-8000-000000000000',
          }),
          { audience: '' },
          context(pipelines.env()),
        ),
        'permission-denied',
        /HTTP 400: "Service connection 00000000-0000-4000-8000-000000000000 was not found/,
        /Check the service connection id/,
      );
      assert.deepEqual(remediesFor(unknown), [{ kind: 'editAccountSettings' }]);
      const unmapped = await rejects(
        azurePipelinesProvider.mint(
          acct,
          { audience: '' },
          context({ SYSTEM_OIDCREQUESTURI: pipelines.requestUri }),
        ),
        'no-credentials',
        /SYSTEM_ACCESSTOKEN is not set/,
      );
      assert.deepEqual(remediesFor(unmapped), [mapping]);
    });

    it('validates the service connection id and asks for it in the wizard', async () => {
      assert.match(
        azurePipelinesProvider.validate(account('azure-pipelines'))[0] ?? '',
        /Set "serviceConnectionId"/,
      );
      assert.match(
        azurePipelinesProvider.validate(
          account('azure-pipelines', { serviceConnectionId: 'prod' }),
        )[0] ?? '',
        /not a service connection id/,
      );
      const [offered] = await detected(azurePipelinesDescriptor, context(pipelines.env()));
      assert.ok(offered);
      const asked: string[] = [];
      const ui = {
        pick: async () => undefined,
        input: async (options: { title: string; validate?: (v: string) => string | undefined }) => {
          asked.push(options.title);
          assert.match(options.validate?.('prod') ?? '', /GUID/);
          return ` ${CONNECTION.id} `;
        },
        confirm: async () => false,
        pickFile: async () => undefined,
        recover: async () => undefined,
        busy: <T>(_t: string, task: (signal: AbortSignal) => Promise<T>) =>
          task(new AbortController().signal),
        error: () => undefined,
      };
      const [step] = azurePipelinesDescriptor.wizard;
      assert.ok(step);
      const filled = await step(offered.draft, {
        ui,
        context: context(pipelines.env()),
        state: { get: () => undefined, update: async () => undefined },
        environmentNames: () => [],
      });
      assert.deepEqual(asked, ['Azure Pipelines: service connection']);
      assert.equal(filled?.settings.serviceConnectionId, CONNECTION.id);
    });
  });
});

describe('CI issuer families', () => {
  const cases: [Record<string, unknown>, string | undefined][] = [
    [{ iss: 'https://agent.buildkite.com' }, 'buildkite'],
    [{ iss: 'https://oidc.circleci.com/org/6b1a4c1e-0000-4000-8000-000000000001' }, 'circleci'],
    [
      { iss: 'https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc' },
      'bitbucket',
    ],
    [{ iss: 'https://vstoken.dev.azure.com/6b1a4c1e-0000-4000-8000-000000000001' }, 'azure-devops'],
    [{ iss: 'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/' }, 'entra'],
    [
      { iss: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0' },
      'entra',
    ],
    // Self-hosted or unknown issuers, recognised by their claims.
    [{ iss: 'https://bk.internal', organization_slug: 'acme', pipeline_slug: 'app' }, 'buildkite'],
    [{ iss: 'https://x.example', 'oidc.circleci.com/project-id': 'p' }, 'circleci'],
    [{ repositoryUuid: '{r}', stepUuid: '{s}' }, 'bitbucket'],
    [{ sub: 'sc://acme/app/prod' }, 'azure-devops'],
    [{ iss: 'https://api.bitbucket.org/2.0/repositories/acme/app' }, undefined],
  ];
  for (const [payload, family] of cases) {
    it(`${JSON.stringify(payload)} is ${family ?? 'no family'}`, () => {
      assert.equal(detectIssuerFamily(payload), family);
    });
  }

  it('explains each family in its own terms', () => {
    assert.match(lookupClaim('sub', 'payload', 'bitbucket')?.description ?? '', /REPOSITORY_UUID/);
    assert.match(
      lookupClaim('aud', 'payload', 'azure-devops')?.description ?? '',
      /AzureADTokenExchange/,
    );
    assert.match(
      lookupClaim('xms_mirid', 'payload', 'entra')?.description ?? '',
      /managed identity/,
    );
    assert.match(
      lookupClaim('step_key', 'payload')?.description ?? '',
      /key attribute of the step/,
    );
  });
});
