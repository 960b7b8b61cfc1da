import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nodeProcessRunner } from '../../../src/core/node/processRunner';
import type { ProviderContext } from '../../../src/core/providers/provider';
import { PROVIDERS } from '../../../src/core/providers/registry';
import { type Detector, detectCredentials } from '../../../src/core/wizard';
import { parseYaml } from '../../../src/core/yaml';
import { testContext } from '../../helpers/context';
import { type FakeGcloud, makeFakeGcloud } from '../../emulators/gcloud/fakeGcloud';
import { OidcIssuer } from '../../emulators/oidcIssuer';
import { type FakeYc, makeFakeYc } from '../../emulators/yc/fakeYc';
import { useTempDir } from '../helpers/fixtures';

const KUBECONFIG = `apiVersion: v1
kind: Config
current-context: dev
clusters:
  - name: dev-cluster
    cluster: { server: "https://127.0.0.1:6443" }
  - name: prod-cluster
    cluster: { server: "https://prod.example:6443" }
users:
  - name: dev-user
    user: { token: not-a-real-token }
contexts:
  - name: dev
    context: { cluster: dev-cluster, user: dev-user, namespace: team-a }
  - name: prod
    context: { cluster: prod-cluster, user: dev-user }
`;

/** The claims GitLab puts in a job's ID token (docs.gitlab.com/ci/secrets/id_token_authentication). */
const GITLAB_CLAIMS = {
  sub: 'project_path:my-group/my-project:ref_type:branch:ref:main',
  aud: 'https://vault.example.com',
  namespace_id: '72',
  namespace_path: 'my-group',
  project_id: '4242',
  project_path: 'my-group/my-project',
  pipeline_id: '1001',
  pipeline_source: 'push',
  job_id: '5005',
  ref: 'main',
  ref_type: 'branch',
  ref_path: 'refs/heads/main',
  runner_id: 12,
  runner_environment: 'gitlab-hosted',
};

