import * as assert from 'node:assert/strict';
import { remediesFor } from '../../../../../src/core/remedies';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { awsSdk } from '../../../../../src/core/node/awsSdk';
import { detectIssuerFamily } from '../../../../../src/core/jwt/family';
import { inspectToken } from '../../../../../src/core/jwt/inspect';
import { webIdentityTokenNatively } from '../../../../../src/core/providers/aws/native';
import { awsStsDescriptor } from '../../../../../src/core/providers/aws/stsDescriptor';
import {
  queryBody,
  regionalEndpoint,
  stsError,
  xmlElement,
} from '../../../../../src/core/providers/aws/stsQuery';
import { awsStsProvider } from '../../../../../src/core/providers/aws/stsToken';
import type { Account, ProviderContext } from '../../../../../src/core/providers/provider';
import { type AccountDraft, runWizardSteps, type WizardUi } from '../../../../../src/core/wizard';
import { nodeProcessRunner } from '../../../../../src/core/node/processRunner';
import { testContext } from '../../../../helpers/context';
import { makeFakeAws } from '../../../../emulators/aws/fakeAws';
import { ImdsServer } from '../../../../emulators/aws/imdsServer';
import { StsServer, type StsPrincipal } from '../../../../emulators/aws/stsServer';
import { rejectsWithout, verifyThroughIssuer } from '../../../helpers/assertions';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/DataProcessingRole`;
const KEY: StsPrincipal = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  arn: ROLE,
  principalTags: { team: 'data' },
};
const SESSION: StsPrincipal = {
  accessKeyId: 'ASIAEXAMPLESESSION01',
  secretAccessKey: 'session-secret-0123456789',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE-session-token',
  arn: `arn:aws:iam::${ACCOUNT}:role/ShortSession`,
  sessionExpiresAt: Date.now() + 10 * 60_000,
};
const DENIED: StsPrincipal = {
  accessKeyId: 'AKIADENIEDEXAMPLE001',
  secretAccessKey: 'denied-secret',
  arn: `arn:aws:iam::${ACCOUNT}:user/intern`,
  allowed: false,
};

/** The environment variables the AWS SDK's chain reads; set for one test and put back after. */
const SDK_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_EC2_METADATA_SERVICE_ENDPOINT',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
];

function account(settings: Record<string, unknown>): Account {
  return { id: 'aws', kind: 'aws-sts', name: 'AWS role', settings };
}

describe('AWS STS GetWebIdentityToken provider', function () {
  this.timeout(20_000);
  let sts: StsServer;
  let dir: string;
  const saved: Record<string, string | undefined> = {};
  const secrets = [KEY.secretAccessKey, SESSION.secretAccessKey, SESSION.sessionToken ?? ''];
  const rejects = rejectsWithout(() => secrets);

  before(async () => {
    sts = await StsServer.start({
      region: REGION,
      account: ACCOUNT,
      principals: [KEY, SESSION, DENIED],
      orgId: 'o-abc1234567',
    });
  });
  after(() => sts.stop());

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aws-sts-'));
    for (const name of SDK_VARIABLES) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
    // Nothing outside the test: no ~/.aws files, no instance metadata service.
    process.env.AWS_CONFIG_FILE = join(dir, 'config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    sts.federationEnabled = true;
    sts.now = undefined;
  });
  afterEach(async () => {
    for (const name of SDK_VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await rm(dir, { recursive: true, force: true });
  });

  /** The SDK reads process.env; the provider reads the context's environment: both the same. */
  function context(): ProviderContext & { infos: string[] } {
    const infos: string[] = [];
    return {
      ...testContext({ env: { ...process.env }, runner: nodeProcessRunner, timeoutMs: 10_000 }),
      awsSdk: async () => awsSdk,
      logger: { info: (m) => infos.push(m), warn: () => undefined, error: () => undefined },
      infos,
    };
  }

  function useKey(principal: StsPrincipal = KEY): void {
    process.env.AWS_ACCESS_KEY_ID = principal.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = principal.secretAccessKey;
    if (principal.sessionToken) process.env.AWS_SESSION_TOKEN = principal.sessionToken;
  }

  const native = (settings: Record<string, unknown> = {}) =>
    account({ method: 'sdk', region: REGION, endpointUrl: sts.url, ...settings });

  describe('natively (AWS SDK credential chain + SigV4)', () => {
    it('mints a token the inspector verifies through the issuer, with the documented claims', async () => {
      useKey();
      const minted = await awsStsProvider.mint(
        native({
          durationSeconds: 900,
          additionalAudiences: ['urn:second'],
          tags: { job: 'nightly' },
        }),
        { audience: 'https://api.example.com' },
        context(),
      );
      const { payload, protectedHeader } = await jwtVerify(
        minted.token,
        createLocalJWKSet(sts.jwks()),
        {
          issuer: sts.issuer,
          audience: 'https://api.example.com',
        },
      );
      assert.equal(protectedHeader.alg, 'RS256');
      assert.deepEqual(payload.aud, ['https://api.example.com', 'urn:second']);
      assert.equal(payload.sub, ROLE);
      assert.equal(minted.expiresAt, (payload.exp as number) * 1000);
      assert.equal((payload.exp as number) - (payload.iat as number), 900);
      assert.deepEqual(payload['https://sts.amazonaws.com/'], {
        aws_account: ACCOUNT,
        source_region: REGION,
        principal_id: ROLE,
        org_id: 'o-abc1234567',
        principal_tags: { team: 'data' },
        request_tags: { job: 'nightly' },
      });
      const rows = new Map(inspectToken(minted.token).claimRows.map((r) => [r.name, r]));
      assert.equal(rows.get('sub')?.source, 'aws', 'the claims are explained as AWS claims');
      assert.match(rows.get('iss')?.description ?? '', /tokens\.sts\.global\.api\.aws/);
      for (const [name, label] of [
        ['https://sts.amazonaws.com/.aws_account', 'AWS account'],
        ['https://sts.amazonaws.com/.source_region', 'Source region'],
        ['https://sts.amazonaws.com/.org_id', 'Organization'],
        ['https://sts.amazonaws.com/.principal_tags', 'Principal tags'],
        ['https://sts.amazonaws.com/.request_tags', 'Request tags'],
      ]) {
        assert.equal(rows.get(name as string)?.label, label, name);
      }
      const outcome = await verifyThroughIssuer(
        inspectToken(minted.token),
        sts.issuer,
        `${sts.url}/.well-known/jwks.json`,
      );
      assert.equal(outcome.status, 'verified');
      const call = sts.calls.at(-1);
      assert.equal(call?.params['Audience.member.1'], 'https://api.example.com');
      assert.equal(call?.params['Audience.member.2'], 'urn:second');
      assert.equal(call?.params.SigningAlgorithm, 'RS256');
      assert.equal(call?.params['Tags.member.1.Key'], 'job');
    });

    it('signs with ES384 on request, with temporary credentials (session token signed)', async () => {
      useKey(SESSION);
      const minted = await awsStsProvider.mint(
        native({ signingAlgorithm: 'ES384', durationSeconds: 60 }),
        { audience: 'aud' },
        context(),
      );
      const { protectedHeader, payload } = await jwtVerify(
        minted.token,
        createLocalJWKSet(sts.jwks()),
      );
      assert.equal(protectedHeader.alg, 'ES384');
      assert.equal(payload.sub, SESSION.arn);
    });

    it('takes a profile from the shared credentials file and its region from the config file', async () => {
      await writeFile(
        join(dir, 'credentials'),
        `[deploy]\naws_access_key_id = ${KEY.accessKeyId}\naws_secret_access_key = ${KEY.secretAccessKey}\n`,
      );
      await writeFile(join(dir, 'config'), `[profile deploy]\nregion = ${REGION}\n`);
      const minted = await awsStsProvider.mint(
        account({ method: 'sdk', profile: 'deploy', endpointUrl: sts.url }),
        { audience: 'aud' },
        context(),
      );
      assert.equal(
        (await jwtVerify(minted.token, createLocalJWKSet(sts.jwks()))).payload.sub,
        ROLE,
      );
    });

    it("takes an EC2 instance role's credentials over IMDSv2 (the IMDS emulator)", async () => {
      const imds = await ImdsServer.start({ requireSessionToken: true, roleName: 'ec2-role' });
      try {
        const role = imds.role!;
        const principal: StsPrincipal = {
          accessKeyId: role.accessKeyId,
          secretAccessKey: role.secretAccessKey,
          sessionToken: role.sessionToken,
          arn: `arn:aws:iam::${ACCOUNT}:role/ec2-role`,
        };
        const withRole = await StsServer.start({
          region: REGION,
          account: ACCOUNT,
          principals: [principal],
        });
        try {
          delete process.env.AWS_EC2_METADATA_DISABLED;
          process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = imds.url;
          const minted = await awsStsProvider.mint(
            account({ method: 'sdk', region: REGION, endpointUrl: withRole.url }),
            { audience: 'aud' },
            context(),
          );
          assert.equal(
            (await jwtVerify(minted.token, createLocalJWKSet(withRole.jwks()))).payload.sub,
            principal.arn,
          );
          assert.ok(
            imds.requests.some((r) => r.method === 'PUT'),
            'an IMDSv2 session token was asked',
          );
        } finally {
          await withRole.stop();
        }
      } finally {
        await imds.stop();
      }
    });

    it('explains the documented STS errors with their fix', async () => {
      useKey();
      sts.federationEnabled = false;
      await rejects(
        awsStsProvider.mint(native(), { audience: 'aud' }, context()),
        'bad-config',
        /HTTP 403, OutboundWebIdentityFederationDisabledException/,
        /aws iam enable-outbound-web-identity-federation/,
      );
      sts.federationEnabled = true;
      await rejects(
        awsStsProvider.mint(
          native({
            tags: Object.fromEntries(
              Array.from({ length: 40 }, (_, i) => [`key-${i}`, 'v'.repeat(200)]),
            ),
          }),
          { audience: 'aud' },
          context(),
        ),
        'bad-config',
        /JWTPayloadSizeExceededException/,
        /Remove or shorten request tags/,
      );
      useKey(SESSION);
      await rejects(
        awsStsProvider.mint(native({ durationSeconds: 3600 }), { audience: 'aud' }, context()),
        'bad-config',
        /SessionDurationEscalationException/,
        /Lower "durationSeconds"/,
      );
    });

    it('explains a denied principal, a wrong secret and a skewed clock', async () => {
      useKey(DENIED);
      await rejects(
        awsStsProvider.mint(native(), { audience: 'aud' }, context()),
        'permission-denied',
        /AccessDenied/,
        /"Action": "sts:GetWebIdentityToken"/,
      );
      useKey({ ...KEY, secretAccessKey: 'not-the-secret' });
      await rejects(
        awsStsProvider.mint(native(), { audience: 'aud' }, context()),
        'bad-credentials',
        /SignatureDoesNotMatch/,
        /aws sts get-caller-identity/,
      );
      useKey();
      sts.now = Date.now() + 60 * 60_000;
      await rejects(
        awsStsProvider.mint(native(), { audience: 'aud' }, context()),
        'bad-credentials',
        /Signature expired/,
        /clock/,
      );
    });

    it('the emulator enforces the documented bounds (ValidationError)', async () => {
      useKey();
      const ctx = context();
      const call = (request: Parameters<typeof webIdentityTokenNatively>[0]) =>
        webIdentityTokenNatively(request, { region: REGION, endpointUrl: sts.url }, ctx);
      const base = { audiences: ['a'], signingAlgorithm: 'RS256' as const, tags: {} };
      for (const [request, said] of [
        [{ ...base, durationSeconds: 59 }, /greater than or equal to 60/],
        [{ ...base, durationSeconds: 3601 }, /less than or equal to 3600/],
        [
          { ...base, audiences: [] },
          /'audience' failed to satisfy constraint: Member must not be null/,
        ],
        [
          { ...base, audiences: Array.from({ length: 11 }, (_, i) => `a${i}`) },
          /less than or equal to 10/,
        ],
        [{ ...base, signingAlgorithm: 'PS256' as 'RS256' }, /enum value set: \[RS256, ES384\]/],
      ] as const) {
        await rejects(call(request), 'http-status', /HTTP 400, ValidationError/, said);
      }
    });

    it('needs a region (no global endpoint) and says how to get credentials', async () => {
      useKey();
      await rejects(
        awsStsProvider.mint(account({ method: 'sdk' }), { audience: 'aud' }, context()),
        'bad-config',
        /specify a region/,
        /regional STS endpoints/,
      );
      await rejects(
        awsStsProvider.mint(native(), { audience: '' }, context()),
        'bad-config',
        /needs an audience/,
      );
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      await rejects(
        awsStsProvider.mint(native(), { audience: 'aud' }, context()),
        'no-credentials',
        /AWS SDK found no usable credentials/,
        /aws configure/,
      );
    });
  });

  describe('through the aws CLI (a fake aws)', () => {
    it('runs get-web-identity-token with every option and reads its JSON', async () => {
      const aws = await makeFakeAws({
        endpoint: sts.url,
        profiles: { ci: { ...KEY, region: REGION } },
      });
      try {
        const minted = await awsStsProvider.mint(
          account({
            awsPath: aws.path,
            profile: 'ci',
            signingAlgorithm: 'ES384',
            durationSeconds: 120,
            additionalAudiences: ['b'],
            tags: { 'cost-center': 'a,b=c' },
          }),
          { audience: 'a' },
          context(),
        );
        const { payload, protectedHeader } = await jwtVerify(
          minted.token,
          createLocalJWKSet(sts.jwks()),
        );
        assert.equal(protectedHeader.alg, 'ES384');
        assert.deepEqual(
          payload['https://sts.amazonaws.com/'] &&
            (payload['https://sts.amazonaws.com/'] as Record<string, unknown>).request_tags,
          { 'cost-center': 'a,b=c' },
        );
        assert.deepEqual(await aws.calls(), [
          [
            'sts',
            'get-web-identity-token',
            '--audience',
            'a',
            'b',
            '--signing-algorithm',
            'ES384',
            '--duration-seconds',
            '120',
            '--tags',
            '[{"Key":"cost-center","Value":"a,b=c"}]',
            '--profile',
            'ci',
            '--output',
            'json',
            '--no-cli-pager',
          ],
        ]);
      } finally {
        await aws.cleanup();
      }
    });

    it("explains the CLI's failures by their text and exit code", async () => {
      const aws = await makeFakeAws({
        endpoint: sts.url,
        profiles: {
          default: { ...KEY, region: REGION },
          sso: { region: REGION, ssoExpired: true },
          empty: { region: REGION },
          noregion: { ...KEY },
        },
      });
      try {
        const mint = (settings: Record<string, unknown>) =>
          awsStsProvider.mint(
            account({ awsPath: aws.path, ...settings }),
            { audience: 'aud' },
            context(),
          );
        // Each carries its fix: the command to copy, or the account's settings.
        const copy = (command: string) => ({ kind: 'copyCommand', command, label: 'Copy Command' });
        sts.federationEnabled = false;
        const disabled = await rejects(
          mint({}),
          'bad-config',
          /exit code 254/,
          /An error occurred \(OutboundWebIdentityFederationDisabledException\)/,
          /enable-outbound-web-identity-federation/,
        );
        assert.deepEqual(remediesFor(disabled), [
          copy('aws iam enable-outbound-web-identity-federation'),
        ]);
        sts.federationEnabled = true;
        const nope = await rejects(
          mint({ profile: 'nope' }),
          'bad-config',
          /config profile \(nope\) could not be found/,
          /list-profiles/,
        );
        assert.deepEqual(remediesFor(nope), [
          { kind: 'editAccountSettings' },
          copy('aws configure --profile nope'),
        ]);
        const sso = await rejects(
          mint({ profile: 'sso' }),
          'bad-credentials',
          /aws sso login --profile sso/,
        );
        assert.deepEqual(remediesFor(sso), [copy('aws sso login --profile sso')]);
        const empty = await rejects(
          mint({ profile: 'empty' }),
          'no-credentials',
          /exit code 253/,
          /aws configure --profile empty/,
        );
        assert.deepEqual(remediesFor(empty), [copy('aws configure --profile empty')]);
        const noRegion = await rejects(
          mint({ profile: 'noregion' }),
          'bad-config',
          /specify a region/,
          /regional STS endpoints/,
        );
        assert.deepEqual(remediesFor(noRegion), [{ kind: 'editAccountSettings' }]);
        await aws.update({ outdated: true });
        const outdated = await rejects(
          mint({}),
          'cli-failed',
          /exit code 252/,
          /Update AWS CLI v2/,
        );
        assert.deepEqual(
          remediesFor(outdated).map((r) => r.kind),
          ['openUrl', 'setAccountSetting'],
        );
      } finally {
        await aws.cleanup();
      }
    });

    it('auto: falls back to the SDK when the aws CLI is not installed; cli: says so', async () => {
      useKey();
      const ctx = context();
      const missing = join(dir, 'no-such-aws');
      const minted = await awsStsProvider.mint(
        account({ awsPath: missing, region: REGION, endpointUrl: sts.url }),
        { audience: 'aud' },
        ctx,
      );
      assert.equal(
        (await jwtVerify(minted.token, createLocalJWKSet(sts.jwks()))).payload.sub,
        ROLE,
      );
      assert.match(ctx.infos.join('\n'), /aws CLI not found/);
      const notFound = await rejects(
        awsStsProvider.mint(
          account({ method: 'cli', awsPath: missing, region: REGION }),
          { audience: 'aud' },
          ctx,
        ),
        'cli-not-found',
        /Install AWS CLI v2/,
      );
      // The SDK is here, so switching the account to it fixes it; so do awsPath and installing.
      assert.deepEqual(
        remediesFor(notFound).map((r) => r.kind),
        ['setAccountSetting', 'editAccountSettings', 'openUrl'],
      );
    });
  });

  describe('settings, detection and wizard', () => {
    it('validates against the API bounds', () => {
      assert.deepEqual(
        awsStsProvider.validate(account({ region: 'us-east-1', durationSeconds: 3600 })),
        [],
      );
      const problems = (settings: Record<string, unknown>) =>
        awsStsProvider.validate(account(settings)).join(' ');
      assert.match(problems({ durationSeconds: 59 }), /from 60 to 3600/);
      assert.match(problems({ durationSeconds: 12.5 }), /whole number/);
      assert.match(problems({ signingAlgorithm: 'PS256' }), /RS256 or ES384/);
      assert.match(
        problems({ additionalAudiences: Array.from({ length: 10 }, (_, i) => `a${i}`) }),
        /at most 10 audiences/,
      );
      assert.match(
        problems({
          tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])),
        }),
        /at most 50 tags/,
      );
      assert.match(problems({ tags: { k: 1 } }), /text values/);
      assert.match(problems({ region: 'Europe' }), /not an AWS region/);
      assert.match(problems({ profile: '-x' }), /not an AWS profile/);
      assert.match(problems({ method: 'shell' }), /one of auto, cli, sdk/);
      assert.match(problems({ endpointUrl: 'sts.local' }), /http\(s\) URL/);
    });

    it('describes the account and builds the Query body and regional endpoint', () => {
      assert.equal(
        awsStsProvider.describe(account({ profile: 'ci', region: 'us-east-1' })),
        'AWS STS: profile ci, us-east-1 (RS256)',
      );
      assert.equal(regionalEndpoint('cn-north-1'), 'https://sts.cn-north-1.amazonaws.com.cn');
      assert.equal(
        detectIssuerFamily({
          iss: 'https://a1d2b0fd-1177-4468-9351-2fEXAMPLE723.tokens.sts.global.api.aws',
        }),
        'aws',
      );
      assert.equal(detectIssuerFamily({ 'https://sts.amazonaws.com/': {} }), 'aws');
      assert.equal(
        queryBody({
          audiences: ['a b', 'c'],
          signingAlgorithm: 'ES384',
          durationSeconds: 60,
          tags: { k: 'v&w' },
        }),
        'Action=GetWebIdentityToken&Version=2011-06-15&Audience.member.1=a+b&Audience.member.2=c&SigningAlgorithm=ES384&DurationSeconds=60&Tags.member.1.Key=k&Tags.member.1.Value=v%26w',
      );
      assert.equal(
        xmlElement('<Message>a &lt;b&gt; &amp; &#39;c&#x27;</Message>', 'Message'),
        "a <b> & 'c'",
      );
      assert.deepEqual(
        stsError(
          '<ErrorResponse><Error><Code>X</Code><Message>m</Message></Error></ErrorResponse>',
        ),
        { code: 'X', message: 'm' },
      );
    });

    it('detects AWS credentials through the ports only', async () => {
      const none = await awsStsDescriptor.detect({
        context: testContext({ env: {}, homeDir: dir }),
        shared: (_k, compute) => compute(),
        environmentNames: () => [],
        signal: new AbortController().signal,
      });
      assert.deepEqual(none, []);
      await mkdirAws(dir);
      const found = await awsStsDescriptor.detect({
        context: testContext({ env: { AWS_REGION: 'us-west-2' }, homeDir: dir }),
        shared: (_k, compute) => compute(),
        environmentNames: () => [],
        signal: new AbortController().signal,
      });
      assert.equal(found.length, 1);
      assert.deepEqual(found[0]?.draft.settings, { region: 'us-west-2' });
      const byProfile = await awsStsDescriptor.detect({
        context: testContext({ env: { AWS_PROFILE: 'ci' }, homeDir: join(dir, 'nowhere') }),
        shared: (_k, compute) => compute(),
        environmentNames: () => [],
        signal: new AbortController().signal,
      });
      assert.deepEqual(byProfile[0]?.draft.settings, { profile: 'ci' });
    });

    it('wizard: picks a profile listed by the aws CLI, a region, the algorithm and the lifetime', async () => {
      const aws = await makeFakeAws({ endpoint: sts.url, profiles: { default: {}, ci: {} } });
      try {
        const seen: string[] = [];
        const ui: WizardUi = {
          pick: async (items, options) => {
            seen.push(`${options.title}: ${items.map((i) => i.label).join('|')}`);
            return items.find((i) => ['ci', 'ES384', '15 min'].includes(i.label));
          },
          input: async () => 'eu-central-1',
          confirm: async () => true,
          pickFile: async () => undefined,
          busy: (_t, task) => task(new AbortController().signal),
          recover: async () => undefined,
          error: () => undefined,
        };
        const draft = await runWizardSteps(
          awsStsDescriptor.wizard,
          { kind: 'aws-sts', settings: { awsPath: aws.path } },
          {
            ui,
            context: context(),
            state: { get: () => undefined, update: async () => undefined },
            environmentNames: () => [],
          },
        );
        assert.deepEqual(draft?.settings, {
          awsPath: aws.path,
          profile: 'ci',
          region: 'eu-central-1',
          signingAlgorithm: 'ES384',
          durationSeconds: 900,
        });
        assert.match(seen[0] ?? '', /Default credentials\|default\|ci\|/);
        assert.match(seen.at(-1) ?? '', /^Lifetime of each token: 5 min\|15 min\|1 hour\|/);
      } finally {
        await aws.cleanup();
      }
    });

    it('wizard: takes a typed lifetime within STS bounds only', async () => {
      const lifetime = awsStsDescriptor.wizard.at(-1)!;
      let validate: ((text: string) => unknown) | undefined;
      const ui = (typed: string | undefined): WizardUi => ({
        pick: async (items) => items.find((i) => i.label.includes('Other')),
        input: async (options) => {
          validate = options.validate;
          return typed;
        },
        confirm: async () => true,
        pickFile: async () => undefined,
        busy: (_t, task) => task(new AbortController().signal),
        recover: async () => undefined,
        error: () => undefined,
      });
      const ports = (typed: string | undefined) => ({
        ui: ui(typed),
        context: context(),
        state: { get: () => undefined, update: async () => undefined },
        environmentNames: () => [],
      });
      const draft: AccountDraft = { kind: 'aws-sts', settings: {} };
      assert.deepEqual((await lifetime(draft, ports(' 1800 ')))?.settings, {
        durationSeconds: 1800,
      });
      for (const bad of ['59', '3601', '90.5', 'ten']) {
        assert.match(String(validate?.(bad)), /from 60 to 3600/, bad);
      }
      assert.equal(validate?.('60'), undefined);
      assert.equal(await lifetime(draft, ports(undefined)), undefined);
      // Set already (Use Another Method keeps it): not asked again.
      const kept: AccountDraft = { kind: 'aws-sts', settings: { durationSeconds: 120 } };
      assert.equal(await lifetime(kept, ports(undefined)), kept);
    });

    it('wizard: says the SDK will call STS when no aws CLI is found, and keeps STS default lifetime', async () => {
      const rows: { label: string; detail?: string }[][] = [];
      const ui: WizardUi = {
        pick: async (items) => {
          rows.push([...items]);
          return items.find((i) => /Default credentials|RS256|5 min/.test(i.label));
        },
        input: async () => 'us-east-1',
        confirm: async () => true,
        pickFile: async () => undefined,
        busy: (_t, task) => task(new AbortController().signal),
        recover: async () => undefined,
        error: () => undefined,
      };
      const missing = join(tmpdir(), 'no-such-dir', 'aws');
      const draft = await runWizardSteps(
        awsStsDescriptor.wizard,
        { kind: 'aws-sts', settings: { awsPath: missing } },
        {
          ui,
          context: context(),
          state: { get: () => undefined, update: async () => undefined },
          environmentNames: () => [],
        },
      );
      assert.match(rows[0]?.[0]?.detail ?? '', /No aws CLI was found here: the AWS SDK/);
      assert.deepEqual(draft?.settings, {
        awsPath: missing,
        region: 'us-east-1',
        signingAlgorithm: 'RS256',
      });
    });

    it('wizard: a failed profile listing is said in the picker that follows, not a toast', async () => {
      const awsPath = join(dir, 'broken-aws');
      await writeFile(
        awsPath,
        '#!/bin/sh\necho "The config profile (ci) could not be found" >&2\nexit 255\n',
      );
      await chmod(awsPath, 0o755);
      const details: string[] = [];
      const warnings: string[] = [];
      const ctx = {
        ...context(),
        logger: { ...context().logger, warn: (m: string) => void warnings.push(m) },
      };
      const ui: WizardUi = {
        pick: async (items) => {
          details.push(...items.map((i) => i.detail ?? ''));
          return undefined;
        },
        input: async () => undefined,
        confirm: async () => true,
        pickFile: async () => undefined,
        busy: (_t, task) => task(new AbortController().signal),
        recover: async () => undefined,
        error: (m) => assert.fail(`a toast: ${m}`),
      };
      await runWizardSteps(
        awsStsDescriptor.wizard,
        { kind: 'aws-sts', settings: { awsPath } },
        {
          ui,
          context: ctx,
          state: { get: () => undefined, update: async () => undefined },
          environmentNames: () => [],
        },
      );
      assert.ok(
        details.some((d) =>
          /^The aws CLI could not list the profiles: .*could not be found$/.test(d),
        ),
        details.join('\n'),
      );
      assert.ok(warnings.some((l) => /^aws configure list-profiles failed: /.test(l)));
    });
  });
});

async function mkdirAws(home: string): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(home, '.aws'));
  await writeFile(join(home, '.aws', 'config'), '[default]\nregion = us-west-2\n');
}