describe('Detect Credentials across every kind', function () {
  this.timeout(30_000);
  const dir = useTempDir('detect-');
  let issuer: OidcIssuer;
  let yc: FakeYc | undefined;
  let gcloud: FakeGcloud | undefined;

  before(async () => {
    issuer = await OidcIssuer.start();
  });
  after(() => issuer.stop());
  afterEach(async () => {
    await yc?.cleanup();
    await gcloud?.cleanup();
    yc = undefined;
    gcloud = undefined;
  });

  function context(env: Record<string, string>, extra: Partial<ProviderContext> = {}) {
    return {
      ...testContext({ env, runner: nodeProcessRunner, homeDir: dir.path, timeoutMs: 10_000 }),
      parseYaml,
      ycPath: join(dir.path, 'no-yc'),
      gcloudPath: join(dir.path, 'no-gcloud'),
      ...extra,
    };
  }

  const run = (ctx: ProviderContext, names: readonly string[] = [], timeoutMs = 10_000) =>
    detectCredentials(PROVIDERS, ctx, { timeoutMs, environmentNames: () => names });

  it('offers yc profiles, kubeconfig contexts, CI token variables and gcloud in one run', async () => {
    const kubeconfig = join(dir.path, 'kubeconfig');
    await writeFile(kubeconfig, KUBECONFIG);
    yc = await makeFakeYc({
      profiles: { default: { hasToken: true }, work: { hasToken: true } },
      activeProfile: 'work',
    });
    gcloud = await makeFakeGcloud({
      activeAccount: 'dev@example.com',
      accounts: [{ email: 'dev@example.com', type: 'user', uniqueId: '1234567890' }],
      project: 'my-project-123456',
    });
    const gitlabToken = await issuer.sign(GITLAB_CLAIMS);
    const env = {
      KUBECONFIG: kubeconfig,
      ID_TOKEN_1: gitlabToken,
      NOT_A_TOKEN: 'hello',
      ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/token',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
    };
    const report = await run(context(env, { ycPath: yc.path, gcloudPath: gcloud.path }), [
      'KUBECONFIG',
      'ID_TOKEN_1',
      'NOT_A_TOKEN',
    ]);
    assert.deepEqual(report.problems, []);
    assert.deepEqual(
      report.found.map((c) => [c.label, c.draft.kind, c.draft.settings]),
      [
        ['$(terminal) gcloud: dev@example.com', 'google-gcloud', {}],
        ['$(terminal) yc profile default', 'yandex-cli', { profile: 'default' }],
        ['$(terminal) yc profile work', 'yandex-cli', { profile: 'work' }],
        ['$(server-process) Kubernetes context dev', 'kubernetes', { context: 'dev' }],
        ['$(server-process) Kubernetes context prod', 'kubernetes', { context: 'prod' }],
        ['$(git-merge) GitLab CI $ID_TOKEN_1', 'gitlab-ci', { variable: 'ID_TOKEN_1' }],
        ['$(github-action) GitHub Actions job token', 'github-actions', {}],
      ],
    );
    assert.equal(report.found[2]?.description, 'active');
    assert.match(report.found[3]?.description ?? '', /^current · https:\/\/127\.0\.0\.1:6443$/);
  });

  it('finds nothing, and reports nothing, on a machine without any credentials', async () => {
    const report = await run(context({}));
    assert.deepEqual(report, { found: [], problems: [] });
  });

  it('does not offer gcloud without an active account, and says why', async () => {
    gcloud = await makeFakeGcloud({ activeAccount: null, accounts: [], project: 'p-123456' });
    const report = await run(context({}, { gcloudPath: gcloud.path }));
    assert.deepEqual(report.found, []);
    assert.equal(report.problems.length, 1);
    assert.match(report.problems[0] ?? '', /^Google Cloud: gcloud CLI: .*no account is logged in/);
  });

  it('reports broken ADC and a broken kubeconfig, and still offers what the others found', async () => {
    const kubeconfig = join(dir.path, 'kubeconfig');
    await writeFile(kubeconfig, 'clusters: [unclosed\n');
    yc = await makeFakeYc({ profiles: { default: { hasToken: true } }, activeProfile: 'default' });
    const report = await run(
      context(
        {
          KUBECONFIG: kubeconfig,
          GOOGLE_APPLICATION_CREDENTIALS: join(dir.path, 'missing.json'),
        },
        { ycPath: yc.path },
      ),
    );
    assert.deepEqual(
      report.found.map((c) => c.label),
      ['$(terminal) yc profile default'],
    );
    assert.equal(report.problems.length, 2, report.problems.join('\n'));
    assert.match(
      report.problems[0] ?? '',
      /^Google Cloud: service-account impersonation: Application Default Credentials are broken: GOOGLE_APPLICATION_CREDENTIALS is set to .*missing\.json/,
    );
    assert.match(report.problems[1] ?? '', /^Kubernetes.*: The kubeconfig .* is not valid YAML/);
  });

  it('bounds each detector in time, aborts it, and keeps the others', async () => {
    let aborted = false;
    const hanging: Detector = {
      label: 'Hangs',
      detect: ({ signal }) =>
        new Promise(() => {
          signal.addEventListener('abort', () => (aborted = true));
        }),
    };
    const failing: Detector = {
      label: 'Fails',
      detect: () => Promise.reject(new Error('boom')),
    };
    const working: Detector = {
      label: 'Works',
      detect: async () => [{ label: 'found', draft: { kind: 'google-user', settings: {} } }],
    };
    const report = await detectCredentials([hanging, failing, working], context({}), {
      timeoutMs: 200,
      environmentNames: () => [],
    });
    assert.deepEqual(
      report.found.map((c) => c.label),
      ['found'],
    );
    assert.deepEqual(report.problems, ['Hangs: no answer within 0.2 s', 'Fails: boom']);
    assert.ok(aborted, 'the hanging detector was told to stop');
  });

  it('offers a user ADC file as impersonation and as the user, reading the file once', async () => {
    const path = join(dir.path, 'adc.json');
    await writeFile(
      path,
      JSON.stringify({
        type: 'authorized_user',
        client_id: 'client.apps.googleusercontent.com',
        client_secret: 'secret',
        refresh_token: 'refresh',
      }),
    );
    const base = context({ GOOGLE_APPLICATION_CREDENTIALS: path });
    let reads = 0;
    const report = await run({
      ...base,
      files: { readText: (file) => ((reads += file === path ? 1 : 0), base.files.readText(file)) },
    });
    assert.deepEqual(
      report.found.map((c) => [c.label, c.description, c.draft.kind]),
      [
        [
          '$(person) Impersonate a service account with your ADC',
          'GOOGLE_APPLICATION_CREDENTIALS (authorized_user)',
          'google-impersonation',
        ],
        ['$(account) Your Google identity (ADC)', 'GOOGLE_APPLICATION_CREDENTIALS', 'google-user'],
      ],
    );
    assert.equal(reads, 1, 'the ADC file is looked up once for all Google kinds');
  });
});
